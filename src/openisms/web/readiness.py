"""The readiness dashboard: how far the ISMS is from certification, computed in a fixed number
of queries.

Everything comes from a handful of flat ``values()`` reads (the SoA rows, the catalogue's
attribute rows, the risk and evidence and task counters) and is then grouped in Python, so the
page costs the same whether the organisation has ten owners or a thousand risks. The
percentages count applicable rows only: an excluded control is neither done nor missing.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.utils import timezone

from openisms.catalog.loader import DATA_DIR
from openisms.catalog.models import RequirementAttribute
from openisms.catalog.selectors import FACET_KEYS, FACET_LABELS
from openisms.evidence import selectors as evidence_selectors
from openisms.orgs.access import Actor, scoped
from openisms.risks import selectors as risk_selectors
from openisms.soa.models import SoaEntry, SoaStatus, soa_framework
from openisms.soa.selectors import soa_counts
from openisms.work import selectors as work_selectors

# Progress order, most done first; "not applicable" is counted apart as excluded.
PROGRESS = (
    SoaStatus.IMPLEMENTED,
    SoaStatus.PARTIALLY_IMPLEMENTED,
    SoaStatus.PLANNED,
    SoaStatus.NOT_STARTED,
)
STATUS_LABELS = dict(SoaStatus.choices)
ATTENTION_SIZE = 10
NOBODY = ""  # the owner key of rows nobody owns
UNASSESSED = "Not assessed"
UNASSESSED_COLOUR = "#8796a5"
# Donut geometry: a circle whose circumference is 100 user units, so dash lengths are percents.
DONUT_RADIUS = "15.9155"


@dataclass(frozen=True)
class Segment:
    """One piece of a stacked bar or donut, in percent of the applicable rows (as text, so the
    template writes SVG numbers without localisation)."""

    status: str
    label: str
    count: int
    x: str
    width: str
    dasharray: str
    dashoffset: str


@dataclass
class Breakdown:
    """Rows per status. ``applicable`` excludes the rows marked not applicable."""

    implemented: int = 0
    partially_implemented: int = 0
    planned: int = 0
    not_started: int = 0
    excluded: int = 0

    def add(self, status: str) -> None:
        if status == SoaStatus.NOT_APPLICABLE:
            self.excluded += 1
        elif status in STATUS_LABELS:
            setattr(self, status, getattr(self, status) + 1)

    @property
    def applicable(self) -> int:
        return self.implemented + self.partially_implemented + self.planned + self.not_started

    @property
    def total(self) -> int:
        return self.applicable + self.excluded

    @property
    def percent(self) -> int | None:
        """Implemented share of the applicable rows, rounded down (100 only when all are done);
        None when nothing is applicable."""
        if not self.applicable:
            return None
        return self.implemented * 100 // self.applicable

    def count(self, status: str) -> int:
        return int(getattr(self, status, 0))

    @property
    def by_status(self) -> list[tuple[str, str, int]]:
        """(status, label, count) for the applicable statuses, most advanced first."""
        return [(str(s), STATUS_LABELS[s], self.count(s)) for s in PROGRESS]

    @property
    def segments(self) -> list[Segment]:
        """The applicable rows by status, as bar/donut pieces that add up to 100."""
        out: list[Segment] = []
        if not self.applicable:
            return out
        start = 0.0
        for status in PROGRESS:
            n = self.count(status)
            width = n * 100 / self.applicable
            if n:
                out.append(
                    Segment(
                        status=str(status),
                        label=STATUS_LABELS[status],
                        count=n,
                        x=f"{start:.2f}",
                        width=f"{width:.2f}",
                        dasharray=f"{width:.3f} {100 - width:.3f}",
                        # Start at twelve o'clock and run clockwise.
                        dashoffset=f"{(25 - start) % 100:.3f}",
                    )
                )
            start += width
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "implemented": self.implemented,
            "partially_implemented": self.partially_implemented,
            "planned": self.planned,
            "not_started": self.not_started,
            "excluded": self.excluded,
            "applicable": self.applicable,
            "percent_implemented": self.percent,
        }


@dataclass
class Group:
    """The breakdown of the controls sharing a theme, an attribute value or an owner."""

    key: str
    label: str
    counts: Breakdown = field(default_factory=Breakdown)
    with_current_evidence: int = 0  # applicable rows of the group with current evidence
    behind: int = 0  # rows of the group on the attention list


@dataclass
class AttributeSet:
    key: str
    label: str
    groups: list[Group]


@dataclass
class Attention:
    """An applicable control or clause that is behind, and why."""

    entry_id: int
    ref: str
    kind: str
    title: str
    status: str
    owner: str | None
    target_date: dt.date | None
    days_overdue: int  # 0 when the target date has not passed (or there is none)
    reasons: list[str]

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)


@dataclass
class RiskBand:
    name: str
    colour: str
    count: int


@dataclass
class RiskSummary:
    total: int
    residual: list[RiskBand]  # by residual level, in the method's band order; then unassessed
    above_threshold_without_acceptance: int
    overdue_actions: int

    @property
    def not_assessed(self) -> int:
        return sum(b.count for b in self.residual if b.name == UNASSESSED)


@dataclass
class EvidenceSummary:
    current: int
    due_soon: int
    expired: int
    controls_without_current: int  # applicable controls with no current evidence linked
    controls_applicable: int

    @property
    def total(self) -> int:
        return self.current + self.due_soon + self.expired


@dataclass
class TaskSummary:
    open: int
    overdue: int
    due_soon: int


@dataclass
class Readiness:
    as_of: dt.date
    controls: Breakdown
    clauses: Breakdown
    themes: list[Group]
    attributes: list[AttributeSet]
    owners: list[Group]
    evidence: EvidenceSummary
    tasks: TaskSummary
    risks: RiskSummary
    attention: list[Attention]
    attention_total: int
    no_owner: int  # applicable rows (controls and clauses) without an owner
    overdue_targets: int  # applicable rows not implemented whose target date has passed

    @property
    def has_rows(self) -> bool:
        return bool(self.controls.total or self.clauses.total)


@cache
def attribute_vocabulary(slug: str) -> dict[str, list[str]]:
    """The order ISO/IEC 27002 lists each attribute's values in (Identify before Protect ...),
    from the shipped data file; the database keeps the values but not their order."""
    try:
        doc = json.loads((DATA_DIR / f"{slug}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    vocabulary = doc.get("attribute_vocabulary", {})
    return {k: list(v) for k, v in vocabulary.items() if isinstance(v, list)}


def _ordered(key: str, values: Iterable[str]) -> list[str]:
    known = attribute_vocabulary(soa_framework()).get(key, [])
    rank = {v: i for i, v in enumerate(known)}
    return sorted(values, key=lambda v: (rank.get(v, len(known)), v))


def _rows(actor: Actor) -> list[dict[str, Any]]:
    """Every live SoA row with what the dashboard needs, in catalogue order (one query)."""
    rows: Any = (  # values() rows; typed loosely since they are consumed right here
        scoped(actor, SoaEntry)
        .filter(requirement__framework__slug=soa_framework())
        .order_by("requirement__position")
        .values(
            "id",
            "requirement_id",
            "requirement__ref",
            "requirement__kind",
            "requirement__title",
            "requirement__theme",
            "status",
            "target_date",
            "owner__email",
        )
    )
    return list(rows)


def _attributes() -> dict[int, list[tuple[str, str]]]:
    """Control id -> (attribute key, value) pairs of the shared catalogue (one query)."""
    out: dict[int, list[tuple[str, str]]] = defaultdict(list)
    rows = RequirementAttribute.objects.filter(
        requirement__framework__slug=soa_framework(), requirement__kind="control"
    ).values_list("requirement_id", "key", "value")
    for requirement_id, key, value in rows:
        out[requirement_id].append((key, value))
    return out


def _attention(row: dict[str, Any], today: dt.date) -> Attention | None:
    """Behind: not implemented by its target date, or nobody owns it (an implemented control
    still needs someone to keep it running)."""
    status = row["status"]
    reasons: list[str] = []
    target = row["target_date"]
    days = 0
    if status != SoaStatus.IMPLEMENTED and target is not None and target < today:
        days = (today - target).days
        reasons.append(f"target date passed {days} day{'s' if days != 1 else ''} ago")
    if not row["owner__email"]:
        reasons.append("no owner")
    if not reasons:
        return None
    return Attention(
        entry_id=row["id"],
        ref=row["requirement__ref"],
        kind=row["requirement__kind"],
        title=row["requirement__title"],
        status=status,
        owner=row["owner__email"] or None,
        target_date=target,
        days_overdue=days,
        reasons=reasons,
    )


def _urgency(item: Attention, position: int) -> tuple[int, int, int, int, int]:
    """Overdue first (longest overdue first), then the least advanced, then controls before
    clauses (the clauses have their own panel), then catalogue order."""
    progress = [str(s) for s in reversed(PROGRESS)].index(item.status)
    overdue = 0 if item.days_overdue else 1
    return (overdue, -item.days_overdue, progress, item.kind != "control", position)


def _risks(actor: Actor) -> RiskSummary:
    """Reuses the risk dashboard's selectors: residual levels, acceptance and overdue actions."""
    method = risk_selectors.method_current(actor=actor)
    residual = risk_selectors.level_counts(actor=actor)["residual"]
    bands: list[RiskBand] = []
    known: set[str] = set()
    for band in method.bands if method else []:
        bands.append(RiskBand(band["name"], band["colour"], residual.get(band["name"], 0)))
        known.add(band["name"])
    for name, n in sorted(residual.items()):
        if name not in known and name != UNASSESSED:
            bands.append(RiskBand(name, UNASSESSED_COLOUR, n))  # a level of an older method
    if residual.get(UNASSESSED):
        bands.append(RiskBand(UNASSESSED, UNASSESSED_COLOUR, residual[UNASSESSED]))
    return RiskSummary(
        total=sum(residual.values()),
        residual=bands,
        above_threshold_without_acceptance=risk_selectors.risk_list(
            actor=actor, acceptance="needed"
        ).count(),
        overdue_actions=risk_selectors.action_list(actor=actor, overdue=True).count(),
    )


def readiness(*, actor: Actor) -> Readiness:
    """The whole dashboard (every organisation has its rows from creation)."""
    today = timezone.localdate()
    rows = _rows(actor)
    attributes = _attributes()
    evidence_status = evidence_selectors.requirement_evidence_status(actor=actor)
    freshness = evidence_selectors.freshness_counts(actor=actor)
    tasks = work_selectors.task_counts(actor=actor)

    controls, clauses = Breakdown(), Breakdown()
    themes: dict[str, Group] = {}
    by_attribute: dict[str, dict[str, Group]] = {key: {} for key in FACET_KEYS}
    owners: dict[str, Group] = {}
    candidates: list[tuple[tuple[int, int, int, int, int], Attention]] = []
    no_owner = overdue_targets = without_evidence = 0

    for position, row in enumerate(rows):
        status = row["status"]
        is_control = row["requirement__kind"] == "control"
        applicable = status != SoaStatus.NOT_APPLICABLE
        evidenced = applicable and evidence_status.get(row["requirement_id"]) == "current"
        item = _attention(row, today) if applicable else None
        groups: list[Group] = []
        if is_control:
            controls.add(status)
            theme = row["requirement__theme"] or "other"
            groups.append(themes.setdefault(theme, Group(theme, theme.capitalize())))
            for key, value in attributes.get(row["requirement_id"], []):
                if key in by_attribute:
                    groups.append(
                        by_attribute[key].setdefault(value, Group(value, value.replace("_", " ")))
                    )
            if applicable and not evidenced:
                without_evidence += 1
        else:
            clauses.add(status)
        if applicable:
            email = row["owner__email"] or NOBODY
            groups.append(owners.setdefault(email, Group(email, email or "Nobody")))
            no_owner += not row["owner__email"]
        for group in groups:
            group.counts.add(status)
            group.with_current_evidence += evidenced
            group.behind += item is not None
        if item is not None:
            overdue_targets += item.days_overdue > 0
            candidates.append((_urgency(item, position), item))

    candidates.sort(key=lambda pair: pair[0])
    attribute_sets = [
        AttributeSet(
            key,
            FACET_LABELS[key],
            [by_attribute[key][v] for v in _ordered(key, by_attribute[key])],
        )
        for key in FACET_KEYS
        if by_attribute[key]
    ]
    owner_groups = sorted(
        owners.values(), key=lambda g: (g.key == NOBODY, -g.behind, -g.counts.total, g.key)
    )
    return Readiness(
        as_of=today,
        controls=controls,
        clauses=clauses,
        themes=list(themes.values()),
        attributes=attribute_sets,
        owners=owner_groups,
        evidence=EvidenceSummary(
            current=freshness.get("current", 0),
            due_soon=freshness.get("due_soon", 0),
            expired=freshness.get("expired", 0),
            controls_without_current=without_evidence,
            controls_applicable=controls.applicable,
        ),
        tasks=TaskSummary(
            open=tasks.get("open", 0),
            overdue=tasks.get("overdue", 0),
            due_soon=tasks.get("due_soon", 0),
        ),
        risks=_risks(actor),
        attention=[item for _, item in candidates[:ATTENTION_SIZE]],
        attention_total=len(candidates),
        no_owner=no_owner,
        overdue_targets=overdue_targets,
    )


def summary(*, actor: Actor) -> Breakdown:
    """The headline alone (controls by status), for the organisation dashboard: one query.

    It does not create missing SoA rows; an organisation that never opened its SoA gets zeros.
    """
    counts = soa_counts(actor=actor, kind="control")
    return Breakdown(
        implemented=counts[SoaStatus.IMPLEMENTED],
        partially_implemented=counts[SoaStatus.PARTIALLY_IMPLEMENTED],
        planned=counts[SoaStatus.PLANNED],
        not_started=counts[SoaStatus.NOT_STARTED],
        excluded=counts[SoaStatus.NOT_APPLICABLE],
    )
