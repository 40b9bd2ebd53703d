"""Internal audit: programmes and coverage, the independence rule, checklists, findings and the
auditor role's limits, report approval, exports, review inputs."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from docx import Document
from pypdf import PdfReader

from openisms.audits import exports, follow_up, review, selectors, services
from openisms.audits.models import Audit, AuditProgramme, ChecklistItem, Finding
from openisms.cli import main
from openisms.controls import services as control_services
from openisms.core.models import AuditEvent
from openisms.orgs import pack_parts, review_inputs
from openisms.orgs.access import Actor, actor_for, system_actor
from openisms.orgs.models import Organization
from openisms.orgs.review_inputs import ReviewPeriod
from openisms.risks import services as risk_services
from openisms.soa import selectors as soa_selectors
from openisms.soa import services as soa_services
from tests.conftest import World, login, token_client

pytestmark = pytest.mark.usefixtures("catalog")
TODAY = dt.date.today()


def _actor(world: World, role: str = "owner") -> Actor:
    return actor_for(world.users_a[role], world.org_a.slug)


def _email(world: World, role: str) -> str:
    return world.users_a[role].email


def _programme(world: World) -> AuditProgramme:
    return services.programme_create(
        actor=_actor(world), title="Programme", first_year=2026, last_year=2028
    )


def _audit(world: World, *, start: bool = False, **extra: Any) -> Audit:
    fields: dict[str, Any] = {
        "programme": _programme(world).pk,
        "title": "Core audit",
        "planned_start": dt.date(2026, 10, 5),
        "planned_end": dt.date(2026, 10, 9),
        "lead_auditor": _email(world, "auditor"),
        "scope": ["9.2", "9.3", "A.5.15"],
    }
    fields.update(extra)
    audit = services.audit_create(actor=_actor(world), **fields)
    if start:
        services.audit_update(actor=_actor(world), audit=audit, status="in_progress")
    return selectors.audit_get(actor=_actor(world), audit_id=audit.pk)


def _own_soa_row(world: World, ref: str, role: str) -> None:
    actor = _actor(world)
    entry = next(e for e in soa_selectors.soa_list(actor=actor, q=ref) if e.requirement.ref == ref)
    soa_services.soa_entry_update(actor=actor, entry=entry, owner=_email(world, role))


# --- programmes and audits --------------------------------------------------------------------


def test_audit_ref_and_events(world: World) -> None:
    first = _audit(world)
    second = _audit(world, planned_start=dt.date(2026, 11, 2), planned_end=dt.date(2026, 11, 3))
    nxt = _audit(world, planned_start=dt.date(2027, 3, 1), planned_end=dt.date(2027, 3, 2))
    assert (first.ref, second.ref, nxt.ref) == ("IA-2026-01", "IA-2026-02", "IA-2027-01")
    assert [r.ref for r in first.scope.all()] == ["9.2", "9.3", "A.5.15"]
    event = AuditEvent.objects.get(action="audit.create", object_id=str(first.pk))
    assert event.after["scope"] == ["9.2", "9.3", "A.5.15"]


def test_bad_input_names_the_field(world: World) -> None:
    programme = _programme(world)
    with pytest.raises(ValidationError) as exc:
        services.audit_create(
            actor=_actor(world),
            programme=programme.pk,
            title="x",
            planned_start=dt.date(2026, 5, 2),
            planned_end=dt.date(2026, 5, 1),
        )
    assert "planned_end" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        _audit(world, scope=["99.9"])
    assert "99.9" in str(exc.value)
    with pytest.raises(ValidationError):
        services.programme_create(actor=_actor(world), title="P", first_year=2028, last_year=2026)


def test_coverage_lists_unplanned_clauses_and_controls(world: World) -> None:
    actor = _actor(world)
    audit = _audit(world, scope=["9.2", "A.5.15"])
    coverage = selectors.programme_coverage(actor=actor, programme=audit.programme)
    unplanned = {
        r.requirement.ref for r in coverage.unplanned_clauses + coverage.unplanned_controls
    }
    assert "9.2" not in unplanned and "A.5.15" not in unplanned
    assert {"9.3", "4.1", "10.2", "A.8.13"} <= unplanned
    assert "4" not in {r.requirement.ref for r in coverage.clauses}  # chapter headings left out
    row = next(r for r in coverage.controls if r.requirement.ref == "A.5.15")
    assert row.audits == [audit] and row.planned and not row.done
    counts = coverage.counts()
    assert counts["clauses_planned"] == 1 and counts["controls_planned"] == 1
    assert counts["controls"] == 93
    # An excluded control is not in the coverage at all.
    entry = next(
        e for e in soa_selectors.soa_list(actor=actor, q="A.7.4") if e.requirement.ref == "A.7.4"
    )
    soa_services.soa_entry_update(
        actor=actor, entry=entry, applicable=False, justification="Remote company"
    )
    coverage = selectors.programme_coverage(actor=actor, programme=audit.programme)
    assert "A.7.4" not in {r.requirement.ref for r in coverage.controls}
    # The API says the same.
    response = token_client(world.owner_a).get(
        f"/api/v1/orgs/org-a/audit-programmes/{audit.programme_id}/coverage"
    )
    assert response.status_code == 200
    assert "9.3" in response.json()["unplanned"] and "9.2" not in response.json()["unplanned"]


# --- independence ----------------------------------------------------------------------------


def test_independence_auditor_first_then_scope(world: World) -> None:
    _own_soa_row(world, "A.8.13", "auditor")
    audit = _audit(world)  # the auditor leads; nothing they own is in scope yet
    with pytest.raises(ValidationError) as exc:
        services.audit_update(actor=_actor(world), audit=audit, scope=["9.2", "A.5.15", "A.8.13"])
    message = str(exc.value)
    assert "auditor-a@example.com" in message and "A.8.13" in message
    assert "scope" in exc.value.message_dict
    audit.refresh_from_db()
    assert sorted(audit.scope.values_list("ref", flat=True)) == ["9.2", "9.3", "A.5.15"]


def test_independence_scope_first_then_auditor(world: World) -> None:
    actor = _actor(world)
    control = control_services.control_create(
        actor=actor,
        ref="BK-01",
        name="Backups",
        owner=_email(world, "contributor"),
        requirements=["iso27001-2022:A.8.13"],
    )
    audit = _audit(world, scope=["9.2", "A.8.13"])
    with pytest.raises(ValidationError) as exc:
        services.audit_update(actor=actor, audit=audit, auditors=[_email(world, "contributor")])
    assert "contributor-a@example.com" in str(exc.value) and control.ref in str(exc.value)
    assert "auditors" in exc.value.message_dict
    assert not audit.auditors.exists()
    with pytest.raises(ValidationError):
        services.audit_update(actor=actor, audit=audit, lead_auditor=_email(world, "contributor"))
    # The API refuses the same with a 422 that names the person.
    response = token_client(world.owner_a).patch(
        f"/api/v1/orgs/org-a/audits/{audit.pk}",
        {"auditors": [_email(world, "contributor")]},
        content_type="application/json",
    )
    assert response.status_code == 422 and "contributor-a@example.com" in response.text
    # Someone else is fine.
    audit = selectors.audit_get(actor=actor, audit_id=audit.pk)  # as saved, not as tried
    services.audit_update(actor=actor, audit=audit, auditors=[_email(world, "viewer")])
    assert list(audit.auditors.values_list("email", flat=True)) == [_email(world, "viewer")]


# --- checklist -------------------------------------------------------------------------------


def test_checklist_follows_scope_once_started(world: World) -> None:
    actor = _actor(world)
    audit = _audit(world)
    assert not ChecklistItem.objects.filter(audit=audit).exists()  # planned: no checklist yet
    services.audit_update(actor=actor, audit=audit, status="in_progress")
    audit.refresh_from_db()
    assert audit.actual_start is not None
    items = {i.requirement.ref: i for i in selectors.checklist(actor=actor, audit=audit)}
    assert list(items) == ["9.2", "9.3", "A.5.15"]
    services.checklist_item_update(actor=actor, item=items["9.3"], result="conforming")
    services.audit_update(actor=actor, audit=audit, scope=["9.2", "A.8.13"])
    refs = [i.requirement.ref for i in selectors.checklist(actor=actor, audit=audit)]
    # A.5.15 was untouched and goes; 9.3 has a result and stays; A.8.13 is added.
    assert refs == ["9.2", "9.3", "A.8.13"]
    sync = AuditEvent.objects.filter(action="audit_checklist.sync").first()
    assert sync is not None and sync.after["removed"] == ["A.5.15"]


def test_checklist_evidence_must_be_the_organisations(world: World) -> None:
    actor = _actor(world)
    audit = _audit(world, start=True)
    item = selectors.checklist(actor=actor, audit=audit).first()
    assert item is not None
    with pytest.raises(ValidationError):
        services.checklist_item_update(actor=actor, item=item, evidence=[999999])
    with pytest.raises(ValidationError):
        services.checklist_item_update(actor=actor, item=item, result="great")


# --- findings and the auditor role -----------------------------------------------------------


def test_auditor_writes_findings_on_assigned_audits_only(world: World) -> None:
    auditor = _actor(world, "auditor")
    audit = _audit(world, start=True)
    item = selectors.checklist(actor=auditor, audit=audit).first()
    assert item is not None
    finding = services.finding_create(
        actor=auditor, audit=audit, type="minor_nc", title="Gap", checklist_item=item.pk
    )
    assert finding.author == world.users_a["auditor"] and finding.requirement == item.requirement
    services.finding_update(actor=auditor, finding=finding, title="Gap in reviews")
    other = _audit(world, start=True, lead_auditor=None)
    with pytest.raises(PermissionDenied):
        services.finding_create(actor=auditor, audit=other, type="ofi", title="Idea")
    # Someone else's finding on their own audit: neither edited nor deleted.
    mine = services.finding_create(
        actor=_actor(world, "manager"), audit=audit, type="ofi", title="x"
    )
    with pytest.raises(PermissionDenied):
        services.finding_update(actor=auditor, finding=mine, title="Changed")
    with pytest.raises(PermissionDenied):
        services.finding_delete(actor=auditor, finding=mine)
    services.finding_delete(actor=auditor, finding=finding)
    assert not Finding.objects.filter(pk=finding.pk).exists()
    # Contributors and viewers write no findings even when assigned.
    services.audit_update(
        actor=_actor(world),
        audit=audit,
        auditors=[_email(world, "viewer"), _email(world, "contributor")],
    )
    audit = selectors.audit_get(actor=auditor, audit_id=audit.pk)
    for role in ("viewer", "contributor"):
        with pytest.raises(PermissionDenied):
            services.finding_create(actor=_actor(world, role), audit=audit, type="ofi", title="y")


def test_auditor_role_is_refused_every_other_write(world: World) -> None:
    auditor = _actor(world, "auditor")
    audit = _audit(world, start=True)
    item = selectors.checklist(actor=auditor, audit=audit).first()
    assert item is not None
    with pytest.raises(PermissionDenied):
        services.checklist_item_update(actor=auditor, item=item, result="conforming")
    with pytest.raises(PermissionDenied):
        services.audit_update(actor=auditor, audit=audit, title="Mine now")
    with pytest.raises(PermissionDenied):
        services.programme_create(actor=auditor, title="P", first_year=2026, last_year=2026)
    with pytest.raises(PermissionDenied):
        services.report_submit(actor=auditor, audit=audit)
    # Other apps: a risk and an SoA row.
    with pytest.raises(PermissionDenied):
        risk_services.risk_create(actor=auditor, title="Risk")
    entry = soa_selectors.soa_list(actor=auditor).first()
    assert entry is not None
    with pytest.raises(PermissionDenied):
        soa_services.soa_entry_update(actor=auditor, entry=entry, implementation="x")
    # The same through the API and the pages.
    api = token_client(world.users_a["auditor"])
    base = f"/api/v1/orgs/org-a/audits/{audit.pk}"
    assert api.patch(base, {"title": "x"}, content_type="application/json").status_code == 403
    response = api.patch(
        f"{base}/checklist/{item.pk}", {"result": "conforming"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert api.post(f"{base}/reports", {}, content_type="application/json").status_code == 403
    response = api.post(
        f"{base}/findings",
        {"type": "observation", "title": "Seen"},
        content_type="application/json",
    )
    assert response.status_code == 201
    page = login(world.users_a["auditor"])
    assert page.get(f"/o/org-a/audits/{audit.pk}/edit/").status_code == 403
    assert page.get(f"/o/org-a/audits/{audit.pk}/checklist/{item.pk}/").status_code == 403
    assert page.get(f"/o/org-a/audits/{audit.pk}/findings/new/").status_code == 200


# --- reports ---------------------------------------------------------------------------------


def _completed_with_findings(world: World) -> Audit:
    actor = _actor(world)
    audit = _audit(world, start=True)
    items = {i.requirement.ref: i for i in selectors.checklist(actor=actor, audit=audit)}
    services.checklist_item_update(actor=actor, item=items["9.2"], result="nonconforming")
    auditor = _actor(world, "auditor")
    for kind, title in (("major_nc", "No audit programme for 2025"), ("ofi", "Automate sampling")):
        services.finding_create(
            actor=auditor, audit=audit, type=kind, title=title, checklist_item=items["9.2"].pk
        )
    services.audit_update(actor=actor, audit=audit, status="completed")
    return audit


def test_report_approval_with_separation_of_duties(world: World) -> None:
    audit = _completed_with_findings(world)
    owner = _actor(world)
    report = services.report_submit(actor=owner, audit=audit, comment="Done")
    assert report.snapshot["result_counts"]["nonconforming"] == 1
    assert report.snapshot["finding_counts"] == {
        "major_nc": 1,
        "minor_nc": 0,
        "observation": 0,
        "ofi": 1,
    }
    assert report.snapshot["lead_auditor"] == _email(world, "auditor")
    with pytest.raises(ValidationError):  # one pending version at a time
        services.report_submit(actor=owner, audit=audit)
    with pytest.raises(PermissionDenied):  # the submitter may not approve
        services.report_approve(actor=owner, report=report)
    with pytest.raises(PermissionDenied):  # ... nor reject
        services.report_reject(actor=owner, report=report, comment="Mine")
    with pytest.raises(PermissionDenied):  # managers do not approve
        services.report_approve(actor=_actor(world, "manager"), report=report)
    approved = services.report_approve(actor=_actor(world, "admin"), report=report)
    assert approved.is_approved and approved.approved_by == world.users_a["admin"]
    assert AuditEvent.objects.filter(action="audit_report.approve").count() == 1
    # The approved snapshot does not move with the live audit.
    services.finding_create(actor=owner, audit=audit, type="minor_nc", title="Late one")
    assert len(selectors.latest_approved_report(actor=owner, audit=audit).snapshot["findings"]) == 2  # type: ignore[union-attr]


# --- exports ---------------------------------------------------------------------------------


def test_report_exports_pdf_and_docx(world: World) -> None:
    audit = _completed_with_findings(world)
    owner = _actor(world)
    content, content_type, ext = exports.export_report(actor=owner, audit=audit, fmt="pdf")
    assert (content_type, ext) == ("application/pdf", "pdf")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    assert "No audit programme for 2025" in text and "Automate sampling" in text
    assert "Draft, not approved" in text and "Major nonconformity" in text
    report = services.report_submit(actor=_actor(world, "manager"), audit=audit)
    services.report_approve(actor=owner, report=report)
    content, _, _ = exports.export_report(actor=owner, audit=audit, fmt="docx")
    document = Document(io.BytesIO(content))
    body = "\n".join(p.text for p in document.paragraphs)
    cells = "\n".join(c.text for t in document.tables for row in t.rows for c in row.cells)
    assert "Opportunity for improvement (1)" in body
    assert "No audit programme for 2025" in cells and "Version 1, Approved" in cells
    with pytest.raises(ValidationError):
        exports.export_report(actor=owner, audit=audit, fmt="xlsx")
    response = login(world.users_a["viewer"]).get(
        f"/o/org-a/audits/{audit.pk}/export/?format=bogus"
    )
    assert response.status_code == 400


def test_cli_export_and_pack_part(world: World, tmp_path: Any) -> None:
    audit = _completed_with_findings(world)
    target = tmp_path / "findings.csv"
    call_command("export", "audits", "--org", "org-a", "--format", "csv", "-o", str(target))
    lines = target.read_text().splitlines()
    assert lines[0].startswith("Audit,Audit title,Audit status,Finding,Type,Requirement,Title")
    assert any("IA-2026-01-F1" in line and "Major nonconformity" in line for line in lines)
    pdf = tmp_path / "report.pdf"
    call_command("export", "audits", "--org", "org-a", "--format", "pdf", "-o", str(pdf))
    text = "".join(p.extract_text() for p in PdfReader(str(pdf)).pages)
    assert audit.ref in text and "Automate sampling" in text
    report = services.report_submit(actor=_actor(world, "manager"), audit=audit)
    services.report_approve(actor=_actor(world), report=report)
    files = {p.path: p.content for p in pack_parts.parts()["audits"](_actor(world))}
    assert "findings.csv" in files and "IA-2026-01 report v1.pdf" in files
    coverage = next(v for k, v in files.items() if k.startswith("coverage"))
    assert b"Not yet planned" in coverage and b"IA-2026-01" in coverage


# --- review inputs ---------------------------------------------------------------------------


def test_review_inputs_are_computed_from_data(world: World) -> None:
    assert "audit_results" in review_inputs.sources() and "improvement" in review_inputs.sources()
    actor = _actor(world)
    period = ReviewPeriod(TODAY - dt.timedelta(days=30), TODAY)
    empty = review.audit_results(actor, period)
    assert empty.figures["Audits completed"] == 0
    audit = _completed_with_findings(world)
    result = review.audit_results(actor, period)
    assert result.clause == "9.3.2 d) 3)"
    assert result.figures["Audits completed"] == 1
    assert result.figures["Major nonconformity"] == 1
    assert result.figures["Opportunity for improvement"] == 1
    assert result.items[0]["audit"] == audit.ref
    ofi = review.improvement_opportunities(actor, period)
    assert ofi.clause == "9.3.2 g)" and ofi.figures["Opportunities for improvement"] == 1
    assert ofi.items[0]["title"] == "Automate sampling"
    earlier = ReviewPeriod(TODAY - dt.timedelta(days=400), TODAY - dt.timedelta(days=200))
    assert review.audit_results(actor, earlier).figures["Audits completed"] == 0
    assert review.improvement_opportunities(actor, earlier).items == []


def test_findings_needing_a_nonconformity(world: World) -> None:
    _completed_with_findings(world)
    needing = selectors.findings_needing_nonconformity(actor=_actor(world))
    assert [f.type for f in needing] == ["major_nc"]


# --- pages -----------------------------------------------------------------------------------


def test_pages_show_the_audit(world: World) -> None:
    audit = _completed_with_findings(world)
    client = login(world.users_a["viewer"])
    page = client.get(f"/o/org-a/audits/{audit.pk}/").content.decode()
    assert audit.ref in page and "No audit programme for 2025" in page
    page = client.get(f"/o/org-a/audits/programmes/{audit.programme_id}/").content.decode()
    assert "Not yet planned" in page and audit.ref in page
    assert client.get("/o/org-a/audits/").status_code == 200
    # The form's helpers add all clauses and a theme's controls.
    owner = login(world.owner_a)
    response = owner.post(
        "/o/org-a/audits/new/",
        {
            "programme": audit.programme_id,
            "title": "Everything people",
            "planned_start": "2027-02-01",
            "planned_end": "2027-02-03",
            "status": "planned",
            "all_clauses": "on",
            "themes": ["people"],
        },
    )
    assert response.status_code == 302
    created = Audit.objects.get(title="Everything people")
    refs = set(created.scope.values_list("ref", flat=True))
    assert {"4.1", "10.2", "A.6.1", "A.6.8"} <= refs and "A.5.1" not in refs


# --- the demo organisation -------------------------------------------------------------------


def test_demo_has_a_programme_a_completed_audit_and_a_planned_one(capsys: Any) -> None:
    assert main(["demo"]) == 0
    capsys.readouterr()
    actor = system_actor(Organization.objects.get(slug="demo"))
    programme = selectors.programme_list(actor=actor).get()
    assert programme.last_year - programme.first_year == 2
    audits = list(selectors.audit_list(actor=actor))
    assert [a.status for a in audits] == ["completed", "planned"]
    done, planned = audits
    assert planned.planned_start.year == done.planned_start.year + 1
    refs = set(done.scope.values_list("ref", flat=True))
    assert {"4.1", "9.2", "10.2"} <= refs and sum(r.startswith("A.") for r in refs) == 12
    types = [f.type for f in selectors.finding_list(actor=actor, audit=done)]
    assert sorted(types) == sorted(["major_nc", "minor_nc", "minor_nc", "observation", "ofi"])
    assert {f.author.email for f in selectors.finding_list(actor=actor, audit=done)} == {
        "sam.okafor@demo.openisms.example"
    }
    items = list(selectors.checklist(actor=actor, audit=done))
    assert all(i.result != "not_assessed" for i in items)
    assert any(i.evidence.exists() for i in items)
    report = selectors.latest_approved_report(actor=actor, audit=done)
    assert report is not None and report.submitted_by_id != report.approved_by_id
    coverage = selectors.programme_coverage(actor=actor, programme=programme)
    assert coverage.unplanned_controls and not coverage.unplanned_clauses


def test_a_nonconformity_finding_is_raised_into_the_register_once(world: World) -> None:
    audit = _audit(world, start=True)
    auditor = _actor(world, "auditor")
    major = services.finding_create(
        actor=auditor,
        audit=audit,
        type="major_nc",
        title="Restores never tested",
        description="No restore test this year.",
        evidence_seen="Backup logs",
        requirement="A.5.15",
    )
    ofi = services.finding_create(actor=auditor, audit=audit, type="ofi", title="Idea")
    assert list(selectors.findings_needing_nonconformity(actor=_actor(world))) == [major]
    # The auditor role writes findings and nothing else: not even the register entry.
    with pytest.raises(PermissionDenied):
        follow_up.finding_raise_nonconformity(actor=auditor, finding=major)
    with pytest.raises(ValidationError):
        follow_up.finding_raise_nonconformity(actor=_actor(world, "manager"), finding=ofi)
    nc = follow_up.finding_raise_nonconformity(
        actor=_actor(world, "manager"), finding=major, owner=_email(world, "contributor")
    )
    assert (nc.source, nc.source_ref, nc.severity) == ("audit", major.ref, "major")
    assert nc.title == "Restores never tested" and "Evidence seen: Backup logs" in nc.description
    assert [r.ref for r in nc.requirements.all()] == ["A.5.15"]
    assert nc.owner == world.users_a["contributor"]
    assert not selectors.findings_needing_nonconformity(actor=_actor(world)).exists()
    with pytest.raises(ValidationError, match="already followed"):
        follow_up.finding_raise_nonconformity(actor=_actor(world), finding=major)
    event = AuditEvent.objects.get(action="audit_finding.raise_nonconformity")
    assert event.after["nonconformity"] == nc.pk and event.before["nonconformity"] is None
    # The audit page links the finding to its register entry; the API names it.
    page = login(world.owner_a).get(f"/o/org-a/audits/{audit.pk}/").content.decode()
    assert nc.ref in page
    api = token_client(world.owner_a)
    body = api.get(f"/api/v1/orgs/org-a/audits/{audit.pk}/findings/{major.pk}").json()
    assert body["nonconformity"] == nc.ref
