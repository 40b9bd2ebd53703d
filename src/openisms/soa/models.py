"""The Statement of Applicability (ISO/IEC 27001:2022 6.1.3 d).

The working SoA is one live ``SoaEntry`` per organisation and requirement: the 93 Annex A
controls and the clauses 4 to 10 (without their lettered items). Submitting freezes every row
into a ``SoaVersion`` snapshot, which management approves or rejects; approved versions never
change. The "risk treatment" reason is derived from the risks' planned controls, never stored.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from openisms.core.models import ApprovalVersion, OrgScopedModel, VersionedModel

DEFAULT_FRAMEWORK = "iso27001-2022"
CLAUSE_REF_RE = r"^[0-9]+(\.[0-9]+)*$"  # 4, 6.1, 6.1.2 (not the lettered items such as 6.1.2.a)


def soa_framework() -> str:
    """The catalogue framework whose controls and clauses the SoA covers.

    ``OPENISMS_SOA_FRAMEWORK`` (default ISO/IEC 27001:2022); the benchmark points it at a
    synthetic catalogue of 1,500 controls. Read through this one function, never a constant.
    """
    return str(getattr(settings, "OPENISMS_SOA_FRAMEWORK", DEFAULT_FRAMEWORK))


class SoaStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    PLANNED = "planned", "Planned"
    PARTIALLY_IMPLEMENTED = "partially_implemented", "Partially implemented"
    IMPLEMENTED = "implemented", "Implemented"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


REASONS = (
    ("risk_treatment", "Risk treatment"),
    ("legal_regulatory", "Legal / regulatory"),
    ("contractual", "Contractual"),
    ("business", "Business (best practice)"),
)


class TrackedFramework(OrgScopedModel):
    """The organisation tracks this framework: it has a requirement assessment for each of its
    requirements and sees its coverage. Every organisation tracks the SoA's framework."""

    framework = models.ForeignKey(
        "catalog.Framework", on_delete=models.PROTECT, related_name="trackers"
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "framework"], name="tracked_framework_unique")
        ]

    def __str__(self) -> str:
        return f"{self.org_id} tracks {self.framework_id}"


class SoaEntry(VersionedModel):
    """One organisation's assessment of one requirement of a framework it tracks.

    The rows of the SoA's framework (ISO/IEC 27001:2022) are the SoA. Applicability, its
    reasons and justification are the row's own. Status, owner, target date and implementation
    are the row's own only while no control of the register is linked to the requirement;
    once one is, they mirror the controls (``soa.receivers``, in the same transaction as the
    control's change), so the SoA's lists, filters, counts and exports read one table.
    ``override_status`` is a manual verdict that wins over everything, with who and why.
    """

    requirement = models.ForeignKey(
        "catalog.Requirement", on_delete=models.PROTECT, related_name="soa_entries"
    )
    applicable = models.BooleanField(default=True)
    legal_regulatory = models.BooleanField(default=False, verbose_name="legal / regulatory")
    contractual = models.BooleanField(default=False)
    business = models.BooleanField(default=False, verbose_name="business (best practice)")
    justification = models.TextField(
        blank=True, help_text="Why the control is included or, for an excluded one, why not."
    )
    status = models.CharField(
        max_length=24, choices=SoaStatus.choices, default=SoaStatus.NOT_STARTED
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    target_date = models.DateField(null=True, blank=True)
    implementation = models.TextField(blank=True, help_text="How we implement it.")
    override_status = models.CharField(
        max_length=24, choices=SoaStatus.choices, blank=True, help_text="A manual verdict."
    )
    override_reason = models.TextField(blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    override_at = models.DateTimeField(null=True, blank=True)
    cited_requirements = models.ManyToManyField(
        "context.PartyRequirement",
        blank=True,
        related_name="soa_entries",
        help_text="Requirements of interested parties (laws, contracts) that call for it.",
    )

    class Meta:
        verbose_name = "SoA entry"
        verbose_name_plural = "SoA entries"
        constraints = [
            models.UniqueConstraint(fields=["org", "requirement"], name="soa_entry_org_req"),
            models.CheckConstraint(
                condition=(models.Q(applicable=True) & ~models.Q(status="not_applicable"))
                | (models.Q(applicable=False) & models.Q(status="not_applicable")),
                name="soa_entry_status_matches_applicable",
                violation_error_message="The status is 'not applicable' exactly when the "
                "control is excluded.",
            ),
            models.CheckConstraint(
                condition=models.Q(applicable=True) | ~models.Q(justification=""),
                name="soa_entry_exclusion_justified",
                violation_error_message="An excluded control needs a justification.",
            ),
        ]
        indexes = [models.Index(fields=["org", "status"], name="soa_entry_org_status")]

    def __str__(self) -> str:
        return str(self.requirement)


class SoaVersion(ApprovalVersion):
    """A frozen copy of the whole SoA, submitted for approval.

    The working SoA (the live rows) is the draft. Only one version may wait for a decision at a
    time; an approved (or rejected) version is never changed again. The workflow is the shared
    one (``openisms.orgs.approvals``).
    """

    snapshot = models.JSONField(help_text="{framework, rows: [...]} as it was submitted.")

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["org", "number"], name="soa_version_org_number"),
            models.UniqueConstraint(
                fields=["org"],
                condition=models.Q(state="submitted"),
                name="soa_version_one_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"SoA version {self.number}"

    @property
    def rows(self) -> list[dict[str, Any]]:
        return list(self.snapshot.get("rows", []))
