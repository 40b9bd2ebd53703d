"""The Statement of Applicability: rows, derived reasons, exclusion rules, approval, diff,
exports and the API/UI. Isolation and query budgets run through tests/routes_soa.py."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from openisms.catalog.models import Requirement
from openisms.core.models import AuditEvent
from openisms.orgs.access import Actor, actor_for
from openisms.soa import exports, selectors, services
from openisms.soa.models import SoaEntry, SoaVersion
from tests.conftest import World, login, token_client
from tests.routes import Ctx


@pytest.fixture
def ctx(world: World, catalog: None) -> Ctx:
    return Ctx(world)


def as_role(world: World, role: str) -> Actor:
    return actor_for(world.users_a[role], world.org_a.slug)


def owner(world: World) -> Actor:
    return actor_for(world.owner_a, world.org_a.slug)


def entry(actor: Actor, ref: str) -> SoaEntry:
    services.soa_sync(actor=actor)
    return selectors.soa_get(
        actor=actor,
        entry_id=selectors.soa_list(
            actor=actor, kind="clause" if not ref.startswith("A.") else "control", q=ref
        )
        .get()
        .pk,
    )


def expected_clauses() -> set[str]:
    refs = Requirement.objects.filter(framework__slug="iso27001-2022", kind="clause").values_list(
        "ref", flat=True
    )
    return {r for r in refs if not re.search(r"[a-z]", r)}


# --- rows ----------------------------------------------------------------------------------


def test_a_new_organisation_has_every_control_and_clause_once(ctx: Ctx) -> None:
    """Rows are created with the organisation (reads never write); soa_sync only repairs."""
    actor = owner(ctx.world)
    clauses = expected_clauses()
    assert "6.1.3" in clauses and "6.1.2.a" not in clauses and "10.2" in clauses
    assert services.soa_sync(actor=actor) == 0
    created = SoaEntry.objects.filter(org=ctx.world.org_a).count()
    assert created == 93 + len(clauses)
    controls = selectors.soa_list(actor=actor, kind="control")
    assert controls.count() == 93
    assert controls.first().requirement.ref == "A.5.1"
    assert {e.requirement.ref for e in selectors.soa_list(actor=actor, kind="clause")} == clauses
    assert services.soa_sync(actor=actor) == 0  # idempotent
    assert SoaEntry.objects.filter(org=ctx.world.org_a).count() == created
    events = AuditEvent.objects.filter(org=ctx.world.org_a, action="soa_entry.create")
    assert events.count() == created
    # Another organisation has its own rows; soa_sync puts back rows that went missing.
    other = actor_for(ctx.world.owner_b, ctx.world.org_b.slug)
    SoaEntry.objects.filter(org=ctx.world.org_b, requirement__kind="clause").delete()
    assert services.soa_sync(actor=other) == len(clauses)
    assert selectors.soa_list(actor=other).count() == 93


def test_risk_treatment_is_derived_from_planned_controls(ctx: Ctx) -> None:
    actor = owner(ctx.world)
    services.soa_sync(actor=actor)
    assert not selectors.soa_list(actor=actor, reason="risk_treatment").exists()
    risk = ctx.risk()  # plans A.8.13 and A.5.30
    second = ctx.risk()
    planned = selectors.soa_list(actor=actor, reason="risk_treatment")
    assert [e.requirement.ref for e in planned] == ["A.5.30", "A.8.13"]
    assert [e.risk_count for e in planned] == [2, 2]
    with CaptureQueriesContext(connection) as captured:
        rows = list(selectors.with_risks(actor, selectors.soa_list(actor=actor)))
    assert len(captured) == 2  # the rows, and the risk refs of the whole page
    backup = next(e for e in rows if e.requirement.ref == "A.8.13")
    assert [r.ref for r in selectors.risks_of(backup)] == [risk.ref, second.ref]
    assert selectors.risks_of(next(e for e in rows if e.requirement.ref == "A.5.1")) == []
    snapshot = {r["ref"]: r for r in selectors.working_rows(actor=actor)}
    assert snapshot["A.8.13"]["reasons"]["risk_treatment"] is True
    assert snapshot["A.8.13"]["reasons"]["risks"] == [risk.ref, second.ref]
    assert snapshot["A.5.1"]["reasons"]["risk_treatment"] is False
    assert "risk_treatment" not in {f.name for f in SoaEntry._meta.get_fields()}
    # Risks of another organisation never count.
    b = actor_for(ctx.world.owner_b, ctx.world.org_b.slug)
    services.soa_sync(actor=b)
    assert not selectors.soa_list(actor=b, reason="risk_treatment").exists()


def test_list_query_count_does_not_grow_with_risks(ctx: Ctx) -> None:
    actor = owner(ctx.world)
    services.soa_sync(actor=actor)
    ctx.risk()

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            for e in selectors.with_risks(actor, selectors.soa_list(actor=actor)):
                selectors.risks_of(e)
        return len(captured)

    small = count()
    for _ in range(5):
        ctx.risk()
    assert count() == small == 2


# --- editing -------------------------------------------------------------------------------


def test_excluding_needs_justification_and_confirmation(ctx: Ctx) -> None:
    actor = owner(ctx.world)
    risk = ctx.risk()
    backup = entry(actor, "A.8.13")
    with pytest.raises(ValidationError) as exc:
        services.soa_entry_update(actor=actor, entry=backup, applicable=False)
    assert "justification" in exc.value.message_dict
    backup = entry(actor, "A.8.13")
    with pytest.raises(ValidationError) as exc:
        services.soa_entry_update(
            actor=actor, entry=backup, applicable=False, justification="Cloud provider does it."
        )
    assert risk.ref in exc.value.message_dict["confirm_exclusion"][0]
    assert entry(actor, "A.8.13").applicable  # nothing was written
    backup = entry(actor, "A.8.13")
    services.soa_entry_update(
        actor=actor,
        entry=backup,
        applicable=False,
        justification="Cloud provider does it.",
        confirm_exclusion=True,
    )
    backup = entry(actor, "A.8.13")
    assert not backup.applicable and backup.status == "not_applicable"
    assert selectors.soa_counts(actor=actor)["excluded_but_planned"] == 1
    # An excluded control cannot have another status.
    with pytest.raises(ValidationError) as exc:
        services.soa_entry_update(actor=actor, entry=backup, status="implemented")
    assert "status" in exc.value.message_dict
    # Including it again resets the status.
    backup = entry(actor, "A.8.13")
    services.soa_entry_update(actor=actor, entry=backup, applicable=True)
    assert entry(actor, "A.8.13").status == "not_started"
    # A control no risk plans needs only the justification.
    guarding = entry(actor, "A.7.4")
    services.soa_entry_update(
        actor=actor, entry=guarding, applicable=False, justification="No premises of our own."
    )
    assert entry(actor, "A.7.4").status == "not_applicable"
    # Only an excluded control is not applicable.
    with pytest.raises(ValidationError) as exc:
        services.soa_entry_update(actor=actor, entry=entry(actor, "A.5.1"), status="not_applicable")
    assert "status" in exc.value.message_dict
    # Clauses 4-10 are mandatory.
    with pytest.raises(ValidationError) as exc:
        services.soa_entry_update(
            actor=actor, entry=entry(actor, "6.1.3"), applicable=False, justification="x"
        )
    assert "applicable" in exc.value.message_dict


def test_database_refuses_inconsistent_rows(ctx: Ctx) -> None:
    actor = owner(ctx.world)
    row = entry(actor, "A.5.1")
    with pytest.raises(IntegrityError), transaction.atomic():
        SoaEntry.objects.filter(pk=row.pk).update(applicable=False, justification="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        SoaEntry.objects.filter(pk=row.pk).update(applicable=False, status="not_applicable")


def test_contributor_edits_only_own_rows(ctx: Ctx) -> None:
    w = ctx.world
    actor = owner(w)
    contributor = as_role(w, "contributor")
    row = entry(actor, "A.5.15")
    with pytest.raises(PermissionDenied):
        services.soa_entry_update(actor=contributor, entry=row, status="planned")
    with pytest.raises(ValidationError) as exc:
        services.soa_entry_update(actor=actor, entry=row, owner="stranger@example.com")
    assert "owner" in exc.value.message_dict
    services.soa_entry_update(
        actor=actor, entry=entry(actor, "A.5.15"), owner=w.users_a["contributor"].email
    )
    row = entry(contributor, "A.5.15")
    services.soa_entry_update(
        actor=contributor, entry=row, status="implemented", implementation="RBAC in the IdP."
    )
    row = entry(contributor, "A.5.15")
    assert row.status == "implemented" and row.implementation == "RBAC in the IdP."
    with pytest.raises(PermissionDenied):
        services.soa_entry_update(actor=contributor, entry=row, justification="Mine now")
    with pytest.raises(PermissionDenied):
        services.soa_entry_update(actor=contributor, entry=entry(actor, "A.5.15"), owner=None)
    for role in ("viewer", "auditor"):
        with pytest.raises(PermissionDenied):
            services.soa_entry_update(actor=as_role(w, role), entry=row, status="planned")
    # The UI gives the owner only the fields they may change.
    page = login(w.users_a["contributor"]).get(f"/o/org-a/soa/{row.pk}/edit/")
    assert page.status_code == 200
    assert b'name="status"' in page.content and b'name="applicable"' not in page.content
    other = entry(actor, "A.5.16")
    assert login(w.users_a["contributor"]).get(f"/o/org-a/soa/{other.pk}/edit/").status_code == 403


def test_bulk_update(ctx: Ctx) -> None:
    w = ctx.world
    actor = owner(w)
    services.soa_sync(actor=actor)
    ids = list(selectors.soa_list(actor=actor, theme="people").values_list("pk", flat=True))
    rows = selectors.soa_entries(actor=actor, ids=ids)
    changed = services.soa_bulk_update(
        actor=actor, entries=rows, status="planned", owner=w.users_a["manager"].email
    )
    assert changed == len(ids) == 8
    people = selectors.soa_list(actor=actor, theme="people")
    assert {(e.status, e.owner.email) for e in people} == {("planned", "manager-a@example.com")}
    assert AuditEvent.objects.filter(action="soa_entry.update", org=w.org_a).count() == 8
    with pytest.raises(ValidationError):
        services.soa_bulk_update(actor=actor, entries=rows, status="not_applicable")
    with pytest.raises(PermissionDenied):
        services.soa_bulk_update(actor=as_role(w, "contributor"), entries=rows, status="planned")
    response = login(w.owner_a).post(
        "/o/org-a/soa/bulk/", {"entries": ids[:3], "status": "implemented", "owner": "-"}
    )
    assert response.status_code == 302
    done = selectors.soa_list(actor=actor, status="implemented")
    assert done.count() == 3 and all(e.owner is None for e in done)


# --- versions ------------------------------------------------------------------------------


def test_submit_approve_and_immutability(ctx: Ctx) -> None:
    w = ctx.world
    manager = as_role(w, "manager")
    admin = as_role(w, "admin")
    risk = ctx.risk()
    with pytest.raises(PermissionDenied):
        services.soa_submit(actor=as_role(w, "contributor"))
    version = services.soa_submit(actor=manager, comment="First SoA")
    assert version.number == 1 and version.state == "submitted"
    rows = {r["ref"]: r for r in version.rows}
    assert len([r for r in version.rows if r["kind"] == "control"]) == 93
    assert rows["A.8.13"]["reasons"] == {
        "risk_treatment": True,
        "risks": [risk.ref],
        "legal_regulatory": False,
        "contractual": False,
        "business": False,
    }
    assert set(rows["A.5.1"]) >= {
        "ref",
        "title",
        "theme",
        "applicable",
        "justification",
        "status",
        "owner",
        "target_date",
        "implementation",
    }
    with pytest.raises(ValidationError, match="waiting for approval"):
        services.soa_submit(actor=manager)
    with pytest.raises(PermissionDenied):
        services.soa_approve(actor=manager, version=version)
    assert selectors.current_approved(actor=manager) is None
    approved = services.soa_approve(actor=admin, version=version, comment="Management review")
    assert approved.state == "approved" and approved.approved_by == w.users_a["admin"]
    assert approved.approved_at is not None
    assert selectors.current_approved(actor=manager).pk == version.pk
    with pytest.raises(ValidationError, match="approved"):
        services.soa_approve(actor=admin, version=version)
    with pytest.raises(ValidationError, match="approved"):
        services.soa_reject(actor=admin, version=version, comment="Too late")
    # Live changes never touch the approved snapshot.
    services.soa_entry_update(actor=manager, entry=entry(manager, "A.5.1"), status="implemented")
    frozen = selectors.version_get(actor=manager, version_id=version.pk)
    assert {r["ref"]: r for r in frozen.rows}["A.5.1"]["status"] == "not_started"
    assert frozen.state == "approved"
    event = AuditEvent.objects.get(action="soa_version.approve")
    assert len(event.after["snapshot_sha256"]) == 64
    # A second version becomes the current one once approved.
    second = services.soa_submit(actor=manager)
    assert second.number == 2
    assert selectors.current_approved(actor=manager).pk == version.pk
    services.soa_approve(actor=owner(w), version=second)
    assert selectors.current_approved(actor=manager).number == 2


def test_reject_needs_a_comment_and_frees_the_queue(ctx: Ctx) -> None:
    w = ctx.world
    manager = as_role(w, "manager")
    version = services.soa_submit(actor=manager)
    with pytest.raises(ValidationError):
        services.soa_reject(actor=owner(w), version=version, comment=" ")
    rejected = services.soa_reject(actor=owner(w), version=version, comment="Justify A.7.4")
    assert rejected.state == "rejected" and rejected.decision_comment == "Justify A.7.4"
    assert services.soa_submit(actor=manager).number == 2
    assert selectors.current_approved(actor=manager) is None


def test_version_diff_row_by_row_and_field_by_field(ctx: Ctx) -> None:
    w = ctx.world
    actor = owner(w)
    first = services.soa_submit(actor=actor)
    services.soa_approve(actor=as_role(w, "admin"), version=first)
    services.soa_entry_update(
        actor=actor,
        entry=entry(actor, "A.5.1"),
        status="implemented",
        implementation="Policy set approved by the board.",
        legal_regulatory=True,
    )
    risk = ctx.risk()
    second = services.soa_submit(actor=actor)
    diff = selectors.version_diff(actor=actor, first=first, second=second)
    by_ref = {r.ref: r for r in diff.rows}
    assert set(by_ref) == {"A.5.1", "A.8.13", "A.5.30"}
    policy = {f.field: (f.old, f.new) for f in by_ref["A.5.1"].fields}
    assert policy == {
        "status": ("not_started", "implemented"),
        "implementation": ("", "Policy set approved by the board."),
        "legal_regulatory": (False, True),
    }
    backup = {f.field: (f.old, f.new) for f in by_ref["A.8.13"].fields}
    assert backup == {"risk_treatment": (False, True), "risks": ("", risk.ref)}
    assert by_ref["A.5.1"].change == "changed"
    # A version against the working rows (second=None).
    assert selectors.version_diff(actor=actor, first=second).rows == []
    services.soa_entry_update(actor=actor, entry=entry(actor, "A.5.2"), status="planned")
    live = selectors.version_diff(actor=actor, first=second)
    assert [(r.ref, [f.field for f in r.fields]) for r in live.rows] == [("A.5.2", ["status"])]
    assert live.second_label == "the working SoA"
    # Added and removed rows (e.g. after a catalogue upgrade).
    rows = selectors.diff_rows(
        [{"ref": "A.1", "title": "Old", "kind": "control"}],
        [{"ref": "A.2", "title": "New", "kind": "control"}],
    )
    assert [(r.ref, r.change) for r in rows] == [("A.2", "added"), ("A.1", "removed")]


# --- exports -------------------------------------------------------------------------------


def test_csv_export_has_93_control_rows_and_neutralises_formulas(ctx: Ctx) -> None:
    actor = owner(ctx.world)
    risk = ctx.risk()
    services.soa_entry_update(
        actor=actor,
        entry=entry(actor, "A.7.4"),
        applicable=False,
        justification='=HYPERLINK("http://evil.example","x")',
    )
    services.soa_entry_update(
        actor=actor, entry=entry(actor, "A.8.13"), contractual=True, implementation="+1 backup"
    )
    content, content_type, ext = exports.export_soa(actor=actor, fmt="csv")
    assert ext == "csv" and content_type.startswith("text/csv")
    rows = list(csv.reader(io.StringIO(content.decode())))
    assert rows[0] == list(exports.HEADER)
    assert len(rows) == 94  # header + 93 controls, no clauses
    by_ref = {r[0]: r for r in rows[1:]}
    assert by_ref["A.7.4"][3] == "No"
    assert by_ref["A.7.4"][5] == '\'=HYPERLINK("http://evil.example","x")'
    assert by_ref["A.7.4"][6] == "Not applicable"
    assert by_ref["A.8.13"][4] == f"Risk treatment ({risk.ref}); Contractual"
    assert by_ref["A.8.13"][9] == "'+1 backup"


def test_xlsx_export_of_an_approved_version(ctx: Ctx) -> None:
    w = ctx.world
    actor = owner(w)
    services.soa_entry_update(
        actor=actor,
        entry=entry(actor, "A.7.4"),
        applicable=False,
        justification="=1+1",
    )
    version = services.soa_submit(actor=actor, comment="@SUM(A1)")
    services.soa_approve(actor=as_role(w, "admin"), version=version)
    version = selectors.version_by_number(actor=actor, number=1)
    content, _, ext = exports.export_soa(actor=actor, fmt="xlsx", version=version)
    assert ext == "xlsx"
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["Statement of Applicability", "Clauses", "About"]
    sheet = book["Statement of Applicability"]
    assert [c.value for c in sheet[1]] == list(exports.HEADER)
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:J{sheet.max_row}"
    assert sheet.max_row == 94
    cell = next(row[5] for row in sheet.iter_rows(min_row=2) if row[0].value == "A.7.4")
    assert cell.value == "'=1+1" and cell.data_type == "s"
    assert book["Clauses"].max_row == len(expected_clauses()) + 1
    about = {row[0].value: row[1].value for row in book["About"].iter_rows() if row[0].value}
    assert about["Organisation"] == w.org_a.name
    assert about["Version"] == "1" and about["State"] == "Approved"
    assert about["Approver"] == "admin-a@example.com"
    assert about["Approval date"].startswith(str(version.approved_at.date()))
    assert about["Submitter's comment"] == "'@SUM(A1)"
    # Nothing in the book is a formula.
    for ws in book.worksheets:
        for row in ws.iter_rows():
            assert all(c.data_type != "f" for c in row)
    with pytest.raises(ValidationError):
        exports.export_soa(actor=actor, fmt="odt")


# --- API and UI ----------------------------------------------------------------------------


def _api(client: Any, method: str, url: str, body: Any = None) -> Any:
    return client.generic(
        method,
        url,
        data=json.dumps(body) if body is not None else "",
        content_type="application/json",
    )


def test_api_list_patch_and_diff(ctx: Ctx) -> None:
    w = ctx.world
    risk = ctx.risk()
    client = token_client(w.owner_a)
    listed = client.get("/api/v1/orgs/org-a/soa?limit=500").json()
    assert listed["count"] == 93
    planned = client.get("/api/v1/orgs/org-a/soa?reason=risk_treatment").json()["items"]
    assert [(i["ref"], i["risks"], i["risk_treatment"]) for i in planned] == [
        ("A.5.30", [risk.ref], True),
        ("A.8.13", [risk.ref], True),
    ]
    clauses = client.get("/api/v1/orgs/org-a/soa?kind=clause&limit=500").json()
    assert clauses["count"] == len(expected_clauses())
    entry_id = planned[1]["id"]
    url = f"/api/v1/orgs/org-a/soa/{entry_id}"
    refused = _api(client, "PATCH", url, {"applicable": False, "justification": "Provider"})
    assert refused.status_code == 422
    problem = refused.json()["detail"][0]
    assert problem["loc"] == ["body", "confirm_exclusion"] and risk.ref in problem["msg"]
    done = _api(
        client,
        "PATCH",
        url,
        {"applicable": False, "justification": "Provider", "confirm_exclusion": True},
    )
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "not_applicable" and done.json()["risks"] == [risk.ref]
    viewer = token_client(w.users_a["viewer"])
    assert _api(viewer, "PATCH", url, {"implementation": "x"}).status_code == 403
    submitted = _api(client, "POST", "/api/v1/orgs/org-a/soa-versions", {"comment": "v1"})
    assert submitted.status_code == 201
    version_id = submitted.json()["id"]
    manager = token_client(w.users_a["manager"])
    approve = f"/api/v1/orgs/org-a/soa-versions/{version_id}/approve"
    assert _api(manager, "POST", approve, {}).status_code == 403
    # The submitter may not approve their own version (separation of duties).
    assert _api(client, "POST", approve, {}).status_code == 403
    admin = token_client(w.users_a["admin"])
    assert _api(admin, "POST", approve, {}).json()["state"] == "approved"
    assert _api(admin, "POST", approve, {}).status_code == 422
    _api(client, "PATCH", url, {"applicable": True})
    diff = client.get(f"/api/v1/orgs/org-a/soa-versions/diff?first={version_id}").json()
    assert diff["first"] == 1 and diff["second"] is None
    assert diff["rows"][0]["ref"] == "A.8.13"
    changed = {f["field"]: (f["old"], f["new"]) for f in diff["rows"][0]["fields"]}
    assert changed["applicable"] == (False, True)
    assert changed["status"] == ("not_applicable", "not_started")
    export = client.get("/api/v1/orgs/org-a/soa/export?format=csv&version=1")
    assert export.status_code == 200
    assert len(list(csv.reader(io.StringIO(export.content.decode())))) == 94
    assert client.get("/api/v1/orgs/org-a/soa/export?version=9").status_code == 404


def test_ui_pages(ctx: Ctx) -> None:
    w = ctx.world
    risk = ctx.risk()
    client = login(w.owner_a)
    page = client.get("/o/org-a/soa/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'href="/o/org-a/risks/{risk.pk}/"' in html and "Risk treatment" in html
    assert "No approved version yet" in html
    partial = client.get("/o/org-a/soa/?reason=risk_treatment", headers={"HX-Request": "true"})
    assert b"<html" not in partial.content and partial.content.count(b'name="entries"') == 2
    clauses = client.get("/o/org-a/soa/?kind=clause").content.decode()
    assert "6.1.3" in clauses and "6.1.2.a" not in clauses
    backup = entry(owner(w), "A.8.13")
    edit = client.get(f"/o/org-a/soa/{backup.pk}/edit/").content.decode()
    assert risk.ref in edit and 'name="confirm_exclusion"' in edit
    response = client.post(
        f"/o/org-a/soa/{backup.pk}/edit/",
        {"justification": "Provider does it", "status": "not_applicable", "owner": ""},
    )
    assert response.status_code == 200 and risk.ref in response.content.decode()
    assert entry(owner(w), "A.8.13").applicable
    response = client.post(
        f"/o/org-a/soa/{backup.pk}/edit/",
        {
            "justification": "Provider does it",
            "status": "not_applicable",
            "owner": "",
            "confirm_exclusion": "on",
        },
    )
    assert response.status_code == 302
    assert not entry(owner(w), "A.8.13").applicable
    assert client.post("/o/org-a/soa/versions/submit/", {"comment": "x"}).status_code == 302
    version = selectors.pending_version(actor=owner(w))
    assert client.post(f"/o/org-a/soa/versions/{version.pk}/approve/").status_code == 403
    admin = login(w.users_a["admin"])
    assert admin.post(f"/o/org-a/soa/versions/{version.pk}/approve/").status_code == 302
    html = client.get("/o/org-a/soa/versions/").content.decode()
    assert "Current approved SoA:" in html and "version 1" in html
    detail = client.get(f"/o/org-a/soa/versions/{version.pk}/").content.decode()
    assert "A.8.13" in detail and "Approved" in detail
    diff = client.get(f"/o/org-a/soa/versions/diff/?first={version.pk}")
    assert diff.status_code == 200 and b"0 rows changed" in diff.content
    export = client.get("/o/org-a/soa/export/?format=xlsx&version=1")
    assert export["Content-Disposition"].endswith('-soa-v1.xlsx"')


def test_routes_are_registered_for_isolation_and_budgets() -> None:
    from tests.routes import API, UI
    from tests.routes_soa import SOA_API, SOA_UI

    keys = {r.key for r in API} | {r.key for r in UI}
    assert {r.key for r in SOA_API + SOA_UI} <= keys
    budgets = json.loads(
        (__import__("pathlib").Path(__file__).parent / "query_budgets_soa.json").read_text()
    )
    assert {f"api {r.key}" for r in SOA_API} | {f"ui {r.key}" for r in SOA_UI} == set(budgets)


def test_version_state_is_one_pending_per_org(ctx: Ctx) -> None:
    actor = owner(ctx.world)
    services.soa_submit(actor=actor)
    with pytest.raises(IntegrityError), transaction.atomic():
        SoaVersion.objects.create(
            org=ctx.world.org_a,
            number=99,
            snapshot={"rows": []},
            submitted_at=SoaVersion.objects.get().submitted_at,
        )
