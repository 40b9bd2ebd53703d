"""The control register: an organisation's own controls, each linked to the requirements of any
framework it helps to meet.

A control is the unit of work (owner, status, target date, how it is implemented, evidence and
tasks); a requirement is what a framework asks for. One control may meet requirements of many
frameworks (ISO/IEC 27001 A.8.13, NIST CSF PR.DS-11, HIPAA 164.308(a)(7)(ii)(A)), and one
requirement may be met by several controls.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from openisms.core.models import OrgScopedModel, VersionedModel


class ControlStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    PLANNED = "planned", "Planned"
    PARTIALLY_IMPLEMENTED = "partially_implemented", "Partially implemented"
    IMPLEMENTED = "implemented", "Implemented"


class Control(VersionedModel):
    ref = models.CharField(
        max_length=40, help_text="The organisation's code for the control, e.g. A.8.13 or AC-07."
    )
    name = models.CharField(max_length=250)
    description = models.TextField(blank=True, help_text="What the control is.")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        max_length=24, choices=ControlStatus.choices, default=ControlStatus.NOT_STARTED
    )
    target_date = models.DateField(null=True, blank=True)
    implementation = models.TextField(blank=True, help_text="How we implement it.")
    requirements = models.ManyToManyField(
        "catalog.Requirement", through="ControlRequirement", related_name="org_controls"
    )

    class Meta:
        ordering = ["ref"]
        constraints = [
            models.UniqueConstraint(
                fields=["org", "ref"],
                name="control_org_ref",
                violation_error_message="Another control already has this reference.",
            )
        ]
        indexes = [
            models.Index(fields=["org", "status"], name="control_org_status"),
            models.Index(fields=["org", "owner"], name="control_org_owner"),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.name}"


class ControlRequirement(OrgScopedModel):
    """The control helps to meet the requirement (of any framework)."""

    control = models.ForeignKey(Control, on_delete=models.CASCADE, related_name="links")
    requirement = models.ForeignKey(
        "catalog.Requirement", on_delete=models.PROTECT, related_name="control_links"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["control", "requirement"], name="control_requirement_unique"
            )
        ]
        indexes = [models.Index(fields=["org", "requirement"], name="control_req_org_req")]

    def __str__(self) -> str:
        return f"{self.control_id} -> {self.requirement_id}"


class ParameterValue(OrgScopedModel):
    """The organisation's value for one parameter of a requirement (SP 800-53's
    organisation-defined parameters: "[Assignment: frequency]" becomes "every 90 days")."""

    requirement = models.ForeignKey(
        "catalog.Requirement", on_delete=models.CASCADE, related_name="parameter_values"
    )
    param_id = models.CharField(max_length=100)
    value = models.TextField(max_length=2000)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["requirement_id", "param_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["org", "requirement", "param_id"], name="parameter_value_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.param_id}={self.value[:40]}"
