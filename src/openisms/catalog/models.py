"""Framework catalogues: shipped, global, read-only content shared by every organisation."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models


class FrameworkQuerySet(models.QuerySet["Framework"]):
    def visible_to(self, orgs: int | Iterable[int] | models.QuerySet[Any]) -> FrameworkQuerySet:
        """Shipped and instance-wide frameworks, and those the given organisations imported
        (an organisation's imported text, which may be licensed, stays its own). ``orgs`` is
        an organisation id, ids, or a query of ids (a user's memberships)."""
        ids = [orgs] if isinstance(orgs, int) else orgs
        if not isinstance(ids, models.QuerySet):
            ids = list(ids)
        return self.filter(models.Q(organization__isnull=True) | models.Q(organization_id__in=ids))


class Framework(models.Model):
    class Status(models.TextChoices):
        CURRENT = "current", "Current"
        WITHDRAWN = "withdrawn", "Withdrawn (kept for transition mapping)"

    class Origin(models.TextChoices):
        SHIPPED = "shipped", "Shipped with OpenISMS"
        OSCAL = "oscal", "Imported from an OSCAL catalog"
        BASELINE = "baseline", "Resolved from an OSCAL profile"

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
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.SHIPPED)
    organization = models.ForeignKey(
        "orgs.Organization",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="frameworks",
        help_text="The organisation that imported it and alone sees it; empty for shipped "
        "frameworks and those an operator imported for the whole instance.",
    )
    mapping_key = models.CharField(
        max_length=60,
        blank=True,
        help_text="The framework slug that mapping sets call this one, when it is not its own "
        "(an imported SP 800-53 Rev. 5 catalog, or a baseline of it, is 'nist-sp800-53r5').",
    )
    oscal_uuid = models.CharField(max_length=36, blank=True)
    oscal_version = models.CharField(max_length=20, blank=True)
    baseline_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="baselines",
        help_text="For a resolved profile: the catalog framework it selects from.",
    )

    objects = FrameworkQuerySet.as_manager()

    class Meta:
        ordering = ["status", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def maps_as(self) -> str:
        """The slug mapping sets name this framework by."""
        return self.mapping_key or self.slug

    @property
    def is_private(self) -> bool:
        return self.organization_id is not None


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
    # What an OSCAL catalog says of the item (empty for our own data files): its id and uuid,
    # the statement and guidance in Markdown, its parameters, and the rest kept for export.
    oscal_id = models.CharField(max_length=100, blank=True)
    oscal_uuid = models.CharField(max_length=36, blank=True)
    statement = models.TextField(blank=True)
    params = models.JSONField(default=list, blank=True)
    withdrawn = models.BooleanField(default=False)
    oscal = models.JSONField(default=dict, blank=True)

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
        """ISO/IEC 27001's Annex A refs as ISO/IEC 27002 writes them (8.8 for A.8.8); clause refs,
        and every ref of other frameworks (ISO/IEC 27701's A.1.2.2 is its real id), stay as they
        are. Judged from the framework when it was loaded with the row, else left as it is."""
        framework = self._state.fields_cache.get("framework")
        if framework is not None and framework.slug.startswith("iso27001-"):
            return self.ref[2:] if self.ref.startswith("A.") else self.ref
        return self.ref


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


class MappingSet(models.Model):
    """One mapping document between two frameworks: who published it, which edition, and how
    we got it. Its pairs are :class:`Mapping` rows.

    The frameworks are named by slug, not by foreign key, so a set can be loaded before its
    frameworks are (or for one that is not shipped at all, such as SP 800-53 before the OSCAL
    import); its pairs link up when the framework arrives.
    """

    class Kind(models.TextChoices):
        OFFICIAL = "official", "Official (published by the standard's owner or NIST)"
        DERIVED = "derived", "Derived (composed from other sets)"
        STRUCTURAL = "structural", "Structural (from a standard's own structure)"
        USER = "user", "Imported by a user"

    slug = models.CharField(max_length=120, unique=True)
    name = models.CharField(max_length=200)
    source_framework = models.CharField(max_length=60, db_index=True)
    target_framework = models.CharField(max_length=60, db_index=True)
    publisher = models.CharField(max_length=120)
    document = models.CharField(max_length=300, blank=True)
    version = models.CharField(max_length=40, blank=True)
    published = models.DateField(null=True, blank=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    derived_via = models.JSONField(
        default=list, blank=True, help_text="Slugs of the sets a derived set was composed from."
    )
    ref_aliases = models.JSONField(
        default=dict,
        blank=True,
        help_text="How the document writes a ref, where it differs from our catalogue "
        "(e.g. HIPAA '164.310(a)' for the standard at '164.310(a)(1)'), per side.",
    )
    description = models.TextField(blank=True)
    content_version = models.CharField(
        max_length=40, help_text="Version of our data file (not of the mapping document)."
    )
    content_hash = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of the loaded data file."
    )
    loaded_at = models.DateTimeField()

    class Meta:
        ordering = ["source_framework", "target_framework", "slug"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["official", "derived", "structural", "user"]),
                name="mapping_set_kind_valid",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def provenance(self) -> str:
        return self.document or self.name


class Mapping(models.Model):
    """One pair of a mapping set: a ref of the source framework, a ref of the target framework
    and how they relate (NIST OLIR's relationship types, plus edition succession).

    ``source_ref`` and ``target_ref`` are written as in the source document; ``source`` and
    ``target`` point at our requirements when those exist, and are filled in again whenever a
    framework or a set loads.
    """

    class Relationship(models.TextChoices):
        EQUAL = "equal", "Equal to"
        SUBSET = "subset", "Subset of"
        SUPERSET = "superset", "Superset of"
        INTERSECTS = "intersects", "Intersects with"
        SUCCESSOR = "successor", "Replaced by (edition transition)"

    mapping_set = models.ForeignKey(MappingSet, on_delete=models.CASCADE, related_name="pairs")
    position = models.PositiveIntegerField(help_text="Order of the pair in its set's file.")
    source_ref = models.CharField(max_length=60)
    target_ref = models.CharField(max_length=60)
    relationship = models.CharField(max_length=12, choices=Relationship.choices)
    strength = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="1-10, where the document gives one."
    )
    rationale = models.TextField(blank=True)
    source = models.ForeignKey(
        Requirement,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mappings_out",
        db_index=False,
    )
    target = models.ForeignKey(
        Requirement,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mappings_in",
        db_index=False,
    )

    class Meta:
        ordering = ["mapping_set", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["mapping_set", "source_ref", "target_ref", "relationship"],
                name="mapping_pair_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    relationship__in=["equal", "subset", "superset", "intersects", "successor"]
                ),
                name="mapping_relationship_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(strength__isnull=True)
                | models.Q(strength__gte=1, strength__lte=10),
                name="mapping_strength_1_to_10",
            ),
        ]
        indexes = [
            models.Index(fields=["source", "relationship"], name="mapping_source_rel"),
            models.Index(fields=["target", "relationship"], name="mapping_target_rel"),
        ]

    def __str__(self) -> str:
        return f"{self.source_ref} {self.relationship} {self.target_ref}"

    @property
    def derived(self) -> bool:
        return self.mapping_set.kind == MappingSet.Kind.DERIVED
