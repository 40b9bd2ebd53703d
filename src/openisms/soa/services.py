"""Writes for the Statement of Applicability. Each is atomic and records its audit events."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Unpack

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from openisms.context.models import PartyRequirement
from openisms.controls.selectors import controls_of_requirements
from openisms.controls.services import WRITE_THROUGH, controls_write_through
from openisms.core import audit
from openisms.orgs import approvals
from openisms.orgs.access import Actor, Perm, scoped
from openisms.orgs.approvals import ApprovalFlow
from openisms.orgs.selectors import resolve_member
from openisms.orgs.updates import audited_bulk_update, audited_update, bulk_rows
from openisms.soa import selectors, tracking
from openisms.soa.fields import (
    BULK_FIELDS,
    ENTRY_FIELDS,
    SOA_ENTRY_RULE,
    SoaBulkChanges,
    SoaEntryChanges,
)
from openisms.soa.models import SoaEntry, SoaStatus, SoaVersion, soa_framework
from openisms.soa.tracking import entry_snapshot, mirrored

NA = SoaStatus.NOT_APPLICABLE


def soa_sync(*, actor: Actor) -> int:
    """Make sure the organisation tracks the SoA's framework and has every row; returns how
    many rows it created. A write for setup paths (the CLI, the demo, upgrades): every
    organisation gets its rows when it is created, and no read ever calls this."""
    return tracking.framework_ensure(org=actor.org, framework_slug=soa_framework())


def can_edit_entry(actor: Actor, entry: SoaEntry) -> bool:
    """Editors change everything; a row's owner may change its status and implementation."""
    return actor.may_edit(SOA_ENTRY_RULE, entry)


def _risk_refs(actor: Actor, entry: SoaEntry) -> list[str]:
    return list(
        selectors.PLANNED.objects.filter(risk__org=actor.org, requirement_id=entry.requirement_id)
        .order_by("risk__ref")
        .values_list("risk__ref", flat=True)
    )


def _validate(actor: Actor, entry: SoaEntry, was_applicable: bool, confirm: bool) -> None:
    """Cross-field rules, with errors that name the field to fix."""
    errors: dict[str, str] = {}
    if entry.requirement.kind == "clause" and not entry.applicable:
        errors["applicable"] = "Clauses 4 to 10 are mandatory and cannot be excluded."
    if not entry.applicable:
        if not entry.justification.strip():
            errors["justification"] = "Say why this control is excluded."
        if entry.status != NA:
            errors["status"] = "An excluded control has the status 'not applicable'."
    elif entry.status == NA:
        errors["status"] = (
            "Only an excluded control is 'not applicable'; set applicable to false to exclude it."
        )
    if was_applicable and not entry.applicable and "applicable" not in errors:
        refs = _risk_refs(actor, entry)
        if refs and not confirm:
            errors["confirm_exclusion"] = (
                f"Risks {', '.join(refs)} plan this control as treatment. Confirm the exclusion "
                "(confirm_exclusion) to exclude it anyway, or change those risks first."
            )
    if errors:
        raise ValidationError(errors)


def _resolve_citations(actor: Actor, values: Iterable[int | str]) -> list[PartyRequirement]:
    """Requirements of the organisation's interested parties by id (the API) or ref ("REQ-03",
    the form); anything else, another organisation's included, is a field error."""
    ids: set[int] = set()
    numbers: set[int] = set()
    bad: list[str] = []
    for value in values:
        text = str(value).strip().upper()
        if isinstance(value, int) or text.isdigit():
            ids.add(int(text))
        elif text.startswith("REQ-") and text[4:].isdigit():
            numbers.add(int(text[4:]))
        elif text:
            bad.append(str(value))
    found: list[PartyRequirement] = []
    if ids or numbers:
        found = list(scoped(actor, PartyRequirement).filter(Q(pk__in=ids) | Q(number__in=numbers)))
    bad += [str(i) for i in sorted(ids - {r.pk for r in found})]
    bad += [f"REQ-{n:02d}" for n in sorted(numbers - {r.number for r in found})]
    if bad:
        raise ValidationError(
            {
                "cited_requirements": "No requirement of an interested party "
                f"{', '.join(bad)} in this organisation."
            }
        )
    return sorted(found, key=lambda r: r.number)


def _cite(actor: Actor, entry: SoaEntry, values: Iterable[int | str]) -> None:
    """Set the interested-party requirements a row cites (editors only), one audit event."""
    chosen = _resolve_citations(actor, values)
    before = selectors.cited_refs_of(entry)
    after = [r.ref for r in chosen]
    if before == after:
        return
    actor.require(Perm.EDIT_ISMS, "Only editors change the requirements an SoA row cites.")
    entry.cited_requirements.set(chosen)
    audit.record(
        actor=actor.user,
        org=actor.org,
        action="soa_entry.cite",
        obj=entry,
        before={"ref": entry.requirement.ref, "cited_requirements": before},
        after={"ref": entry.requirement.ref, "cited_requirements": after},
    )


@transaction.atomic
def soa_entry_update(
    *,
    actor: Actor,
    entry: SoaEntry,
    confirm_exclusion: bool = False,
    cited_requirements: Iterable[int | str] | None = None,
    version: int | None = None,
    **changes: Unpack[SoaEntryChanges],
) -> SoaEntry:
    """Change one row. Excluding a control sets its status to 'not applicable' (and including
    it again to 'not started') unless the change names a status itself. ``cited_requirements``
    (ids or refs of the organisation's interested-party requirements) replaces what the row
    cites."""
    if cited_requirements is not None:
        _cite(actor, entry, cited_requirements)
    unknown = set(changes) - set(ENTRY_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "Unknown field."))

    def apply() -> None:
        was_applicable = entry.applicable
        for name, value in changes.items():
            if name == "owner":
                entry.owner = resolve_member(value, "owner", actor=actor)
            else:
                setattr(entry, name, value.strip() if isinstance(value, str) else value)
        if "status" not in changes and entry.applicable != was_applicable:
            entry.status = _included_status(actor, entry) if entry.applicable else NA
        _validate(actor, entry, was_applicable, confirm_exclusion)
        entry.full_clean(exclude=["org", "requirement", "owner"])  # owner: checked as member

    before = {name: getattr(entry, name) for name in WRITE_THROUGH}
    audited_update(
        actor=actor,
        obj=entry,
        action="soa_entry.update",
        apply=apply,
        snapshot=entry_snapshot,
        rule=SOA_ENTRY_RULE,
        version=version,
    )
    pushed = {
        name: getattr(entry, name)
        for name in WRITE_THROUGH
        if name in changes and getattr(entry, name) != before[name]
    }
    if pushed and _has_controls(entry):
        controls_write_through(actor=actor, requirements=[entry.requirement], values=pushed)
    return entry


def _has_controls(entry: SoaEntry) -> bool:
    """Rows whose status is their controls': applicable Annex A controls (clauses are the
    ISMS's own requirements and keep theirs)."""
    return entry.applicable and entry.requirement.kind == "control"


def _included_status(actor: Actor, entry: SoaEntry) -> str:
    """The status of a row included again: its controls', else not started."""
    linked = controls_of_requirements(actor=actor, requirement_ids=[entry.requirement_id])
    controls = linked.get(entry.requirement_id)
    return str(mirrored(controls)["status"]) if controls else SoaStatus.NOT_STARTED


@transaction.atomic
def soa_bulk_update(
    *, actor: Actor, entries: Iterable[SoaEntry], **changes: Unpack[SoaBulkChanges]
) -> int:
    """Set the status, owner or target date of many rows at once; returns how many changed.

    Exclusion is not a bulk change: each excluded control needs its own justification.
    """
    entries = bulk_rows(actor=actor, changes=changes, allowed=BULK_FIELDS, rows=entries, noun="row")
    if "status" in changes:
        status = changes["status"]
        if status not in SoaStatus.values:
            raise ValidationError({"status": f"Unknown status '{status}'."})
        if status == NA:
            raise ValidationError(
                {"status": "Exclude controls one by one: each needs its own justification."}
            )
        excluded = [e.requirement.ref for e in entries if not e.applicable]
        if excluded:
            raise ValidationError(
                {"status": f"Excluded, so not applicable: {', '.join(excluded)}. Include first."}
            )
    values: dict[str, Any] = dict(changes)
    if "owner" in changes:
        values["owner"] = resolve_member(changes["owner"], "owner", actor=actor)

    def validate(entry: SoaEntry) -> None:
        if "target_date" in changes:
            entry.full_clean(exclude=["org", "requirement", "owner"])  # owner: checked as member

    changed = audited_bulk_update(
        actor=actor,
        rows=entries,
        values=values,
        action="soa_entry.update",
        snapshot=entry_snapshot,
        validate=validate,
    )
    pushed = {name: getattr(changed[0], name) for name in changes} if changed else {}
    controls_write_through(
        actor=actor,
        requirements=[e.requirement for e in changed if _has_controls(e)],
        values=pushed,
    )
    return len(changed)


# --- versions -------------------------------------------------------------------------------


SOA_FLOW = ApprovalFlow(noun="SoA version", action="soa_version")


@transaction.atomic
def soa_submit(*, actor: Actor, comment: str = "") -> SoaVersion:
    """Freeze every row of the working SoA into a new version awaiting approval."""
    actor.require(Perm.EDIT_ISMS)
    tracking.framework_ensure(org=actor.org, framework_slug=soa_framework())
    return approvals.version_submit(
        actor=actor,
        flow=SOA_FLOW,
        model=SoaVersion,
        subject={},
        snapshot={"framework": soa_framework(), "rows": selectors.working_rows(actor=actor)},
        comment=comment,
    )


@transaction.atomic
def soa_approve(*, actor: Actor, version: SoaVersion, comment: str = "") -> SoaVersion:
    """Management approves a submitted version; from then on it is the current approved SoA.
    With separate approval on (the default), its submitter may not."""
    return approvals.version_approve(actor=actor, flow=SOA_FLOW, version=version, comment=comment)


@transaction.atomic
def soa_reject(*, actor: Actor, version: SoaVersion, comment: str) -> SoaVersion:
    """Send a submitted version back; the comment says what to change."""
    return approvals.version_reject(actor=actor, flow=SOA_FLOW, version=version, comment=comment)
