"""The one audited update: apply, validate, save, judge the change, record it.

Every update service of a domain app goes through :func:`audited_update`, so "who may change
which field" and "an unchanged save is no event" mean the same for every kind of row.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from openisms.core import audit
from openisms.core.models import AuditEvent, VersionedModel, bulk_update_versions
from openisms.core.versions import VersionConflict
from openisms.orgs.access import Actor, EditRule, Perm

Snapshot = dict[str, Any]


def changed_fields(before: Snapshot, after: Snapshot) -> list[str]:
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


def _claim_version(
    actor: Actor, obj: VersionedModel, sent: int | None, snapshot: Callable[[Any], Snapshot]
) -> int:
    """Lock the row and return its stored version; refuse when ``sent`` is not it.

    The row lock (SELECT ... FOR UPDATE) makes a second writer of the same row wait until the
    first commits and then read the version the first wrote, so of two writers that both
    sent version v exactly one succeeds. An ``obj`` loaded before someone else's change
    committed is reloaded, so the change is applied to the stored values (last write wins
    for callers that send no version, but only on the fields they change).
    """
    current = (
        type(obj)
        ._default_manager.select_for_update()
        .filter(pk=obj.pk)
        .values_list("version", flat=True)
        .get()
    )
    if obj.version != current:
        obj.refresh_from_db()
    if sent is not None and sent != current:
        raise VersionConflict(
            noun=str(obj._meta.verbose_name),
            sent=sent,
            current=current,
            changed=_changed_since(actor, obj, sent, current, snapshot),
        )
    return current


def _changed_since(
    actor: Actor, obj: VersionedModel, sent: int, current: int, snapshot: Callable[[Any], Snapshot]
) -> Snapshot:
    """The fields changed after version ``sent``, with their values now (read only when a
    write is refused).

    Every new version of a row is one recorded change (an update here, a bulk change, an
    import row, an approval), so the row's last ``current - sent`` change events say what
    changed since."""
    count = min(max(current - sent, 0), 100)
    events = (
        AuditEvent.objects.filter(
            org=actor.org, object_type=obj._meta.label_lower, object_id=str(obj.pk)
        )
        .exclude(before__isnull=True)
        .exclude(after__isnull=True)
        .order_by("-seq")
        .only("before", "after")[:count]
    )
    names: set[str] = set()
    for event in events:  # a key only one side has is one the writer did not snapshot
        before, after = event.before or {}, event.after or {}
        names.update(k for k in before.keys() & after.keys() if before[k] != after[k])
    names.discard("version")
    now = snapshot(obj)
    return {name: now.get(name) for name in sorted(names) if name in now}


def audited_update[M: models.Model](
    *,
    actor: Actor,
    obj: M,
    action: str,
    apply: Callable[[], Callable[[], None] | None],
    snapshot: Callable[[M], Snapshot] = audit.snapshot,
    rule: EditRule | None = None,
    only_changed: tuple[str, ...] | None = None,
    version: int | None = None,
) -> bool:
    """Update ``obj`` and record one event; returns whether anything changed.

    ``apply`` sets and validates the new values on ``obj`` (raising ValidationError) and may
    return a function that writes relations once the row is saved. The row is saved only if
    one of its own fields changed. The rule is judged on what is stored afterwards, so
    relations and derived values count and values sent unchanged do not; a refusal raises
    inside the caller's transaction, which rolls the writes back. ``only_changed`` keeps the
    event to the changed fields plus these identifying keys (tasks keep their history short).

    For a :class:`VersionedModel` every change raises ``version`` by one (recorded in the
    event's before and after) and ``version``, when given, must be the stored one, else
    :class:`VersionConflict`; without it the last write wins.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audited_update must run inside the service's transaction")
    versioned = isinstance(obj, VersionedModel)
    if version is not None and not versioned:
        raise TypeError(f"{type(obj).__name__} has no version")
    current = (
        _claim_version(actor, obj, version, snapshot) if isinstance(obj, VersionedModel) else 0
    )
    assignee_id = rule.assignee_of(obj) if rule is not None else None
    if rule is not None:
        actor.require_edit(rule, assignee_id)
    own_before = audit.snapshot(obj)
    before = snapshot(obj)
    write_relations = apply()
    saved = audit.snapshot(obj) != own_before
    if saved:
        if isinstance(obj, VersionedModel):
            obj.version = current + 1
        obj.save()
    if write_relations is not None:
        write_relations()
    after = snapshot(obj)
    changed = changed_fields(before, after)
    if rule is not None:
        actor.require_change(rule, assignee_id, changed)
    if not changed:
        return False
    if isinstance(obj, VersionedModel) and not saved:
        obj.version = current + 1
        type(obj)._default_manager.filter(pk=obj.pk).update(version=obj.version)
    if only_changed is not None:
        keep = (*only_changed, *changed)
        before = {k: before.get(k) for k in keep}
        after = {k: after.get(k) for k in keep}
    if versioned:
        before, after = {**before, "version": current}, {**after, "version": current + 1}
    audit.record(
        actor=actor.user, org=actor.org, action=action, obj=obj, before=before, after=after
    )
    return True


def bulk_rows[T](
    *,
    actor: Actor,
    changes: Mapping[str, Any],
    allowed: Collection[str],
    rows: Iterable[T],
    noun: str,
) -> list[T]:
    """The checks every bulk change makes before it touches a row: an editor, known fields, at
    least one change and at least one row (``noun`` names a row in the message)."""
    actor.require(Perm.EDIT_ISMS)
    unknown = set(changes) - set(allowed)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "Not a bulk change."))
    if not changes:
        raise ValidationError("Choose a status, an owner or a target date to set.")
    chosen = list(rows)
    if not chosen:
        raise ValidationError(f"Select at least one {noun}.")
    return chosen


def audited_bulk_update[M: models.Model](
    *,
    actor: Actor,
    rows: list[M],
    values: Mapping[str, Any],
    action: str,
    snapshot: Callable[[M], Snapshot] = audit.snapshot,
    validate: Callable[[M], None] | None = None,
) -> list[M]:
    """Set the same ``values`` on many rows: one UPDATE statement and one event per row that
    changed (rows already holding the values are no event). Returns the rows that changed."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audited_bulk_update must run inside the service's transaction")
    events: list[tuple[str, models.Model, Snapshot | None, Snapshot | None]] = []
    changed: list[M] = []
    for row in rows:
        before = snapshot(row)
        for name, value in values.items():
            setattr(row, name, value)
        if validate is not None:
            validate(row)
        after = snapshot(row)
        if after != before:
            changed.append(row)
            if isinstance(row, VersionedModel):
                before = {**before, "version": row.version}
                after = {**after, "version": row.version + 1}
            events.append((action, row, before, after))
    if changed:
        now = timezone.now()
        for row in changed:
            row.updated_at = now  # type: ignore[attr-defined]
        bulk_update_versions(changed, [*values, "updated_at"])
        audit.record_many(actor=actor.user, org=actor.org, events=events)
    return changed
