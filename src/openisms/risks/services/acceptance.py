"""Risk acceptance on the shared approval workflow (``openisms.orgs.approvals``).

The risk's owner, or an editor, asks management to accept a risk above the threshold
(``risk_acceptance_request``); one of the risk method's acceptor roles approves the request,
which records the ``RiskAcceptance``, or rejects it with a comment. An acceptor may also
decide directly (``risk_accept``): that is recorded as a request the acceptor submitted and
approved in one step, so every acceptance has its request with who and when.

Separation of duties: the risk's owner never approves a request to accept their own risk;
while the organisation's ``separate_approval`` setting is on, nobody approves a request they
submitted themselves, and nobody accepts a risk they own directly (as before the workflow).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from openisms.core import audit
from openisms.core.models import ApprovalState
from openisms.orgs import approvals
from openisms.orgs.access import Actor, Perm, scoped
from openisms.orgs.approvals import ApprovalFlow, is_same_person
from openisms.risks.fields import RISK_RULE
from openisms.risks.models import Risk, RiskAcceptance, RiskAcceptanceRequest
from openisms.risks.services.common import _user

# Who may decide is the method's acceptor roles (checked here); the flow's permissions are the
# floor the shared workflow checks: owners with assigned work may ask, members may decide.
ACCEPTANCE_FLOW = ApprovalFlow(
    noun="acceptance request",
    action="risk_acceptance",
    submit_perm=Perm.EDIT_ASSIGNED,
    approve_perm=Perm.VIEW,
)
# An acceptor's direct decision: submitted and approved by the acceptor in one step.
DIRECT_FLOW = ApprovalFlow(
    noun="acceptance request",
    action="risk_acceptance",
    submit_perm=Perm.VIEW,
    approve_perm=Perm.VIEW,
)


def current_score(risk: Risk) -> int:
    return risk.residual_score if risk.residual_score is not None else risk.inherent_score


def needs_acceptance(risk: Risk) -> bool:
    return current_score(risk) > risk.method.acceptance_threshold


def _require_acceptor(actor: Actor, risk: Risk) -> None:
    method = risk.method
    actor.require_role(
        method.acceptors, f"Only {', '.join(method.acceptors)} may accept risks under {method}."
    )
    if is_same_person(actor, risk.owner_id):
        raise PermissionDenied(
            f"You own {risk.ref}; another acceptor must accept it (separation of duties, set in "
            "the organisation's settings)."
        )


def _validate(risk: Risk, rationale: str, expires_on: dt.date) -> None:
    if risk.acceptances.filter(
        revoked_at__isnull=True,
        expires_on__gte=timezone.localdate(),
        residual_score__gte=current_score(risk),
    ).exists():
        raise ValidationError({"risk": f"{risk.ref} already has a valid acceptance."})
    if not needs_acceptance(risk):
        raise ValidationError(
            {"risk": f"{risk.ref} is within the acceptance threshold; no acceptance is needed."}
        )
    if not rationale or not rationale.strip():
        raise ValidationError({"rationale": "Explain why the risk is accepted."})
    today = timezone.localdate()
    if not isinstance(expires_on, dt.date) or not (
        today < expires_on <= today + dt.timedelta(days=3 * 366)
    ):
        raise ValidationError({"expires_on": "Choose a date in the next three years."})


def _snapshot(risk: Risk, rationale: str, expires_on: dt.date) -> dict[str, Any]:
    actions = risk.actions.order_by("due_date", "id").values_list("title", "status", "due_date")
    return {
        "ref": risk.ref,
        "title": risk.title,
        "inherent_score": risk.inherent_score,
        "inherent_level": risk.inherent_level,
        "residual_score": risk.residual_score,
        "residual_level": risk.residual_level,
        "accepted_score": current_score(risk),
        "acceptance_threshold": risk.method.acceptance_threshold,
        "rationale": rationale.strip(),
        "expires_on": expires_on.isoformat(),
        "treatment": risk.treatment,
        "treatment_actions": [
            {"title": t, "status": s, "due_date": d.isoformat() if d else None}
            for t, s, d in actions
        ],
    }


def _pending(actor: Actor, risk: Risk) -> RiskAcceptanceRequest | None:
    return (
        scoped(actor, RiskAcceptanceRequest)
        .filter(risk=risk, state=ApprovalState.SUBMITTED)
        .first()
    )


def _submit(
    actor: Actor, flow: ApprovalFlow, risk: Risk, rationale: str, expires_on: dt.date
) -> RiskAcceptanceRequest:
    pending = _pending(actor, risk)
    if pending is not None:
        raise ValidationError(
            {
                "risk": f"Acceptance request {pending.number} of {risk.ref} is waiting for a "
                "decision; approve or reject it first."
            }
        )
    return approvals.version_submit(
        actor=actor,
        flow=flow,
        model=RiskAcceptanceRequest,
        subject={"risk": risk},
        snapshot=_snapshot(risk, rationale, expires_on),
        rationale=rationale.strip(),
        expires_on=expires_on,
    )


def _record_acceptance(
    actor: Actor, risk: Risk, request: RiskAcceptanceRequest, rationale: str, expires_on: dt.date
) -> RiskAcceptance:
    acceptance = RiskAcceptance.objects.create(
        org=actor.org,
        risk=risk,
        accepted_by=actor.user,
        rationale=rationale.strip(),
        residual_score=current_score(risk),
        expires_on=expires_on,
    )
    audit.record(
        actor=_user(actor),
        org=actor.org,
        action="risk.accept",
        obj=acceptance,
        object_repr=f"{risk.ref} accepted until {expires_on}",
        after=audit.snapshot(acceptance),
    )
    request.acceptance = acceptance
    request.save(update_fields=["acceptance", "updated_at"])
    return acceptance


@transaction.atomic
def risk_acceptance_request(
    *, actor: Actor, risk: Risk, rationale: str, expires_on: dt.date
) -> RiskAcceptanceRequest:
    """The risk's owner (or an editor) asks management to accept a risk above the threshold."""
    actor.require_edit(
        RISK_RULE,
        RISK_RULE.assignee_of(risk),
        message="Only the risk's owner or an editor may request its acceptance.",
    )
    _validate(risk, rationale, expires_on)
    return _submit(actor, ACCEPTANCE_FLOW, risk, rationale, expires_on)


@transaction.atomic
def risk_acceptance_approve(
    *, actor: Actor, request: RiskAcceptanceRequest, comment: str = ""
) -> RiskAcceptanceRequest:
    """An acceptor approves a request: the risk is accepted exactly as by ``risk_accept``.

    While separation of duties is on (the organisation's setting), neither the member who
    submitted the request nor the risk's owner may approve it, the same rule as for a direct
    acceptance."""
    risk = request.risk
    _require_acceptor(actor, risk)
    approved = approvals.version_approve(
        actor=actor, flow=ACCEPTANCE_FLOW, version=request, comment=comment
    )
    _validate(risk, approved.rationale, approved.expires_on)
    _record_acceptance(actor, risk, approved, approved.rationale, approved.expires_on)
    return approved


@transaction.atomic
def risk_acceptance_reject(
    *, actor: Actor, request: RiskAcceptanceRequest, comment: str
) -> RiskAcceptanceRequest:
    """An acceptor sends a request back; the comment says why. The risk may be asked again."""
    actor.require_role(
        request.risk.method.acceptors,
        f"Only {', '.join(request.risk.method.acceptors)} may decide on acceptance requests.",
    )
    return approvals.version_reject(
        actor=actor, flow=ACCEPTANCE_FLOW, version=request, comment=comment
    )


def may_decide(actor: Actor, request: RiskAcceptanceRequest) -> bool:
    """Whether the member may approve or reject the request (the page shows the buttons)."""
    risk = request.risk
    return (
        actor.role in risk.method.acceptors
        and not is_same_person(actor, risk.owner_id)
        and approvals.may_decide(actor, ACCEPTANCE_FLOW, request)
    )


@transaction.atomic
def risk_accept(*, actor: Actor, risk: Risk, rationale: str, expires_on: dt.date) -> RiskAcceptance:
    """An acceptor accepts a risk on management's own initiative: recorded as a request the
    acceptor submitted and approved at once (nobody else put it forward, so the
    submitter-may-not-approve rule does not apply; owning the risk still does)."""
    _require_acceptor(actor, risk)
    _validate(risk, rationale, expires_on)
    request = _submit(actor, DIRECT_FLOW, risk, rationale, expires_on)
    approved = approvals.version_approve(
        actor=actor, flow=DIRECT_FLOW, version=request, own_initiative=True
    )
    return _record_acceptance(actor, risk, approved, rationale, expires_on)


@transaction.atomic
def acceptance_revoke(*, actor: Actor, acceptance: RiskAcceptance) -> RiskAcceptance:
    actor.require_role(
        acceptance.risk.method.acceptors, "Your role may not revoke risk acceptances."
    )
    if acceptance.revoked_at is None:
        before = audit.snapshot(acceptance)
        acceptance.revoked_at = timezone.now()
        acceptance.save(update_fields=["revoked_at", "updated_at"])
        audit.record(
            actor=_user(actor),
            org=actor.org,
            action="risk.accept_revoke",
            obj=acceptance,
            before=before,
            after=audit.snapshot(acceptance),
        )
    return acceptance
