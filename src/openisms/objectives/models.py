"""Information security objectives (6.2) and their measurements (9.1).

An objective says what is measured, in which unit, which way is better, from which baseline
to which target by when, and how often it is measured. Progress, on/off track and the next
measurement due are computed (``objectives/compute.py``), never stored.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from openisms.core.models import OrgScopedModel


class Direction(models.TextChoices):
    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"


class Frequency(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    HALF_YEARLY = "half_yearly", "Half-yearly"
    YEARLY = "yearly", "Yearly"


MONTHS = {"monthly": 1, "quarterly": 3, "half_yearly": 6, "yearly": 12}


class ObjectiveStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ACHIEVED = "achieved", "Achieved"
    MISSED = "missed", "Missed"
    RETIRED = "retired", "Retired"


class Objective(OrgScopedModel):
    number = models.PositiveIntegerField(editable=False)
    title = models.CharField(max_length=250)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    measure = models.CharField(max_length=250, help_text="What is measured, and how.")
    unit = models.CharField(max_length=30, blank=True, help_text='"%", "days", "incidents".')
    direction = models.CharField(max_length=6, choices=Direction.choices, default="higher")
    baseline = models.FloatField(null=True, blank=True)
    target = models.FloatField()
    due_on = models.DateField(null=True, blank=True, help_text="When the target is to be met.")
    frequency = models.CharField(max_length=12, choices=Frequency.choices, default="monthly")
    controls = models.ManyToManyField("controls.Control", blank=True, related_name="objectives")
    status = models.CharField(max_length=8, choices=ObjectiveStatus.choices, default="active")

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["org", "number"], name="objective_org_number")
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    @property
    def ref(self) -> str:
        return f"OBJ-{self.number:02d}"


class Measurement(OrgScopedModel):
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="measurements")
    measured_on = models.DateField()
    value = models.FloatField()
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["measured_on", "id"]
        indexes = [models.Index(fields=["org", "measured_on"], name="measurement_org_date")]

    def __str__(self) -> str:
        return f"{self.objective_id} {self.measured_on}: {self.value}"
