"""The ISMS context: scope, issues, interested parties, versions, SoA citations, inputs."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from docx import Document
from pypdf import PdfReader

from openisms.context import exports, inputs, selectors, services
from openisms.context.models import Context, ContextVersion, PartyRequirement
from openisms.core.models import AuditEvent
from openisms.orgs.access import Actor, actor_for
from openisms.orgs.pack_parts import parts
from openisms.orgs.review_inputs import ReviewPeriod, sources
from openisms.soa import exports as soa_exports
from openisms.soa import selectors as soa_selectors
from openisms.soa import services as soa_services
from tests.conftest import World, login, token_client


def _actor(world: World, role: str = "owner") -> Actor:
    return actor_for(world.users_a[role], world.org_a.slug)


def _b(world: World) -> Actor:
    return actor_for(world.owner_b, world.org_b.slug)


def _party(actor: Actor, name: str = "HHS OCR", **extra: Any) -> Any:
    return services.party_create(actor=actor, name=name, kind="regulator", needs="HIPAA", **extra)


def _req(actor: Actor, party: Any, reference: str = "45 CFR 164.308") -> PartyRequirement:
    return services.requirement_create(
        actor=actor, party=party.pk, title="Security rule", kind="regulatory", reference=reference
    )


def _fill(actor: Actor) -> PartyRequirement:
    services.context_update(actor=actor, boundaries="Production", exclusions="Office: no data")
    services.issue_create(actor=actor, kind="external", category="market", title="Hospitals")
    return _req(actor, _party(actor))


def test_every_organisation_starts_with_its_context_row(world: World) -> None:
    assert Context.objects.filter(org=world.org_a).count() == 1
    assert Context.objects.filter(org=world.org_b).count() == 1


def test_scope_goes_to_the_organisation_and_needs_an_owner_or_admin(world: World) -> None:
    services.context_update(actor=_actor(world), scope="The platform", boundaries="Prod")
    world.org_a.refresh_from_db()
    assert world.org_a.scope == "The platform"
    assert selectors.context_get(actor=_actor(world)).boundaries == "Prod"  # type: ignore[union-attr]
    with pytest.raises(PermissionDenied):
        services.context_update(actor=_actor(world, "manager"), scope="Everything")
    services.context_update(actor=_actor(world, "manager"), interfaces="Suppliers")
    assert AuditEvent.objects.filter(org=world.org_a, action="context.update").count() == 2


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("owner", True),
        ("admin", True),
        ("manager", True),
        ("contributor", False),
        ("auditor", False),
        ("viewer", False),
    ],
)
def test_who_may_add_issues_and_parties(world: World, role: str, allowed: bool) -> None:
    actor = _actor(world, role)
    if allowed:
        services.issue_create(actor=actor, kind="internal", category="social", title="Culture")
        _party(actor)
    else:
        with pytest.raises(PermissionDenied):
            services.issue_create(actor=actor, kind="internal", category="social", title="X")
        with pytest.raises(PermissionDenied):
            _party(actor)


def test_issue_owner_may_change_only_description_and_effect(world: World) -> None:
    issue = services.issue_create(
        actor=_actor(world),
        kind="internal",
        category="technological",
        title="One cloud",
        owner=world.users_a["contributor"].email,
    )
    contributor = _actor(world, "contributor")
    services.issue_update(actor=contributor, issue=issue, effect="Exit plan needed")
    with pytest.raises(PermissionDenied):
        services.issue_update(actor=contributor, issue=issue, title="Renamed")


def test_retiring_stamps_the_time_and_bad_input_names_the_field(world: World) -> None:
    actor = _actor(world)
    issue = services.issue_create(
        actor=actor, kind="external", category="legal_regulatory", title="L"
    )
    services.issue_update(actor=actor, issue=issue, status="retired")
    assert issue.retired_at is not None
    with pytest.raises(ValidationError) as exc:
        services.issue_create(actor=actor, kind="sideways", category="market", title="X")
    assert "kind" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.requirement_create(actor=actor, party=999999, title="X", kind="legal")
    assert "party" in exc.value.message_dict


def test_a_requirement_cannot_name_another_organisations_party(world: World) -> None:
    other = _party(_b(world))
    with pytest.raises(ValidationError):
        _req(_actor(world), other)


def test_versions_freeze_the_context_and_separate_duties(world: World) -> None:
    manager, owner = _actor(world, "manager"), _actor(world)
    _fill(manager)
    version = services.context_submit(actor=manager, comment="First")
    snap = version.snapshot
    assert snap["boundaries"] == "Production" and snap["exclusions"] == "Office: no data"
    assert [i["title"] for i in snap["issues"]] == ["Hospitals"]
    assert snap["requirements"][0]["reference"] == "45 CFR 164.308"
    with pytest.raises(PermissionDenied):
        services.context_approve(actor=manager, version=version)  # managers do not approve
    with pytest.raises(ValidationError):
        services.context_submit(actor=manager)  # one pending at a time
    services.context_approve(actor=owner, version=version)
    assert selectors.current_approved(actor=owner) == version

    services.context_submit(actor=owner)
    pending = selectors.pending_version(actor=owner)
    with pytest.raises(PermissionDenied):
        services.context_approve(actor=owner, version=pending)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        services.context_reject(actor=_actor(world, "admin"), version=pending, comment="")  # type: ignore[arg-type]
    services.context_reject(actor=_actor(world, "admin"), version=pending, comment="Redo")  # type: ignore[arg-type]
    actions = set(AuditEvent.objects.filter(org=world.org_a).values_list("action", flat=True))
    assert {
        "context_version.submit",
        "context_version.approve",
        "context_version.reject",
    } <= actions


def test_diff_against_the_live_context_and_another_version(world: World) -> None:
    manager, owner = _actor(world, "manager"), _actor(world)
    req = _fill(manager)
    first = services.context_approve(actor=owner, version=services.context_submit(actor=manager))
    services.context_update(actor=manager, boundaries="Production and staging")
    services.requirement_update(actor=manager, requirement=req, reference="45 CFR 164.312")
    services.issue_create(actor=manager, kind="internal", category="social", title="Hiring")
    diff = selectors.diff_for(actor=owner, version_id=first.pk, against="live")
    assert [c.field for c in diff["scope"]] == ["boundaries"]
    assert [(i.title, i.change) for i in diff["issues"]] == [("Hiring", "added")]
    changed = diff["requirements"][0]
    assert changed.change == "changed" and changed.fields[0].after == "45 CFR 164.312"
    second = services.context_submit(actor=manager)
    against = selectors.diff_for(actor=owner, version_id=first.pk, against=str(second.number))
    assert [c.field for c in against["scope"]] == ["boundaries"]
    assert selectors.diff_for(actor=owner, version_id=second.pk)["empty"] is True


def test_review_inputs_count_what_changed_in_the_period(world: World) -> None:
    actor = _actor(world)
    old = services.issue_create(actor=actor, kind="external", category="market", title="Old")
    kept = services.issue_create(actor=actor, kind="external", category="market", title="Kept")
    ContextIssue = type(old)
    earlier = dt.datetime(2025, 1, 5, tzinfo=dt.UTC)
    ContextIssue.objects.filter(pk__in=[old.pk, kept.pk]).update(
        created_at=earlier, updated_at=earlier
    )
    old.refresh_from_db()
    services.issue_update(actor=actor, issue=old, status="retired")
    services.issue_create(actor=actor, kind="internal", category="social", title="New")
    party = _party(actor)
    _req(actor, party)
    today = dt.date.today()
    period = ReviewPeriod(start=today - dt.timedelta(days=30), end=today)
    result = inputs.issue_changes(actor, period)
    assert result.clause == "9.3.2 b)"
    assert result.figures == {"Added": 1, "Changed": 0, "Retired": 1}
    assert {i["title"] for i in result.items} == {"Old", "New"}
    parties = inputs.party_changes(actor, period)
    assert parties.figures["Added"] == 2
    before = ReviewPeriod(start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31))
    assert inputs.issue_changes(actor, before).figures["Added"] == 0
    assert {"context_issues", "context_parties"} <= set(sources())


def test_exports_pdf_docx_and_the_audit_pack_part(world: World) -> None:
    manager, owner = _actor(world, "manager"), _actor(world)
    _fill(manager)
    assert exports.pack_part(owner) == []  # nothing approved yet
    content, _, ext = exports.export_context(actor=owner, fmt="pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    assert ext == "pdf" and "Hospitals" in text and "45 CFR 164.308" in text
    assert "Working copy" in text
    content, _, _ = exports.export_context(actor=owner, fmt="docx")
    doc = Document(io.BytesIO(content))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert "Office: no data" in cells and "HHS OCR" in cells
    with pytest.raises(ValidationError):
        exports.export_context(actor=owner, fmt="xlsx")
    services.context_approve(actor=owner, version=services.context_submit(actor=manager))
    files = parts()["context"](owner)
    assert [f.path for f in files] == ["Context of the ISMS v1.pdf"]
    assert b"%PDF" in files[0].content[:8]


# --- SoA citations -------------------------------------------------------------------------


@pytest.mark.usefixtures("catalog")
def test_soa_rows_cite_requirements_of_their_own_organisation(world: World) -> None:
    owner = _actor(world)
    req = _fill(owner)
    foreign = _req(_b(world), _party(_b(world)))
    soa_services.soa_sync(actor=owner)
    entry = soa_selectors.soa_list(actor=owner, q="A.5.31").get()
    soa_services.soa_entry_update(actor=owner, entry=entry, cited_requirements=[req.pk])
    entry = soa_selectors.soa_get(actor=owner, entry_id=entry.pk)
    assert [r.ref for r in soa_selectors.cited_of(entry)] == [req.ref]
    with pytest.raises(ValidationError) as exc:
        soa_services.soa_entry_update(actor=owner, entry=entry, cited_requirements=[foreign.pk])
    assert "cited_requirements" in exc.value.message_dict
    assert AuditEvent.objects.filter(org=world.org_a, action="soa_entry.cite").count() == 1
    rows = {r["ref"]: r for r in soa_selectors.working_rows(actor=owner)}
    assert rows["A.5.31"]["cited"] == [req.ref]
    assert "Requirements (REQ-01)" in soa_exports.reasons_text(rows["A.5.31"])


@pytest.mark.usefixtures("catalog")
def test_a_row_owner_may_not_change_citations(world: World) -> None:
    owner = _actor(world)
    req = _fill(owner)
    soa_services.soa_sync(actor=owner)
    entry = soa_selectors.soa_list(actor=owner, q="A.8.13").get()
    soa_services.soa_entry_update(
        actor=owner, entry=entry, owner=world.users_a["contributor"].email
    )
    entry = soa_selectors.soa_get(actor=owner, entry_id=entry.pk)
    with pytest.raises(PermissionDenied):
        soa_services.soa_entry_update(
            actor=_actor(world, "contributor"), entry=entry, cited_requirements=[req.pk]
        )


@pytest.mark.usefixtures("catalog")
def test_soa_api_reads_and_writes_citations_by_id(world: World) -> None:
    owner = _actor(world)
    req = _fill(owner)
    foreign = _req(_b(world), _party(_b(world)))
    soa_services.soa_sync(actor=owner)
    entry = soa_selectors.soa_list(actor=owner, q="A.5.31").get()
    client = token_client(world.owner_a)
    url = f"/api/v1/orgs/{world.org_a.slug}/soa/{entry.pk}"
    response = client.patch(url, {"cited_requirements": [req.pk]}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["cited_requirements"] == [req.pk]
    assert response.json()["cited_refs"] == [req.ref]
    refused = client.patch(
        url, {"cited_requirements": [foreign.pk]}, content_type="application/json"
    )
    assert refused.status_code == 422 and "cited_requirements" in str(refused.json())
    listed = client.get(f"/api/v1/orgs/{world.org_a.slug}/soa?q=A.5.31").json()["items"]
    assert listed[0]["cited_requirements"] == [req.pk]
    page = login(world.owner_a).get(f"/o/{world.org_a.slug}/soa/{entry.pk}/")
    assert req.ref in page.content.decode() and "45 CFR 164.308" in page.content.decode()


# --- API and pages -------------------------------------------------------------------------


def test_api_round_trip_and_isolation(world: World) -> None:
    client = token_client(world.owner_a)
    base = f"/api/v1/orgs/{world.org_a.slug}/context"
    party = client.post(
        base + "/parties", {"name": "Insurer", "kind": "insurer"}, content_type="application/json"
    )
    assert party.status_code == 201
    req = client.post(
        base + "/requirements",
        {"party": party.json()["id"], "title": "MFA", "kind": "contractual", "addressed": True},
        content_type="application/json",
    )
    assert req.status_code == 422 and "how" in str(req.json())
    assert (
        client.patch(base, {"exclusions": "None"}, content_type="application/json").json()[
            "exclusions"
        ]
        == "None"
    )
    version = client.post(base + "/versions", {"comment": "v1"}, content_type="application/json")
    assert version.status_code == 201
    assert version.json()["snapshot"]["parties"][0]["name"] == "Insurer"
    outsider = token_client(world.owner_b)
    assert outsider.get(base + f"/parties/{party.json()['id']}").status_code == 404
    own_b = f"/api/v1/orgs/{world.org_b.slug}/context/parties/{party.json()['id']}"
    assert outsider.get(own_b).status_code == 404


def test_pages_render_for_a_viewer_without_edit_links(world: World) -> None:
    _fill(_actor(world))
    viewer = login(world.users_a["viewer"])
    page = viewer.get(f"/o/{world.org_a.slug}/context/")
    body = page.content.decode()
    assert page.status_code == 200 and "Hospitals" in body and "HHS OCR" in body
    assert "Submit for approval" not in body
    assert viewer.get(f"/o/{world.org_a.slug}/context/issues/new/").status_code == 403
    editor = login(world.owner_a)
    assert "Submit for approval" in editor.get(f"/o/{world.org_a.slug}/context/").content.decode()
    response = editor.get(f"/o/{world.org_a.slug}/context/export/?format=xlsx")
    assert response.status_code == 400


def test_version_page_shows_the_decision_only_to_another_approver(world: World) -> None:
    _fill(_actor(world))
    version = services.context_submit(actor=_actor(world))
    url = f"/o/{world.org_a.slug}/context/versions/{version.pk}/"
    assert "Approve" not in login(world.owner_a).get(url).content.decode()
    assert "Approve" in login(world.users_a["admin"]).get(url).content.decode()
    response = login(world.users_a["admin"]).post(
        url + "decide/", {"decision": "approve", "comment": ""}
    )
    assert response.status_code == 302
    assert ContextVersion.objects.get(pk=version.pk).state == "approved"


@pytest.mark.usefixtures("catalog")
def test_soa_edit_form_cites_by_ref(world: World) -> None:
    owner = _actor(world)
    req = _fill(owner)
    soa_services.soa_sync(actor=owner)
    entry = soa_selectors.soa_list(actor=owner, q="A.5.31").get()
    client = login(world.owner_a)
    url = f"/o/{world.org_a.slug}/soa/{entry.pk}/edit/"
    form = client.get(url).content.decode()
    assert 'name="cited_requirements"' in form
    data = {
        "applicable": "on",
        "justification": "",
        "status": entry.status,
        "owner": "",
        "implementation": "",
        "cited_requirements": f"{req.ref}, REQ-99",
    }
    refused = client.post(url, data)
    assert refused.status_code == 200 and "REQ-99" in refused.content.decode()
    assert client.post(url, data | {"cited_requirements": req.ref}).status_code == 302
    entry = soa_selectors.soa_get(actor=owner, entry_id=entry.pk)
    assert soa_selectors.cited_refs_of(entry) == [req.ref]
