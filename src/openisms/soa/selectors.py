"""Reads for the Statement of Applicability. Each takes the actor and owns its joins."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    CharField,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    StringAgg,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Coalesce

from openisms.catalog.models import Framework
from openisms.context.models import PartyRequirement
from openisms.orgs.access import Actor, get_scoped_or_404, scoped
from openisms.risks.models import Risk
from openisms.soa.fields import ENTRY_FIELDS
from openisms.soa.models import (
    REASONS,
    SoaEntry,
    SoaStatus,
    SoaVersion,
    TrackedFramework,
    soa_framework,
)

PLANNED = Risk.planned_controls.through
CITED = SoaEntry.cited_requirements.through
REASON_KEYS = tuple(key for key, _ in REASONS)


def _planned(actor: Actor) -> QuerySet[Any]:
    """Links (risk, requirement) of the actor's organisation's risks."""
    return PLANNED.objects.filter(risk__org=actor.org)


def _risk_count(actor: Actor) -> Coalesce:
    counts = (
        _planned(actor)
        .filter(requirement_id=OuterRef("requirement_id"))
        .order_by()
        .values("requirement_id")
        .annotate(n=Count("risk_id"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


def with_risks(actor: Actor, qs: QuerySet[SoaEntry]) -> QuerySet[SoaEntry]:
    """Prefetch the organisation's risks planning each row's control: one query per page.

    The refs end up on ``entry.requirement.org_risks`` (see :func:`risks_of`).
    """
    risks = scoped(actor, Risk).only("id", "ref", "title").order_by("ref")
    return qs.prefetch_related(
        Prefetch("requirement__treating_risks", queryset=risks, to_attr="org_risks")
    )


def _cited(field: str) -> Subquery:
    """The row's cited requirements as one comma-separated text (any order): a column of
    the row's own query, so lists, pages and snapshots read citations without a query more."""
    links = (
        CITED.objects.filter(soaentry_id=OuterRef("pk"))  # type: ignore[misc]
        .order_by()
        .values("soaentry_id")
        .annotate(s=StringAgg(Cast(field, CharField()), Value(",")))
        .values("s")
    )
    return Subquery(links, output_field=CharField())


def _numbers(text: str | None) -> list[int]:
    """The aggregated text back as sorted numbers (SQLite cannot order inside the aggregate)."""
    return sorted(int(n) for n in (text or "").split(",") if n.strip())


def cited_ids_of(entry: SoaEntry) -> list[int]:
    """Ids of the requirements the row cites (from the selectors' annotation)."""
    return _numbers(getattr(entry, "cited_ids", None))


def cited_refs_of(entry: SoaEntry) -> list[str]:
    return [PartyRequirement(number=n).ref for n in _numbers(getattr(entry, "cited_numbers", None))]


def cited_of(entry: SoaEntry) -> list[PartyRequirement]:
    """The cited requirements with their parties, for the row page: a query only when the row
    cites any."""
    ids = cited_ids_of(entry)
    if not ids:
        return []
    qs = PartyRequirement.objects.filter(org_id=entry.org_id, pk__in=ids)
    return list(qs.select_related("party").order_by("number"))


def risks_of(entry: SoaEntry) -> list[Risk]:
    """The risks planning the entry's control (needs :func:`with_risks` on its queryset)."""
    return list(getattr(entry.requirement, "org_risks", []))


def _base(actor: Actor) -> QuerySet[SoaEntry]:
    return (
        scoped(actor, SoaEntry)
        .filter(requirement__framework__slug=soa_framework())
        .select_related("requirement", "owner")
        .annotate(
            risk_count=_risk_count(actor),
            cited_ids=_cited("partyrequirement_id"),
            cited_numbers=_cited("partyrequirement__number"),
        )
    )


def soa_list(
    *,
    actor: Actor,
    kind: str = "control",
    theme: str | None = None,
    applicable: bool | str | None = None,
    status: str | None = None,
    owner: str | None = None,
    q: str = "",
    reason: str | None = None,
) -> QuerySet[SoaEntry]:
    """Rows of the working SoA, in catalogue order, annotated with ``risk_count``.

    ``reason`` is one of risk_treatment, legal_regulatory, contractual, business or 'none'
    (an applicable row that states no reason); ``owner`` an e-mail or 'none'.
    """
    qs = _base(actor).filter(requirement__kind="clause" if kind == "clause" else "control")
    if theme:
        qs = qs.filter(requirement__theme=theme)
    if isinstance(applicable, str):
        applicable = {"yes": True, "true": True, "no": False, "false": False}.get(
            applicable.strip().lower()
        )
    if applicable is not None:
        qs = qs.filter(applicable=applicable)
    if status:
        qs = qs.filter(status=status)
    if owner:
        if owner == "none":
            qs = qs.filter(owner__isnull=True)
        else:
            qs = qs.filter(owner__email=owner.strip().lower())
    if q.strip():
        text = q.strip()
        ref = text if text.startswith("A.") or kind == "clause" else f"A.{text}"
        qs = qs.filter(
            Q(requirement__ref__iexact=ref)
            | Q(requirement__ref__iexact=text)
            | Q(requirement__title__icontains=text)
            | Q(implementation__icontains=text)
            | Q(justification__icontains=text)
        )
    if reason == "risk_treatment":
        qs = qs.filter(Q(risk_count__gt=0))
    elif reason in ("legal_regulatory", "contractual", "business"):
        qs = qs.filter(**{reason: True})
    elif reason == "none":
        qs = qs.filter(
            Q(risk_count=0),
            applicable=True,
            legal_regulatory=False,
            contractual=False,
            business=False,
        )
    return qs.order_by("requirement__position")


def soa_get(*, actor: Actor, entry_id: int) -> SoaEntry:
    return get_scoped_or_404(with_risks(actor, _base(actor)), pk=entry_id)


def soa_entries(*, actor: Actor, ids: list[int]) -> list[SoaEntry]:
    """Rows chosen for a bulk change (unknown or foreign ids are simply not found)."""
    return list(_base(actor).filter(pk__in=ids).order_by("requirement__position"))


def soa_counts(*, actor: Actor, kind: str = "control") -> dict[str, int]:
    """Totals for the page header, in one query."""
    planned = Exists(_planned(actor).filter(requirement_id=OuterRef("requirement_id")))
    qs = (
        scoped(actor, SoaEntry)
        .filter(
            requirement__framework__slug=soa_framework(),
            requirement__kind="clause" if kind == "clause" else "control",
        )
        .annotate(is_planned=planned)
    )
    aggregates: dict[str, Any] = {
        "total": Count("id"),
        "applicable": Count("id", filter=Q(applicable=True)),
        "excluded": Count("id", filter=Q(applicable=False)),
        "risk_treatment": Count("id", filter=Q(is_planned=True)),
        "excluded_but_planned": Count("id", filter=Q(is_planned=True, applicable=False)),
    }
    for value, _ in SoaStatus.choices:
        aggregates[value] = Count("id", filter=Q(status=value))
    # Aliases that cannot clash with field names; the keys are given back unprefixed.
    result = qs.aggregate(**{f"n_{k}": v for k, v in aggregates.items()})
    return {k[2:]: v for k, v in result.items()}


def soa_themes(*, actor: Actor) -> list[str]:
    return sorted(
        set(
            scoped(actor, SoaEntry)
            .filter(requirement__framework__slug=soa_framework(), requirement__kind="control")
            .exclude(requirement__theme="")
            .values_list("requirement__theme", flat=True)
            .distinct()
        )
    )


def framework_name(*, slug: str) -> str:
    """The catalogue's display name for a framework (shared catalogue data, not org data)."""
    name = Framework.objects.filter(slug=slug).values_list("name", flat=True).first()
    return name or slug


# --- tracked frameworks and their assessments ------------------------------------------------


def tracked_list(*, actor: Actor) -> dict[int, TrackedFramework]:
    """The organisation's tracked frameworks by framework id, with who started tracking."""
    rows = scoped(actor, TrackedFramework).select_related("framework", "started_by")
    return {t.framework_id: t for t in rows}


def assessments_by_requirement(*, actor: Actor, requirement_ids: list[int]) -> dict[int, SoaEntry]:
    """The organisation's assessment rows of these requirements, with who overrode them."""
    rows = (
        scoped(actor, SoaEntry)
        .filter(requirement_id__in=requirement_ids)
        .select_related("override_by")
    )
    return {e.requirement_id: e for e in rows}


def assessment_for_requirement(*, actor: Actor, requirement_id: int) -> SoaEntry:
    """The assessment row of one requirement (404 when the organisation has none)."""
    qs = scoped(actor, SoaEntry).select_related("requirement__framework", "override_by")
    return get_scoped_or_404(qs, requirement_id=requirement_id)


def tracked_assessments(*, actor: Actor) -> QuerySet[SoaEntry]:
    """Every assessment row of the frameworks the organisation tracks, by framework and in
    catalogue order, with requirement, framework, owner and who overrode it (one query)."""
    tracked = scoped(actor, TrackedFramework).values("framework_id")
    return (
        scoped(actor, SoaEntry)
        .filter(requirement__framework_id__in=Subquery(tracked))
        .select_related("requirement__framework", "owner", "override_by")
        .order_by("requirement__framework__slug", "requirement__position")
    )


def latest_approved(*, actor: Actor) -> SoaVersion | None:
    """The latest approved version with its snapshot (one query)."""
    return (
        scoped(actor, SoaVersion)
        .filter(state=SoaVersion.State.APPROVED)
        .select_related("approved_by")
        .order_by("-number")
        .first()
    )


# --- the snapshot rows ----------------------------------------------------------------------


def entry_row(entry: SoaEntry) -> dict[str, Any]:
    """One row as versions store it (needs :func:`with_risks` and owner joined)."""
    requirement = entry.requirement
    refs = [r.ref for r in risks_of(entry)]
    return {
        "ref": requirement.ref,
        "kind": requirement.kind,
        "title": requirement.title,
        "theme": requirement.theme,
        "applicable": entry.applicable,
        "reasons": {
            "risk_treatment": bool(refs),
            "risks": refs,
            "legal_regulatory": entry.legal_regulatory,
            "contractual": entry.contractual,
            "business": entry.business,
        },
        "justification": entry.justification,
        "status": entry.status,
        "owner": entry.owner.email if entry.owner else None,
        "target_date": entry.target_date.isoformat() if entry.target_date else None,
        "implementation": entry.implementation,
        "cited": cited_refs_of(entry),
    }


def working_rows(*, actor: Actor) -> list[dict[str, Any]]:
    """Every live row (clauses and controls) as a snapshot would freeze it: two queries.

    Plain values rather than model instances (same dicts as :func:`entry_row`): submitting and
    exporting a 1,500-control SoA would otherwise spend most of its time building objects.
    """
    risk_refs: dict[int, list[str]] = {}
    links = (
        scoped(actor, Risk)
        .filter(planned_controls__isnull=False)
        .order_by("ref")
        .values_list("planned_controls", "ref")
    )
    for requirement_id, ref in links:
        risk_refs.setdefault(requirement_id, []).append(ref)
    rows = (
        scoped(actor, SoaEntry)
        .filter(requirement__framework__slug=soa_framework())
        .annotate(cited_numbers=_cited("partyrequirement__number"))
        .order_by("requirement__position")
        .values(
            "requirement_id",
            "requirement__ref",
            "requirement__kind",
            "requirement__title",
            "requirement__theme",
            "applicable",
            "legal_regulatory",
            "contractual",
            "business",
            "justification",
            "status",
            "owner__email",
            "target_date",
            "implementation",
            "cited_numbers",
        )
    )
    out = []
    for row in rows:
        refs = risk_refs.get(row["requirement_id"], [])
        out.append(
            {
                "ref": row["requirement__ref"],
                "kind": row["requirement__kind"],
                "title": row["requirement__title"],
                "theme": row["requirement__theme"],
                "applicable": row["applicable"],
                "reasons": {
                    "risk_treatment": bool(refs),
                    "risks": list(refs),
                    "legal_regulatory": row["legal_regulatory"],
                    "contractual": row["contractual"],
                    "business": row["business"],
                },
                "justification": row["justification"],
                "status": row["status"],
                "owner": row["owner__email"],
                "target_date": row["target_date"].isoformat() if row["target_date"] else None,
                "implementation": row["implementation"],
                "cited": [PartyRequirement(number=n).ref for n in _numbers(row["cited_numbers"])],
            }
        )
    return out


# --- versions -------------------------------------------------------------------------------


def version_list(*, actor: Actor, state: str | None = None) -> QuerySet[SoaVersion]:
    qs = (
        scoped(actor, SoaVersion)
        .select_related("submitted_by", "approved_by", "rejected_by")
        .defer("snapshot")
    )
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-number")


def version_get(*, actor: Actor, version_id: int) -> SoaVersion:
    qs = scoped(actor, SoaVersion).select_related("submitted_by", "approved_by", "rejected_by")
    return get_scoped_or_404(qs, pk=version_id)


def version_by_number(*, actor: Actor, number: int) -> SoaVersion:
    qs = scoped(actor, SoaVersion).select_related("submitted_by", "approved_by", "rejected_by")
    return get_scoped_or_404(qs, number=number)


def current_approved(*, actor: Actor) -> SoaVersion | None:
    """The current approved SoA: the latest approved version (without its snapshot)."""
    return version_list(actor=actor, state=SoaVersion.State.APPROVED).first()


def pending_version(*, actor: Actor) -> SoaVersion | None:
    return version_list(actor=actor, state=SoaVersion.State.SUBMITTED).first()


# --- comparing versions ---------------------------------------------------------------------

# A row's identity and derived reasons, then every field a change may set (in that order).
DIFF_FIELDS = (
    "title",
    "theme",
    "applicable",
    "risk_treatment",
    "risks",
    *(name for name in ENTRY_FIELDS if name != "applicable"),
)


def flatten(row: dict[str, Any]) -> dict[str, Any]:
    """A snapshot row with its reasons as top-level fields (risk refs as one text)."""
    reasons = row.get("reasons", {})
    flat = {k: v for k, v in row.items() if k != "reasons"}
    for key in ("risk_treatment", "legal_regulatory", "contractual", "business"):
        flat[key] = bool(reasons.get(key, False))
    flat["risks"] = ", ".join(reasons.get("risks", []))
    return flat


@dataclass
class FieldChange:
    field: str
    old: Any
    new: Any


@dataclass
class RowDiff:
    ref: str
    kind: str
    title: str
    change: str  # added, removed, changed
    fields: list[FieldChange] = field(default_factory=list)


@dataclass
class VersionDiff:
    first: SoaVersion
    second: SoaVersion | None  # None: the working SoA
    rows: list[RowDiff]

    @property
    def second_label(self) -> str:
        return f"version {self.second.number}" if self.second else "the working SoA"


def diff_rows(old_rows: list[dict[str, Any]], new_rows: list[dict[str, Any]]) -> list[RowDiff]:
    """Row by row (matched by ref) and field by field; unchanged rows are left out."""
    old = {r["ref"]: flatten(r) for r in old_rows}
    new = {r["ref"]: flatten(r) for r in new_rows}
    order = [r["ref"] for r in new_rows] + [r["ref"] for r in old_rows if r["ref"] not in new]
    out = []
    for ref in order:
        before, after = old.get(ref), new.get(ref)
        if before is None and after is not None:
            out.append(RowDiff(ref, after.get("kind", ""), after["title"], "added"))
        elif after is None and before is not None:
            out.append(RowDiff(ref, before.get("kind", ""), before["title"], "removed"))
        elif before is not None and after is not None:
            changes = [
                FieldChange(name, before.get(name), after.get(name))
                for name in DIFF_FIELDS
                if before.get(name) != after.get(name)
            ]
            if changes:
                out.append(RowDiff(ref, after.get("kind", ""), after["title"], "changed", changes))
    return out


def version_diff(
    *, actor: Actor, first: SoaVersion, second: SoaVersion | None = None
) -> VersionDiff:
    """Compare two versions' snapshots, or a version with the working rows (second=None)."""
    new_rows = second.rows if second is not None else working_rows(actor=actor)
    return VersionDiff(first, second, diff_rows(first.rows, new_rows))
