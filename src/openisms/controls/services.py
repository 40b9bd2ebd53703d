"""Writes for the control register. Each is atomic, records its audit events and tells the
layers above which requirements it touched (``signals.controls_changed``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Unpack

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from openisms.catalog.models import Framework, Requirement
from openisms.controls.fields import (
    BULK_FIELDS,
    CONTROL_FIELDS,
    CONTROL_RULE,
    ControlBulkChanges,
    ControlChanges,
)
from openisms.controls.models import Control, ControlRequirement, ControlStatus, ParameterValue
from openisms.controls.signals import controls_changed
from openisms.core import audit
from openisms.core.models import bulk_update_versions
from openisms.orgs.access import Actor, Perm, scoped
from openisms.orgs.selectors import resolve_member
from openisms.orgs.updates import audited_bulk_update, audited_update, bulk_rows

MAX_REQUIREMENTS = 500


def control_snapshot(control: Control) -> dict[str, Any]:
    """The row and its requirements (as ``framework:ref``), as audit events keep it."""
    data = audit.snapshot(control)
    data["requirements"] = sorted(
        f"{fw}:{ref}"
        for fw, ref in ControlRequirement.objects.filter(control_id=control.pk).values_list(
            "requirement__framework__slug", "requirement__ref"
        )
    )
    return data


def can_edit_control(actor: Actor, control: Control | None) -> bool:
    return actor.may_edit(CONTROL_RULE, control)


def resolve_requirements(values: Iterable[object], *, actor: Actor) -> list[Requirement]:
    """Requirements named ``framework:ref`` (``iso27001-2022:A.8.13``), by id, or as objects,
    among the frameworks the actor's organisation sees (another organisation's imported
    framework is as unknown as a misspelt one).

    Unknown names are one field error that lists them all.
    """
    visible = Requirement.objects.filter(
        framework__in=Framework.objects.visible_to(actor.org.pk), retired=False
    )
    wanted: list[tuple[str, str]] = []
    ids: list[int] = []
    found: list[Requirement] = []
    bad: list[str] = []
    for value in values:
        if isinstance(value, Requirement):
            found.append(value)
        elif isinstance(value, int) and not isinstance(value, bool):
            ids.append(value)
        else:
            text = str(value).strip()
            slug, sep, ref = text.partition(":")
            if not sep or not slug or not ref:
                bad.append(text)
            else:
                wanted.append((slug.strip(), ref.strip()))
    if len(found) + len(ids) + len(wanted) + len(bad) > MAX_REQUIREMENTS:
        raise ValidationError({"requirements": f"At most {MAX_REQUIREMENTS} requirements."})
    if ids:
        by_id = {r.pk: r for r in visible.filter(pk__in=ids)}
        bad += [str(i) for i in ids if i not in by_id]
        found += by_id.values()
    if wanted:
        slugs = {slug for slug, _ in wanted}
        refs = {ref for _, ref in wanted}
        by_name = {
            (r.framework.slug, r.ref): r
            for r in visible.filter(framework__slug__in=slugs, ref__in=refs).select_related(
                "framework"
            )
        }
        for name in wanted:
            if name in by_name:
                found.append(by_name[name])
            else:
                bad.append(":".join(name))
    if bad:
        raise ValidationError(
            {"requirements": f"Unknown requirement(s): {', '.join(bad)} (write framework:ref)."}
        )
    return list({r.pk: r for r in found}.values())


def _requirement_ids(control: Control) -> list[int]:
    return list(
        ControlRequirement.objects.filter(control_id=control.pk).values_list(
            "requirement_id", flat=True
        )
    )


def _apply(actor: Actor, control: Control, changes: ControlChanges) -> None:
    unknown = set(changes) - set(CONTROL_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "Unknown field."))
    for name, value in changes.items():
        if name == "owner":
            control.owner = resolve_member(value, "owner", actor=actor)
        else:
            setattr(control, name, value.strip() if isinstance(value, str) else value)
    if control.status not in ControlStatus.values:
        raise ValidationError({"status": f"Unknown status '{control.status}'."})
    control.full_clean(exclude=["org", "owner"], validate_constraints=False)
    clash = scoped(actor, Control).filter(ref=control.ref).exclude(pk=control.pk).exists()
    if clash:
        raise ValidationError({"ref": f"Another control already has the reference {control.ref}."})


def _link(actor: Actor, control: Control, requirements: list[Requirement]) -> list[int]:
    """Make the control's requirements exactly ``requirements``; returns the ids touched."""
    have = set(_requirement_ids(control))
    want = {r.pk for r in requirements}
    if want - have:
        ControlRequirement.objects.bulk_create(
            [
                ControlRequirement(org=actor.org, control=control, requirement_id=pk)
                for pk in sorted(want - have)
            ]
        )
    if have - want:
        ControlRequirement.objects.filter(
            control_id=control.pk, requirement_id__in=have - want
        ).delete()
    return sorted(have ^ want)


def _changed(actor: Actor, requirement_ids: Iterable[int]) -> None:
    ids = sorted(set(requirement_ids))
    if ids:
        controls_changed.send(sender=Control, actor=actor, requirement_ids=ids)


@transaction.atomic
def control_create(
    *,
    actor: Actor,
    requirements: Iterable[object] = (),
    **changes: Unpack[ControlChanges],
) -> Control:
    actor.require_edit(CONTROL_RULE, None, adding=True)
    if not str(changes.get("ref", "")).strip():
        raise ValidationError({"ref": "Give the control a reference, e.g. AC-01."})
    if not str(changes.get("name", "")).strip():
        raise ValidationError({"name": "Give the control a name."})
    linked = resolve_requirements(requirements, actor=actor)
    control = Control(org=actor.org)
    _apply(actor, control, changes)
    try:
        with transaction.atomic():
            control.save()
    except IntegrityError as exc:  # a concurrent create took the ref
        raise ValidationError({"ref": "Another control already has this reference."}) from exc
    _link(actor, control, linked)
    audit.record(
        actor=actor.user,
        org=actor.org,
        action="control.create",
        obj=control,
        after=control_snapshot(control),
    )
    _changed(actor, (r.pk for r in linked))
    return control


@transaction.atomic
def control_update(
    *,
    actor: Actor,
    control: Control,
    requirements: Iterable[object] | None = None,
    version: int | None = None,
    **changes: Unpack[ControlChanges],
) -> Control:
    """Change a control and, when ``requirements`` is given, set its requirements to them."""
    linked = resolve_requirements(requirements, actor=actor) if requirements is not None else None
    touched: list[int] = []

    def apply() -> Any:
        _apply(actor, control, changes)
        if linked is None:
            return None

        def write() -> None:
            touched.extend(_link(actor, control, linked))

        return write

    before_ids = _requirement_ids(control)
    changed = audited_update(
        actor=actor,
        obj=control,
        action="control.update",
        apply=apply,
        snapshot=control_snapshot,
        rule=CONTROL_RULE,
        version=version,
    )
    if changed:
        _changed(actor, [*before_ids, *touched])
    return control


@transaction.atomic
def control_delete(*, actor: Actor, control: Control) -> None:
    actor.require(Perm.EDIT_ISMS)
    ids = _requirement_ids(control)
    before = control_snapshot(control)
    audit.record(
        actor=actor.user, org=actor.org, action="control.delete", obj=control, before=before
    )
    control.delete()
    _changed(actor, ids)


@transaction.atomic
def control_bulk_update(
    *, actor: Actor, controls: Iterable[Control], **changes: Unpack[ControlBulkChanges]
) -> int:
    """Set the status, owner or target date of many controls at once; returns how many changed."""
    controls = bulk_rows(
        actor=actor, changes=changes, allowed=BULK_FIELDS, rows=controls, noun="control"
    )
    if "status" in changes and changes["status"] not in ControlStatus.values:
        raise ValidationError({"status": f"Unknown status '{changes['status']}'."})
    values: dict[str, Any] = dict(changes)
    if "owner" in changes:
        values["owner"] = resolve_member(changes["owner"], "owner", actor=actor)
    changed = audited_bulk_update(
        actor=actor, rows=controls, values=values, action="control.update"
    )
    _changed(
        actor,
        ControlRequirement.objects.filter(control__in=changed).values_list(
            "requirement_id", flat=True
        ),
    )
    return len(changed)


WRITE_THROUGH = ("status", "owner", "target_date", "implementation")


@transaction.atomic
def controls_write_through(
    *, actor: Actor, requirements: Iterable[Requirement], values: dict[str, Any]
) -> list[Control]:
    """Write a requirement assessment's status, owner, target date or implementation (an SoA
    row's) to the one control that meets each requirement, creating it (ref and name from the
    requirement) where there is none yet.

    The caller has already judged the actor's right to the change under its own rule (an SoA
    row's rule gives its owner the same fields as a control's). A requirement met by several
    controls is refused: which control changed would be a guess.
    """
    values = {k: v for k, v in values.items() if k in WRITE_THROUGH}
    requirements = list(requirements)
    if not values or not requirements:
        return []
    by_req: dict[int, list[Control]] = {}
    links = (
        ControlRequirement.objects.filter(org=actor.org, requirement__in=requirements)
        .select_related("control")
        .order_by("control__ref")
    )
    requirements = list(
        Requirement.objects.filter(pk__in=[r.pk for r in requirements]).select_related("framework")
    )
    for link in links:
        by_req.setdefault(link.requirement_id, []).append(link.control)
    crowded = {
        r.ref: [c.ref for c in by_req[r.pk]] for r in requirements if len(by_req.get(r.pk, [])) > 1
    }
    if crowded:
        detail = "; ".join(f"{ref} by {', '.join(refs)}" for ref, refs in crowded.items())
        raise ValidationError(
            {
                next(iter(values)): f"Met by several controls ({detail}): change them in the "
                "control register."
            }
        )
    taken = set(scoped(actor, Control).values_list("ref", flat=True))
    events: list[tuple[str, Control, Any, Any]] = []
    updated: list[Control] = []
    created: list[tuple[Control, Requirement]] = []
    now = timezone.now()
    for requirement in requirements:
        found = by_req.get(requirement.pk)
        if found:
            control = found[0]
            before = audit.snapshot(control)
            for name, value in values.items():
                setattr(control, name, value)
            if audit.snapshot(control) != before:
                control.updated_at = now
                updated.append(control)
                events.append(("control.update", control, before, audit.snapshot(control)))
            continue
        ref, n = requirement.ref, 1
        while ref in taken:
            n += 1
            ref = f"{requirement.ref}-{n}"
        taken.add(ref)
        created.append(
            (Control(org=actor.org, ref=ref, name=requirement.title[:250], **values), requirement)
        )
    if updated:
        bulk_update_versions(updated, [*values, "updated_at"])
    if created:
        Control.objects.bulk_create([c for c, _ in created], batch_size=500)
        ControlRequirement.objects.bulk_create(
            [ControlRequirement(org=actor.org, control=c, requirement=r) for c, r in created],
            batch_size=500,
        )
        for control, requirement in created:
            after = audit.snapshot(control) | {
                "requirements": [f"{requirement.framework.slug}:{requirement.ref}"]
            }
            events.append(("control.create", control, None, after))
    changed = updated + [c for c, _ in created]
    audit.record_many(actor=actor.user, org=actor.org, events=events)
    _changed(actor, (r.pk for r in requirements))
    return changed


MAX_PARAMETER_VALUE = 2000


@transaction.atomic
def parameter_values_set(
    *, actor: Actor, requirement: Requirement, values: dict[str, str]
) -> dict[str, str]:
    """Set the organisation's values of a requirement's parameters (SP 800-53's
    organisation-defined parameters); an empty value removes the organisation's value and the
    catalogue's own text applies again. Returns the values now set."""
    actor.require(Perm.EDIT_ISMS, "Your role does not allow setting parameter values.")
    if not Framework.objects.visible_to(actor.org.pk).filter(pk=requirement.framework_id).exists():
        raise ValidationError({"requirement": "No such requirement."})
    known = {str(p.get("id")) for p in requirement.params or [] if p.get("id")}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ValidationError(
            {"values": f"{requirement.ref} has no parameter {', '.join(unknown)}."}
        )
    too_long = sorted(k for k, v in values.items() if len(v) > MAX_PARAMETER_VALUE)
    if too_long:
        raise ValidationError(
            {"values": f"At most {MAX_PARAMETER_VALUE} characters ({', '.join(too_long)})."}
        )
    current = {
        pv.param_id: pv for pv in scoped(actor, ParameterValue).filter(requirement=requirement)
    }
    before = {k: pv.value for k, pv in current.items()}
    for param_id, raw in values.items():
        value = raw.strip()
        row = current.get(param_id)
        if not value:
            if row is not None:
                row.delete()
                del current[param_id]
        elif row is None:
            current[param_id] = ParameterValue.objects.create(
                org=actor.org,
                requirement=requirement,
                param_id=param_id,
                value=value,
                set_by=actor.user,
            )
        elif row.value != value:
            row.value, row.set_by = value, actor.user
            row.save(update_fields=["value", "set_by", "updated_at"])
    after = {k: pv.value for k, pv in current.items()}
    if after != before:
        audit.record(
            actor=actor.user,
            org=actor.org,
            action="parameter.set",
            object_type="catalog.requirement",
            object_id=str(requirement.pk),
            object_repr=f"{requirement.framework.slug}:{requirement.ref}",
            before=before,
            after=after,
        )
    return after
