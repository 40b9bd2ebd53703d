"""Risk assessment and treatment (ISO/IEC 27001 6.1.2, 6.1.3, 8.2, 8.3)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from openisms.core.models import ApprovalVersion, OrgScopedModel, VersionedModel


class RiskMethod(OrgScopedModel):
    """One version of an organisation's risk method: scales, scoring rule, bands, acceptance.

    Versions are immutable once risks are scored with them; a change creates a new version,
    so old assessments stay readable and risks can be re-scored onto the new one.
    """

    class Scoring(models.TextChoices):
        PRODUCT = "product", "Likelihood x impact"
        SUM = "sum", "Likelihood + impact"

    name = models.CharField(max_length=120, default="Risk method")
    version = models.PositiveIntegerField()
    is_current = models.BooleanField(default=True)
    likelihood_scale = models.JSONField(help_text="[{value, label, description}], 3 to 5 levels")
    impact_scale = models.JSONField(help_text="[{value, label, description}], 3 to 5 levels")
    scoring = models.CharField(max_length=10, choices=Scoring.choices, default=Scoring.PRODUCT)
    bands = models.JSONField(help_text="[{name, min, max, colour}] covering every score")
    acceptance_threshold = models.PositiveIntegerField(
        help_text="Residual scores above this need a recorded acceptance."
    )
    acceptors = models.JSONField(
        default=list, help_text="Roles whose members may accept risks above the threshold."
    )
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["org", "version"], name="riskmethod_org_version"),
            models.UniqueConstraint(
                fields=["org"], condition=models.Q(is_current=True), name="riskmethod_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class LibraryItem(OrgScopedModel):
    """Shared fields of threats and vulnerabilities (each organisation edits its own copy)."""

    key = models.SlugField(max_length=80)
    group = models.CharField(max_length=80)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    asset_types = models.JSONField(default=list, blank=True)
    suggested_controls = models.ManyToManyField("catalog.Requirement", blank=True, related_name="+")
    from_library = models.CharField(
        max_length=20, blank=True, help_text="Version of the shipped library it came from."
    )

    class Meta:
        abstract = True
        ordering = ["group", "name"]

    def __str__(self) -> str:
        return self.name


class Threat(LibraryItem):
    affects = models.JSONField(default=list, blank=True, help_text="Confidentiality, ...")

    class Meta(LibraryItem.Meta):
        constraints = [models.UniqueConstraint(fields=["org", "key"], name="threat_org_key")]


class Vulnerability(LibraryItem):
    class Meta(LibraryItem.Meta):
        verbose_name_plural = "vulnerabilities"
        constraints = [models.UniqueConstraint(fields=["org", "key"], name="vulnerability_org_key")]


class Treatment(models.TextChoices):
    MODIFY = "modify", "Modify (apply controls)"
    RETAIN = "retain", "Retain (accept)"
    AVOID = "avoid", "Avoid"
    SHARE = "share", "Share (transfer)"


class Risk(VersionedModel):
    ref = models.CharField(max_length=20, help_text="R-001, unique in the organisation.")
    title = models.CharField(max_length=250)
    description = models.TextField(blank=True, help_text="The risk scenario.")
    assets = models.ManyToManyField("assets.Asset", blank=True, related_name="risks")
    threat = models.ForeignKey(Threat, null=True, blank=True, on_delete=models.SET_NULL)
    vulnerability = models.ForeignKey(
        Vulnerability, null=True, blank=True, on_delete=models.SET_NULL
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    method = models.ForeignKey(RiskMethod, on_delete=models.PROTECT, related_name="risks")
    inherent_likelihood = models.PositiveSmallIntegerField()
    inherent_impact = models.PositiveSmallIntegerField()
    inherent_score = models.PositiveSmallIntegerField(editable=False)
    inherent_level = models.CharField(max_length=40, editable=False)
    existing_controls = models.TextField(blank=True)
    treatment = models.CharField(max_length=10, choices=Treatment.choices, default=Treatment.MODIFY)
    planned_controls = models.ManyToManyField(
        "catalog.Requirement", blank=True, related_name="treating_risks"
    )
    controls = models.ManyToManyField(
        "controls.Control",
        blank=True,
        related_name="treating_risks",
        help_text="Controls of the register planned or used to treat the risk.",
    )
    residual_likelihood = models.PositiveSmallIntegerField(null=True, blank=True)
    residual_impact = models.PositiveSmallIntegerField(null=True, blank=True)
    residual_score = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    residual_level = models.CharField(max_length=40, blank=True, editable=False)
    review_date = models.DateField(null=True, blank=True)
    quant = models.JSONField(
        null=True,
        blank=True,
        help_text="Optional ranges: frequency, magnitude, residual_frequency, "
        "residual_magnitude ({low, mode, high, distribution}) and treatment_cost.",
    )

    class Meta:
        ordering = ["ref"]
        constraints = [models.UniqueConstraint(fields=["org", "ref"], name="risk_org_ref")]
        indexes = [
            models.Index(fields=["org", "-inherent_score"], name="risk_org_inherent"),
            models.Index(fields=["org", "-residual_score"], name="risk_org_residual"),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"


class RiskAcceptance(OrgScopedModel):
    """Management's recorded decision to accept a residual risk above the threshold."""

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="acceptances")
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    rationale = models.TextField()
    residual_score = models.PositiveSmallIntegerField(
        help_text="The residual score that was accepted; a higher score needs a new decision."
    )
    expires_on = models.DateField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Acceptance of {self.risk_id} until {self.expires_on}"


class RiskAcceptanceRequest(ApprovalVersion):
    """A request that management accept one risk, decided through the shared approval workflow.

    The risk's owner (or an editor) submits it; one of the method's acceptors approves it, which
    records the ``RiskAcceptance``, or rejects it with a comment. An acceptor's direct decision
    (``risk_accept``) is recorded as a request submitted and approved by the acceptor at once,
    so every acceptance has a request with who and when.
    """

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="acceptance_requests")
    rationale = models.TextField()
    expires_on = models.DateField()
    acceptance = models.OneToOneField(
        RiskAcceptance,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="request",
    )
    snapshot = models.JSONField(
        help_text="{ref, title, scores, accepted_score, rationale, expires_on, treatment}."
    )

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["risk", "number"], name="risk_acceptance_request_number"
            ),
            models.UniqueConstraint(
                fields=["risk"],
                condition=models.Q(state="submitted"),
                name="risk_acceptance_request_one_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"Acceptance request {self.number} of risk {self.risk_id}"


class TreatmentAction(OrgScopedModel):
    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(max_length=250)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PLANNED)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return self.title


class RiskAssessment(OrgScopedModel):
    """A dated assessment exercise; completing it freezes every risk's scores as entries."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"

    name = models.CharField(max_length=200)
    performed_on = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IN_PROGRESS)
    notes = models.TextField(blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-performed_on", "-id"]

    def __str__(self) -> str:
        return self.name


class RiskAssessmentEntry(models.Model):
    assessment = models.ForeignKey(RiskAssessment, on_delete=models.CASCADE, related_name="entries")
    risk = models.ForeignKey(Risk, null=True, on_delete=models.SET_NULL, related_name="+")
    ref = models.CharField(max_length=20)
    title = models.CharField(max_length=250)
    method_version = models.PositiveIntegerField()
    inherent_likelihood = models.PositiveSmallIntegerField()
    inherent_impact = models.PositiveSmallIntegerField()
    inherent_score = models.PositiveSmallIntegerField()
    inherent_level = models.CharField(max_length=40)
    residual_likelihood = models.PositiveSmallIntegerField(null=True)
    residual_impact = models.PositiveSmallIntegerField(null=True)
    residual_score = models.PositiveSmallIntegerField(null=True)
    residual_level = models.CharField(max_length=40, blank=True)
    treatment = models.CharField(max_length=10)

    class Meta:
        ordering = ["ref"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "ref"], name="assessment_entry_ref")
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}:{self.ref}"
