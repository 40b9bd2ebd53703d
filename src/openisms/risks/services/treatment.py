"""Accepting risks on behalf of management, and the treatment actions that reduce them."""

from __future__ import annotations

import datetime as dt
from typing import Unpack

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from openisms.core import audit
from openisms.orgs.access import Actor
from openisms.orgs.approvals import is_same_person
from openisms.orgs.selectors import resolve_member
from openisms.orgs.updates import audited_update
from openisms.risks.fields import ACTION_FIELDS, ACTION_RULE, RISK_RULE, ActionChanges
from openisms.risks.models import Risk, RiskAcceptance, TreatmentAction
from openisms.risks.services.common import _user


def needs_acceptance(risk: Risk) -> bool:
    current = risk.residual_score if risk.residual_score is not None else risk.inherent_score
    return current > risk.method.acceptance_threshold


@transaction.atomic
def risk_accept(*, actor: Actor, risk: Risk, rationale: str, expires_on: dt.date) -> RiskAcceptance:
    method = risk.method
    actor.require_role(
        method.acceptors, f"Only {', '.join(method.acceptors)} may accept risks under {method}."
    )
    if is_same_person(actor, risk.owner_id):
        raise PermissionDenied(
            f"You own {risk.ref}; another acceptor must accept it (separation of duties, set in "
            "the organisation's settings)."
        )
    current_score = risk.residual_score if risk.residual_score is not None else risk.inherent_score
    if risk.acceptances.filter(
        revoked_at__isnull=True,
        expires_on__gte=timezone.localdate(),
        residual_score__gte=current_score,
    ).exists():
        raise ValidationError({"risk": f"{risk.ref} already has a valid acceptance."})
    if not needs_acceptance(risk):
        raise ValidationError(
            {"risk": f"{risk.ref} is within the acceptance threshold; no acceptance is needed."}
        )
    if not rationale or not rationale.strip():
        raise ValidationError({"rationale": "Explain why the risk is accepted."})
    today = timezone.localdate()
    if not today < expires_on <= today + dt.timedelta(days=3 * 366):
        raise ValidationError({"expires_on": "Choose a date in the next three years."})
    acceptance = RiskAcceptance.objects.create(
        org=actor.org,
        risk=risk,
        accepted_by=actor.user,
        rationale=rationale.strip(),
        residual_score=risk.residual_score
        if risk.residual_score is not None
        else risk.inherent_score,
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
    return acceptance


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


def _apply_action(actor: Actor, action: TreatmentAction, fields: ActionChanges) -> None:
    for name, value in fields.items():
        if name == "owner":
            action.owner = resolve_member(value, "owner", actor=actor)
        elif name in ACTION_FIELDS:
            setattr(action, name, value.strip() if isinstance(value, str) else value)
        else:
            raise ValidationError({name: "Unknown field."})
    action.full_clean(exclude=["org", "risk"])


@transaction.atomic
def action_save(
    *,
    actor: Actor,
    risk: Risk,
    action: TreatmentAction | None = None,
    **fields: Unpack[ActionChanges],
) -> TreatmentAction:
    """Add or change an action of the risk's treatment plan.

    Whoever may edit the risk plans its treatment; the owner of an action runs it and may
    change it, though not the rest of the risk.
    """
    if not actor.may_edit(RISK_RULE, risk):
        actor.require_edit(
            ACTION_RULE,
            ACTION_RULE.assignee_of(action),
            message="You cannot change this risk's treatment plan.",
        )
    if action is not None:
        audited_update(
            actor=actor,
            obj=action,
            action="treatment_action.update",
            apply=lambda: _apply_action(actor, action, fields),
        )
        return action
    new = TreatmentAction(org=actor.org, risk=risk)
    _apply_action(actor, new, fields)
    new.save()
    audit.record(
        actor=_user(actor),
        org=actor.org,
        action="treatment_action.create",
        obj=new,
        after=audit.snapshot(new),
    )
    return new
