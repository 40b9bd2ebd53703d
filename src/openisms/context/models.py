"""The context of the ISMS (ISO/IEC 27001:2022 clauses 4.1 to 4.3).

The scope statement itself stays on ``Organization.scope`` (the SoA's exports print it); the
``Context`` row, one per organisation and created with it, holds what a scope needs beside
it: boundaries, interfaces and exclusions with their justification. Issues and interested
parties with their requirements are live registers; submitting the context freezes all of it
into a ``ContextVersion`` that management approves.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from openisms.core.models import ApprovalVersion, OrgScopedModel


class ItemStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    RETIRED = "retired", "Retired"


class IssueKind(models.TextChoices):
    INTERNAL = "internal", "Internal"
    EXTERNAL = "external", "External"


class IssueCategory(models.TextChoices):
    STRATEGIC = "strategic", "Strategic"
    LEGAL = "legal_regulatory", "Legal / regulatory"
    TECHNOLOGICAL = "technological", "Technological"
    ORGANISATIONAL = "organisational", "Organisational"
    MARKET = "market", "Market"
    ENVIRONMENTAL = "environmental", "Environmental"
    SOCIAL = "social", "Social"
    OTHER = "other", "Other"


class PartyKind(models.TextChoices):
    CUSTOMER = "customer", "Customer"
    REGULATOR = "regulator", "Regulator"
    EMPLOYEE = "employee", "Employee"
    SUPPLIER = "supplier", "Supplier"
    PARTNER = "partner", "Partner"
    SHAREHOLDER = "shareholder", "Shareholder / owner"
    INSURER = "insurer", "Insurer"
    OTHER = "other", "Other"


class RequirementKind(models.TextChoices):
    LEGAL = "legal", "Legal"
    REGULATORY = "regulatory", "Regulatory"
    CONTRACTUAL = "contractual", "Contractual"
    OTHER = "other", "Other"


class Context(OrgScopedModel):
    """What bounds the scope statement (``Organization.scope``): one row per organisation."""

    boundaries = models.TextField(
        blank=True, help_text="Sites, teams, systems and services inside the ISMS."
    )
    interfaces = models.TextField(
        blank=True,
        help_text="Where the ISMS meets what is outside it: suppliers, shared services, "
        "other parts of the group.",
    )
    exclusions = models.TextField(
        blank=True, help_text="What is left out of the scope, and why each exclusion is sound."
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org"], name="context_one_per_org")]

    def __str__(self) -> str:
        return f"Context of {self.org_id}"


class Retirable(OrgScopedModel):
    status = models.CharField(max_length=8, choices=ItemStatus.choices, default="active")
    retired_at = models.DateTimeField(null=True, blank=True, editable=False)

    audit_exclude = ("created_at", "updated_at", "retired_at")

    class Meta:
        abstract = True


class Issue(Retirable):
    """An internal or external issue that affects what the ISMS can achieve (4.1)."""

    number = models.PositiveIntegerField(editable=False)
    kind = models.CharField(max_length=8, choices=IssueKind.choices)
    category = models.CharField(max_length=20, choices=IssueCategory.choices)
    title = models.CharField(max_length=250)
    description = models.TextField(blank=True)
    effect = models.TextField(blank=True, help_text="How it affects the ISMS.")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["org", "number"], name="context_issue_org_number")
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    @property
    def ref(self) -> str:
        return f"ISS-{self.number:02d}"


class InterestedParty(Retirable):
    """Someone whose needs and expectations bear on the ISMS (4.2)."""

    number = models.PositiveIntegerField(editable=False)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=12, choices=PartyKind.choices)
    needs = models.TextField(blank=True, verbose_name="needs and expectations")

    class Meta:
        ordering = ["number"]
        verbose_name_plural = "interested parties"
        constraints = [
            models.UniqueConstraint(fields=["org", "number"], name="context_party_org_number")
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.name}"

    @property
    def ref(self) -> str:
        return f"IP-{self.number:02d}"


class PartyRequirement(Retirable):
    """A requirement of an interested party (law, regulation, contract) the ISMS must meet.

    SoA rows cite these as reasons for including a control (``soa.SoaEntry.cited_requirements``).
    """

    number = models.PositiveIntegerField(editable=False)
    party = models.ForeignKey(
        InterestedParty, on_delete=models.PROTECT, related_name="requirements"
    )
    title = models.CharField(max_length=250)
    kind = models.CharField(max_length=12, choices=RequirementKind.choices)
    reference = models.CharField(
        max_length=120, blank=True, help_text='Where it is written: "45 CFR 164.308", "MSA 12".'
    )
    description = models.TextField(blank=True)
    addressed = models.BooleanField(default=False, help_text="Addressed through the ISMS.")
    how = models.TextField(blank=True, help_text="How the ISMS addresses it.")

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["org", "number"], name="context_req_org_number")
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    @property
    def ref(self) -> str:
        return f"REQ-{self.number:02d}"


class ContextVersion(ApprovalVersion):
    """The context (scope, boundaries, issues, parties, requirements) frozen for approval."""

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["org", "number"], name="context_version_org_number"),
            models.UniqueConstraint(
                fields=["org"],
                condition=models.Q(state="submitted"),
                name="context_version_one_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"Context version {self.number}"
