"""Tracked frameworks and coverage pages, browser-free: track and untrack, the dashboard with
totals, bars, roll-ups and reasons, the gap report, downloads, and the manual verdict set from a
requirement's row."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import pytest
from openpyxl import load_workbook

from openisms.controls import services
from openisms.evidence import services as evidence_services
from openisms.orgs.access import Actor, actor_for
from openisms.soa import tracking
from openisms.soa.models import SoaEntry
from tests.conftest import World, login

CSF = "/o/org-a/coverage/nist-csf-2.0/"


def _owner(world: World) -> Actor:
    return actor_for(world.owner_a, world.org_a.slug)


@pytest.fixture
def csf(world: World) -> World:
    """Organisation A tracks NIST CSF 2.0; one control covers PR.DS-11 (with current
    evidence), one partly covers PR.AA-01."""
    actor = _owner(world)
    tracking.framework_track(actor=actor, framework_slug="nist-csf-2.0")
    services.control_create(
        actor=actor,
        ref="BK-01",
        name="Nightly backups",
        status="implemented",
        requirements=["nist-csf-2.0:PR.DS-11"],
    )
    services.control_create(
        actor=actor,
        ref="IAM-01",
        name="Identity lifecycle",
        status="partially_implemented",
        requirements=["nist-csf-2.0:PR.AA-01"],
    )
    evidence_services.evidence_create_link(
        actor=actor,
        title="Restore report",
        url="https://example.com/r",
        valid_until=dt.date.today() + dt.timedelta(days=90),
        controls=["BK-01"],
    )
    return world


def _verdicts(html: str) -> dict[str, str]:
    rows = re.findall(
        r'<tr id="req-\d+">\s*<td class="nowrap"><a [^>]*>([^<]+)</a>'
        r'.*?<span class="state[^"]*">([^<]+)</span>',
        html,
        re.S,
    )
    return dict(rows)


def test_frameworks_page_tracks_and_untracks(world: World) -> None:
    client = login(world.owner_a)
    html = client.get("/o/org-a/frameworks/").content.decode()
    assert "always tracked: the SoA" in html
    assert 'action="/o/org-a/frameworks/hipaa-security-rule/track/"' in html
    assert "/o/org-a/frameworks/iso27001-2013/track/" not in html  # withdrawn
    response = client.post("/o/org-a/frameworks/hipaa-security-rule/track/", follow=True)
    assert "Now tracking hipaa-security-rule" in response.content.decode()
    assert tracking.is_tracked(actor=_owner(world), framework_slug="hipaa-security-rule")
    again = client.post("/o/org-a/frameworks/hipaa-security-rule/track/", follow=True)
    assert "already tracked" in again.content.decode()
    response = client.post("/o/org-a/frameworks/hipaa-security-rule/untrack/", follow=True)
    assert "No longer tracking" in response.content.decode()
    soa = client.post("/o/org-a/frameworks/iso27001-2022/untrack/", follow=True)
    assert "always tracked" in soa.content.decode()
    viewer = login(world.users_a["viewer"])
    html = viewer.get("/o/org-a/frameworks/").content.decode()
    assert "/track/" not in html and "Preview coverage" in html
    assert viewer.post("/o/org-a/frameworks/nist-csf-2.0/track/").status_code == 403


def test_coverage_dashboard(csf: World) -> None:
    client = login(csf.users_a["auditor"])
    html = client.get(CSF).content.decode()
    assert "<strong>1</strong> covered" in html and "<strong>1</strong> partly covered" in html
    assert "<strong>104</strong> not covered" in html
    assert 'class="seg seg-covered"' in html and 'class="seg seg-not_covered"' in html
    assert "PR.DS" in html and "Data Security" in html  # the roll-up per category
    verdicts = _verdicts(html)
    assert verdicts["PR.DS-11"] == "Covered" and verdicts["PR.AA-01"] == "Partly covered"
    assert "Control BK-01 Nightly backups: Implemented." in html
    assert "Current evidence: EV-1." in html
    assert "Set status" not in html  # auditors read, they do not set verdicts
    only = client.get(CSF + "?verdict=partial", headers={"HX-Request": "true"})
    assert b"<html" not in only.content and list(_verdicts(only.content.decode())) == ["PR.AA-01"]
    search = client.get(CSF + "?q=pr.ds-11").content.decode()
    assert list(_verdicts(search)) == ["PR.DS-11"]
    assert client.get("/o/org-a/coverage/no-such-framework/").status_code == 404
    # Another organisation tracking nothing of it sees none of A's work.
    other = login(csf.owner_b).get(CSF.replace("org-a", "org-b")).content.decode()
    assert "BK-01" not in other and "<strong>0</strong> covered" in other
    assert "does not track" in other


def test_gap_report_lists_not_covered_then_partial(csf: World) -> None:
    client = login(csf.owner_a)
    first = client.get(CSF + "gaps/").content.decode()
    assert set(_verdicts(first).values()) == {"Not covered"}
    assert "Page 1 of 2 (105 items)" in first
    last = list(_verdicts(client.get(CSF + "gaps/?page=2").content.decode()).values())
    assert last == ["Not covered"] * 4 + ["Partly covered"]


def test_downloads(csf: World) -> None:
    client = login(csf.users_a["viewer"])
    data = json.loads(client.get(CSF + "export/?format=json").content)
    assert {r["ref"]: r["status"] for r in data}["PR.DS-11"] == "covered"
    xlsx = client.get(CSF + "export/?format=xlsx")
    assert xlsx["Content-Disposition"] == 'attachment; filename="org-a-coverage-nist-csf-2.0.xlsx"'
    sheets = load_workbook(io.BytesIO(xlsx.content)).sheetnames
    assert {"Coverage", "Roll-up", "Gaps"} <= set(sheets)
    assert client.get(CSF + "export/?format=pdf").content.startswith(b"%PDF")
    assert client.get(CSF + "export/?format=doc").status_code == 400


def test_override_from_the_requirement_row(csf: World) -> None:
    row = SoaEntry.objects.select_related("requirement").get(
        org=csf.org_a, requirement__framework__slug="nist-csf-2.0", requirement__ref="GV.PO-01"
    )
    url = f"{CSF}{row.requirement_id}/override/"
    client = login(csf.owner_a)
    assert f'action="{url}"' in client.get(CSF + "?q=GV.PO").content.decode()
    missing = client.post(url, {"status": "implemented", "next": CSF + "?q=GV.PO"}, follow=True)
    assert "Say why the status is set by hand." in missing.content.decode()
    response = client.post(
        url, {"status": "implemented", "reason": "Board minutes", "next": CSF + "?q=GV.PO"}
    )
    assert response["Location"] == f"{CSF}?q=GV.PO#req-{row.requirement_id}"
    row.refresh_from_db()
    assert (row.override_status, row.override_by) == ("implemented", csf.owner_a)
    html = client.get(CSF + "?q=GV.PO").content.decode()
    assert "set by hand" in html and "Board minutes" in html
    assert "Status set by hand: Implemented." in html
    # Somewhere else than this framework's pages is not where we go back to.
    away = client.post(url, {"status": "", "next": "https://evil.example/"})
    assert away["Location"] == f"{CSF}#req-{row.requirement_id}"
    row.refresh_from_db()
    assert row.override_status == ""
    # Editors only; a requirement of another framework under this URL is not found.
    manager_ok = login(csf.users_a["manager"]).post(url, {"status": ""})
    assert manager_ok.status_code == 302
    assert login(csf.users_a["contributor"]).post(url, {"status": ""}).status_code == 403
    iso = SoaEntry.objects.get(org=csf.org_a, requirement__ref="A.5.1")
    assert client.post(f"{CSF}{iso.requirement_id}/override/", {"status": ""}).status_code == 404
