"""Writes for objectives and measurements. Each is atomic and records its audit event."""

from __future__ import annotations

from typing import Any, Unpack

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from openisms.controls.models import Control
from openisms.core import audit
from openisms.objectives.fields import (
    OBJECTIVE_FIELDS,
    OBJECTIVE_RULE,
    MeasurementFields,
    ObjectiveChanges,
)
from openisms.objectives.models import Measurement, Objective
from openisms.orgs.access import Actor, Perm, scoped
from openisms.orgs.selectors import resolve_member
from openisms.orgs.updates import audited_update

MAX_VALUE = 1e12


def objective_snapshot(objective: Objective) -> dict[str, Any]:
    data = audit.snapshot(objective)
    data["ref"] = objective.ref
    if objective.pk:
        data["controls"] = sorted(objective.controls.values_list("ref", flat=True))
    return data


def can_record(actor: Actor, objective: Objective) -> bool:
    """Editors and the objective's owner (contributor role) record measurements."""
    return actor.may_edit(OBJECTIVE_RULE, objective)


def _controls(actor: Actor, refs: list[str]) -> list[Control]:
    wanted = [str(r).strip() for r in refs if str(r).strip()]
    found = {c.ref: c for c in scoped(actor, Control).filter(ref__in=wanted)}
    missing = [r for r in wanted if r not in found]
    if missing:
        raise ValidationError({"controls": f"No control {', '.join(missing)} in the register."})
    return [found[r] for r in wanted]


def _apply(actor: Actor, objective: Objective, changes: ObjectiveChanges) -> Any:
    unknown = set(changes) - set(OBJECTIVE_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "Unknown field."))
    controls = None
    for name, value in changes.items():
        if name == "owner":
            objective.owner = resolve_member(value, "owner", actor=actor)
        elif name == "controls":
            controls = _controls(actor, [str(v) for v in (value or [])])  # type: ignore[attr-defined]
        else:
            setattr(objective, name, value.strip() if isinstance(value, str) else value)
    for name in ("baseline", "target"):
        value = getattr(objective, name)
        if value is not None and abs(value) > MAX_VALUE:
            raise ValidationError({name: "Enter a smaller number."})
    objective.full_clean(exclude=["org", "number", "owner"])
    if controls is None:
        return None
    chosen = controls
    return lambda: objective.controls.set(chosen)


@transaction.atomic
def objective_create(*, actor: Actor, **fields: Unpack[ObjectiveChanges]) -> Objective:
    actor.require(Perm.EDIT_ISMS)
    objective = Objective(org=actor.org)
    write = _apply(actor, objective, fields)
    objective.number = int(scoped(actor, Objective).aggregate(n=Max("number"))["n"] or 0) + 1
    objective.save()
    if write:
        write()
    audit.record(
        actor=actor.user,
        org=actor.org,
        action="objective.create",
        obj=objective,
        after=objective_snapshot(objective),
    )
    return objective


@transaction.atomic
def objective_update(
    *, actor: Actor, objective: Objective, **changes: Unpack[ObjectiveChanges]
) -> Objective:
    """The owner (contributor role) may change only the status; editors everything."""
    audited_update(
        actor=actor,
        obj=objective,
        action="objective.update",
        apply=lambda: _apply(actor, objective, changes),
        snapshot=objective_snapshot,
        rule=OBJECTIVE_RULE,
    )
    return objective


@transaction.atomic
def objective_delete(*, actor: Actor, objective: Objective) -> None:
    actor.require(Perm.EDIT_ISMS)
    before = objective_snapshot(objective)
    before["measurements"] = scoped(actor, Measurement).filter(objective=objective).count()
    audit.record(
        actor=actor.user, org=actor.org, action="objective.delete", obj=objective, before=before
    )
    objective.delete()


def _measurement_snapshot(m: Measurement) -> dict[str, Any]:
    data = audit.snapshot(m)
    data["objective_ref"] = m.objective.ref
    return data


@transaction.atomic
def measurement_record(
    *, actor: Actor, objective: Objective, **fields: Unpack[MeasurementFields]
) -> Measurement:
    actor.require_edit(
        OBJECTIVE_RULE,
        OBJECTIVE_RULE.assignee_of(objective),
        message="You can record measurements only of the objectives you own.",
    )
    value = fields.get("value")
    if value is None:
        raise ValidationError({"value": "Enter the measured value."})
    if abs(float(value)) > MAX_VALUE:
        raise ValidationError({"value": "Enter a smaller number."})
    if fields.get("measured_on") is None:
        raise ValidationError({"measured_on": "Enter the date of the measurement."})
    m = Measurement(
        org=actor.org,
        objective=objective,
        measured_on=fields["measured_on"],
        value=float(value),
        note=(fields.get("note") or "").strip(),
        recorded_by=actor.user,
    )
    m.full_clean(exclude=["org", "objective", "recorded_by"])
    m.save()
    audit.record(
        actor=actor.user,
        org=actor.org,
        action="measurement.create",
        obj=m,
        after=_measurement_snapshot(m),
    )
    return m


@transaction.atomic
def measurement_delete(*, actor: Actor, measurement: Measurement) -> None:
    """A measurement entered by mistake; editors and the objective's owner."""
    actor.require_edit(
        OBJECTIVE_RULE,
        OBJECTIVE_RULE.assignee_of(measurement.objective),
        message="You can remove measurements only of the objectives you own.",
    )
    audit.record(
        actor=actor.user,
        org=actor.org,
        action="measurement.delete",
        obj=measurement,
        before=_measurement_snapshot(measurement),
    )
    measurement.delete()
