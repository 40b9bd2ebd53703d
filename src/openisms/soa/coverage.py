"""The coverage engine: how far an organisation meets each requirement of one framework, and why.

For each requirement the organisation assesses in the framework (see
``tracking.assessed_requirements``) the verdict is one of ``covered``, ``partial``,
``not_covered`` or ``not_applicable``, with the reasons that led to it:

1. Excluded (the assessment says not applicable): ``not_applicable``.
2. Its own status, when it has one: a manual override, else the combined status of the
   register's controls linked to it, else a status the assessment states itself (a clause of
   the SoA marked implemented). Implemented with current evidence (linked to the requirement or
   to one of its controls, not expired) is ``covered``; implemented without current evidence
   and partially implemented are ``partial``; planned and not started are ``not_covered``.
3. Otherwise, through the mapping sets. A pair reads "the source requirement is met, wholly or
   in part, by the target requirement", so coverage flows from target to source and never
   back: ISO/IEC 27001 work counts for NIST CSF and HIPAA, and a control that meets only a
   HIPAA requirement counts for HIPAA alone. The targets' own verdicts (one hop, rule 2) give:
   ``covered`` when a target that is equal to or wider than the requirement (``equal``,
   ``subset``) is covered, or when every applicable target is; ``partial`` when some target is
   covered or partial; ``not_covered`` otherwise.

Every requirement is judged except headings (a requirement with sub-requirements and neither
mappings nor controls of its own: a CSF function or category, an ISO/IEC 27001 clause such as
6.1). A requirement without pairs of its own uses its nearest ancestor's (NIST maps HIPAA by
standard, so its implementation specifications share the standard's pairs). Roll-ups count the
verdicts of the judged requirements under each heading, function, category or standard.
Everything is read in a fixed number of queries, whatever the size of the organisation.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from openisms.catalog.models import Framework, Mapping, Requirement
from openisms.controls.models import ControlRequirement
from openisms.controls.selectors import LinkedControl, controls_of_requirements
from openisms.controls.status import combined_status
from openisms.evidence.models import EvidenceItem, EvidenceLink, Freshness
from openisms.evidence.selectors import freshness_expr
from openisms.orgs.access import Actor, scoped
from openisms.soa.models import SoaEntry, SoaStatus
from openisms.soa.tracking import assessed_requirements

COVERED, PARTIAL, NOT_COVERED, NOT_APPLICABLE = (
    "covered",
    "partial",
    "not_covered",
    "not_applicable",
)
VERDICTS = (COVERED, PARTIAL, NOT_COVERED, NOT_APPLICABLE)
VERDICT_LABELS = {
    COVERED: "Covered",
    PARTIAL: "Partly covered",
    NOT_COVERED: "Not covered",
    NOT_APPLICABLE: "Not applicable",
}
WIDE = {"equal", "equivalent", "subset"}  # the target is at least as wide as the source
STATUS_LABELS = dict(SoaStatus.choices)


@dataclass
class EvidenceRef:
    ref: str
    title: str
    freshness: str


@dataclass
class MappedRef:
    framework: str
    ref: str
    title: str
    relationship: str
    provenance: str
    verdict: str


@dataclass
class RequirementCoverage:
    id: int
    ref: str
    title: str
    kind: str
    parent_id: int | None
    verdict: str
    source: str  # excluded, override, controls, assessment, mapping, none
    because: list[str] = field(default_factory=list)
    controls: list[LinkedControl] = field(default_factory=list)
    evidence: list[EvidenceRef] = field(default_factory=list)
    mapped: list[MappedRef] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ref": self.ref,
            "title": self.title,
            "kind": self.kind,
            "status": self.verdict,
            "source": self.source,
            "because": list(self.because),
            "controls": [{"ref": c.ref, "name": c.name, "status": c.status} for c in self.controls],
            "evidence": [
                {"ref": e.ref, "title": e.title, "freshness": e.freshness} for e in self.evidence
            ],
            "mapped": [
                {
                    "framework": m.framework,
                    "ref": m.ref,
                    "relationship": m.relationship,
                    "provenance": m.provenance,
                    "status": m.verdict,
                }
                for m in self.mapped
            ],
        }


@dataclass
class Rollup:
    ref: str
    title: str
    kind: str
    depth: int
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def applicable(self) -> int:
        return self.total - self.counts.get(NOT_APPLICABLE, 0)

    @property
    def percent(self) -> int:
        """Covered counts fully and partial half, over the applicable requirements."""
        if not self.applicable:
            return 0
        score = self.counts.get(COVERED, 0) + self.counts.get(PARTIAL, 0) / 2
        return round(100 * score / self.applicable)


@dataclass
class Coverage:
    framework: Framework
    as_of: Any
    requirements: list[RequirementCoverage]
    rollups: list[Rollup]
    totals: Rollup

    @property
    def gaps(self) -> list[RequirementCoverage]:
        """What is left to do: the not covered requirements first, then the partial ones."""
        order = {NOT_COVERED: 0, PARTIAL: 1}
        gaps = [r for r in self.requirements if r.verdict in order]
        return sorted(gaps, key=lambda r: order[r.verdict])

    def as_list(self) -> list[dict[str, Any]]:
        return [r.as_dict() for r in self.requirements]


# --- reading ---------------------------------------------------------------------------------


@dataclass
class _Own:
    """A requirement's own standing in the organisation (rule 1 and 2 inputs)."""

    applicable: bool = True
    override: str = ""
    assessed: str = ""
    controls: list[LinkedControl] = field(default_factory=list)
    evidence: list[EvidenceRef] = field(default_factory=list)  # the newest current and expired
    current: int = 0  # links to evidence that has not expired
    expired: int = 0


def _assessments(actor: Actor, within: QuerySet[Any]) -> dict[int, Any]:
    rows = (
        scoped(actor, SoaEntry)
        .filter(requirement_id__in=within)
        .values("requirement_id", "applicable", "override_status", "status")
    )
    return {row["requirement_id"]: row for row in rows}


@dataclass
class _Evidence:
    current: int = 0
    expired: int = 0
    samples: set[int] = field(default_factory=set)  # item numbers: the newest of each kind


def _evidence_counts(actor: Actor, column: str, where: Q) -> dict[int, _Evidence]:
    """Per requirement (or control) id: how many links to current and expired evidence, and the
    newest item of each kind, counted in SQL (one query)."""
    expired = Q(fresh=Freshness.EXPIRED.value)
    rows = (
        scoped(actor, EvidenceLink)
        .filter(where)
        .annotate(fresh=freshness_expr("item__"))
        .values(column)
        .annotate(
            current=Count("id", filter=~expired),
            expired=Count("id", filter=expired),
            newest_current=Max("item__number", filter=~expired),
            newest_expired=Max("item__number", filter=expired),
        )
        .order_by()
    )
    return {
        row[column]: _Evidence(
            row["current"],
            row["expired"],
            {n for n in (row["newest_current"], row["newest_expired"]) if n is not None},
        )
        for row in rows
    }


def _evidence(
    actor: Actor,
    ids: list[int],
    within: QuerySet[Any],
    controls: dict[int, list[LinkedControl]],
) -> tuple[dict[int, _Evidence], dict[int, EvidenceRef]]:
    """Evidence of each requirement (four queries): linked to it, or to one of its controls, or
    to another requirement one of its controls meets (a control's evidence is everything linked
    to it or to what it meets: ISO evidence for A.5.24 counts for the control that also meets
    CSF RS.MA-01). Counts per requirement, and the items to name in the explanation."""
    control_ids = sorted({c.id for linked in controls.values() for c in linked})
    met: dict[int, set[int]] = {}  # control -> every requirement it meets
    for control_id, requirement_id in ControlRequirement.objects.filter(
        org=actor.org, control_id__in=control_ids
    ).values_list("control_id", "requirement_id"):
        met.setdefault(control_id, set()).add(requirement_id)
    others = sorted(set().union(*met.values()) - set(ids))
    by_requirement = _evidence_counts(
        actor, "requirement_id", Q(requirement_id__in=within) | Q(requirement_id__in=others)
    )
    by_control = (
        _evidence_counts(actor, "control_id", Q(control_id__in=control_ids)) if control_ids else {}
    )
    out: dict[int, _Evidence] = {}
    for pk in ids:
        sources = {("r", pk)}
        for control in controls.get(pk, []):
            sources.add(("c", control.id))
            sources.update(("r", r) for r in met.get(control.id, ()))
        found = [
            e
            for kind, key in sources
            if (e := (by_requirement if kind == "r" else by_control).get(key)) is not None
        ]
        if found:
            out[pk] = _Evidence(
                sum(p.current for p in found),
                sum(p.expired for p in found),
                set().union(*(p.samples for p in found)),
            )
    numbers = sorted(set().union(*(e.samples for e in out.values()))) if out else []
    items = (
        scoped(actor, EvidenceItem)
        .filter(number__in=numbers)
        .annotate(fresh=freshness_expr())
        .values_list("number", "title", "fresh")
    )
    named = {n: EvidenceRef(f"EV-{n}", title, fresh) for n, title, fresh in items}
    return out, named


def _own(actor: Actor, ids: list[int], within: QuerySet[Any]) -> dict[int, _Own]:
    """What the organisation has for each requirement of ``ids``; ``within`` selects the same
    requirements in SQL, so that a framework of a thousand requirements is not sent to the
    database as a thousand parameters in every query."""
    assessments = _assessments(actor, within)
    controls = controls_of_requirements(actor=actor, requirement_ids=within)
    evidence, named = _evidence(actor, ids, within, controls)
    out = {}
    for pk in ids:
        row = assessments.get(pk)
        counted = evidence.get(pk, _Evidence())
        own = _Own(
            controls=controls.get(pk, []),
            evidence=[named[n] for n in sorted(counted.samples, reverse=True) if n in named],
            current=counted.current,
            expired=counted.expired,
        )
        if row is not None:
            own.applicable = row["applicable"]
            own.override = row["override_status"]
            own.assessed = row["status"]
        out[pk] = own
    return out


def _judge(own: _Own) -> tuple[str, str, list[str]]:
    """Rules 1 and 2: (verdict, source, reasons), or source "none" when there is no own status."""
    if not own.applicable:
        return NOT_APPLICABLE, "excluded", ["Excluded from scope (not applicable)."]
    reasons: list[str] = []
    if own.override:
        status, source = own.override, "override"
        reasons.append(f"Status set by hand: {STATUS_LABELS.get(status, status)}.")
    elif own.controls:
        status = str(combined_status(c.status for c in own.controls))
        source = "controls"
        for c in own.controls:
            reasons.append(f"Control {c.ref} {c.name}: {STATUS_LABELS.get(c.status, c.status)}.")
    elif own.assessed and own.assessed != SoaStatus.NOT_STARTED:
        status, source = own.assessed, "assessment"
        reasons.append(f"Assessed as {STATUS_LABELS.get(status, status).lower()}.")
    else:
        return NOT_COVERED, "none", []
    current = [e for e in own.evidence if e.freshness != Freshness.EXPIRED]
    if status == SoaStatus.IMPLEMENTED:
        if own.current:
            more = f" and {own.current - 1} more" if own.current > 1 else ""
            name = current[0].ref if current else "evidence"
            return COVERED, source, [*reasons, f"Current evidence: {name}{more}."]
        stale = f"only expired evidence ({own.expired})" if own.expired else "no evidence"
        return PARTIAL, source, [*reasons, f"Implemented, but {stale}."]
    if status == SoaStatus.PARTIALLY_IMPLEMENTED:
        return PARTIAL, source, reasons
    return NOT_COVERED, source, reasons


class _Req(NamedTuple):
    """What coverage reads of a requirement (a tuple: a framework of a thousand requirements
    is not worth a thousand model instances)."""

    pk: int
    ref: str
    title: str
    kind: str
    parent_id: int | None
    depth: int


# Kinds judged even when they have children: an SP 800-53 control with enhancements is a
# requirement of its own, not a heading over them.
JUDGED_KINDS = frozenset({"control", "enhancement"})


def _mappings(
    framework: Framework, assessed: QuerySet[Requirement], reqs: list[_Req]
) -> list[tuple[int, int, str, str]]:
    """(source id, target id, relationship, provenance) of the pairs whose source is one of
    ``reqs`` (``assessed``, the same in SQL; edition successions left out).

    Pairs link to shipped frameworks by foreign key. An imported framework (an OSCAL catalog
    or a baseline resolved from a profile) may exist once per organisation, so its pairs are
    found by the slug the sets call it (``Framework.maps_as``) and the requirement's ref.
    """
    pairs = Mapping.objects.filter(target__isnull=False).exclude(
        relationship=Mapping.Relationship.SUCCESSOR
    )
    fields = ("relationship", "mapping_set__document", "mapping_set__name")
    if framework.origin == Framework.Origin.SHIPPED:
        rows = (
            pairs.filter(source_id__in=assessed.values("pk"))
            .order_by("mapping_set__slug", "position")
            .values_list("source_id", "target_id", *fields)
        )
        return [(s, t, rel, document or name) for s, t, rel, document, name in rows]
    by_ref = {r.ref: r.pk for r in reqs}
    ref_rows = (
        pairs.filter(
            mapping_set__source_framework=framework.maps_as,
            source_ref__in=assessed.values("ref"),
        )
        .order_by("mapping_set__slug", "position")
        .values_list("source_ref", "target_id", *fields)
    )
    return [
        (by_ref[s], t, rel, document or name)
        for s, t, rel, document, name in ref_rows
        if s in by_ref
    ]


def _by_mapping(
    pairs: list[tuple[Requirement, str, str, str]],
) -> tuple[str, list[str]]:
    """Rule 3 over (target, relationship, provenance, target verdict)."""
    applicable = [p for p in pairs if p[3] != NOT_APPLICABLE]
    if not applicable:
        return NOT_COVERED, ["Every mapped requirement is excluded."]
    covered = [p for p in applicable if p[3] == COVERED]
    wide = [p for p in covered if p[1] in WIDE]
    names = ", ".join(f"{p[0].ref}" for p in covered)
    if wide:
        return COVERED, [f"Met through {wide[0][0].ref}, which it is part of ({wide[0][1]})."]
    if covered and len(covered) == len(applicable):
        return COVERED, [f"Every mapped requirement is covered ({names})."]
    partial = [p for p in applicable if p[3] == PARTIAL]
    if covered or partial:
        done = len(covered) + len(partial)
        return PARTIAL, [f"{done} of {len(applicable)} mapped requirements covered or partial."]
    return NOT_COVERED, [f"None of the {len(applicable)} mapped requirements is covered."]


def coverage(*, actor: Actor, framework_slug: str) -> Coverage:
    """The verdict on every requirement of the framework, its roll-ups and totals."""
    framework = Framework.objects.visible_to(actor.org.pk).filter(slug=framework_slug).first()
    if framework is None:
        raise Http404("No such framework.")
    assessed = assessed_requirements(framework_slug)
    reqs = [
        _Req(*row)
        for row in assessed.order_by("position").values_list(
            "id", "ref", "title", "kind", "parent_id", "depth"
        )
    ]
    ids = [r.pk for r in reqs]
    pairs = _mappings(framework, assessed, reqs)
    target_ids = sorted({t for _, t, _, _ in pairs} - set(ids))
    within = Requirement.objects.filter(
        Q(pk__in=assessed.values("pk")) | Q(pk__in=target_ids)
    ).values("pk")
    own = _own(actor, ids + target_ids, within)
    targets = {
        r.pk: r for r in Requirement.objects.filter(pk__in=target_ids).select_related("framework")
    }
    target_verdicts = {pk: _judge(own[pk])[0] for pk in target_ids}
    by_source: dict[int, list[tuple[int, str, str]]] = {}
    for source_id, target_id, rel, prov in pairs:
        by_source.setdefault(source_id, []).append((target_id, rel, prov))

    parents = {r.parent_id for r in reqs if r.parent_id}
    by_id = {r.pk: r for r in reqs}

    def pairs_of(req: _Req) -> list[tuple[int, str, str]]:
        """A requirement's own pairs, else its nearest ancestor's (HIPAA maps standards, and
        their implementation specifications share that mapping)."""
        node: _Req | None = req
        while node is not None:
            if node.pk in by_source:
                return by_source[node.pk]
            node = by_id.get(node.parent_id) if node.parent_id else None
        return []

    results: list[RequirementCoverage] = []
    for req in reqs:
        mine = own[req.pk]
        heading = req.pk in parents and req.kind not in JUDGED_KINDS
        if heading and req.pk not in by_source and not mine.controls:
            continue  # a heading (function, category, theme): rolled up, not judged
        verdict, source, because = _judge(mine)
        mapped: list[MappedRef] = []
        mapped_pairs = [
            (targets[t], rel, prov, target_verdicts[t])
            for t, rel, prov in pairs_of(req)
            if t in targets
        ]
        for target, rel, prov, tv in mapped_pairs:
            mapped.append(
                MappedRef(target.framework.short_name, target.ref, target.title, rel, prov, tv)
            )
        if source == "none":
            if mapped_pairs:
                verdict, because = _by_mapping(mapped_pairs)
                source = "mapping"
                because += [
                    f"{m.framework} {m.ref} ({m.relationship}): {VERDICT_LABELS[m.verdict]}."
                    for m in mapped
                ]
            else:
                because = ["No control, status or mapped requirement yet."]
        results.append(
            RequirementCoverage(
                id=req.pk,
                ref=req.ref,
                title=req.title,
                kind=req.kind,
                parent_id=req.parent_id,
                verdict=verdict,
                source=source,
                because=because,
                controls=mine.controls,
                evidence=mine.evidence,
                mapped=mapped,
            )
        )
    return Coverage(
        framework=framework,
        as_of=timezone.now(),
        requirements=results,
        rollups=_rollups(reqs, results),
        totals=Rollup(framework.short_name, framework.name, "framework", 0, _count(results)),
    )


def _count(items: Iterable[RequirementCoverage]) -> dict[str, int]:
    counts = Counter(r.verdict for r in items)
    return {v: counts.get(v, 0) for v in VERDICTS}


def _rollups(reqs: list[_Req], leaves: list[RequirementCoverage]) -> list[Rollup]:
    """Counts per requirement that has children (functions, categories, standards, themes,
    SP 800-53's families; not a control over its enhancements)."""
    by_id = {r.pk: r for r in reqs}
    under: dict[int, list[RequirementCoverage]] = {}
    for leaf in leaves:
        parent = leaf.parent_id
        while parent is not None and parent in by_id:
            under.setdefault(parent, []).append(leaf)
            parent = by_id[parent].parent_id
    return [
        Rollup(r.ref, r.title, r.kind, r.depth, _count(under[r.pk]))
        for r in reqs
        if r.pk in under and r.kind not in JUDGED_KINDS  # a control is judged, not a group
    ]
