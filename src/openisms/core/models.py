"""Shared model bases and the tamper-evident audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from openisms.core.limits import MAX_TEXT


def check_text_lengths(instance: models.Model, exclude: Any = None) -> dict[str, list[str]]:
    """Errors for the free-text fields of ``instance`` longer than ``MAX_TEXT``.

    A ``TextField`` has no length of its own; this gives every one the same limit, so that
    a description pasted into a form, sent to the API or read from a file is refused with
    the field named, and every export stays re-importable.
    """
    errors: dict[str, list[str]] = {}
    limits: dict[str, int] = getattr(instance, "text_limits", {})
    for f in instance._meta.concrete_fields:
        if not isinstance(f, models.TextField) or f.max_length or f.name in (exclude or ()):
            continue
        limit = limits.get(f.name, MAX_TEXT)
        value = getattr(instance, f.attname)
        if isinstance(value, str) and len(value) > limit:
            errors[f.name] = [
                f"Ensure this value has at most {limit:,} characters (it has {len(value):,})."
            ]
    return errors


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class OrgScopedModel(TimestampedModel):
    """Base for every row that belongs to one organisation.

    Rows are only ever read through ``openisms.orgs.access`` (``scoped``), which filters
    by the actor's organisation; writes go through services that record an audit event.
    """

    org = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="+")

    # Fields left out of audit snapshots (secrets, derived or noisy values).
    audit_exclude: tuple[str, ...] = ("created_at", "updated_at")
    # Text columns allowed more than MAX_TEXT characters (a policy's Markdown draft).
    text_limits: dict[str, int] = {}

    class Meta:
        abstract = True

    def clean_fields(self, exclude: Any = None) -> None:
        errors = check_text_lengths(self, exclude)
        try:
            super().clean_fields(exclude=[*(exclude or ()), *errors])
        except ValidationError as exc:
            errors.update(exc.message_dict)
        if errors:
            raise ValidationError(errors)


class VersionedModel(OrgScopedModel):
    """An organisation row that people edit at the same time (assets, risks, SoA rows,
    controls, evidence, documents).

    ``version`` counts the row's changes: ``orgs.updates.audited_update`` raises it by one on
    every change and refuses a write that names an older version, so an edit made on a stale
    copy cannot silently undo someone else's. It stays out of audit snapshots (the update
    helper records it beside them).
    """

    version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Raised by one on every change; a write naming an older version is refused.",
    )

    audit_exclude: tuple[str, ...] = ("created_at", "updated_at", "version")

    class Meta:
        abstract = True

    def save_as_next_version(self, *, update_fields: list[str] | None = None) -> None:
        """Save a change made outside the update helper (an import, an approval, a rescoring)
        as a new version. The database raises the number itself, so a concurrent edit is
        never given the same one."""
        old = self.version
        self.version = models.F("version") + 1
        self.save(update_fields=None if update_fields is None else [*update_fields, "version"])
        self.version = old + 1


def bulk_update_versions[M: models.Model](
    rows: list[M], fields: list[str], *, batch_size: int = 500
) -> None:
    """``bulk_update`` that also raises the version of each row (see ``VersionedModel``)."""
    if not rows:
        return
    olds: list[int] = [getattr(row, "version", 0) for row in rows]
    versioned = isinstance(rows[0], VersionedModel)
    if versioned:
        for row in rows:
            row.version = models.F("version") + 1  # type: ignore[attr-defined]
    type(rows[0])._default_manager.bulk_update(
        rows, [*fields, "version"] if versioned else fields, batch_size=batch_size
    )
    if versioned:
        for row, old in zip(rows, olds, strict=True):
            row.version = old + 1  # type: ignore[attr-defined]


class ApprovalState(models.TextChoices):
    SUBMITTED = "submitted", "Submitted (awaiting approval)"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class ApprovalVersion(OrgScopedModel):
    """Base of every frozen, approvable version: the SoA, documents, the ISMS context, audit
    reports, management review minutes.

    A version is submitted with a snapshot of what it freezes; management approves or rejects
    it, and from then on it never changes. The workflow (one pending version per subject,
    numbering, who may decide, separation of duties, audit events) lives in
    ``openisms.orgs.approvals``; a subclass adds what identifies its subject (a document, say)
    and any columns of its own. Subclasses declare constraints for their own subject: unique
    (subject, number) and at most one submitted version per subject.
    """

    State = ApprovalState

    number = models.PositiveIntegerField()
    state = models.CharField(
        max_length=10, choices=ApprovalState.choices, default=ApprovalState.SUBMITTED
    )
    snapshot = models.JSONField(help_text="What the version froze, as it was submitted.")
    comment = models.TextField(blank=True, help_text="The submitter's note.")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rejected_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(blank=True)

    audit_exclude = ("created_at", "updated_at", "snapshot")

    class Meta:
        abstract = True
        ordering = ["-number"]

    @property
    def is_pending(self) -> bool:
        return self.state == ApprovalState.SUBMITTED

    @property
    def is_approved(self) -> bool:
        return self.state == ApprovalState.APPROVED


class ActionStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


ACTION_ACTIVE = (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)
ACTION_CLOSED = (ActionStatus.DONE, ActionStatus.CANCELLED)


class TrackedAction(OrgScopedModel):
    """Base of the actions an ISMS tracks to completion: corrective actions of a
    nonconformity (10.2) and the actions a management review decides (9.3). A subclass adds
    the foreign key to what it follows from; ``openisms.orgs.actions`` applies changes."""

    title = models.CharField(max_length=250)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=12, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    completed_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        abstract = True
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_closed(self) -> bool:
        return self.status in ACTION_CLOSED

    def is_overdue(self, today: dt.date) -> bool:
        return self.due_on is not None and self.due_on < today and not self.is_closed


class AuditChain(models.Model):
    """Head of one hash chain: the last sequence number and hash written.

    The head lets verification notice events deleted from the end of a chain, and it is the
    row that writers lock so that appends to one chain are serialised.
    """

    key = models.CharField(max_length=64, unique=True)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="")

    def __str__(self) -> str:
        return f"{self.key}@{self.last_seq}"


class AuditEvent(models.Model):
    """One recorded write. Rows are append-only; each carries the hash of the previous one."""

    chain = models.CharField(max_length=64, db_index=True)
    seq = models.BigIntegerField()
    org = models.ForeignKey(
        "orgs.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=254)
    action = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=80, db_index=True)
    object_id = models.CharField(max_length=64, db_index=True)
    object_repr = models.CharField(max_length=300)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    request_id = models.CharField(max_length=80)
    created_at = models.DateTimeField(db_index=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="audit_chain_seq_unique")
        ]
        indexes = [
            models.Index(fields=["org", "-seq"], name="audit_org_seq"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
        ]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.chain}#{self.seq} {self.action}"

    def content(self) -> dict[str, Any]:
        """The fields covered by the hash, in a form that survives a database round trip."""
        return {
            "chain": self.chain,
            "seq": self.seq,
            "org": self.org_id,
            "actor": self.actor_id,
            "actor_label": self.actor_label,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_repr": self.object_repr,
            "before": self.before,
            "after": self.after,
            "request_id": self.request_id,
            "created_at": self.created_at.isoformat(),
            "prev_hash": self.prev_hash,
        }
