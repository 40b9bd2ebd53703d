"""Writes for the Statement of Applicability. Each is atomic and records its audit events."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any, Unpack

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q, QuerySet, Subquery
from django.utils import timezone

from openisms.catalog.models import Requirement
from openisms.core import audit
from openisms.orgs.access import Actor, Perm, scoped
from openisms.orgs.selectors import resolve_member
from openisms.orgs.updates import audited_update
from openisms.soa import selectors
from openisms.soa.fields import (
    BULK_FIELDS,
    ENTRY_FIELDS,
    SOA_ENTRY_RULE,
    SoaBulkChanges,
    SoaEntryChanges,
)
from openisms.soa.models import CLAUSE_REF_RE, SoaEntry, SoaStatus, SoaVersion, soa_framework

NA = SoaStatus.NOT_APPLICABLE


def entry_snapshot(entry: SoaEntry) -> dict[str, Any]:
    data = audit.snapshot(entry)
    data["ref"] = entry.requirement.ref
    return data


def soa_requirements() -> QuerySet[Requirement]:
    """The requirements an SoA has rows for: every control, and clauses 4-10 without letters."""
    return Requirement.objects.filter(framework__slug=soa_framework(), retired=False).filter(
        Q(kind="control") | Q(kind="clause", ref__regex=CLAUSE_REF_RE)
    )


def soa_sync(*, actor: Actor) -> int:
    """Create the missing rows (idempotent; one query when nothing is missing).

    Views and API handlers call it on first access, like the risk module's setup; any member's
    visit may create the rows, so the events are recorded as the system's.
    """
    have = scoped(actor, SoaEntry).values("requirement_id")
    missing = list(soa_requirements().exclude(pk__in=Subquery(have)).order_by("position"))
    if not missing:
        return 0
    with transaction.atomic():
        SoaEntry.objects.bulk_create(
            [SoaEntry(org=actor.org, requirement=r) for r in missing], ignore_conflicts=True
        )
        created = (
            scoped(actor, SoaEntry)
            .filter(requirement__in=missing)
            .select_related("requirement")
            .order_by("requirement__position")
        )
        audit.record_many(
            actor=None,
            org=actor.org,
            events=[("soa_entry.create", e, None, entry_snapshot(e)) for e in created],
        )
    return len(missing)


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


@transaction.atomic
def soa_entry_update(
    *,
    actor: Actor,
    entry: SoaEntry,
    confirm_exclusion: bool = False,
    **changes: Unpack[SoaEntryChanges],
) -> SoaEntry:
    """Change one row. Excluding a control sets its status to 'not applicable' (and including
    it again to 'not started') unless the change names a status itself."""
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
            entry.status = SoaStatus.NOT_STARTED if entry.applicable else NA
        _validate(actor, entry, was_applicable, confirm_exclusion)
        entry.full_clean(exclude=["org", "requirement", "owner"])  # owner: checked as member

    audited_update(
        actor=actor,
        obj=entry,
        action="soa_entry.update",
        apply=apply,
        snapshot=entry_snapshot,
        rule=SOA_ENTRY_RULE,
    )
    return entry


@transaction.atomic
def soa_bulk_update(
    *, actor: Actor, entries: Iterable[SoaEntry], **changes: Unpack[SoaBulkChanges]
) -> int:
    """Set the status, owner or target date of many rows at once; returns how many changed.

    Exclusion is not a bulk change: each excluded control needs its own justification.
    """
    actor.require(Perm.EDIT_ISMS)
    unknown = set(changes) - set(BULK_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "Not a bulk change."))
    if not changes:
        raise ValidationError("Choose a status, an owner or a target date to set.")
    entries = list(entries)
    if not entries:
        raise ValidationError("Select at least one row.")
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
    owner = resolve_member(changes["owner"], "owner", actor=actor) if "owner" in changes else None
    events = []
    changed = []
    for entry in entries:
        before = entry_snapshot(entry)
        if "status" in changes:
            entry.status = changes["status"]
        if "owner" in changes:
            entry.owner = owner
        if "target_date" in changes:
            entry.target_date = changes["target_date"]
            entry.full_clean(exclude=["org", "requirement", "owner"])  # owner: checked as member
        after = entry_snapshot(entry)
        if after != before:
            changed.append(entry)
            events.append(("soa_entry.update", entry, before, after))
    now = timezone.now()
    for entry in changed:
        entry.updated_at = now
    SoaEntry.objects.bulk_update(changed, [*changes, "updated_at"], batch_size=500)
    audit.record_many(actor=actor.user, org=actor.org, events=events)
    return len(changed)


# --- versions -------------------------------------------------------------------------------


def snapshot_hash(snapshot: dict[str, Any]) -> str:
    encoded = json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode()).hexdigest()


def _version_event(actor: Actor, action: str, version: SoaVersion, before: Any = None) -> None:
    after = audit.snapshot(version)
    after["snapshot_sha256"] = snapshot_hash(version.snapshot)
    audit.record(
        actor=actor.user, org=actor.org, action=action, obj=version, before=before, after=after
    )


@transaction.atomic
def soa_submit(*, actor: Actor, comment: str = "") -> SoaVersion:
    """Freeze every row of the working SoA into a new version awaiting approval."""
    actor.require(Perm.EDIT_ISMS)
    pending = scoped(actor, SoaVersion).select_for_update().filter(state="submitted").first()
    if pending is not None:
        raise ValidationError(
            f"Version {pending.number} is waiting for approval; approve or reject it first."
        )
    soa_sync(actor=actor)
    last = scoped(actor, SoaVersion).aggregate(n=Max("number"))["n"] or 0
    version = SoaVersion(
        org=actor.org,
        number=last + 1,
        state=SoaVersion.State.SUBMITTED,
        snapshot={"framework": soa_framework(), "rows": selectors.working_rows(actor=actor)},
        comment=(comment or "").strip(),
        submitted_by=actor.user,
        submitted_at=timezone.now(),
    )
    version.full_clean(exclude=["org"])
    version.save()
    _version_event(actor, "soa_version.submit", version)
    return version


def _lock_pending(actor: Actor, version: SoaVersion) -> SoaVersion:
    locked = scoped(actor, SoaVersion).select_for_update().get(pk=version.pk)
    if locked.state != SoaVersion.State.SUBMITTED:
        raise ValidationError(
            f"Version {locked.number} is {locked.get_state_display().lower()} and cannot be "
            "changed; submit a new version instead."
        )
    return locked


@transaction.atomic
def soa_approve(*, actor: Actor, version: SoaVersion, comment: str = "") -> SoaVersion:
    """Management approves a submitted version; from then on it is the current approved SoA."""
    actor.require(Perm.APPROVE)
    locked = _lock_pending(actor, version)
    before = audit.snapshot(locked)
    locked.state = SoaVersion.State.APPROVED
    locked.approved_by = actor.user
    locked.approved_at = timezone.now()
    locked.decision_comment = (comment or "").strip()
    locked.save()
    _version_event(actor, "soa_version.approve", locked, before)
    return locked


@transaction.atomic
def soa_reject(*, actor: Actor, version: SoaVersion, comment: str) -> SoaVersion:
    """Send a submitted version back; the comment says what to change."""
    actor.require(Perm.APPROVE)
    if not (comment or "").strip():
        raise ValidationError({"comment": "Say what needs to change."})
    locked = _lock_pending(actor, version)
    before = audit.snapshot(locked)
    locked.state = SoaVersion.State.REJECTED
    locked.rejected_by = actor.user
    locked.rejected_at = timezone.now()
    locked.decision_comment = comment.strip()
    locked.save()
    _version_event(actor, "soa_version.reject", locked, before)
    return locked
