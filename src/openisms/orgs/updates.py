"""The one audited update: apply, validate, save, judge the change, record it.

Every update service of a domain app goes through :func:`audited_update`, so "who may change
which field" and "an unchanged save is no event" mean the same for every kind of row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models, transaction

from openisms.core import audit
from openisms.orgs.access import Actor, EditRule

Snapshot = dict[str, Any]


def changed_fields(before: Snapshot, after: Snapshot) -> list[str]:
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


def audited_update[M: models.Model](
    *,
    actor: Actor,
    obj: M,
    action: str,
    apply: Callable[[], Callable[[], None] | None],
    snapshot: Callable[[M], Snapshot] = audit.snapshot,
    rule: EditRule | None = None,
    only_changed: tuple[str, ...] | None = None,
) -> bool:
    """Update ``obj`` and record one event; returns whether anything changed.

    ``apply`` sets and validates the new values on ``obj`` (raising ValidationError) and may
    return a function that writes relations once the row is saved. The row is saved only if
    one of its own fields changed. The rule is judged on what is stored afterwards, so
    relations and derived values count and values sent unchanged do not; a refusal raises
    inside the caller's transaction, which rolls the writes back. ``only_changed`` keeps the
    event to the changed fields plus these identifying keys (tasks keep their history short).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audited_update must run inside the service's transaction")
    assignee_id = rule.assignee_of(obj) if rule is not None else None
    if rule is not None:
        actor.require_edit(rule, assignee_id)
    own_before = audit.snapshot(obj)
    before = snapshot(obj)
    write_relations = apply()
    if audit.snapshot(obj) != own_before:
        obj.save()
    if write_relations is not None:
        write_relations()
    after = snapshot(obj)
    changed = changed_fields(before, after)
    if rule is not None:
        actor.require_change(rule, assignee_id, changed)
    if not changed:
        return False
    if only_changed is not None:
        keep = (*only_changed, *changed)
        before = {k: before.get(k) for k in keep}
        after = {k: after.get(k) for k in keep}
    audit.record(
        actor=actor.user, org=actor.org, action=action, obj=obj, before=before, after=after
    )
    return True
