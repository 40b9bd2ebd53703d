"""One approval and versioning workflow for everything management signs off.

A *subject* (the organisation's SoA, one document, the ISMS context, one internal audit's
report, one management review) has numbered versions (``core.models.ApprovalVersion``
subclasses). ``version_submit`` freezes a snapshot into a new version awaiting a decision;
``version_approve`` and ``version_reject`` decide it; a decided version never changes again.
Only one version per subject may wait at a time. Each step records one audit event whose
``after`` carries the SHA-256 of the snapshot, so the trail proves what was approved.

Separation of duties: while the organisation's ``separate_approval`` setting is on (the
default), the member who submitted a version may not approve it. The system actor (CLI,
loaders) is exempt, since it has no person to separate.

A domain declares one :class:`ApprovalFlow` beside its services (the noun used in messages,
the audit action prefix, the permissions) and calls these functions with it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max
from django.utils import timezone

from openisms.core import audit
from openisms.core.models import ApprovalState, ApprovalVersion
from openisms.orgs.access import Actor, Perm, scoped


@dataclass(frozen=True)
class ApprovalFlow:
    """How one kind of subject is versioned and approved."""

    noun: str  # "SoA version", "document version": names a version in messages
    action: str  # audit action prefix: "soa_version" gives soa_version.submit/approve/reject
    submit_perm: Perm = Perm.EDIT_ISMS
    approve_perm: Perm = Perm.APPROVE


def snapshot_hash(snapshot: Mapping[str, Any]) -> str:
    encoded = json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode()).hexdigest()


def _event[V: ApprovalVersion](
    actor: Actor, flow: ApprovalFlow, step: str, version: V, before: Any = None
) -> None:
    after = audit.snapshot(version)
    after["snapshot_sha256"] = snapshot_hash(version.snapshot)
    audit.record(
        actor=actor.user,
        org=actor.org,
        action=f"{flow.action}.{step}",
        obj=version,
        before=before,
        after=after,
    )


def version_submit[V: ApprovalVersion](
    *,
    actor: Actor,
    flow: ApprovalFlow,
    model: type[V],
    subject: Mapping[str, Any],
    snapshot: dict[str, Any],
    comment: str = "",
    **fields: Any,
) -> V:
    """Freeze ``snapshot`` into the subject's next version, awaiting a decision.

    ``subject`` names the subject's columns (``{"document": doc}``; empty for one per
    organisation); ``fields`` are further columns of the version. Call inside the service's
    transaction.
    """
    actor.require(flow.submit_perm)
    versions = scoped(actor, model).filter(**subject)
    pending = versions.select_for_update().filter(state=ApprovalState.SUBMITTED).first()
    if pending is not None:
        raise ValidationError(
            f"Version {pending.number} is waiting for approval; approve or reject it first."
        )
    last = versions.aggregate(n=Max("number"))["n"] or 0
    version = model(
        org=actor.org,
        number=last + 1,
        state=ApprovalState.SUBMITTED,
        snapshot=snapshot,
        comment=(comment or "").strip(),
        submitted_by=actor.user,
        submitted_at=timezone.now(),
        **subject,
        **fields,
    )
    # The system actor (CLI, loaders) has no member to name as the submitter.
    unnamed = ["submitted_by"] if actor.user is None else []
    version.full_clean(exclude=["org", *subject, *fields, *unnamed])
    version.save()
    _event(actor, flow, "submit", version)
    return version


def _lock_pending[V: ApprovalVersion](actor: Actor, flow: ApprovalFlow, version: V) -> V:
    locked = scoped(actor, type(version)).select_for_update().get(pk=version.pk)
    if locked.state != ApprovalState.SUBMITTED:
        raise ValidationError(
            f"Version {locked.number} is {locked.get_state_display().lower()} and cannot be "
            "changed; submit a new version instead."
        )
    return locked


def may_decide(actor: Actor, flow: ApprovalFlow, version: ApprovalVersion) -> bool:
    """Whether the member may approve or reject the version (pages show the buttons)."""
    return (
        version.is_pending and actor.can(flow.approve_perm) and not _self_approval(actor, version)
    )


def is_same_person(actor: Actor, person_id: int | None) -> bool:
    """Whether separation of duties stops the actor deciding on what ``person_id`` put
    forward (or owns): the setting is on and they are the same member."""
    return (
        actor.org.separate_approval
        and actor.user is not None
        and person_id is not None
        and person_id == actor.user.pk
    )


def _self_approval(actor: Actor, version: ApprovalVersion) -> bool:
    return is_same_person(actor, version.submitted_by_id)


def _require_decider(actor: Actor, flow: ApprovalFlow, version: ApprovalVersion) -> None:
    actor.require(flow.approve_perm)
    if _self_approval(actor, version):
        raise PermissionDenied(
            f"You submitted {flow.noun} {version.number}; another member must approve or "
            "reject it (separation of duties, set in the organisation's settings)."
        )


def version_approve[V: ApprovalVersion](
    *, actor: Actor, flow: ApprovalFlow, version: V, comment: str = "", own_initiative: bool = False
) -> V:
    """Approve a submitted version; it becomes the subject's current approved version.

    ``own_initiative``: the decider submitted the version a moment ago to record a decision
    they take themselves (submit and approve in one step, such as an acceptor accepting a risk
    directly); nobody else put it forward, so the submitter-may-not-approve rule does not apply.
    """
    if own_initiative:
        actor.require(flow.approve_perm)
    else:
        _require_decider(actor, flow, version)
    locked = _lock_pending(actor, flow, version)
    before = audit.snapshot(locked)
    locked.state = ApprovalState.APPROVED
    locked.approved_by = actor.user
    locked.approved_at = timezone.now()
    locked.decision_comment = (comment or "").strip()
    locked.save()
    _event(actor, flow, "approve", locked, before)
    return locked


def version_reject[V: ApprovalVersion](
    *, actor: Actor, flow: ApprovalFlow, version: V, comment: str
) -> V:
    """Send a submitted version back; the comment says what to change."""
    _require_decider(actor, flow, version)
    if not (comment or "").strip():
        raise ValidationError({"comment": "Say what needs to change."})
    locked = _lock_pending(actor, flow, version)
    before = audit.snapshot(locked)
    locked.state = ApprovalState.REJECTED
    locked.rejected_by = actor.user
    locked.rejected_at = timezone.now()
    locked.decision_comment = comment.strip()
    locked.save()
    _event(actor, flow, "reject", locked, before)
    return locked


# --- differences between versions -----------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: Any
    after: Any


@dataclass
class ItemChange:
    key: str
    title: str
    change: str  # added, removed, changed
    fields: list[FieldChange] = field(default_factory=list)


def fields_diff(
    before: Mapping[str, Any], after: Mapping[str, Any], names: Iterable[str] | None = None
) -> list[FieldChange]:
    """The fields (``names``, or every key of either side) whose values differ."""
    keys = list(names) if names is not None else sorted(set(before) | set(after))
    return [
        FieldChange(name, before.get(name), after.get(name))
        for name in keys
        if before.get(name) != after.get(name)
    ]


def items_diff(
    before: Iterable[Mapping[str, Any]],
    after: Iterable[Mapping[str, Any]],
    *,
    key: str = "key",
    title: str = "title",
    names: Iterable[str] | None = None,
) -> list[ItemChange]:
    """Lists of items matched by ``key``, in the new order then the removed ones; unchanged
    items are left out."""
    old = {str(item[key]): item for item in before}
    new = {str(item[key]): item for item in after}
    wanted = list(names) if names is not None else None
    out: list[ItemChange] = []
    for k in [*new, *(k for k in old if k not in new)]:
        b, a = old.get(k), new.get(k)
        if b is None and a is not None:
            out.append(ItemChange(k, str(a.get(title, "")), "added"))
        elif a is None and b is not None:
            out.append(ItemChange(k, str(b.get(title, "")), "removed"))
        elif a is not None and b is not None:
            changes = fields_diff(b, a, wanted)
            if changes:
                out.append(ItemChange(k, str(a.get(title, "")), "changed", changes))
    return out
