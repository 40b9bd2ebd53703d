"""Management reviews (ISO/IEC 27001 clause 9.3).

A review covers a period (from the previous review's meeting, or a chosen start, to its own
meeting). Its inputs are computed from every registered source (``orgs.review_inputs``) and
frozen into the review, so the minutes show what management saw on the day. Decisions and
actions come out of the meeting; the minutes are approved versions (``ReviewMinutes``) that
freeze the whole review.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from openisms.core.models import (  # noqa: F401 - the action statuses are named here too
    ACTION_ACTIVE,
    ActionStatus,
    ApprovalVersion,
    OrgScopedModel,
    TrackedAction,
)


class ReviewStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    HELD = "held", "Held"


class DecisionCategory(models.TextChoices):
    IMPROVEMENT = "improvement", "Continual improvement opportunity"
    CHANGE = "change", "Change to the ISMS"
    RESOURCES = "resources", "Resource needs"


def _member() -> models.ForeignKey:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )


class ManagementReview(OrgScopedModel):
    title = models.CharField(max_length=250)
    meeting_on = models.DateField()
    period_start = models.DateField(
        help_text="The previous review's meeting date, unless another start was chosen."
    )
    chair = _member()
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    guests = models.TextField(blank=True, help_text="People attending who are not members.")
    status = models.CharField(
        max_length=8, choices=ReviewStatus.choices, default=ReviewStatus.PLANNED
    )
    inputs = models.JSONField(default=list, blank=True, help_text="The frozen inputs.")
    inputs_computed_at = models.DateTimeField(null=True, blank=True)
    interested_parties = models.TextField(
        blank=True, help_text="Feedback from interested parties (9.3.2 c)."
    )
    other_notes = models.TextField(blank=True)
    created_by = _member()

    audit_exclude = ("created_at", "updated_at", "inputs")

    class Meta:
        ordering = ["-meeting_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_start__lte=models.F("meeting_on")),
                name="review_period_order",
                violation_error_message="The period starts before the meeting.",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_held(self) -> bool:
        return self.status == ReviewStatus.HELD


class ReviewDecision(OrgScopedModel):
    review = models.ForeignKey(ManagementReview, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField()
    category = models.CharField(max_length=12, choices=DecisionCategory.choices, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.text[:60]


class ReviewAction(TrackedAction):
    review = models.ForeignKey(ManagementReview, on_delete=models.CASCADE, related_name="actions")

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["org", "status", "due_on"], name="ra_org_status_due")]


class ReviewMinutes(ApprovalVersion):
    """A frozen copy of one review (attendees, inputs, decisions, actions) for approval."""

    review = models.ForeignKey(ManagementReview, on_delete=models.CASCADE, related_name="minutes")

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["review", "number"], name="review_minutes_number"),
            models.UniqueConstraint(
                fields=["review"],
                condition=models.Q(state="submitted"),
                name="review_minutes_one_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"Minutes version {self.number}"

    @property
    def data(self) -> dict[str, Any]:
        return dict(self.snapshot)
