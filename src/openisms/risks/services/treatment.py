"""The treatment actions that reduce risks (acceptance lives in ``acceptance``)."""

from __future__ import annotations

from typing import Unpack

from django.core.exceptions import ValidationError
from django.db import transaction

from openisms.core import audit
from openisms.orgs.access import Actor
from openisms.orgs.selectors import resolve_member
from openisms.orgs.updates import audited_update
from openisms.risks.fields import ACTION_FIELDS, ACTION_RULE, RISK_RULE, ActionChanges
from openisms.risks.models import Risk, TreatmentAction
from openisms.risks.services.common import _user


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
