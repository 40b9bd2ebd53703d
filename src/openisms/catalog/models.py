"""Framework catalogues: shipped, global, read-only content shared by every organisation."""

from __future__ import annotations

from django.db import models


class Framework(models.Model):
    class Status(models.TextChoices):
        CURRENT = "current", "Current"
        WITHDRAWN = "withdrawn", "Withdrawn (kept for transition mapping)"

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=60)
    version = models.CharField(max_length=40)
    publisher = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.CURRENT)
    content_version = models.CharField(
        max_length=40, help_text="Version of our data file (not of the standard)."
    )
    content_hash = models.CharField(max_length=64, help_text="SHA-256 of the loaded data file.")
    loaded_at = models.DateTimeField()

    class Meta:
        ordering = ["status", "name"]

    def __str__(self) -> str:
        return self.name


class Requirement(models.Model):
    """One clause, control, category or similar item of a framework.

    Rows are never deleted by the loader: a requirement that disappears from a data file is
    marked retired, so organisation data that points at it keeps its meaning.
    """

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="requirements")
    ref = models.CharField(max_length=40)
    kind = models.CharField(max_length=30, db_index=True)
    title = models.CharField(max_length=300)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    position = models.PositiveIntegerField()
    depth = models.PositiveSmallIntegerField(default=0)
    theme = models.CharField(max_length=30, blank=True, db_index=True)
    summary = models.TextField(blank=True)
    auditor_expects = models.JSONField(default=list, blank=True)
    guidance = models.JSONField(default=dict, blank=True)
    is_new = models.BooleanField(
        default=False, help_text="New in this edition of the framework (e.g. the 11 of 2022)."
    )
    retired = models.BooleanField(default=False)

    class Meta:
        ordering = ["framework", "position"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "ref"], name="requirement_framework_ref")
        ]
        indexes = [models.Index(fields=["framework", "kind", "position"], name="req_fw_kind_pos")]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    @property
    def short_ref(self) -> str:
        """Annex A refs are written without 'A.' in 27002 (8.8); clause refs stay as they are."""
        return self.ref[2:] if self.ref.startswith("A.") else self.ref


class RequirementAttribute(models.Model):
    """One attribute value of a requirement (e.g. cybersecurity_concepts = Protect).

    Kept as rows, not JSON, so facets filter and count in SQL the same way on every backend.
    """

    requirement = models.ForeignKey(
        Requirement, on_delete=models.CASCADE, related_name="attribute_values"
    )
    key = models.CharField(max_length=60)
    value = models.CharField(max_length=80)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["requirement", "key", "value"], name="requirement_attribute_unique"
            )
        ]
        indexes = [models.Index(fields=["key", "value"], name="req_attr_key_value")]

    def __str__(self) -> str:
        return f"{self.key}={self.value}"


class Mapping(models.Model):
    """A typed relationship between requirements of two frameworks, with its provenance."""

    class Relationship(models.TextChoices):
        EQUIVALENT = "equivalent", "Equivalent"
        SUBSET = "subset", "Subset of"
        SUPERSET = "superset", "Superset of"
        INTERSECTS = "intersects", "Intersects with"
        SUCCESSOR = "successor", "Replaced by (edition transition)"

    source = models.ForeignKey(Requirement, on_delete=models.CASCADE, related_name="mappings_out")
    target = models.ForeignKey(Requirement, on_delete=models.CASCADE, related_name="mappings_in")
    relationship = models.CharField(max_length=12, choices=Relationship.choices)
    provenance = models.CharField(max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "target", "relationship"], name="mapping_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source_id} {self.relationship} {self.target_id}"
