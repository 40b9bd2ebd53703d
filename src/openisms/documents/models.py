"""The document register (ISO/IEC 27001 7.5, control 5.1): policies and other documented
information, their approved versions and who has read which version.

A document has one working draft (Markdown). Submitting freezes the draft into a
``DocumentVersion`` through the shared approval workflow (``orgs.approvals``); the latest
approved version is the published one. Members acknowledge a specific version, so a new
approved version needs new acknowledgements.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from openisms.core.models import ApprovalVersion, OrgScopedModel, VersionedModel


class DocumentKind(models.TextChoices):
    POLICY = "policy", "Policy"
    PROCEDURE = "procedure", "Procedure"
    STANDARD = "standard", "Standard"
    GUIDELINE = "guideline", "Guideline"
    RECORD = "record", "Record"
    PLAN = "plan", "Plan"


class Classification(models.TextChoices):
    PUBLIC = "public", "Public"
    INTERNAL = "internal", "Internal"
    CONFIDENTIAL = "confidential", "Confidential"
    RESTRICTED = "restricted", "Restricted"


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"
    REVIEW_OVERDUE = "review_overdue", "Review overdue"


class Document(VersionedModel):
    number = models.PositiveIntegerField(editable=False, help_text="DOC-<number>.")
    title = models.CharField(max_length=250)
    kind = models.CharField(max_length=12, choices=DocumentKind.choices, default="policy")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    classification = models.CharField(
        max_length=12, choices=Classification.choices, default=Classification.INTERNAL
    )
    review_interval_months = models.PositiveSmallIntegerField(default=12)
    next_review_on = models.DateField(null=True, blank=True)
    audience_roles = models.JSONField(
        default=list, blank=True, help_text="Roles the document is published to; empty: everyone."
    )
    template_key = models.CharField(max_length=60, blank=True)
    draft_text = models.TextField(blank=True, help_text="The working draft, in Markdown.")
    # A policy or manual may be long; services.MAX_TEXT states the same limit for its checks.
    text_limits = {"draft_text": 200_000}
    # Or an uploaded file (PDF, Word, ...). Stored files are never overwritten or deleted:
    # each upload gets a new name, so every version's file stays readable.
    draft_file = models.FileField(max_length=255, blank=True)
    draft_file_name = models.CharField(max_length=255, blank=True)
    draft_file_sha256 = models.CharField(max_length=64, blank=True)
    draft_file_size = models.PositiveBigIntegerField(null=True, blank=True)
    draft_file_type = models.CharField(max_length=120, blank=True)
    controls = models.ManyToManyField("controls.Control", blank=True, related_name="+")
    requirements = models.ManyToManyField("catalog.Requirement", blank=True, related_name="+")

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["org", "number"], name="document_org_number"),
            models.CheckConstraint(
                condition=models.Q(review_interval_months__gte=1, review_interval_months__lte=60),
                name="document_review_interval_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    @property
    def ref(self) -> str:
        return f"DOC-{self.number:03d}"

    def published_to(self, role: str) -> bool:
        return not self.audience_roles or role in self.audience_roles

    def status(self, today: dt.date | None = None) -> str:
        """From the annotations of ``selectors.document_base`` (current and pending numbers)."""
        day = today or timezone.localdate()
        if getattr(self, "pending_number", None):
            return DocumentStatus.IN_REVIEW
        if not getattr(self, "current_number", None):
            return DocumentStatus.DRAFT
        if self.next_review_on is not None and self.next_review_on < day:
            return DocumentStatus.REVIEW_OVERDUE
        return DocumentStatus.PUBLISHED

    @property
    def status_label(self) -> str:
        return DocumentStatus(self.status()).label


class DocumentVersion(ApprovalVersion):
    """A frozen draft: {title, kind, classification, text}. Approved, it is published."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="document_version_number"),
            models.UniqueConstraint(
                fields=["document"],
                condition=models.Q(state="submitted"),
                name="document_version_one_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document.ref} version {self.number}"

    @property
    def text(self) -> str:
        return str(self.snapshot.get("text", ""))

    @property
    def file(self) -> dict[str, str | int]:
        """The uploaded file frozen with the version ({} when it has none)."""
        return dict(self.snapshot.get("file") or {})


class Acknowledgement(OrgScopedModel):
    """A member has read one approved version. Never changed or removed."""

    version = models.ForeignKey(
        DocumentVersion, on_delete=models.CASCADE, related_name="acknowledgements"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    acknowledged_at = models.DateTimeField()

    class Meta:
        ordering = ["-acknowledged_at"]
        constraints = [
            models.UniqueConstraint(fields=["version", "user"], name="acknowledgement_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.version_id}"
