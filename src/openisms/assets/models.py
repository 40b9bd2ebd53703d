"""The asset inventory (ISO/IEC 27001 A.5.9): what the organisation must protect."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from openisms.core.models import VersionedModel

VALUE_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


class AssetType(models.TextChoices):
    INFORMATION = "information", "Information"
    SOFTWARE = "software", "Software"
    HARDWARE = "hardware", "Hardware"
    SERVICE = "service", "Service"
    PEOPLE = "people", "People"
    SITE = "site", "Site"
    SUPPLIER = "supplier", "Supplier"


class Classification(models.TextChoices):
    PUBLIC = "public", "Public"
    INTERNAL = "internal", "Internal"
    CONFIDENTIAL = "confidential", "Confidential"
    RESTRICTED = "restricted", "Restricted"


class Asset(VersionedModel):
    name = models.CharField(max_length=200)
    type = models.CharField(max_length=20, choices=AssetType.choices)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Accountable for the asset (a member of the organisation).",
    )
    custodian = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Looks after it day to day.",
    )
    location = models.CharField(max_length=200, blank=True)
    classification = models.CharField(
        max_length=20, choices=Classification.choices, default=Classification.INTERNAL
    )
    confidentiality = models.PositiveSmallIntegerField(default=3, validators=VALUE_VALIDATORS)
    integrity = models.PositiveSmallIntegerField(default=3, validators=VALUE_VALIDATORS)
    availability = models.PositiveSmallIntegerField(default=3, validators=VALUE_VALIDATORS)
    tags = models.CharField(
        max_length=500,
        blank=True,
        help_text="Stored as ',a,b,' so a tag filter is one indexed LIKE on every database.",
    )
    depends_on = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="dependents"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["org", "name"], name="asset_org_name_unique"),
            models.CheckConstraint(
                condition=models.Q(confidentiality__gte=1, confidentiality__lte=5)
                & models.Q(integrity__gte=1, integrity__lte=5)
                & models.Q(availability__gte=1, availability__lte=5),
                name="asset_cia_range",
            ),
        ]
        indexes = [
            models.Index(fields=["org", "type", "name"], name="asset_org_type_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def tag_list(self) -> list[str]:
        return [t for t in self.tags.split(",") if t]

    @property
    def value(self) -> int:
        """The asset's overall value: its highest C, I or A rating."""
        return max(self.confidentiality, self.integrity, self.availability)


def encode_tags(tags: list[str]) -> str:
    clean = sorted({t.strip().lower() for t in tags if t.strip()})
    return f",{','.join(clean)}," if clean else ""
