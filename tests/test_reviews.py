"""Management reviews: inputs computed from the system and frozen, the previous-actions and
risk inputs, decisions and actions, minutes approval with separation of duties, exports."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone
from docx import Document
from pypdf import PdfReader

from openisms.cli import main
from openisms.nonconformities import services as nc_services
from openisms.nonconformities.models import CorrectiveAction, Nonconformity
from openisms.orgs import pack_parts
from openisms.orgs.access import Actor, actor_for
from openisms.reviews import exports, selectors, services
from openisms.reviews.models import ManagementReview, ReviewMinutes
from openisms.reviews.reminders import review_action_events
from openisms.risks import services as risk_services
from tests.conftest import World, login, token_client

pytestmark = pytest.mark.usefixtures("catalog")


def _actor(world: World, role: str = "owner") -> Actor:
    return actor_for(world.users_a[role], world.org_a.slug)


def _today() -> dt.date:
    return timezone.localdate()


def _review(world: World, role: str = "manager", **extra: Any) -> ManagementReview:
    fields: dict[str, Any] = {
        "title": "Review 2026",
        "meeting_on": _today(),
        "period_start": _today() - dt.timedelta(days=90),
        "chair": world.owner_a.email,
        "attendees": [world.users_a["manager"].email, world.owner_a.email],
        "guests": "External consultant",
        "status": "held",
    }
    fields.update(extra)
    return services.review_create(actor=_actor(world, role), **fields)


def _input(review: ManagementReview, key: str) -> dict[str, Any]:
    fresh = ManagementReview.objects.get(pk=review.pk)
    return next(i for i in fresh.inputs if i["key"] == key)


def _risk(world: World, *, above: bool) -> Any:
    return risk_services.risk_create(
        actor=_actor(world),
        title=f"Risk {'high' if above else 'low'}",
        description="A scenario",
        owner=world.users_a["manager"].email,
        inherent_likelihood=5,
        inherent_impact=5,
        residual_likelihood=None if above else 1,
        residual_impact=None if above else 1,
    )


def test_period_defaults_to_the_previous_meeting(world: World) -> None:
    first = _review(world, meeting_on=dt.date(2025, 3, 1), period_start=None)
    assert first.period_start == dt.date(2024, 3, 1)
    second = _review(world, meeting_on=dt.date(2026, 3, 1), period_start=None)
    assert second.period_start == dt.date(2025, 3, 1)
    with pytest.raises(ValidationError):
        _review(world, meeting_on=dt.date(2026, 3, 1), period_start=dt.date(2026, 4, 1))


def test_inputs_are_computed_from_the_system_and_frozen(world: World) -> None:
    owner = _actor(world)
    today = _today()
    for severity in ("major", "minor", "minor"):
        nc_services.nonconformity_create(
            actor=owner,
            title=f"{severity} finding",
            description="",
            source="audit",
            severity=severity,
            raised_on=today - dt.timedelta(days=10),
        )
    nc = nc_services.nonconformity_create(
        actor=owner,
        title="Old",
        description="",
        source="other",
        severity="minor",
        raised_on=today - dt.timedelta(days=150),
    )
    nc_services.action_create(actor=owner, nc=nc, title="Late", due_on=today - dt.timedelta(days=3))
    high = _risk(world, above=True)
    _risk(world, above=False)
    risk_services.action_save(
        actor=owner,
        risk=high,
        title="Patch",
        status="planned",
        due_date=today - dt.timedelta(days=1),
    )
    review = _review(world)
    services.review_compute_inputs(actor=_actor(world, "manager"), review=review)
    fresh = ManagementReview.objects.get(pk=review.pk)
    keys = [i["key"] for i in fresh.inputs]
    # In the standard's order: a) previous actions, d) 1) nonconformities, f) risks.
    assert keys.index("previous_actions") < keys.index("nonconformities") < keys.index("risks")
    assert fresh.inputs_computed_at is not None
    ncs = _input(review, "nonconformities")["figures"]
    assert ncs["Raised in the period"] == 3
    assert (ncs["Open (major)"], ncs["Open (minor)"]) == (1, 3)
    assert ncs["Overdue corrective actions"] == 1
    risks = _input(review, "risks")["figures"]
    assert risks["Risks"] == 2 and risks["Above the acceptance threshold"] == 1
    assert risks["Accepted (valid acceptance)"] == 0
    assert risks["Treatment actions open"] == 1 and risks["Treatment actions overdue"] == 1
    assert risks["Risks added in the period"] == 2
    # The data moves on; the frozen review does not.
    nc_services.nonconformity_create(
        actor=owner,
        title="After",
        description="",
        source="other",
        severity="major",
        raised_on=today,
    )
    risk_services.risk_accept(
        actor=owner, risk=high, rationale="Cost", expires_on=today + dt.timedelta(days=30)
    )
    assert _input(review, "nonconformities")["figures"]["Raised in the period"] == 3
    assert _input(review, "risks")["figures"]["Accepted (valid acceptance)"] == 0
    # Recomputing before minutes are submitted picks up the change.
    services.review_compute_inputs(actor=owner, review=review)
    assert _input(review, "nonconformities")["figures"]["Raised in the period"] == 4
    assert _input(review, "risks")["figures"]["Accepted (valid acceptance)"] == 1
    # After minutes are submitted the inputs stay as they were reviewed.
    services.minutes_submit(actor=owner, review=review)
    with pytest.raises(ValidationError):
        services.review_compute_inputs(actor=owner, review=review)


def test_previous_actions_input(world: World) -> None:
    manager = _actor(world, "manager")
    today = _today()
    earlier = _review(
        world,
        title="2025",
        meeting_on=today - dt.timedelta(days=200),
        period_start=today - dt.timedelta(days=500),
    )
    done = services.review_action_create(actor=manager, review=earlier, title="Hire")
    services.review_action_create(
        actor=manager, review=earlier, title="Budget", due_on=today - dt.timedelta(days=5)
    )
    services.review_action_create(actor=manager, review=earlier, title="Scope")
    services.review_action_update(actor=manager, action=done, status="done")
    current = _review(world, period_start=None)
    services.review_action_create(actor=manager, review=current, title="This review's own")
    services.review_compute_inputs(actor=manager, review=current)
    item = _input(current, "previous_actions")
    assert item["clause"] == "9.3.2 a)"
    assert item["figures"] == {
        "Actions from earlier reviews": 3,
        "Open": 2,
        "Done": 1,
        "Cancelled": 0,
        "Overdue": 1,
    }
    assert "This review's own" not in {row["action"] for row in item["items"]}
    assert {row["action"] for row in item["items"]} == {"Hire", "Budget", "Scope"}


def test_minutes_approval_with_separation_of_duties(world: World) -> None:
    manager = _actor(world, "manager")
    review = _review(world)
    with pytest.raises(ValidationError):  # inputs first
        services.minutes_submit(actor=manager, review=review)
    services.review_compute_inputs(actor=manager, review=review)
    owner = _actor(world)
    minutes = services.minutes_submit(actor=owner, review=review)
    assert minutes.number == 1 and minutes.snapshot["title"] == "Review 2026"
    with pytest.raises(ValidationError):  # one pending at a time
        services.minutes_submit(actor=manager, review=review)
    with pytest.raises(PermissionDenied):  # the submitter may not approve
        services.minutes_approve(actor=owner, minutes=minutes)
    with pytest.raises(PermissionDenied):  # a manager may not approve
        services.minutes_approve(actor=manager, minutes=minutes)
    approved = services.minutes_approve(actor=_actor(world, "admin"), minutes=minutes)
    assert approved.is_approved and approved.approved_by == world.users_a["admin"]
    world.org_a.separate_approval = False
    world.org_a.save()
    second = services.minutes_submit(actor=owner, review=review)
    services.minutes_reject(actor=actor_for(world.owner_a, "org-a"), minutes=second, comment="No")
    assert ReviewMinutes.objects.get(pk=second.pk).state == "rejected"


def test_permissions_per_role(world: World) -> None:
    review = _review(world)
    for role in ("contributor", "auditor", "viewer"):
        with pytest.raises(PermissionDenied):
            _review(world, role=role)
        with pytest.raises(PermissionDenied):
            services.decision_add(actor=_actor(world, role), review=review, text="x")
        with pytest.raises(PermissionDenied):
            services.review_compute_inputs(actor=_actor(world, role), review=review)
    action = services.review_action_create(
        actor=_actor(world, "manager"),
        review=review,
        title="Do",
        owner=world.users_a["contributor"].email,
    )
    contributor = _actor(world, "contributor")
    services.review_action_update(actor=contributor, action=action, status="done")
    assert action.completed_on == _today()
    with pytest.raises(PermissionDenied):
        services.review_action_update(actor=contributor, action=action, title="Renamed")


def test_minutes_pdf_and_docx_hold_decisions_and_actions(world: World, tmp_path: Any) -> None:
    manager = _actor(world, "manager")
    review = _review(world)
    services.review_compute_inputs(actor=manager, review=review)
    services.decision_add(
        actor=manager, review=review, text="Fund a second engineer", category="resources"
    )
    services.review_action_create(
        actor=manager,
        review=review,
        title="Write the hiring case",
        owner=world.users_a["manager"].email,
        due_on=_today() + dt.timedelta(days=30),
    )
    live = selectors.review_get(actor=manager, review_id=review.pk)
    pdf, ctype, _ = exports.export_minutes(actor=manager, review=live, fmt="pdf")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert ctype == "application/pdf"
    assert "Fund a second engineer" in text and "Write the hiring case" in text
    assert "DRAFT" in text
    minutes = services.minutes_submit(actor=manager, review=live)
    services.minutes_approve(actor=_actor(world), minutes=minutes)
    # A decision added after approval is not in the approved minutes.
    services.decision_add(actor=manager, review=review, text="Afterthought")
    approved = selectors.review_get(actor=manager, review_id=review.pk)
    docx, _, ext = exports.export_minutes(actor=manager, review=approved, fmt="docx")
    document = Document(io.BytesIO(docx))
    words = "\n".join(p.text for p in document.paragraphs) + "\n".join(
        c.text for t in document.tables for r in t.rows for c in r.cells
    )
    assert ext == "docx"
    assert "Fund a second engineer" in words and "Write the hiring case" in words
    assert "Afterthought" not in words and "Minutes version 1, approved" in words
    out = tmp_path / "minutes.pdf"
    call_command("export", "reviews", org="org-a", format="pdf", output=str(out))
    assert "Minutes version 1" in PdfReader(out).pages[0].extract_text()
    parts = pack_parts.parts()["reviews"](manager)
    assert len(parts) == 1 and parts[0].path.endswith("minutes v1.pdf")


def test_review_action_reminders(world: World) -> None:
    review = _review(world)
    today = _today()
    late = services.review_action_create(
        actor=_actor(world),
        review=review,
        title="Late",
        owner=world.users_a["manager"].email,
        due_on=today - dt.timedelta(days=1),
    )
    services.review_action_create(
        actor=_actor(world),
        review=review,
        title="Later",
        owner=world.users_a["manager"].email,
        due_on=today + dt.timedelta(days=30),
    )
    keys = [e.key for e in review_action_events(world.org_a, today)]
    assert keys == [f"review_action:{late.pk}:overdue:{late.due_on.isoformat()}"]  # type: ignore[union-attr]


def test_api_and_pages(world: World) -> None:
    client = token_client(world.users_a["manager"])
    created = client.post(
        "/api/v1/orgs/org-a/reviews",
        {
            "title": "API review",
            "meeting_on": _today().isoformat(),
            "status": "held",
            "attendees": [world.owner_a.email],
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    review_id = created.json()["id"]
    bad = client.post(
        "/api/v1/orgs/org-a/reviews",
        {"title": "x", "meeting_on": "soon"},
        content_type="application/json",
    )
    assert bad.status_code == 422
    computed = client.post(f"/api/v1/orgs/org-a/reviews/{review_id}/inputs")
    assert computed.status_code == 200 and computed.json()["inputs"]
    minutes = client.post(
        f"/api/v1/orgs/org-a/reviews/{review_id}/minutes", {}, content_type="application/json"
    )
    assert minutes.status_code == 201
    approve = client.post(
        f"/api/v1/orgs/org-a/review-minutes/{minutes.json()['id']}/approve",
        {},
        content_type="application/json",
    )
    assert approve.status_code == 403  # a manager does not approve
    page = login(world.owner_a).get(f"/o/org-a/reviews/{review_id}/")
    assert page.status_code == 200
    assert b"Nonconformities and corrective actions" in page.content
    assert b"Approve" in page.content  # the owner did not submit it
    own = login(world.users_a["manager"]).get(f"/o/org-a/reviews/{review_id}/")
    assert b"Send back" not in own.content
    download = login(world.owner_a).get(f"/o/org-a/reviews/{review_id}/export/?format=docx")
    assert download.status_code == 200 and download["Content-Disposition"].endswith('.docx"')


def test_the_demo_has_nonconformities_and_an_approved_review(
    db: None, capsys: Any, tmp_path: Any
) -> None:
    assert main(["demo"]) == 0
    capsys.readouterr()
    ncs = Nonconformity.objects.filter(org__slug="demo")
    assert ncs.count() == 6
    assert sorted(ncs.values_list("source", flat=True)) == [
        "audit",
        "audit",
        "audit",
        "incident",
        "other",
        "review",
    ]
    # The internal audit's major and minor findings, raised into the register and linked.
    from_audit = ncs.filter(audit_finding__isnull=False)
    assert from_audit.count() == 3 and all(nc.root_cause for nc in from_audit)
    assert sorted(from_audit.values_list("severity", flat=True)) == ["major", "minor", "minor"]
    closed = ncs.get(status="closed")
    assert closed.effectiveness == "effective" and closed.root_cause
    today = timezone.localdate()
    active = CorrectiveAction.objects.filter(
        org__slug="demo", status__in=("planned", "in_progress")
    )
    assert active.filter(due_on__lt=today).count() == 1
    review = ManagementReview.objects.get(org__slug="demo")
    assert review.is_held and review.inputs and review.actions.count() == 3
    minutes = ReviewMinutes.objects.get(review=review)
    assert minutes.is_approved and minutes.submitted_by_id != minutes.approved_by_id
    out = tmp_path / "pack.zip"
    assert main(["audit-pack", "--org", "demo", "-o", str(out)]) == 0
    names = zipfile.ZipFile(out).namelist()
    assert "nonconformities/register.xlsx" in names
    assert any(n.startswith("reviews/") and n.endswith(".pdf") for n in names)
