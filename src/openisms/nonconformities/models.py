"""Nonconformities (ISO/IEC 27001 clause 10.2) and their corrective actions.

A nonconformity is raised (from an internal audit, an incident, a management review or
anything else), corrected at once where possible, analysed for its root cause, and removed
by corrective actions whose effectiveness is checked before it is closed. The status moves
only through the services (``services.py``), which hold the closure rules.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from openisms.core.models import (  # noqa: F401 - the action statuses are named here too
    ACTION_ACTIVE,
    ACTION_CLOSED,
    ActionStatus,
    OrgScopedModel,
    TrackedAction,
)


class NcSource(models.TextChoices):
    AUDIT = "audit", "Internal audit"
    INCIDENT = "incident", "Incident"
    REVIEW = "review", "Management review"
    OTHER = "other", "Other"


class Severity(models.TextChoices):
    MAJOR = "major", "Major"
    MINOR = "minor", "Minor"


class NcStatus(models.TextChoices):
    OPEN = "open", "Open"
    PLANNED = "action_planned", "Action planned"
    VERIFYING = "verifying", "Verifying effectiveness"
    CLOSED = "closed", "Closed"


class RootCauseMethod(models.TextChoices):
    FIVE_WHYS = "five_whys", "5 whys"
    FISHBONE = "fishbone", "Fishbone (Ishikawa)"
    OTHER = "other", "Other"


class Effectiveness(models.TextChoices):
    EFFECTIVE = "effective", "Effective"
    NOT_EFFECTIVE = "not_effective", "Not effective"


def _member() -> models.ForeignKey:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )


class Nonconformity(OrgScopedModel):
    number = models.PositiveIntegerField(editable=False, help_text="NC-<number>.")
    title = models.CharField(max_length=250)
    description = models.TextField(blank=True)
    source = models.CharField(max_length=10, choices=NcSource.choices, default=NcSource.OTHER)
    source_ref = models.CharField(
        max_length=200, blank=True, help_text='Where it came from, e.g. "IA-2026-01 finding 1".'
    )
    severity = models.CharField(max_length=5, choices=Severity.choices, default=Severity.MINOR)
    raised_on = models.DateField()
    raised_by = _member()
    owner = _member()
    requirements = models.ManyToManyField("catalog.Requirement", blank=True, related_name="+")
    correction = models.TextField(blank=True, help_text="What was done at once to contain it.")
    correction_on = models.DateField(null=True, blank=True)
    root_cause = models.TextField(blank=True)
    root_cause_method = models.CharField(max_length=10, choices=RootCauseMethod.choices, blank=True)
    status = models.CharField(max_length=14, choices=NcStatus.choices, default=NcStatus.OPEN)
    effectiveness = models.CharField(max_length=13, choices=Effectiveness.choices, blank=True)
    effectiveness_checked_by = _member()
    effectiveness_checked_on = models.DateField(null=True, blank=True)
    effectiveness_notes = models.TextField(blank=True)
    closed_on = models.DateField(null=True, blank=True)
    closed_by = _member()

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["org", "number"], name="nc_org_number"),
            models.CheckConstraint(
                condition=~models.Q(status="closed")
                | models.Q(closed_on__isnull=False, effectiveness="effective")
                & ~models.Q(root_cause=""),
                name="nc_closed_complete",
                violation_error_message="A closed nonconformity has a root cause, an effective "
                "check and a closing date.",
            ),
        ]
        indexes = [models.Index(fields=["org", "status"], name="nc_org_status")]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    @property
    def ref(self) -> str:
        return f"NC-{self.number:03d}"

    @property
    def is_closed(self) -> bool:
        return self.status == NcStatus.CLOSED


class CorrectiveAction(TrackedAction):
    nonconformity = models.ForeignKey(
        Nonconformity, on_delete=models.CASCADE, related_name="actions"
    )

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["org", "status", "due_on"], name="ca_org_status_due")]
