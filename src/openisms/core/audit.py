"""Recording and verifying the per-organisation hash-chained audit trail.

Every service that writes calls :func:`record` inside its transaction, so an event exists
exactly when the change committed. The chain head row is locked for the append, which
serialises writers per chain on PostgreSQL (SQLite serialises all writers anyway).
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import models, transaction
from django.utils import timezone

from openisms.core import context
from openisms.core.models import AuditChain, AuditEvent


class User(Protocol):
    """The acting person, as the audit trail needs them (``accounts.User`` fits).

    A protocol, not an import: the audit trail sits in ``core``, below the apps that define
    users and organisations."""

    pk: Any
    email: str


Organization = models.Model  # any organisation row; the chain key needs only its pk

GLOBAL_CHAIN = "global"
SECRET_FIELDS = frozenset({"password", "key_hash", "token_hash"})


def chain_key(org: Organization | None) -> str:
    return f"org:{org.pk}" if org is not None else GLOBAL_CHAIN


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    return value


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """A JSON-safe dict of the object's concrete field values (foreign keys as ids)."""
    exclude = set(getattr(obj, "audit_exclude", ())) | SECRET_FIELDS
    data: dict[str, Any] = {}
    wanted = set(fields) if fields is not None else None
    for field in obj._meta.concrete_fields:
        if field.name in exclude or (wanted is not None and field.name not in wanted):
            continue
        data[field.name] = _json_value(getattr(obj, field.attname))
    return data


def canonical_hash(content: dict[str, Any]) -> str:
    encoded = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode()).hexdigest()


def _event(
    head: AuditChain,
    *,
    org: Organization | None,
    actor: User | None,
    action: str,
    object_type: str,
    object_id: str,
    object_repr: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    request_id: str,
    created_at: dt.datetime,
) -> AuditEvent:
    """The next event of ``head``'s chain, hashed, with the head moved onto it (not saved)."""
    event = AuditEvent(
        chain=head.key,
        seq=head.last_seq + 1,
        org_id=org.pk if org is not None else None,
        actor_id=actor.pk if actor is not None else None,
        actor_label=actor.email if actor is not None else "system",
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:300],
        before=_json_value(before) if before is not None else None,
        after=_json_value(after) if after is not None else None,
        request_id=request_id,
        created_at=created_at,
        prev_hash=head.last_hash,
    )
    event.hash = canonical_hash(event.content())
    head.last_seq, head.last_hash = event.seq, event.hash
    return event


def _locked_head(org: Organization | None, caller: str) -> AuditChain:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(f"audit.{caller} must be called inside the service's transaction")
    key = chain_key(org)
    AuditChain.objects.get_or_create(key=key)
    return AuditChain.objects.select_for_update().get(key=key)


def record(
    *,
    actor: User | None,
    org: Organization | None,
    action: str,
    obj: models.Model | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    object_repr: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the organisation's chain. Must run inside the caller's transaction."""
    head = _locked_head(org, "record")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr if object_repr is not None else str(obj)
    event = _event(
        head,
        org=org,
        actor=actor,
        action=action,
        object_type=object_type or "",
        object_id=object_id or "",
        object_repr=object_repr or "",
        before=before,
        after=after,
        request_id=context.get_request_id(),
        created_at=timezone.now(),
    )
    event.save(force_insert=True)
    head.save(update_fields=["last_seq", "last_hash"])
    return event


def record_many(
    *,
    actor: User | None,
    org: Organization | None,
    events: Sequence[tuple[str, models.Model, dict[str, Any] | None, dict[str, Any] | None]],
) -> int:
    """Append many events (action, object, before, after) with one lock and one insert.

    Bulk operations such as imports use this so that 10,000 rows cost a handful of queries
    while every row still gets its own chained event.
    """
    if not events:
        return 0
    head = _locked_head(org, "record_many")
    now = timezone.now()
    request_id = context.get_request_id()
    rows = [
        _event(
            head,
            org=org,
            actor=actor,
            action=action,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            object_repr=str(obj),
            before=before,
            after=after,
            request_id=request_id,
            created_at=now,
        )
        for action, obj, before, after in events
    ]
    AuditEvent.objects.bulk_create(rows, batch_size=500)
    head.save(update_fields=["last_seq", "last_hash"])
    return len(rows)


@dataclass(frozen=True)
class ChainProblem:
    chain: str
    seq: int | None
    event_id: int | None
    reason: str

    def __str__(self) -> str:
        where = f"event #{self.seq} (id {self.event_id})" if self.seq is not None else "chain head"
        return f"{self.chain}: {where}: {self.reason}"


def verify_chain(key: str, *, batch_size: int = 2000) -> ChainProblem | None:
    """Walk one chain in order; return the first problem or None when intact."""
    expected_prev = ""
    expected_seq = 1
    last_seq = 0
    qs = AuditEvent.objects.filter(chain=key).order_by("seq")
    for event in qs.iterator(chunk_size=batch_size):
        if event.seq != expected_seq:
            return ChainProblem(key, expected_seq, None, f"event missing (found #{event.seq} next)")
        if event.prev_hash != expected_prev:
            return ChainProblem(key, event.seq, event.pk, "previous-hash link broken")
        if canonical_hash(event.content()) != event.hash:
            return ChainProblem(key, event.seq, event.pk, "content does not match its hash")
        expected_prev = event.hash
        expected_seq += 1
        last_seq = event.seq
    head = AuditChain.objects.filter(key=key).first()
    if head is None:
        if last_seq:
            return ChainProblem(key, None, None, "chain head missing")
        return None
    if head.last_seq != last_seq or head.last_hash != expected_prev:
        return ChainProblem(
            key, last_seq + 1, None, f"events after #{last_seq} missing (head at #{head.last_seq})"
        )
    return None


def verify_all(keys: Iterable[str] | None = None) -> list[ChainProblem]:
    if keys is None:
        keys = sorted(
            set(AuditChain.objects.values_list("key", flat=True))
            | set(AuditEvent.objects.values_list("chain", flat=True).distinct())
        )
    problems = []
    for key in keys:
        problem = verify_chain(key)
        if problem is not None:
            problems.append(problem)
    return problems
