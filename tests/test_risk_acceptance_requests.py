"""Risk acceptance on the shared approval workflow: request, approve, reject, direct accept."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from openisms.core.models import ApprovalState, AuditEvent
from openisms.orgs.access import actor_for
from openisms.risks import selectors, services
from openisms.risks.models import Risk, RiskAcceptance, RiskAcceptanceRequest
from tests.conftest import World, login, token_client

pytestmark = pytest.mark.usefixtures("catalog")

LATER = dt.date.today() + dt.timedelta(days=90)


def _actor(world: World, role: str = "owner") -> Any:
    return actor_for(world.users_a[role], "org-a")


def _risk(world: World, owner: str = "manager") -> Risk:
    """Inherent 20, no residual: above the default threshold of 9; owned by ``owner``."""
    return services.risk_create(
        actor=_actor(world),
        title="Legacy ERP",
        description="The ERP runs on an unsupported OS.",
        inherent_likelihood=4,
        inherent_impact=5,
        owner=world.users_a[owner].email,
    )


def _ask(world: World, risk: Risk, role: str = "manager") -> RiskAcceptanceRequest:
    return services.risk_acceptance_request(
        actor=_actor(world, role), risk=risk, rationale="Replaced next year.", expires_on=LATER
    )


def _accepted(world: World) -> list[int]:
    return list(
        selectors.risk_list(actor=_actor(world), acceptance="accepted").values_list("pk", flat=True)
    )


def test_owner_requests_and_an_acceptor_approves(world: World) -> None:
    risk = _risk(world)
    request = _ask(world, risk)  # the manager owns the risk
    assert (
        request.is_pending
        and request.number == 1
        and request.submitted_by == world.users_a["manager"]
    )
    assert request.snapshot["ref"] == risk.ref and request.snapshot["accepted_score"] == 20
    assert request.snapshot["expires_on"] == LATER.isoformat()
    assert _accepted(world) == []

    approved = services.risk_acceptance_approve(
        actor=_actor(world, "admin"), request=request, comment="Agreed."
    )
    assert approved.state == ApprovalState.APPROVED
    assert approved.approved_by == world.users_a["admin"] and approved.decision_comment == "Agreed."
    acceptance = RiskAcceptance.objects.get(risk=risk)
    assert approved.acceptance == acceptance
    assert (acceptance.accepted_by, acceptance.residual_score, acceptance.expires_on) == (
        world.users_a["admin"],
        20,
        LATER,
    )
    assert acceptance.rationale == "Replaced next year."
    assert _accepted(world) == [risk.pk]
    actions = set(AuditEvent.objects.filter(org=world.org_a).values_list("action", flat=True))
    assert {"risk_acceptance.submit", "risk_acceptance.approve", "risk.accept"} <= actions
    # a decided request never changes again
    with pytest.raises(ValidationError):
        services.risk_acceptance_reject(actor=_actor(world), request=approved, comment="No")


def test_submitter_cannot_approve_own_request_unless_separation_is_off(world: World) -> None:
    risk = _risk(world, owner="contributor")
    request = _ask(world, risk, role="admin")  # an editor (and acceptor) asks
    with pytest.raises(PermissionDenied):
        services.risk_acceptance_approve(actor=_actor(world, "admin"), request=request)
    assert not services.may_decide(_actor(world, "admin"), request)
    assert services.may_decide(_actor(world, "owner"), request)
    world.org_a.separate_approval = False
    world.org_a.save()
    services.risk_acceptance_approve(actor=_actor(world, "admin"), request=request)
    assert _accepted(world) == [risk.pk]


def test_the_risk_owner_approves_only_with_separation_off(world: World) -> None:
    risk = _risk(world, owner="admin")
    request = _ask(world, risk, role="manager")
    with pytest.raises(PermissionDenied, match="You own"):
        services.risk_acceptance_approve(actor=_actor(world, "admin"), request=request)
    assert not services.may_decide(_actor(world, "admin"), request)
    world.org_a.separate_approval = False
    world.org_a.save()
    assert services.may_decide(_actor(world, "admin"), request)
    services.risk_acceptance_approve(actor=_actor(world, "admin"), request=request)
    assert _accepted(world) == [risk.pk]


@pytest.mark.parametrize("role", ["manager", "contributor", "auditor", "viewer"])
def test_non_acceptors_cannot_decide(world: World, role: str) -> None:
    request = _ask(world, _risk(world))
    with pytest.raises(PermissionDenied):
        services.risk_acceptance_approve(actor=_actor(world, role), request=request)
    with pytest.raises(PermissionDenied):
        services.risk_acceptance_reject(actor=_actor(world, role), request=request, comment="x")
    request.refresh_from_db()
    assert request.is_pending


@pytest.mark.parametrize("role", ["auditor", "viewer", "contributor"])
def test_only_owner_or_editors_request(world: World, role: str) -> None:
    risk = _risk(world)  # owned by the manager
    with pytest.raises(PermissionDenied):
        _ask(world, risk, role=role)
    assert not RiskAcceptanceRequest.objects.exists()


def test_request_validation(world: World) -> None:
    risk = _risk(world)
    manager = _actor(world, "manager")
    with pytest.raises(ValidationError) as blank:
        services.risk_acceptance_request(actor=manager, risk=risk, rationale=" ", expires_on=LATER)
    assert "rationale" in blank.value.message_dict
    with pytest.raises(ValidationError) as far:
        services.risk_acceptance_request(
            actor=manager,
            risk=risk,
            rationale="x",
            expires_on=dt.date.today() + dt.timedelta(days=4000),
        )
    assert "expires_on" in far.value.message_dict
    low = services.risk_create(
        actor=_actor(world),
        title="Low",
        description="Minor",
        inherent_likelihood=1,
        inherent_impact=2,
    )
    with pytest.raises(ValidationError):
        services.risk_acceptance_request(
            actor=_actor(world), risk=low, rationale="x", expires_on=LATER
        )
    services.risk_accept(actor=_actor(world), risk=risk, rationale="Now", expires_on=LATER)
    with pytest.raises(ValidationError):  # already validly accepted
        _ask(world, risk)


def test_rejection_needs_a_comment_and_frees_the_risk(world: World) -> None:
    risk = _risk(world)
    request = _ask(world, risk)
    with pytest.raises(ValidationError):  # one pending request per risk
        _ask(world, risk)
    with pytest.raises(ValidationError):
        services.risk_acceptance_reject(actor=_actor(world), request=request, comment="  ")
    request.refresh_from_db()
    assert request.is_pending
    rejected = services.risk_acceptance_reject(
        actor=_actor(world), request=request, comment="Plan a control first."
    )
    assert rejected.state == ApprovalState.REJECTED and rejected.rejected_by == world.owner_a
    assert not RiskAcceptance.objects.exists()
    again = _ask(world, risk)
    assert again.number == 2 and again.is_pending
    with pytest.raises(ValidationError):  # an acceptor's direct decision waits for the request
        services.risk_accept(actor=_actor(world), risk=risk, rationale="x", expires_on=LATER)


def test_direct_accept_leaves_an_approved_request(world: World) -> None:
    risk = _risk(world)
    acceptance = services.risk_accept(
        actor=_actor(world), risk=risk, rationale="Budget", expires_on=LATER
    )
    request = RiskAcceptanceRequest.objects.get(risk=risk)
    assert request.state == ApprovalState.APPROVED and request.acceptance == acceptance
    assert request.submitted_by == request.approved_by == world.owner_a
    assert request.submitted_at is not None and request.approved_at is not None
    assert _accepted(world) == [risk.pk]
    # separation still stops the owner of a risk accepting it directly
    own = _risk(world, owner="admin")
    with pytest.raises(PermissionDenied):
        services.risk_accept(
            actor=_actor(world, "admin"), risk=own, rationale="x", expires_on=LATER
        )


def test_api_statuses(world: World) -> None:
    risk = _risk(world)
    manager = token_client(world.users_a["manager"])
    owner = token_client(world.owner_a)
    viewer = token_client(world.users_a["viewer"])
    base = f"/api/v1/orgs/org-a/risks/{risk.pk}/acceptance-requests"
    body = {"rationale": "Replaced next year.", "expires_on": LATER.isoformat()}
    assert viewer.post(base, body, content_type="application/json").status_code == 403
    bad = manager.post(base, {**body, "rationale": ""}, content_type="application/json")
    assert bad.status_code == 422
    made = manager.post(base, body, content_type="application/json")
    assert made.status_code == 201 and made.json()["state"] == "submitted"
    assert made.json()["submitted_by"] == world.users_a["manager"].email
    assert manager.post(base, body, content_type="application/json").status_code == 422
    rid = made.json()["id"]
    decide = f"/api/v1/orgs/org-a/acceptance-requests/{rid}"
    assert manager.post(f"{decide}/approve", {}, content_type="application/json").status_code == 403
    assert (
        owner.post(f"{decide}/reject", {"comment": ""}, content_type="application/json").status_code
        == 422
    )
    ok = owner.post(f"{decide}/approve", {"comment": "Agreed"}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["state"] == "approved"
    assert ok.json()["acceptance_id"] == RiskAcceptance.objects.get(risk=risk).pk
    listed = viewer.get(base)
    assert listed.status_code == 200 and [r["number"] for r in listed.json()["items"]] == [1]
    other = token_client(world.owner_b)
    assert other.get(base).status_code == 404
    assert other.post(f"{decide}/approve", {}, content_type="application/json").status_code == 404


def test_risk_page_request_and_decide(world: World) -> None:
    risk = _risk(world)
    url = f"/o/org-a/risks/{risk.pk}/"
    manager = login(world.users_a["manager"])
    page = manager.get(url).content.decode()
    assert "Request acceptance" in page
    body = {"rationale": "Replaced next year.", "expires_on": LATER.isoformat()}
    assert manager.post(f"{url}request-acceptance/", body).status_code == 302
    request = RiskAcceptanceRequest.objects.get(risk=risk)
    page = manager.get(url).content.decode()
    assert "waiting for a decision" in page and "Approve and accept risk" not in page
    owner = login(world.owner_a)
    page = owner.get(url).content.decode()
    assert "Approve and accept risk" in page
    decide = f"/o/org-a/risks/acceptance-requests/{request.pk}/decide/"
    assert manager.post(decide, {"decision": "approve"}).status_code == 403
    assert owner.post(decide, {"decision": "approve", "comment": "Fine"}).status_code == 302
    request.refresh_from_db()
    assert request.is_approved
    page = owner.get(url).content.decode()
    assert "Accepted" in page and "approved by owner-a@example.com" in page


def test_migration_gives_earlier_acceptances_an_approved_request(world: World) -> None:
    import importlib

    from django.apps import apps

    migration = importlib.import_module("openisms.risks.migrations.0004_acceptance_requests")
    acceptance = services.risk_accept(
        actor=_actor(world), risk=_risk(world), rationale="Budget", expires_on=LATER
    )
    RiskAcceptanceRequest.objects.all().delete()  # as before the workflow existed
    migration.backfill_requests(apps, None)
    request = RiskAcceptanceRequest.objects.get()
    assert request.acceptance == acceptance and request.state == ApprovalState.APPROVED
    assert request.submitted_by == request.approved_by == world.owner_a
    assert request.submitted_at == request.approved_at == acceptance.created_at
    assert (request.number, request.rationale, request.expires_on) == (1, "Budget", LATER)


def test_demo_has_a_pending_request_and_an_approved_one(db: None, catalog: None) -> None:
    from openisms.cli import main
    from openisms.orgs.access import system_actor
    from openisms.orgs.models import Organization

    assert main(["demo"]) == 0
    org = Organization.objects.get(slug="demo")
    requests = RiskAcceptanceRequest.objects.filter(org=org).select_related("submitted_by")
    states = sorted(r.state for r in requests)
    assert states == ["approved", "submitted"]
    pending = requests.get(state="submitted")
    assert pending.submitted_by.email == "dev.patel@demo.openisms.example"
    assert selectors.risk_list(actor=system_actor(org), acceptance="accepted").count() == 1
