"""Reads of the shared catalogue. Catalogue content is global and readable by every user."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from openisms.catalog import search
from openisms.catalog.mapping_format import ref_key
from openisms.catalog.models import (
    Framework,
    Mapping,
    MappingSet,
    Requirement,
    RequirementAttribute,
)

LEGACY_FRAMEWORK = "iso27001-2013"
ISO_FRAMEWORK = "iso27001-2022"
FACET_KEYS = (
    "control_type",
    "information_security_properties",
    "cybersecurity_concepts",
    "operational_capabilities",
    "security_domains",
)
FACET_LABELS = {
    "control_type": "Control type",
    "information_security_properties": "Information security properties",
    "cybersecurity_concepts": "Cybersecurity concepts",
    "operational_capabilities": "Operational capabilities",
    "security_domains": "Security domains",
}


@dataclass
class RequirementFilter:
    kind: str | None = None
    theme: str | None = None
    attributes: dict[str, list[str]] = field(default_factory=dict)
    text: str = ""
    new_only: bool = False

    def without_theme(self) -> RequirementFilter:
        return RequirementFilter(self.kind, None, self.attributes, self.text, self.new_only)


def framework_list(*, orgs: int | Iterable[int] | QuerySet[Any]) -> QuerySet[Framework]:
    """The frameworks ``orgs`` (an organisation id, ids, or a query of them) may see: shipped and
    instance-wide ones, and those they imported (see ``FrameworkQuerySet.visible_to``)."""
    return (
        Framework.objects.visible_to(orgs)
        .annotate(requirement_count=Count("requirements", filter=Q(requirements__retired=False)))
        .order_by("status", "name")
    )


def framework_get(*, slug: str, orgs: int | Iterable[int] | QuerySet[Any]) -> Framework:
    """One framework ``orgs`` may see; another organisation's is as missing as a misspelt one."""
    framework = framework_list(orgs=orgs).filter(slug=slug).first()
    if framework is None:
        raise Http404("No such framework.")
    return framework


def _attribute_prefetch() -> Prefetch:
    return Prefetch("attribute_values", queryset=RequirementAttribute.objects.order_by("key", "id"))


LIST_FIELDS = ("id", "ref", "title", "kind", "depth", "position", "is_new", "withdrawn", "theme")


def requirement_list(
    *, framework: Framework, filters: RequirementFilter, ranked: bool = True, brief: bool = False
) -> QuerySet[Requirement]:
    """Requirements matching every facet (values within one facet are alternatives).

    ``ranked=False`` skips relevance ordering and prefetching, for use inside other queries;
    ``brief=True`` reads only what a list shows (an imported SP 800-53 control carries its
    statement, parameters and OSCAL parts, which a list of 1,200 need not decode).
    """
    qs = Requirement.objects.filter(framework=framework, retired=False).select_related("framework")
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.theme:
        qs = qs.filter(theme=filters.theme)
    if filters.new_only:
        qs = qs.filter(is_new=True)
    for key, values in filters.attributes.items():
        if values:
            qs = qs.filter(
                Exists(
                    RequirementAttribute.objects.filter(
                        requirement=OuterRef("pk"), key=key, value__in=values
                    )
                )
            )
    qs = search.apply(qs, filters.text) if filters.text.strip() else qs.order_by("position")
    if brief:
        return qs.only(*LIST_FIELDS, "framework__slug").prefetch_related(_attribute_prefetch())
    return qs.select_related("parent").prefetch_related(_attribute_prefetch())


def requirement_tree(*, framework: Framework) -> list[Requirement]:
    """Every requirement of a framework, retired ones too, in document order, with its parent,
    attribute values and the earlier-edition requirements it replaces (``mappings_in`` holds
    the succession pairs, source framework joined): three queries whatever the size."""
    successions = (
        Mapping.objects.filter(relationship=Mapping.Relationship.SUCCESSOR, source__isnull=False)
        .select_related("source__framework")
        .order_by("source__position", "position")
    )
    return list(
        Requirement.objects.filter(framework=framework)
        .select_related("parent")
        .prefetch_related(_attribute_prefetch(), Prefetch("mappings_in", queryset=successions))
        .order_by("position")
    )


def facet_counts(
    *, framework: Framework, filters: RequirementFilter
) -> dict[str, list[tuple[str, int]]]:
    """For each attribute, how many of the matching requirements carry each value (one query)."""
    matching = requirement_list(framework=framework, filters=filters, ranked=False).values("pk")
    rows = (
        RequirementAttribute.objects.filter(requirement__in=matching)
        .values("key", "value")
        .annotate(n=Count("requirement", distinct=True))
        .order_by()
    )
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for row in rows:
        counts[row["key"]][row["value"]] = row["n"]
    return {key: sorted(counts[key].items()) for key in FACET_KEYS if key in counts}


def theme_counts(*, framework: Framework, filters: RequirementFilter) -> dict[str, int]:
    matching = requirement_list(framework=framework, filters=filters.without_theme(), ranked=False)
    rows = matching.order_by().values("theme").annotate(n=Count("id"))
    return {row["theme"]: row["n"] for row in rows if row["theme"]}


def families(*, framework: Framework) -> list[tuple[str, str, str]]:
    """(theme key, title, ref) of an imported catalog's top-level groups (SP 800-53's
    families), for the page's tabs where ISO/IEC 27002 has its four themes."""
    rows = Requirement.objects.filter(framework=framework, depth=0, retired=False).exclude(theme="")
    return [
        (r.theme, r.title, r.ref) for r in rows.order_by("position").only("theme", "title", "ref")
    ]


def requirement_get(*, framework: Framework, ref: str) -> Requirement:
    req = (
        Requirement.objects.filter(framework=framework, ref=ref)
        .select_related("parent__framework", "framework")
        .prefetch_related(
            _attribute_prefetch(),
            Prefetch(
                "children",
                queryset=Requirement.objects.filter(retired=False)
                .select_related("framework")
                .order_by("position"),
            ),
            Prefetch(
                "mappings_in",
                queryset=Mapping.objects.select_related(
                    "mapping_set", "source__framework"
                ).order_by("source__position", "mapping_set__slug", "position"),
            ),
            Prefetch(
                "mappings_out",
                queryset=Mapping.objects.select_related(
                    "mapping_set", "target__framework"
                ).order_by("target__position", "mapping_set__slug", "position"),
            ),
        )
        .first()
    )
    if req is None:
        raise Http404("No such requirement.")
    return req


def requirements_by_refs(*, framework: Framework, refs: list[str]) -> list[Requirement]:
    found = {
        r.ref: r
        for r in Requirement.objects.filter(framework=framework, ref__in=refs).select_related(
            "framework"
        )
    }
    return [found[ref] for ref in refs if ref in found]


_LEGACY_REF = re.compile(r"^(?:a\.?)?\s*(\d{1,2})\.(\d{1,2})\.(\d{1,2})$", re.IGNORECASE)


def normalise_legacy_ref(text: str) -> str | None:
    """Accept 'A.12.6.1', 'a.12.6.1', '12.6.1' or 'A 12.6.1'; return 'A.12.6.1'."""
    match = _LEGACY_REF.match(text.strip().replace(" ", ""))
    if match is None:
        return None
    return "A." + ".".join(str(int(part)) for part in match.groups())


@dataclass
class Transition:
    query: str
    legacy: Requirement | None
    successors: list[Requirement]
    error: str | None = None


def transition_lookup(*, text: str) -> Transition:
    """Which 2022 control(s) replaced a 2013 Annex A control (two queries)."""
    ref = normalise_legacy_ref(text)
    if ref is None:
        return Transition(text, None, [], "Type a 2013 Annex A reference such as A.12.6.1.")
    legacy = Requirement.objects.filter(framework__slug=LEGACY_FRAMEWORK, ref=ref).first()
    if legacy is None:
        return Transition(text, None, [], f"{ref} is not a control of ISO/IEC 27001:2013.")
    successors = list(
        Requirement.objects.filter(
            mappings_in__source=legacy, mappings_in__relationship=Mapping.Relationship.SUCCESSOR
        )
        .select_related("framework")
        .distinct()
        .order_by("position")
    )
    return Transition(text, legacy, successors)


# --- mapping sets and crosswalks --------------------------------------------------------------

# How a pair reads from its target's side: "A subset of B" is "B superset of A".
_INVERSE = {"subset": "superset", "superset": "subset"}
_READS = {
    "equal": "equal to",
    "subset": "subset of",
    "superset": "superset of",
    "intersects": "intersects with",
}


def mapping_set_list() -> QuerySet[MappingSet]:
    """Every set with its number of pairs and of pairs linked at both ends (one query)."""
    return MappingSet.objects.annotate(
        pair_count=Count("pairs"),
        resolved_count=Count(
            "pairs", filter=Q(pairs__source__isnull=False, pairs__target__isnull=False)
        ),
    ).order_by("source_framework", "target_framework", "slug")


def mapping_set_get(*, slug: str) -> MappingSet:
    mapping_set = mapping_set_list().filter(slug=slug).first()
    if mapping_set is None:
        raise Http404("No such mapping set.")
    return mapping_set


def mapping_set_pairs(*, mapping_set: MappingSet) -> QuerySet[Mapping]:
    return (
        Mapping.objects.filter(mapping_set=mapping_set)
        .select_related("source", "target")
        .order_by("position")
    )


def mappings_between(*, source: str | None = None, target: str | None = None) -> QuerySet[Mapping]:
    """Pairs of every set from framework ``source`` to framework ``target`` (either may be
    left open), by set slug and then in each set's own order."""
    qs = Mapping.objects.select_related("mapping_set", "source", "target")
    if source:
        qs = qs.filter(mapping_set__source_framework=source)
    if target:
        qs = qs.filter(mapping_set__target_framework=target)
    return qs.order_by("mapping_set__slug", "position")


def framework_names() -> dict[str, str]:
    """Short names of the loaded frameworks by slug (for sets that name frameworks by slug)."""
    return dict(Framework.objects.values_list("slug", "short_name"))


@dataclass
class CrosswalkEntry:
    """One requirement of another framework that a requirement relates to, read from the
    requirement's side."""

    framework: str
    ref: str
    requirement: Requirement | None  # None while the other framework or ref is not loaded
    relationship: str
    mapping_set: MappingSet

    @property
    def reads(self) -> str:
        return _READS.get(self.relationship, self.relationship)


def crosswalk(req: Requirement) -> list[tuple[str, list[CrosswalkEntry]]]:
    """The requirements of other frameworks that ``req`` relates to, in both directions,
    grouped by framework. Edition successions are left out (the transition shows them). Reads
    only what :func:`requirement_get` prefetched (no queries), but for an imported framework,
    whose pairs are found by the slug the sets call it and the ref (two queries)."""
    entries: list[CrosswalkEntry] = []
    outgoing, incoming = list(req.mappings_out.all()), list(req.mappings_in.all())
    if req.framework.origin != Framework.Origin.SHIPPED:
        key = req.framework.maps_as
        linked = Mapping.objects.select_related(
            "mapping_set", "source__framework", "target__framework"
        )
        outgoing += linked.filter(mapping_set__source_framework=key, source_ref=req.ref)
        incoming += linked.filter(mapping_set__target_framework=key, target_ref=req.ref)
    for m in outgoing:
        if m.relationship != Mapping.Relationship.SUCCESSOR:
            entries.append(
                CrosswalkEntry(
                    m.mapping_set.target_framework,
                    m.target_ref,
                    m.target,
                    m.relationship,
                    m.mapping_set,
                )
            )
    for m in incoming:
        if m.relationship != Mapping.Relationship.SUCCESSOR:
            relationship = _INVERSE.get(m.relationship, m.relationship)
            entries.append(
                CrosswalkEntry(
                    m.mapping_set.source_framework,
                    m.source_ref,
                    m.source,
                    relationship,
                    m.mapping_set,
                )
            )
    groups: dict[str, list[CrosswalkEntry]] = {}
    for entry in entries:
        label = entry.requirement.framework.short_name if entry.requirement else entry.framework
        groups.setdefault(label, []).append(entry)
    return [
        (label, sorted(groups[label], key=lambda e: (ref_key(e.ref), e.mapping_set.slug)))
        for label in sorted(groups)
    ]


def predecessors(req: Requirement) -> list[Requirement]:
    """The requirements of the previous edition that ``req`` replaces, each once even if
    several sets say so (prefetched: no queries)."""
    found = {
        m.source.pk: m.source
        for m in req.mappings_in.all()
        if m.relationship == Mapping.Relationship.SUCCESSOR and m.source is not None
    }
    return list(found.values())


def successors(req: Requirement) -> list[Requirement]:
    found = {
        m.target.pk: m.target
        for m in req.mappings_out.all()
        if m.relationship == Mapping.Relationship.SUCCESSOR and m.target is not None
    }
    return list(found.values())
