"""Nonconformities and corrective actions: closure rules, permissions, reminders, exports,
the review input, the API and the pages."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from openisms.core.models import AuditEvent
from openisms.nonconformities import exports, selectors, services
from openisms.nonconformities.models import NcStatus, Nonconformity
from openisms.nonconformities.reminders import nonconformity_events
from openisms.nonconformities.review_input import nonconformity_input
from openisms.orgs import pack_parts
from openisms.orgs.access import Actor, actor_for
from openisms.orgs.review_inputs import ReviewPeriod
from openisms.work.reminders import reminders_send
from tests.conftest import World, login, token_client

pytestmark = pytest.mark.usefixtures("catalog")
TODAY = dt.date(2026, 6, 10)


def _actor(world: World, role: str = "owner") -> Actor:
    return actor_for(world.users_a[role], world.org_a.slug)


def _nc(world: World, role: str = "owner", **extra: Any) -> Nonconformity:
    fields: dict[str, Any] = {
        "title": "Leavers kept access",
        "description": "Two leavers kept console access.",
        "source": "audit",
        "severity": "major",
        "source_ref": "IA-2026-01 finding 1",
        "owner": world.users_a["contributor"].email,
        "requirements": ["A.5.18", "9.2"],
    }
    fields.update(extra)
    return services.nonconformity_create(actor=_actor(world, role), **fields)


def _status(nc: Nonconformity) -> str:
    return Nonconformity.objects.get(pk=nc.pk).status


# --- the public service and the closure rules ---------------------------------------------------


def test_create_assigns_refs_and_records_an_event(world: World) -> None:
    first = _nc(world)
    second = _nc(world, title="Second", severity="minor", requirements=())
    assert (first.ref, second.ref) == ("NC-001", "NC-002")
    assert first.status == NcStatus.OPEN
    assert sorted(r.ref for r in first.requirements.all()) == ["9.2", "A.5.18"]
    event = AuditEvent.objects.get(action="nonconformity.create", object_id=str(first.pk))
    assert event.after["ref"] == "NC-001" and event.after["requirements"] == ["9.2", "A.5.18"]


def test_create_refuses_bad_input_and_writes_nothing(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        _nc(world, severity="catastrophic")
    assert "severity" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        _nc(world, requirements=["Z.99"])
    assert "requirements" in exc.value.message_dict
    with pytest.raises(ValidationError):
        _nc(world, owner="stranger@example.com")
    assert not Nonconformity.objects.exists()


def test_editors_raise_but_auditors_contributors_and_viewers_do_not(world: World) -> None:
    # The auditor role writes findings and nothing else; an editor raises the nonconformity
    # from a finding (tests/test_audits.py).
    assert _nc(world, role="manager").raised_by == world.users_a["manager"]
    for role in ("auditor", "contributor", "viewer"):
        with pytest.raises(PermissionDenied):
            _nc(world, role=role)


def test_closure_needs_root_cause_finished_actions_and_an_effective_check(world: World) -> None:
    owner = _actor(world)
    nc = _nc(world)
    # Nothing done yet: no root cause, no action.
    with pytest.raises(ValidationError) as exc:
        services.nonconformity_start_verification(actor=owner, nc=nc)
    assert {"root_cause", "actions"} <= set(exc.value.message_dict)
    action = services.action_create(actor=owner, nc=nc, title="Automate deprovisioning")
    assert _status(nc) == NcStatus.PLANNED
    services.nonconformity_update(actor=owner, nc=nc, root_cause="No HR trigger")
    # An open action blocks verification and closure.
    with pytest.raises(ValidationError) as exc:
        services.nonconformity_start_verification(actor=owner, nc=nc)
    assert "still open" in exc.value.message_dict["actions"][0]
    with pytest.raises(ValidationError) as exc:
        services.nonconformity_close(actor=owner, nc=nc)
    assert {"actions", "effectiveness"} <= set(exc.value.message_dict)
    services.action_update(actor=owner, action=action, status="done")
    services.nonconformity_start_verification(actor=owner, nc=nc)
    assert _status(nc) == NcStatus.VERIFYING
    # Not checked yet: still refused.
    with pytest.raises(ValidationError) as exc:
        services.nonconformity_close(actor=owner, nc=nc)
    assert set(exc.value.message_dict) == {"effectiveness"}
    services.nonconformity_check(actor=owner, nc=nc, result="effective", notes="Sampled")
    closed = services.nonconformity_close(actor=owner, nc=nc, closed_on=TODAY)
    assert closed.status == NcStatus.CLOSED and closed.closed_on == TODAY
    assert closed.closed_by == world.owner_a
    # A closed nonconformity's actions are final.
    with pytest.raises(ValidationError):
        services.action_create(actor=owner, nc=closed, title="Late addition")
    actions = [e.action for e in AuditEvent.objects.filter(object_id=str(nc.pk)).order_by("seq")]
    assert actions[-3:] == ["nonconformity.verify", "nonconformity.check", "nonconformity.close"]


def test_a_not_effective_check_reopens_planning(world: World) -> None:
    owner = _actor(world)
    nc = _nc(world)
    services.nonconformity_update(actor=owner, nc=nc, root_cause="Manual step forgotten")
    services.action_create(actor=owner, nc=nc, title="Checklist", status="done")
    services.nonconformity_start_verification(actor=owner, nc=nc)
    with pytest.raises(ValidationError) as exc:  # needs a reason
        services.nonconformity_check(actor=owner, nc=nc, result="not_effective")
    assert "notes" in exc.value.message_dict
    services.nonconformity_check(
        actor=owner, nc=nc, result="not_effective", notes="Happened again in May"
    )
    assert _status(nc) == NcStatus.PLANNED
    with pytest.raises(ValidationError):
        services.nonconformity_close(actor=owner, nc=nc)
    # A new action, done, then a new verification clears the old result.
    services.action_create(actor=owner, nc=nc, title="Automate it", status="done")
    again = services.nonconformity_start_verification(actor=owner, nc=nc)
    assert again.status == NcStatus.VERIFYING and again.effectiveness == ""


def test_a_cancelled_only_plan_cannot_close(world: World) -> None:
    owner = _actor(world)
    nc = _nc(world)
    services.nonconformity_update(actor=owner, nc=nc, root_cause="x")
    services.action_create(actor=owner, nc=nc, title="Dropped", status="cancelled")
    with pytest.raises(ValidationError) as exc:
        services.nonconformity_start_verification(actor=owner, nc=nc)
    assert "actions" in exc.value.message_dict


def test_owners_update_their_action_and_analysis_only(world: World) -> None:
    owner = _actor(world)
    contributor = _actor(world, "contributor")
    nc = _nc(world)  # owned by the contributor
    action = services.action_create(
        actor=owner, nc=nc, title="Fix", owner=world.users_a["contributor"].email
    )
    services.action_update(actor=contributor, action=action, status="in_progress", notes="Going")
    with pytest.raises(PermissionDenied):
        services.action_update(actor=contributor, action=action, due_on=TODAY)
    services.nonconformity_update(actor=contributor, nc=nc, root_cause="No trigger")
    with pytest.raises(PermissionDenied):
        services.nonconformity_update(actor=contributor, nc=nc, severity="minor")
    other = services.action_create(actor=owner, nc=nc, title="Someone else's")
    with pytest.raises(PermissionDenied):
        services.action_update(actor=contributor, action=other, status="done")
    for role in ("viewer", "auditor"):
        with pytest.raises(PermissionDenied):
            services.action_update(actor=_actor(world, role), action=action, status="done")
    with pytest.raises(PermissionDenied):
        services.action_create(actor=contributor, nc=nc, title="Not mine to add")
    with pytest.raises(PermissionDenied):
        services.nonconformity_start_verification(actor=contributor, nc=nc)


# --- reminders ----------------------------------------------------------------------------------


def test_reminders_for_due_and_overdue_actions_and_idle_nonconformities(world: World) -> None:
    owner = _actor(world)
    contributor = world.users_a["contributor"].email
    manager = world.users_a["manager"].email
    nc = _nc(world, raised_on=TODAY - dt.timedelta(days=30))
    late = services.action_create(
        actor=owner, nc=nc, title="Late fix", owner=contributor, due_on=TODAY - dt.timedelta(2)
    )
    services.action_create(
        actor=owner, nc=nc, title="Soon fix", owner=contributor, due_on=TODAY + dt.timedelta(1)
    )
    services.action_create(
        actor=owner, nc=nc, title="Far fix", owner=contributor, due_on=TODAY + dt.timedelta(20)
    )
    idle = _nc(world, title="Idle one", owner=manager, raised_on=TODAY - dt.timedelta(days=15))
    _nc(world, title="Fresh one", owner=manager, raised_on=TODAY - dt.timedelta(days=3))
    events = {e.key: e for e in nonconformity_events(world.org_a, TODAY)}
    assert set(events) == {
        f"ca:{late.pk}:overdue:{late.due_on.isoformat()}",  # type: ignore[union-attr]
        f"ca:{late.pk + 1}:due:{(TODAY + dt.timedelta(1)).isoformat()}",
        f"nc:{idle.pk}:no_action",
    }
    summary = reminders_send(org=world.org_a, today=TODAY)
    assert summary.emails == 2
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert "Late fix" in by_recipient[contributor].body
    assert "is overdue (2 days" in by_recipient[contributor].body
    assert "NC-002 Idle one has no corrective action yet" in by_recipient[manager].body
    # A second run sends nothing again.
    assert reminders_send(org=world.org_a, today=TODAY).emails == 0


# --- exports -------------------------------------------------------------------------------------


def test_register_exports_with_actions_and_neutralised_formulas(world: World) -> None:
    owner = _actor(world)
    nc = _nc(world, title='=HYPERLINK("http://evil")', description="+cmd")
    services.action_create(actor=owner, nc=nc, title="-2+3 fix", due_on=TODAY)
    _nc(world, title="Second", severity="minor", requirements=())
    content, ctype, ext = exports.export_nonconformities(actor=owner, fmt="xlsx")
    assert ext == "xlsx" and "spreadsheetml" in ctype
    book = openpyxl.load_workbook(io.BytesIO(content))
    register = book["Nonconformities"]
    rows = list(register.iter_rows(values_only=True))
    assert rows[0][:3] == ("Ref", "Title", "Description")
    assert [r[0] for r in rows[1:]] == ["NC-001", "NC-002"]
    assert rows[1][1] == '\'=HYPERLINK("http://evil")' and rows[1][2] == "'+cmd"
    assert rows[1][10] == "9.2, A.5.18"
    assert "'-2+3 fix" in rows[1][15] or "-2+3 fix (planned" in rows[1][15]
    actions = list(book["Corrective actions"].iter_rows(values_only=True))
    assert actions[1][:2] == ("NC-001", "'-2+3 fix")
    text, _, _ = exports.export_nonconformities(actor=owner, fmt="csv")
    lines = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    assert lines[1][0] == "NC-001" and lines[1][1].startswith("'=")
    with pytest.raises(ValidationError):
        exports.export_nonconformities(actor=owner, fmt="pdf")


def test_cli_export_and_pack_part(world: World, tmp_path: Any) -> None:
    _nc(world)
    out = tmp_path / "ncs.xlsx"
    call_command("export", "nonconformities", org="org-a", format="xlsx", output=str(out))
    book = openpyxl.load_workbook(out)
    assert book["Nonconformities"]["A2"].value == "NC-001"
    files = {p.path: p for p in pack_parts.parts()["nonconformities"](_actor(world))}
    assert set(files) == {"register.xlsx", "register.csv"}
    assert b"NC-001" in files["register.csv"].content


# --- review input --------------------------------------------------------------------------------


def test_review_input_counts_the_period(world: World) -> None:
    owner = _actor(world)
    start, end = dt.date(2026, 1, 1), dt.date(2026, 6, 30)
    _nc(world, title="Before", raised_on=dt.date(2025, 10, 1), severity="minor")
    in_period = _nc(world, title="In", raised_on=dt.date(2026, 2, 1))
    _nc(world, title="Also in", raised_on=dt.date(2026, 3, 1), severity="minor")
    services.nonconformity_update(actor=owner, nc=in_period, root_cause="x")
    services.action_create(actor=owner, nc=in_period, title="Done", status="done")
    services.nonconformity_start_verification(actor=owner, nc=in_period)
    services.nonconformity_check(actor=owner, nc=in_period, result="effective")
    services.nonconformity_close(actor=owner, nc=in_period, closed_on=dt.date(2026, 4, 1))
    other = _nc(world, title="Late actions", raised_on=dt.date(2026, 5, 1), severity="minor")
    services.action_create(actor=owner, nc=other, title="Overdue", due_on=dt.date(2026, 5, 2))
    result = nonconformity_input(owner, ReviewPeriod(start, end))
    assert result.clause == "9.3.2 d) 1)"
    f = result.figures
    assert f["Raised in the period"] == 3 and f["Closed in the period"] == 1
    assert (f["Open (major)"], f["Open (minor)"]) == (0, 3)
    assert f["Overdue corrective actions"] == 1
    assert f["Raised in the previous period"] == 1 and f["Trend"] == "up"
    assert [i["ref"] for i in result.items] == ["NC-001", "NC-002", "NC-003", "NC-004"]


# --- API and pages ------------------------------------------------------------------------------


def test_api_lifecycle(world: World) -> None:
    client = token_client(world.owner_a)
    base = "/api/v1/orgs/org-a/nonconformities"
    created = client.post(
        base,
        {
            "title": "Backups failed",
            "source": "incident",
            "severity": "major",
            "requirements": ["A.8.13"],
            "owner": world.users_a["manager"].email,
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["ref"] == "NC-001" and body["requirements"] == ["A.8.13"]
    nc_id = body["id"]
    bad = client.post(base, {"title": "x", "severity": "huge"}, content_type="application/json")
    assert bad.status_code == 422
    action = client.post(
        f"{base}/{nc_id}/actions",
        {"title": "Alerting", "status": "done"},
        content_type="application/json",
    )
    assert action.status_code == 201
    refused = client.post(f"{base}/{nc_id}/close", {}, content_type="application/json")
    assert refused.status_code == 422 and Nonconformity.objects.get().status != "closed"
    client.patch(f"{base}/{nc_id}", {"root_cause": "Expired key"}, content_type="application/json")
    assert client.post(f"{base}/{nc_id}/verify").status_code == 200
    check = client.post(
        f"{base}/{nc_id}/effectiveness", {"result": "effective"}, content_type="application/json"
    )
    assert check.status_code == 200
    closed = client.post(f"{base}/{nc_id}/close", {}, content_type="application/json")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    listing = client.get(base + "?status=closed").json()
    assert listing["count"] == 1 and listing["items"][0]["action_count"] == 1
    viewer = token_client(world.users_a["viewer"])
    assert viewer.post(base, {"title": "x"}, content_type="application/json").status_code == 403


def test_pages_and_export(world: World) -> None:
    nc = _nc(world)
    services.action_create(actor=_actor(world), nc=nc, title="Automate deprovisioning")
    client = login(world.owner_a)
    page = client.get(f"/o/org-a/nonconformities/{nc.pk}/")
    assert page.status_code == 200
    assert b"Automate deprovisioning" in page.content and b"IA-2026-01 finding 1" in page.content
    listing = client.get("/o/org-a/nonconformities/?status=all")
    assert b"NC-001" in listing.content
    download = client.get("/o/org-a/nonconformities/export/?format=csv")
    assert download.status_code == 200 and b"NC-001" in download.content
    assert client.get("/o/org-a/nonconformities/export/?format=exe").status_code == 404
    response = client.post(
        "/o/org-a/nonconformities/new/",
        {
            "title": "From the page",
            "source": "other",
            "severity": "minor",
            "raised_on": "2026-06-01",
            "requirements": "A.5.15",
        },
    )
    assert response.status_code == 302
    assert selectors.nonconformity_list(actor=_actor(world), q="From the page").count() == 1
