"""Implementation tasks, their comments, and the record of reminders already e-mailed.

A task is work someone has to do for the ISMS: implement a control, prepare for a clause, treat
a risk. It points at most at one target: a catalogue requirement (a control or a clause; a
task "on an SoA row" is a task on that row's requirement, so it survives SoA re-syncs) or a
risk. ``ReminderSent`` makes reminders idempotent: an event's key is written once it has been
e-mailed, so the daily job never sends the same reminder twice.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from openisms.core.models import OrgScopedModel


class TaskStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    BLOCKED = "blocked", "Blocked"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


CLOSED = (TaskStatus.DONE, TaskStatus.CANCELLED)
ACTIVE = (TaskStatus.OPEN, TaskStatus.IN_PROGRESS, TaskStatus.BLOCKED)


class TaskPriority(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"


class Task(OrgScopedModel):
    number = models.PositiveIntegerField(
        editable=False, help_text="T-<number> in the organisation."
    )
    title = models.CharField(max_length=250)
    description = models.TextField(blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    priority = models.CharField(
        max_length=8, choices=TaskPriority.choices, default=TaskPriority.NORMAL
    )
    requirement = models.ForeignKey(
        "catalog.Requirement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
        help_text="The control or clause the task implements.",
    )
    risk = models.ForeignKey(
        "risks.Risk",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
        help_text="The risk the task treats.",
    )
    control = models.ForeignKey(
        "controls.Control",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
        help_text="The control of the register the task implements.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["org", "number"], name="task_org_number"),
            models.CheckConstraint(
                condition=models.Q(requirement__isnull=True, risk__isnull=True)
                | models.Q(requirement__isnull=True, control__isnull=True)
                | models.Q(risk__isnull=True, control__isnull=True),
                name="task_one_target",
                violation_error_message="A task targets one requirement, control or risk.",
            ),
        ]
        indexes = [
            models.Index(fields=["org", "status", "due_on"], name="task_org_status_due"),
            models.Index(fields=["org", "assignee", "status"], name="task_org_assignee"),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    @property
    def ref(self) -> str:
        return f"T-{self.number}"

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED

    def is_overdue(self, today: dt.date | None = None) -> bool:
        from django.utils import timezone

        today = today or timezone.localdate()
        return self.due_on is not None and self.due_on < today and not self.is_closed

    @property
    def overdue(self) -> bool:
        return self.is_overdue()

    @property
    def target_label(self) -> str:
        if self.requirement is not None:
            return str(self.requirement.ref)
        if self.risk is not None:
            return str(self.risk.ref)
        if self.control is not None:
            return str(self.control.ref)
        return ""


class TaskComment(OrgScopedModel):
    """Comments are never edited: what was said stays as it was said."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Comment {self.pk} on task {self.task_id}"


class ReminderSent(OrgScopedModel):
    """One reminder event that has been e-mailed (its key), so it is never e-mailed again."""

    key = models.CharField(max_length=200)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=40)
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "key"], name="reminder_sent_org_key"),
        ]

    def __str__(self) -> str:
        return self.key
