from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

from openisms.core.models import OrgScopedModel, TimestampedModel

slug_validator = RegexValidator(
    r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$",
    "Use 1-50 lowercase letters, digits and hyphens, not starting or ending with a hyphen.",
)
RESERVED_SLUGS = frozenset({"new", "api", "admin", "static", "media", "accounts", "invite"})


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    MANAGER = "manager", "Manager"
    CONTRIBUTOR = "contributor", "Contributor"
    AUDITOR = "auditor", "Auditor"
    VIEWER = "viewer", "Viewer"


class OrgSize(models.TextChoices):
    MICRO = "1-49", "1-49 people"
    SMALL = "50-249", "50-249 people"
    MEDIUM = "250-999", "250-999 people"
    LARGE = "1000+", "1,000 or more people"


class Sector(models.TextChoices):
    HEALTHCARE = "healthcare", "Healthcare"
    SOFTWARE = "software", "Software and SaaS"
    FINANCE = "finance", "Financial services"
    GOVERNMENT = "government", "Government and public sector"
    MANUFACTURING = "manufacturing", "Manufacturing"
    EDUCATION = "education", "Education"
    RETAIL = "retail", "Retail and e-commerce"
    PROFESSIONAL = "professional", "Professional services"
    OTHER = "other", "Other"


class PiiRole(models.TextChoices):
    """What the organisation does with personal data (ISO/IEC 27701): it decides which of the
    privacy controls for PII controllers, for PII processors, or both, apply."""

    NONE = "", "Not stated"
    CONTROLLER = "controller", "PII controller"
    PROCESSOR = "processor", "PII processor"
    BOTH = "both", "Both controller and processor"


class Organization(TimestampedModel):
    """A tenant: one ISMS. All organisation data hangs off it."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=50, unique=True, validators=[slug_validator])
    scope = models.TextField(
        blank=True, help_text="The ISMS scope statement: what the management system covers."
    )
    size = models.CharField(max_length=10, choices=OrgSize.choices, default=OrgSize.MICRO)
    sector = models.CharField(max_length=20, choices=Sector.choices, default=Sector.OTHER)
    pii_role = models.CharField(
        max_length=12,
        choices=PiiRole.choices,
        blank=True,
        default=PiiRole.NONE,
        verbose_name="PII role",
        help_text="Whether the organisation acts as a PII controller, processor or both.",
    )
    separate_approval = models.BooleanField(
        default=True,
        verbose_name="Separate approval",
        help_text=(
            "Whoever submits a version (the SoA, a document, an audit report, review minutes) "
            "may not approve it, and nobody accepts a risk they own."
        ),
    )
    require_mfa = models.BooleanField(
        default=False,
        verbose_name="Require multi-factor",
        help_text="Members must turn on multi-factor authentication before they can open "
        "anything in this organisation (API tokens are not affected).",
    )
    is_active = models.BooleanField(default=True)

    audit_exclude = ("created_at", "updated_at")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(TimestampedModel):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "user"], name="membership_org_user_unique")
        ]
        ordering = ["org__name", "user__email"]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.org_id}:{self.role}"


class Invitation(OrgScopedModel):
    """A single-use, expiring link that makes its recipient a member with the given role."""

    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    audit_exclude = ("token_hash", "created_at", "updated_at")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation for {self.email} as {self.role}"

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"


class SsoDomain(TimestampedModel):
    """An e-mail domain whose single sign-on users join the organisation on first login.

    A domain belongs to one organisation at most, so no admin can pull another company's
    people into their own organisation by claiming its domain first."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="sso_domains")
    domain = models.CharField(max_length=253, unique=True)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.VIEWER)

    class Meta:
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain
