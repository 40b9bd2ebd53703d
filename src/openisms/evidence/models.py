"""The evidence library: collect a piece of evidence once, link it to every control, clause and
risk it supports.

An ``EvidenceItem`` is either a stored file (with a history of immutable ``EvidenceVersion``
rows, each with its SHA-256) or a link. Its freshness (current, due soon, expired) is computed
from its dates when read, never stored, so it cannot go stale.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models

from openisms.core.models import OrgScopedModel, VersionedModel


class EvidenceKind(models.TextChoices):
    FILE = "file", "File"
    LINK = "link", "Link"


class Freshness(models.TextChoices):
    CURRENT = "current", "Current"
    DUE_SOON = "due_soon", "Due soon"
    EXPIRED = "expired", "Expired"


class EvidenceItem(VersionedModel):
    number = models.PositiveIntegerField(help_text="EV-<number>, sequential in the organisation.")
    title = models.CharField(max_length=250)
    description = models.TextField(blank=True, help_text="What this shows and how it was obtained.")
    kind = models.CharField(max_length=4, choices=EvidenceKind.choices)
    url = models.URLField(
        max_length=1000, blank=True, validators=[URLValidator(schemes=["http", "https"])]
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    collected_on = models.DateField(help_text="When the evidence was produced or obtained.")
    valid_until = models.DateField(
        null=True, blank=True, help_text="After this day the evidence no longer counts."
    )
    next_review_on = models.DateField(null=True, blank=True)
    current_version = models.ForeignKey(
        "EvidenceVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["org", "number"], name="evidence_item_org_number"),
            models.CheckConstraint(
                condition=models.Q(kind="file", url="")
                | (models.Q(kind="link") & ~models.Q(url="")),
                name="evidence_item_url_matches_kind",
                violation_error_message="A link item has a URL; a file item has none.",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_until__gte=models.F("collected_on")),
                name="evidence_item_valid_after_collected",
                violation_error_message="The evidence cannot expire before it was collected.",
            ),
        ]
        indexes = [
            models.Index(fields=["org", "valid_until"], name="evidence_item_org_valid"),
            models.Index(fields=["org", "next_review_on"], name="evidence_item_org_review"),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    @property
    def ref(self) -> str:
        return f"EV-{self.number}"

    @property
    def validity_days(self) -> int | None:
        """The validity period, as the number of days from collection to expiry."""
        if self.valid_until is None:
            return None
        return (self.valid_until - self.collected_on).days


class EvidenceVersion(OrgScopedModel):
    """One uploaded file of an item. Never changed or deleted: the history is the record."""

    item = models.ForeignKey(EvidenceItem, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    file = models.FileField(max_length=255)
    original_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=120)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField()
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="evidence_version_item_number")
        ]
        indexes = [models.Index(fields=["org", "sha256"], name="evidence_version_org_sha")]

    def __str__(self) -> str:
        return f"{self.original_name} (version {self.number})"


class EvidenceLink(OrgScopedModel):
    """The item supports one requirement (an Annex A control or a clause), one control of the
    register, or one risk."""

    item = models.ForeignKey(EvidenceItem, on_delete=models.CASCADE, related_name="links")
    requirement = models.ForeignKey(
        "catalog.Requirement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evidence_links",
    )
    risk = models.ForeignKey(
        "risks.Risk", null=True, blank=True, on_delete=models.CASCADE, related_name="evidence_links"
    )
    control = models.ForeignKey(
        "controls.Control",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="evidence_links",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    requirement__isnull=False, risk__isnull=True, control__isnull=True
                )
                | models.Q(requirement__isnull=True, risk__isnull=False, control__isnull=True)
                | models.Q(requirement__isnull=True, risk__isnull=True, control__isnull=False),
                name="evidence_link_one_target",
                violation_error_message="A link points at exactly one requirement, control or "
                "risk.",
            ),
            models.UniqueConstraint(
                fields=["item", "control"],
                condition=models.Q(control__isnull=False),
                name="evidence_link_item_control",
            ),
            models.UniqueConstraint(
                fields=["item", "requirement"],
                condition=models.Q(requirement__isnull=False),
                name="evidence_link_item_requirement",
            ),
            models.UniqueConstraint(
                fields=["item", "risk"],
                condition=models.Q(risk__isnull=False),
                name="evidence_link_item_risk",
            ),
        ]

    def __str__(self) -> str:
        target = self.requirement or self.control or self.risk
        return f"EV-{self.item.number} -> {target.ref if target else ''}"
