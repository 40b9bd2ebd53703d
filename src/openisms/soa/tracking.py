"""Which frameworks an organisation tracks, its requirement assessments, and how they follow the
control register.

Rows are created when an organisation starts tracking a framework (every organisation tracks
the SoA's framework from its creation) and when a catalogue load adds requirements to a
tracked framework; reads never create them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet, Subquery
from django.utils import timezone

from openisms.catalog.models import Framework, Requirement
from openisms.controls.selectors import LinkedControl, controls_of_requirements
from openisms.controls.status import combined_status
from openisms.core import audit
from openisms.core.models import bulk_update_versions
from openisms.orgs.access import Actor, Perm, scoped, system_actor
from openisms.orgs.models import Organization
from openisms.soa.models import CLAUSE_REF_RE, SoaEntry, SoaStatus, TrackedFramework, soa_framework


def entry_snapshot(entry: SoaEntry) -> dict[str, Any]:
    data = audit.snapshot(entry)
    data["ref"] = entry.requirement.ref
    return data


def assessed_requirements(framework_slug: str) -> QuerySet[Requirement]:
    """The requirements an organisation assesses in a framework: for the SoA's framework every
    control and the clauses 4-10 without their lettered items; for others, every requirement
    but those the framework withdrew (SP 800-53's withdrawn controls)."""
    qs = Requirement.objects.filter(framework__slug=framework_slug, retired=False, withdrawn=False)
    if framework_slug == soa_framework():
        qs = qs.filter(Q(kind="control") | Q(kind="clause", ref__regex=CLAUSE_REF_RE))
    return qs


def rows_create(*, org: Organization, framework_slug: str) -> int:
    """Create the organisation's missing rows of one framework (idempotent; one query when
    nothing is missing), as the system's events. Rows of requirements that controls already
    meet start from those controls."""
    actor = system_actor(org)
    have = scoped(actor, SoaEntry).values("requirement_id")
    missing = list(
        assessed_requirements(framework_slug).exclude(pk__in=Subquery(have)).order_by("position")
    )
    if not missing:
        return 0
    with transaction.atomic():
        SoaEntry.objects.bulk_create(
            [SoaEntry(org=org, requirement=r) for r in missing], ignore_conflicts=True
        )
        entries_refresh(actor=actor, requirement_ids=[r.pk for r in missing], record=False)
        created = list(
            scoped(actor, SoaEntry)
            .filter(requirement__in=missing)
            .select_related("requirement")
            .order_by("requirement__position")
        )
        audit.record_many(
            actor=None,
            org=org,
            events=[("soa_entry.create", e, None, entry_snapshot(e)) for e in created],
        )
    return len(missing)


# --- the organisation's PII role (ISO/IEC 27701) -----------------------------------------------

ROLE_KEY = "pims_role"  # the attribute that says whom a privacy control is for
ROLE_NOTE = (
    "Not applicable to the organisation's PII role ({role}): this control is for PII {whom} "
    "(set automatically from the organisation's settings)."
)
WHOM = {"controller": "controllers", "processor": "processors"}


def _role_note(role: str, whom: str) -> str:
    return ROLE_NOTE.format(role=role, whom=WHOM.get(whom, whom))


def role_applicability(*, actor: Actor, framework_slug: str) -> int:
    """Exclude the privacy controls that the organisation's PII role makes irrelevant (a PII
    processor has no use for the controls for controllers), and include them again when the
    role changes. Rows a person decided on are left alone: only rows still applicable without
    a justification, or excluded by this rule, change. Returns how many rows changed."""
    role = actor.org.pii_role
    entries = list(
        scoped(actor, SoaEntry)
        .filter(
            requirement__framework__slug=framework_slug,
            requirement__attribute_values__key=ROLE_KEY,
        )
        .select_related("requirement")
        .annotate(for_role=F("requirement__attribute_values__value"))
    )
    if not entries:
        return 0
    controls = controls_of_requirements(
        actor=actor, requirement_ids=[e.requirement_id for e in entries]
    )
    notes = {_role_note(r, w) for r in ("controller", "processor") for w in WHOM}
    changed, events = [], []
    for entry in entries:
        for_role = getattr(entry, "for_role", "both")
        wanted = role in ("", "both") or for_role in ("both", role)
        before = entry_snapshot(entry)
        if not wanted and entry.applicable and not entry.justification.strip():
            entry.applicable = False
            entry.status = SoaStatus.NOT_APPLICABLE
            entry.justification = _role_note(role, for_role)
        elif wanted and not entry.applicable and entry.justification in notes:
            linked = controls.get(entry.requirement_id)
            entry.applicable = True
            entry.justification = ""
            entry.status = str(mirrored(linked)["status"]) if linked else SoaStatus.NOT_STARTED
        else:
            continue
        entry.updated_at = timezone.now()
        changed.append(entry)
        events.append(("soa_entry.update", entry, before, entry_snapshot(entry)))
    if changed:
        bulk_update_versions(changed, ["applicable", "status", "justification", "updated_at"])
        audit.record_many(actor=actor.user, org=actor.org, events=events)
    return len(changed)


def is_tracked(*, actor: Actor, framework_slug: str) -> bool:
    return scoped(actor, TrackedFramework).filter(framework__slug=framework_slug).exists()


def tracked_frameworks(*, actor: Actor) -> list[Framework]:
    return list(
        Framework.objects.filter(trackers__org=actor.org).order_by("status", "name").distinct()
    )


def _framework(actor: Actor, slug: str) -> Framework:
    framework = Framework.objects.visible_to(actor.org.pk).filter(slug=slug).first()
    if framework is None:
        raise ValidationError({"framework": f"No framework '{slug}' in the catalogue."})
    return framework


def _start(actor: Actor, framework: Framework) -> TrackedFramework:
    tracked = TrackedFramework.objects.create(
        org=actor.org, framework=framework, started_by=actor.user
    )
    audit.record(
        actor=actor.user,
        org=actor.org,
        action="framework.track",
        obj=tracked,
        after={"framework": framework.slug},
    )
    return tracked


@transaction.atomic
def framework_track(*, actor: Actor, framework_slug: str) -> TrackedFramework:
    """Start tracking a framework: an assessment row for each of its requirements."""
    actor.require(Perm.EDIT_ISMS)
    framework = _framework(actor, framework_slug)
    if scoped(actor, TrackedFramework).filter(framework=framework).exists():
        raise ValidationError({"framework": f"{framework.name} is already tracked."})
    tracked = _start(actor, framework)
    rows_create(org=actor.org, framework_slug=framework.slug)
    role_applicability(actor=actor, framework_slug=framework.slug)
    return tracked


@transaction.atomic
def framework_ensure(*, org: Organization, framework_slug: str) -> int:
    """The system's side of tracking (organisation creation, upgrades, the CLI): track the
    framework if not yet, and create any missing rows. Returns how many rows it created."""
    actor = system_actor(org)
    framework = _framework(actor, framework_slug)
    if not scoped(actor, TrackedFramework).filter(framework=framework).exists():
        _start(actor, framework)
    return rows_create(org=org, framework_slug=framework_slug)


@transaction.atomic
def framework_untrack(*, actor: Actor, framework_slug: str) -> None:
    """Stop tracking a framework. Its assessments are kept (tracking it again finds them)."""
    actor.require(Perm.EDIT_ISMS)
    if framework_slug == soa_framework():
        raise ValidationError({"framework": "The SoA's framework is always tracked."})
    tracked = scoped(actor, TrackedFramework).filter(framework__slug=framework_slug).first()
    if tracked is None:
        raise ValidationError({"framework": f"'{framework_slug}' is not tracked."})
    audit.record(
        actor=actor.user,
        org=actor.org,
        action="framework.untrack",
        obj=tracked,
        before={"framework": framework_slug},
    )
    tracked.delete()


# --- following the control register ---------------------------------------------------------


def mirrored(controls: list[LinkedControl]) -> dict[str, Any]:
    """What a row shows of the controls that meet its requirement: their combined status, and
    the first control's owner; its target date and implementation when it is the only one,
    else the latest target date and each control's implementation on a line of its own."""
    first = controls[0]
    if len(controls) == 1:
        implementation, target = first.implementation, first.target_date
    else:
        implementation = "\n".join(
            f"{c.ref} {c.name}: {c.implementation}".strip().rstrip(":") for c in controls
        )
        dates = [c.target_date for c in controls if c.target_date is not None]
        target = max(dates) if dates else None
    return {
        "status": combined_status(c.status for c in controls),
        "owner_id": first.owner_id,
        "target_date": target,
        "implementation": implementation,
    }


def entries_refresh(*, actor: Actor, requirement_ids: Iterable[int], record: bool = True) -> int:
    """Bring the rows of these requirements in step with their controls (and overrides).

    Rows without controls keep their own values; excluded rows stay 'not applicable'. Changed
    rows are saved in one statement with one audit event each. Returns how many changed.
    """
    ids = list(requirement_ids)
    controls = controls_of_requirements(actor=actor, requirement_ids=ids)
    overridden = scoped(actor, SoaEntry).filter(requirement_id__in=ids).exclude(override_status="")
    if not controls and not overridden.exists():
        return 0
    entries = list(
        scoped(actor, SoaEntry).filter(requirement_id__in=ids).select_related("requirement")
    )
    fields = ("status", "owner_id", "target_date", "implementation")
    changed, events = [], []
    for entry in entries:
        linked = controls.get(entry.requirement_id)
        if not entry.applicable or (not linked and not entry.override_status):
            continue
        values = mirrored(linked) if linked else {}
        if entry.override_status:
            values["status"] = entry.override_status
        if all(getattr(entry, k) == v for k, v in values.items()):
            continue
        before = entry_snapshot(entry)
        for key, value in values.items():
            setattr(entry, key, value)
        changed.append(entry)
        events.append(("soa_entry.update", entry, before, entry_snapshot(entry)))
    now = timezone.now()
    for entry in changed:
        entry.updated_at = now
    if changed:
        bulk_update_versions(changed, [*fields, "updated_at"])
        if record:
            audit.record_many(actor=actor.user, org=actor.org, events=events)
    return len(changed)


MAX_REASON = 5_000


@transaction.atomic
def assessment_override(
    *, actor: Actor, entry: SoaEntry, status: str | None, reason: str = ""
) -> SoaEntry:
    """Set (or, with status None, clear) a manual verdict on one requirement assessment, with
    who set it and why; it wins over the controls until cleared."""
    actor.require(Perm.EDIT_ISMS)
    reason = (reason or "").strip()
    if status:
        if status not in SoaStatus.values or status == SoaStatus.NOT_APPLICABLE:
            raise ValidationError(
                {
                    "status": f"Choose one of {', '.join(override_statuses())}; exclude a "
                    "requirement through its applicability instead."
                }
            )
        if not entry.applicable:
            raise ValidationError({"status": "An excluded requirement has no status to override."})
        if not reason:
            raise ValidationError({"reason": "Say why the status is set by hand."})
        if len(reason) > MAX_REASON:
            raise ValidationError({"reason": f"At most {MAX_REASON} characters."})
    before = entry_snapshot(entry)
    if status:
        entry.override_status = status
        entry.override_reason = reason
        entry.override_by = actor.user
        entry.override_at = timezone.now()
        entry.status = status
    else:
        entry.override_status = ""
        entry.override_reason = ""
        entry.override_by = None
        entry.override_at = None
    entry.save_as_next_version()
    audit.record(
        actor=actor.user,
        org=actor.org,
        action="soa_entry.override" if status else "soa_entry.override_clear",
        obj=entry,
        before=before,
        after=entry_snapshot(entry),
    )
    if not status:
        entries_refresh(actor=actor, requirement_ids=[entry.requirement_id])
        entry.refresh_from_db()
    return entry


def override_statuses() -> list[str]:
    return [s for s in SoaStatus.values if s != SoaStatus.NOT_APPLICABLE]
