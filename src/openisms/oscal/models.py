"""What an OSCAL import leaves behind: the document a framework was made from, and the jobs
that import uploads in the background worker."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SourceDocument(models.Model):
    """The OSCAL document (as uploaded, compressed) that an imported framework was made from,
    so that a profile can later be resolved against an imported catalog and an import can be
    traced to its bytes."""

    framework = models.OneToOneField(
        "catalog.Framework", on_delete=models.CASCADE, related_name="oscal_source"
    )
    model = models.CharField(max_length=40)  # catalog | profile
    format = models.CharField(max_length=8)  # json | yaml | xml
    filename = models.CharField(max_length=255, blank=True)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    content = models.BinaryField(help_text="zlib-compressed bytes of the document.")
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.model} {self.filename}"


class ImportJob(models.Model):
    """One upload being imported by the worker; the web request that made it returns at once
    and the page or API polls ``progress``."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    org = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done.")
    stage = models.CharField(max_length=120, blank=True)
    filename = models.CharField(max_length=255, blank=True)
    options = models.JSONField(default=dict, blank=True)  # slug, catalog framework, maps_as
    content = models.BinaryField(blank=True, help_text="The upload; emptied when the job ends.")
    catalog_content = models.BinaryField(blank=True, help_text="An uploaded catalog, if any.")
    issues = models.JSONField(default=list, blank=True)  # [{"path":..., "message":...}]
    framework = models.ForeignKey(
        "catalog.Framework", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["org", "-created_at"], name="oscal_job_org_created")]

    def __str__(self) -> str:
        return f"{self.filename} ({self.status})"
