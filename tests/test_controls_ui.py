"""The control register's pages, browser-free: list with filters and counts, bulk edit, detail
with requirements and the evidence-and-tasks panel, create and edit with row-level requirement
errors, the owner's narrow form, delete with confirmation, and the evidence and task paths."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from openisms.controls import services
from openisms.controls.models import Control
from openisms.evidence import services as evidence_services
from openisms.evidence.models import EvidenceLink
from openisms.orgs.access import Actor, actor_for
from openisms.soa.models import SoaEntry
from openisms.work import services as work_services
from openisms.work.models import Task
from tests.conftest import World, login

CONTRIBUTOR = "contributor-a@example.com"


def _owner(world: World) -> Actor:
    return actor_for(world.owner_a, world.org_a.slug)


@pytest.fixture
def register(world: World) -> dict[str, Control]:
    """Three controls: backups (ISO and NIST, owned by the contributor), reviews (ISO only,
    planned) and a policy that meets no requirement yet."""
    actor = _owner(world)
    return {
        "backups": services.control_create(
            actor=actor,
            ref="BK-01",
            name="Nightly backups",
            owner=CONTRIBUTOR,
            status="implemented",
            requirements=["iso27001-2022:A.8.13", "nist-csf-2.0:PR.DS-11"],
        ),
        "reviews": services.control_create(
            actor=actor,
            ref="AC-01",
            name="Access reviews",
            status="planned",
            target_date=dt.date(2027, 3, 31),
            requirements=["iso27001-2022:A.5.18"],
        ),
        "policy": services.control_create(actor=actor, ref="POL-01", name="Clean desk policy"),
    }


def _refs(html: str) -> list[str]:
    return re.findall(r'name="controls" value="\d+" id="sel-\d+"><label[^>]*>Select ([^<]+)<', html)


def test_list_filters_counts_and_partial(world: World, register: dict[str, Control]) -> None:
    client = login(world.owner_a)
    html = client.get("/o/org-a/controls/").content.decode()
    assert _refs(html) == ["AC-01", "BK-01", "POL-01"]
    assert "<strong>3</strong> controls" in html and "<strong>1</strong> linked to no" in html
    assert "ISO 27001:2022 A.8.13" in html and "NIST CSF 2.0 PR.DS-11" in html
    for query, expected in [
        ("framework=nist-csf-2.0", ["BK-01"]),
        ("unlinked=1", ["POL-01"]),
        ("status=planned", ["AC-01"]),
        (f"owner={CONTRIBUTOR}", ["BK-01"]),
        ("owner=none&q=desk", ["POL-01"]),
    ]:
        assert _refs(client.get(f"/o/org-a/controls/?{query}").content.decode()) == expected
    partial = client.get("/o/org-a/controls/?status=planned", headers={"HX-Request": "true"})
    assert b"<html" not in partial.content and _refs(partial.content.decode()) == ["AC-01"]
    # Readers see the register without the editors' tools.
    viewer = login(world.users_a["viewer"]).get("/o/org-a/controls/").content.decode()
    assert _refs(viewer) == [] and "BK-01" in viewer and "Add a control" not in viewer


def test_bulk_edit_changes_the_selected_controls_and_the_soa(
    world: World, register: dict[str, Control]
) -> None:
    client = login(world.owner_a)
    ids = [register["reviews"].pk, register["policy"].pk]
    response = client.post(
        "/o/org-a/controls/bulk/",
        {"controls": ids, "status": "partially_implemented", "owner": CONTRIBUTOR},
        follow=True,
    )
    assert "2 controls updated." in response.content.decode()
    changed = Control.objects.filter(pk__in=ids)
    assert {(c.status, c.owner.email if c.owner else None) for c in changed} == {
        ("partially_implemented", CONTRIBUTOR)
    }
    row = SoaEntry.objects.get(org=world.org_a, requirement__ref="A.5.18")
    assert row.status == "partially_implemented"
    nothing = client.post("/o/org-a/controls/bulk/", {"controls": ids}, follow=True)
    assert "Choose a status, an owner or a target date" in nothing.content.decode()
    viewer = login(world.users_a["viewer"])
    assert (
        viewer.post("/o/org-a/controls/bulk/", {"controls": ids, "status": "planned"}).status_code
        == 403
    )


def test_detail_groups_requirements_and_shows_evidence_and_tasks(
    world: World, register: dict[str, Control]
) -> None:
    actor = _owner(world)
    evidence_services.evidence_create_link(
        actor=actor, title="Restore report", url="https://example.com/r", controls=["BK-01"]
    )
    evidence_services.evidence_create_link(
        actor=actor, title="Backup policy", url="https://example.com/p", requirements=["A.8.13"]
    )
    work_services.task_create(actor=actor, title="Test a restore", control="BK-01")
    client = login(world.owner_a)
    html = client.get(f"/o/org-a/controls/{register['backups'].pk}/").content.decode()
    assert html.index("ISO/IEC 27001:2022") < html.index("NIST Cybersecurity Framework")
    assert 'href="/o/org-a/catalog/iso27001-2022/A.8.13/"' in html
    assert 'href="/o/org-a/catalog/nist-csf-2.0/PR.DS-11/"' in html
    assert "Restore report" in html and "Test a restore" in html
    assert "Linked to the requirements it meets" in html and "Backup policy" in html
    assert "/o/org-a/evidence/new/?controls=BK-01" in html
    assert "/o/org-a/work/tasks/new/?control=BK-01" in html
    assert "Edit" in html and "Delete" in html
    row = SoaEntry.objects.get(org=world.org_a, requirement__ref="A.8.13")
    soa = client.get(f"/o/org-a/soa/{row.pk}/").content.decode()
    assert f'href="/o/org-a/controls/{register["backups"].pk}/">BK-01</a>' in soa
    viewer = login(world.users_a["viewer"]).get(f"/o/org-a/controls/{register['backups'].pk}/")
    assert b"Add evidence" not in viewer.content and b"/delete/" not in viewer.content


def test_add_evidence_and_a_task_from_the_control(
    world: World, register: dict[str, Control]
) -> None:
    client = login(world.owner_a)
    form = client.get("/o/org-a/evidence/new/?controls=BK-01&kind=link").content.decode()
    assert 'name="controls" value="BK-01"' in form
    response = client.post(
        "/o/org-a/evidence/new/",
        {"kind": "link", "url": "https://example.com/x", "title": "Dashboard", "controls": "BK-01"},
    )
    assert response.status_code == 302
    assert EvidenceLink.objects.filter(control=register["backups"]).count() == 1
    bad = client.post(
        "/o/org-a/evidence/new/",
        {"kind": "link", "url": "https://example.com/y", "title": "Other", "controls": "NOPE"},
    )
    assert bad.status_code == 200 and "No such control: NOPE" in bad.content.decode()
    form = client.get("/o/org-a/work/tasks/new/?control=BK-01").content.decode()
    assert 'name="control" value="BK-01"' in form
    response = client.post(
        "/o/org-a/work/tasks/new/",
        {"title": "Restore drill", "status": "open", "priority": "normal", "control": "BK-01"},
    )
    assert response.status_code == 302
    task = Task.objects.get(title="Restore drill")
    assert task.control == register["backups"]
    detail = client.get(f"/o/org-a/work/tasks/{task.pk}/").content.decode()
    assert f'href="/o/org-a/controls/{register["backups"].pk}/"' in detail
    both = client.post(
        "/o/org-a/work/tasks/new/",
        {"title": "x", "status": "open", "priority": "normal", "control": "BK-01", "risk": "R-1"},
    )
    assert both.status_code == 200 and "Choose one target" in both.content.decode()


def test_create_reports_each_bad_requirement_line(world: World) -> None:
    client = login(world.owner_a)
    assert b'name="requirements"' in client.get("/o/org-a/controls/new/").content
    form = {"ref": "HIP-01", "name": "Unique user IDs", "status": "planned", "owner": ""}
    lines = (
        "hipaa-security-rule:164.312(a)(2)(i)\nA.5.1\n\niso27001-2022:A.99\nnist-csf-2.0:GV.OC-01"
    )
    response = client.post("/o/org-a/controls/new/", form | {"requirements": lines})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Line 2: “A.5.1” is not framework:ref" in html
    assert "Line 4: iso27001-2022:A.99 is not in the catalogue." in html
    assert "Line 1" not in html and "Line 5" not in html
    assert not Control.objects.filter(ref="HIP-01").exists()
    good = "hipaa-security-rule:164.312(a)(2)(i)\nnist-csf-2.0:GV.OC-01\nnist-csf-2.0:GV.OC-01"
    response = client.post("/o/org-a/controls/new/", form | {"requirements": good})
    control = Control.objects.get(ref="HIP-01")
    assert response["Location"] == f"/o/org-a/controls/{control.pk}/"
    assert sorted(r.ref for r in control.requirements.all()) == ["164.312(a)(2)(i)", "GV.OC-01"]
    duplicate = client.post("/o/org-a/controls/new/", form | {"requirements": ""})
    assert "Another control already has" in duplicate.content.decode()
    prefilled = client.get("/o/org-a/controls/new/?req=nist-csf-2.0:PR.DS-11").content.decode()
    assert "nist-csf-2.0:PR.DS-11</textarea>" in prefilled


def test_edit_by_editors_and_by_the_owner(world: World, register: dict[str, Control]) -> None:
    backups = register["backups"]
    client = login(world.owner_a)
    html = client.get(f"/o/org-a/controls/{backups.pk}/edit/").content.decode()
    assert "iso27001-2022:A.8.13\nnist-csf-2.0:PR.DS-11</textarea>" in html
    response = client.post(
        f"/o/org-a/controls/{backups.pk}/edit/",
        {
            "ref": "BK-01",
            "name": "Nightly encrypted backups",
            "owner": CONTRIBUTOR,
            "status": "implemented",
            "requirements": "iso27001-2022:A.8.13\nhipaa-security-rule:164.308(a)(7)(ii)(A)",
        },
    )
    assert response.status_code == 302
    backups.refresh_from_db()
    assert backups.name == "Nightly encrypted backups"
    assert sorted(r.ref for r in backups.requirements.all()) == ["164.308(a)(7)(ii)(A)", "A.8.13"]
    # The contributor who owns it gets the narrow form and changes status and implementation.
    contributor = login(world.users_a["contributor"])
    html = contributor.get(f"/o/org-a/controls/{backups.pk}/edit/").content.decode()
    assert "You own this control" in html and 'name="name"' not in html
    response = contributor.post(
        f"/o/org-a/controls/{backups.pk}/edit/",
        {"status": "partially_implemented", "implementation": "Restore failed once", "name": "X"},
    )
    assert response.status_code == 302
    backups.refresh_from_db()
    assert (backups.status, backups.name) == ("partially_implemented", "Nightly encrypted backups")
    # Not their control, not their role.
    assert contributor.get(f"/o/org-a/controls/{register['reviews'].pk}/edit/").status_code == 403
    assert contributor.get("/o/org-a/controls/new/").status_code == 403
    auditor = login(world.users_a["auditor"])
    assert auditor.get(f"/o/org-a/controls/{backups.pk}/edit/").status_code == 403


def test_delete_asks_first_and_says_what_goes(world: World, register: dict[str, Control]) -> None:
    actor = _owner(world)
    evidence_services.evidence_create_link(
        actor=actor, title="Restore report", url="https://example.com/r", controls=["BK-01"]
    )
    task = work_services.task_create(actor=actor, title="Test a restore", control="BK-01")
    client = login(world.owner_a)
    url = f"/o/org-a/controls/{register['backups'].pk}/delete/"
    html = client.get(url).content.decode()
    assert "its 2 requirements" in html and "1 evidence item loses" in html and "1 task" in html
    assert Control.objects.filter(pk=register["backups"].pk).exists()
    assert login(world.users_a["manager"]).get(url).status_code == 200
    assert login(world.users_a["contributor"]).post(url).status_code == 403
    assert client.post(url)["Location"] == "/o/org-a/controls/"
    assert not Control.objects.filter(pk=register["backups"].pk).exists()
    assert not EvidenceLink.objects.filter(control__isnull=False).exists()
    task.refresh_from_db()
    assert task.control_id is None
    assert client.get(url).status_code == 404


def test_navigation_has_controls_and_frameworks(world: World) -> None:
    html = login(world.users_a["viewer"]).get("/o/org-a/").content.decode()
    assert 'href="/o/org-a/controls/"' in html and 'href="/o/org-a/frameworks/"' in html
