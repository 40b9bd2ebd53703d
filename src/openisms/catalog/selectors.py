"""Reads of the shared catalogue. Catalogue content is global and readable by every user."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from openisms.catalog import search
from openisms.catalog.models import Framework, Mapping, Requirement, RequirementAttribute

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


def framework_list() -> QuerySet[Framework]:
    return Framework.objects.annotate(
        requirement_count=Count("requirements", filter=Q(requirements__retired=False))
    ).order_by("status", "name")


def framework_get(*, slug: str) -> Framework:
    framework = framework_list().filter(slug=slug).first()
    if framework is None:
        raise Http404("No such framework.")
    return framework


def _attribute_prefetch() -> Prefetch:
    return Prefetch("attribute_values", queryset=RequirementAttribute.objects.order_by("key", "id"))


def requirement_list(
    *, framework: Framework, filters: RequirementFilter, ranked: bool = True
) -> QuerySet[Requirement]:
    """Requirements matching every facet (values within one facet are alternatives).

    ``ranked=False`` skips relevance ordering and prefetching, for use inside other queries.
    """
    qs = Requirement.objects.filter(framework=framework, retired=False)
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
    return qs.select_related("parent").prefetch_related(_attribute_prefetch())


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


def requirement_get(*, framework: Framework, ref: str) -> Requirement:
    req = (
        Requirement.objects.filter(framework=framework, ref=ref)
        .select_related("parent", "framework")
        .prefetch_related(
            _attribute_prefetch(),
            Prefetch(
                "children",
                queryset=Requirement.objects.filter(retired=False).order_by("position"),
            ),
            Prefetch(
                "mappings_in",
                queryset=Mapping.objects.select_related("source__framework").order_by(
                    "source__position"
                ),
            ),
            Prefetch(
                "mappings_out",
                queryset=Mapping.objects.select_related("target__framework").order_by(
                    "target__position"
                ),
            ),
        )
        .first()
    )
    if req is None:
        raise Http404("No such requirement.")
    return req


def requirements_by_refs(*, framework: Framework, refs: list[str]) -> list[Requirement]:
    found = {r.ref: r for r in Requirement.objects.filter(framework=framework, ref__in=refs)}
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
        ).order_by("position")
    )
    return Transition(text, legacy, successors)
