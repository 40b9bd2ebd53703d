"""Writes for nonconformities and corrective actions. Each is atomic and records its event.

The status follows the work: an open nonconformity becomes "action planned" with its first
corrective action; "verifying effectiveness" once it has a root cause and every action is
done or cancelled; a check found not effective sends it back to planning; it closes only with
a root cause, no action still open and an effective check.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, Unpack

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from openisms.accounts.models import User
from openisms.catalog.models import Requirement
from openisms.core import audit
from openisms.nonconformities.fields import (
    ACTION_RULE,
    NONCONFORMITY_FIELDS,
    NONCONFORMITY_RULE,
    ActionChanges,
    NonconformityChanges,
)
from openisms.nonconformities.models import (
    ACTION_ACTIVE,
    ActionStatus,
    CorrectiveAction,
    Effectiveness,
    NcSource,
    NcStatus,
    Nonconformity,
    RootCauseMethod,
    Severity,
)
from openisms.orgs.access import Actor, Perm, scoped
from openisms.orgs.actions import action_apply
from openisms.orgs.selectors import resolve_member
from openisms.orgs.updates import audited_update
from openisms.work.services import resolve_requirement


def nc_snapshot(nc: Nonconformity) -> dict[str, Any]:
    data = audit.snapshot(nc)
    data["ref"] = nc.ref
    if nc.pk:
        data["requirements"] = sorted(r.ref for r in nc.requirements.all())
    return data


def action_snapshot(action: CorrectiveAction) -> dict[str, Any]:
    data = audit.snapshot(action)
    data["nonconformity_ref"] = action.nonconformity.ref
    return data


def can_raise(actor: Actor) -> bool:
    """Editors raise nonconformities and check their effectiveness. The auditor role writes
    audit findings and nothing else: a major or minor finding becomes a nonconformity when an
    editor raises it from the finding (``audits.services.finding_raise_nonconformity``)."""
    return actor.can(Perm.EDIT_ISMS)


def can_edit_nc(actor: Actor, nc: Nonconformity) -> bool:
    return actor.may_edit(NONCONFORMITY_RULE, nc)


def can_edit_action(actor: Actor, action: CorrectiveAction) -> bool:
    return actor.may_edit(ACTION_RULE, action)


def _requirements(values: Iterable[object]) -> list[Requirement]:
    found: list[Requirement] = []
    for value in values:
        try:
            requirement = resolve_requirement(value)
        except ValidationError as exc:
            raise ValidationError({"requirements": exc.messages}) from exc
        if requirement is not None and requirement not in found:
            found.append(requirement)
    return found


def _apply_nc(actor: Actor, nc: Nonconformity, changes: NonconformityChanges) -> Any:
    unknown = set(changes) - set(NONCONFORMITY_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "Unknown field."))
    requirements: list[Requirement] | None = None
    for name, value in changes.items():
        if name == "owner":
            nc.owner = resolve_member(value, "owner", actor=actor)
        elif name == "requirements":
            requirements = _requirements(value)  # type: ignore[arg-type]
        elif isinstance(value, str):
            setattr(nc, name, value.strip())
        else:
            setattr(nc, name, value)
    errors: dict[str, str] = {}
    if not nc.title:
        errors["title"] = "Give the nonconformity a title."
    if nc.source not in NcSource.values:
        errors["source"] = f"Unknown source '{nc.source}'."
    if nc.severity not in Severity.values:
        errors["severity"] = f"Unknown severity '{nc.severity}'."
    if nc.root_cause_method and nc.root_cause_method not in RootCauseMethod.values:
        errors["root_cause_method"] = f"Unknown method '{nc.root_cause_method}'."
    if nc.is_closed and "root_cause" in changes and not nc.root_cause:
        errors["root_cause"] = "A closed nonconformity keeps its root cause."
    if errors:
        raise ValidationError(errors)
    nc.full_clean(
        exclude=[
            "org",
            "number",
            "owner",
            "raised_by",
            "effectiveness_checked_by",
            "closed_by",
            "requirements",
        ]
    )
    if requirements is None:
        return None
    chosen = requirements

    def write() -> None:
        nc.requirements.set(chosen)

    return write


@transaction.atomic
def nonconformity_create(
    *,
    actor: Actor,
    title: str,
    description: str,
    source: str,
    severity: str,
    source_ref: str = "",
    owner: str | User | None = None,
    requirements: Iterable[str] = (),
    raised_on: dt.date | None = None,
    correction: str = "",
    correction_on: dt.date | None = None,
) -> Nonconformity:
    """Raise a nonconformity; the public entry point other apps (internal audit) call.

    Editors raise them. ``owner`` is a member (e-mail); ``requirements`` refs
    of the clauses or controls it concerns ("9.2", "A.5.15").
    """
    if not can_raise(actor):
        actor.require(Perm.EDIT_ISMS)
    nc = Nonconformity(
        org=actor.org, raised_by=actor.user, raised_on=raised_on or timezone.localdate()
    )
    changes: NonconformityChanges = {
        "title": title,
        "description": description,
        "source": source,
        "severity": severity,
        "source_ref": source_ref,
        "owner": owner,
        "correction": correction,
        "correction_on": correction_on,
    }
    _apply_nc(actor, nc, changes)
    chosen = _requirements(requirements)
    nc.number = (scoped(actor, Nonconformity).aggregate(n=Max("number"))["n"] or 0) + 1
    nc.save()
    nc.requirements.set(chosen)
    audit.record(
        actor=actor.user,
        org=actor.org,
        action="nonconformity.create",
        obj=nc,
        after=nc_snapshot(nc),
    )
    return nc


@transaction.atomic
def nonconformity_update(
    *, actor: Actor, nc: Nonconformity, **changes: Unpack[NonconformityChanges]
) -> Nonconformity:
    """Editors change anything; the owner records the correction and the root cause."""
    audited_update(
        actor=actor,
        obj=nc,
        action="nonconformity.update",
        apply=lambda: _apply_nc(actor, nc, changes),
        snapshot=nc_snapshot,
        rule=NONCONFORMITY_RULE,
        only_changed=("ref",),
    )
    return nc


def _set_status(actor: Actor, nc: Nonconformity, status: str, action: str, **extra: Any) -> None:
    before = nc_snapshot(nc)
    nc.status = status
    for name, value in extra.items():
        setattr(nc, name, value)
    nc.full_clean(exclude=["org", "number", "requirements"])
    nc.save()
    audit.record(
        actor=actor.user,
        org=actor.org,
        action=action,
        obj=nc,
        before=before,
        after=nc_snapshot(nc),
    )


def _locked(actor: Actor, nc: Nonconformity) -> Nonconformity:
    return scoped(actor, Nonconformity).select_for_update().get(pk=nc.pk)


def _open_actions(actor: Actor, nc: Nonconformity) -> list[str]:
    return list(
        scoped(actor, CorrectiveAction)
        .filter(nonconformity=nc, status__in=ACTION_ACTIVE)
        .values_list("title", flat=True)
    )


def _closure_problems(actor: Actor, nc: Nonconformity) -> dict[str, str]:
    problems: dict[str, str] = {}
    if not nc.root_cause.strip():
        problems["root_cause"] = "Record the root cause first."
    actions = scoped(actor, CorrectiveAction).filter(nonconformity=nc)
    if not actions.exclude(status=ActionStatus.CANCELLED).exists():
        problems["actions"] = "Plan at least one corrective action and complete it."
    still_open = _open_actions(actor, nc)
    if still_open:
        problems["actions"] = (
            f"{len(still_open)} corrective action(s) still open: {', '.join(still_open)}."
        )
    return problems


@transaction.atomic
def nonconformity_start_verification(*, actor: Actor, nc: Nonconformity) -> Nonconformity:
    """The actions are done: start checking whether they removed the cause."""
    actor.require(Perm.EDIT_ISMS)
    nc = _locked(actor, nc)
    if nc.status in (NcStatus.CLOSED, NcStatus.VERIFYING):
        raise ValidationError({"status": f"{nc.ref} is already {nc.get_status_display().lower()}."})
    problems = _closure_problems(actor, nc)
    if problems:
        raise ValidationError(problems)
    _set_status(actor, nc, NcStatus.VERIFYING, "nonconformity.verify", effectiveness="")
    return nc


@transaction.atomic
def nonconformity_check(
    *,
    actor: Actor,
    nc: Nonconformity,
    result: str,
    notes: str = "",
    checked_on: dt.date | None = None,
) -> Nonconformity:
    """Record the effectiveness check. "Not effective" sends it back to action planning, so new
    corrective actions can be added; editors and auditors may check."""
    if not can_raise(actor):
        actor.require(Perm.EDIT_ISMS)
    nc = _locked(actor, nc)
    if nc.status != NcStatus.VERIFYING:
        raise ValidationError(
            {"status": "Check effectiveness once every corrective action is done (verifying)."}
        )
    if result not in Effectiveness.values:
        raise ValidationError({"result": "Choose effective or not effective."})
    if result == Effectiveness.NOT_EFFECTIVE and not (notes or "").strip():
        raise ValidationError({"notes": "Say why the actions were not effective."})
    status = NcStatus.VERIFYING if result == Effectiveness.EFFECTIVE else NcStatus.PLANNED
    _set_status(
        actor,
        nc,
        status,
        "nonconformity.check",
        effectiveness=result,
        effectiveness_notes=(notes or "").strip(),
        effectiveness_checked_on=checked_on or timezone.localdate(),
        effectiveness_checked_by=actor.user,
    )
    return nc


@transaction.atomic
def nonconformity_close(
    *, actor: Actor, nc: Nonconformity, closed_on: dt.date | None = None
) -> Nonconformity:
    """Close it: needs a root cause, no open corrective action and an effective check."""
    actor.require(Perm.EDIT_ISMS)
    nc = _locked(actor, nc)
    if nc.is_closed:
        raise ValidationError({"status": f"{nc.ref} is already closed."})
    problems = _closure_problems(actor, nc)
    if nc.status != NcStatus.VERIFYING or nc.effectiveness != Effectiveness.EFFECTIVE:
        problems["effectiveness"] = "Check the corrective actions and find them effective first."
    if problems:
        raise ValidationError(problems)
    _set_status(
        actor,
        nc,
        NcStatus.CLOSED,
        "nonconformity.close",
        closed_on=closed_on or timezone.localdate(),
        closed_by=actor.user,
    )
    return nc


@transaction.atomic
def nonconformity_delete(*, actor: Actor, nc: Nonconformity) -> None:
    """Remove one raised by mistake, with its actions; the event keeps what it was."""
    actor.require(Perm.EDIT_ISMS)
    before = nc_snapshot(nc)
    before["actions"] = scoped(actor, CorrectiveAction).filter(nonconformity=nc).count()
    audit.record(
        actor=actor.user, org=actor.org, action="nonconformity.delete", obj=nc, before=before
    )
    nc.delete()


# --- corrective actions ----------------------------------------------------------------------


def _apply_action(actor: Actor, action: CorrectiveAction, changes: ActionChanges) -> None:
    action_apply(actor, action, changes, exclude=["nonconformity"])


def _refuse_closed(nc: Nonconformity) -> None:
    if nc.is_closed:
        raise ValidationError({"nonconformity": f"{nc.ref} is closed; its actions are final."})


def _follow_actions(actor: Actor, nc: Nonconformity) -> None:
    """A new or reopened action puts an open or verifying nonconformity back to planning."""
    if nc.status in (NcStatus.OPEN, NcStatus.VERIFYING) and _open_actions(actor, nc):
        _set_status(actor, nc, NcStatus.PLANNED, "nonconformity.plan")


@transaction.atomic
def action_create(
    *, actor: Actor, nc: Nonconformity, **fields: Unpack[ActionChanges]
) -> CorrectiveAction:
    actor.require(Perm.EDIT_ISMS)
    nc = _locked(actor, nc)
    _refuse_closed(nc)
    action = CorrectiveAction(org=actor.org, nonconformity=nc)
    _apply_action(actor, action, fields)
    action.save()
    audit.record(
        actor=actor.user,
        org=actor.org,
        action="corrective_action.create",
        obj=action,
        after=action_snapshot(action),
    )
    _follow_actions(actor, nc)
    return action


@transaction.atomic
def action_update(
    *, actor: Actor, action: CorrectiveAction, **changes: Unpack[ActionChanges]
) -> CorrectiveAction:
    """Editors change anything; the action's owner its status and notes."""
    _refuse_closed(action.nonconformity)
    audited_update(
        actor=actor,
        obj=action,
        action="corrective_action.update",
        apply=lambda: _apply_action(actor, action, changes),
        snapshot=action_snapshot,
        rule=ACTION_RULE,
        only_changed=("nonconformity_ref",),
    )
    _follow_actions(actor, _locked(actor, action.nonconformity))
    return action


@transaction.atomic
def action_delete(*, actor: Actor, action: CorrectiveAction) -> None:
    actor.require(Perm.EDIT_ISMS)
    _refuse_closed(action.nonconformity)
    audit.record(
        actor=actor.user,
        org=actor.org,
        action="corrective_action.delete",
        obj=action,
        before=action_snapshot(action),
    )
    action.delete()
