"""Reads for the evidence library. Each takes the actor and owns its joins.

Freshness is an annotation (:func:`with_freshness`), so lists, filters and counts stay one
query whatever the number of items. Other apps (SoA, risks, readiness, the audit pack, My work)
read evidence only through the functions here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import IO, Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone
from django.utils.text import slugify

from openisms.catalog.models import Requirement
from openisms.core.exports import PackFile
from openisms.evidence.models import EvidenceItem, EvidenceLink, EvidenceVersion, Freshness
from openisms.orgs.access import Actor, get_scoped_or_404, scoped
from openisms.reports.cells import safe_cell
from openisms.risks.models import Risk

FRAMEWORK = "iso27001-2022"
FRESHNESS_KEYS = tuple(Freshness.values)  # current, due_soon, expired
_RANK = {"expired": 1, "due_soon": 2, "current": 3}


def due_soon_days() -> int:
    return int(getattr(settings, "OPENISMS_EVIDENCE_DUE_SOON_DAYS", 30))


def _freshness_conditions(prefix: str, today: dt.date) -> tuple[Q, Q]:
    """(expired, due soon) conditions on an item reached through ``prefix``.

    Expired: valid until a day before today. Due soon: valid until, or to be reviewed by, a day
    within the next N days (an overdue review counts as due soon: it needs doing now).
    """
    soon = today + dt.timedelta(days=due_soon_days())
    expired = Q(**{f"{prefix}valid_until__lt": today})
    due = Q(**{f"{prefix}valid_until__lte": soon}) | Q(**{f"{prefix}next_review_on__lte": soon})
    return expired, due


def freshness_expr(prefix: str = "", today: dt.date | None = None) -> Case:
    expired, due = _freshness_conditions(prefix, today or timezone.localdate())
    return Case(
        When(expired, then=Value(Freshness.EXPIRED.value)),
        When(due, then=Value(Freshness.DUE_SOON.value)),
        default=Value(Freshness.CURRENT.value),
        output_field=CharField(),
    )


def _rank_expr(prefix: str, today: dt.date | None = None) -> Case:
    expired, due = _freshness_conditions(prefix, today or timezone.localdate())
    return Case(
        When(expired, then=Value(_RANK["expired"])),
        When(due, then=Value(_RANK["due_soon"])),
        default=Value(_RANK["current"]),
        output_field=IntegerField(),
    )


def with_freshness(
    qs: QuerySet[EvidenceItem], today: dt.date | None = None
) -> QuerySet[EvidenceItem]:
    """Annotate ``freshness`` ("current", "due_soon" or "expired") on items."""
    return qs.annotate(freshness=freshness_expr("", today))


def _links() -> QuerySet[EvidenceLink]:
    return EvidenceLink.objects.select_related("requirement", "risk", "control").order_by(
        "requirement__position", "risk__ref"
    )


def _base(actor: Actor) -> QuerySet[EvidenceItem]:
    return with_freshness(
        scoped(actor, EvidenceItem).select_related("owner", "current_version__uploaded_by")
    ).prefetch_related(Prefetch("links", queryset=_links(), to_attr="all_links"))


def normalise_ref(ref: str) -> str:
    """'a.5.15' -> 'A.5.15'; '5.15' stays a clause ref (clauses and controls share numbers)."""
    text = ref.strip()
    return "A." + text[2:] if text[:2].lower() == "a." else text


def evidence_list(
    *,
    actor: Actor,
    freshness: str | None = None,
    requirement: str | None = None,
    risk: int | None = None,
    owner: str | None = None,
    kind: str | None = None,
    q: str = "",
) -> QuerySet[EvidenceItem]:
    """Items, newest first, with ``freshness`` and their links (``item.all_links``).

    ``requirement`` is a ref ("A.5.15", "9.2"); ``owner`` an e-mail or 'none'; ``q`` searches
    the reference, title, description, URL and file names.
    """
    qs = _base(actor)
    if freshness in FRESHNESS_KEYS:
        qs = qs.filter(Q(freshness=freshness))
    if kind in ("file", "link"):
        qs = qs.filter(kind=kind)
    if requirement:
        links = scoped(actor, EvidenceLink).filter(
            item_id=OuterRef("pk"),
            requirement__framework__slug=FRAMEWORK,
            requirement__ref=normalise_ref(requirement),
        )
        qs = qs.filter(Exists(links))
    if risk:
        qs = qs.filter(
            Exists(scoped(actor, EvidenceLink).filter(item_id=OuterRef("pk"), risk_id=risk))
        )
    if owner:
        if owner == "none":
            qs = qs.filter(owner__isnull=True)
        else:
            qs = qs.filter(owner__email=owner.strip().lower())
    text = q.strip()
    if text:
        match = (
            Q(title__icontains=text)
            | Q(description__icontains=text)
            | Q(url__icontains=text)
            | Q(current_version__original_name__icontains=text)
        )
        number = text.upper().removeprefix("EV-").removeprefix("EV")
        if number.isdigit():
            match |= Q(number=int(number))
        qs = qs.filter(match)
    return qs.order_by("-number")


def evidence_get(*, actor: Actor, item_id: int) -> EvidenceItem:
    """One item with its versions (newest first, uploader joined) and links."""
    versions = scoped(actor, EvidenceVersion).select_related("uploaded_by").order_by("-number")
    qs = _base(actor).prefetch_related(
        Prefetch("versions", queryset=versions, to_attr="all_versions")
    )
    return get_scoped_or_404(qs, pk=item_id)


def version_get(*, actor: Actor, item_id: int, number: int) -> EvidenceVersion:
    qs = scoped(actor, EvidenceVersion).select_related("item")
    return get_scoped_or_404(qs, item_id=item_id, number=number)


def links_of(item: EvidenceItem) -> list[EvidenceLink]:
    """The item's links (needs the prefetch of :func:`evidence_list` / :func:`evidence_get`)."""
    return list(getattr(item, "all_links", []))


def grouped_links(item: EvidenceItem) -> dict[str, list[EvidenceLink]]:
    """Links as Annex A controls, clauses, register controls and risks, each in catalogue or
    register order."""
    groups: dict[str, list[EvidenceLink]] = {
        "controls": [],
        "clauses": [],
        "register": [],
        "risks": [],
    }
    for link in links_of(item):
        if link.risk_id:
            groups["risks"].append(link)
        elif link.control_id:
            groups["register"].append(link)
        elif link.requirement is not None and link.requirement.kind == "control":
            groups["controls"].append(link)
        else:
            groups["clauses"].append(link)
    return groups


def freshness_counts(*, actor: Actor) -> dict[str, int]:
    """How many items are current, due soon and expired: one query, each item counted once."""
    aggregates = {f"n_{key}": Count("id", filter=Q(freshness=key)) for key in FRESHNESS_KEYS}
    result = with_freshness(scoped(actor, EvidenceItem)).aggregate(**aggregates)
    return {key: int(result[f"n_{key}"] or 0) for key in FRESHNESS_KEYS}


def requirement_evidence_status(*, actor: Actor) -> dict[int, str]:
    """Requirement id -> the best freshness among the items linked to it (one query).

    Requirements without evidence are absent: "no evidence" is for the caller to show.
    """
    rows = (
        scoped(actor, EvidenceLink)
        .filter(requirement__isnull=False)
        .order_by()
        .values("requirement_id")
        .annotate(best=Max(_rank_expr("item__")))
    )
    names = {rank: name for name, rank in _RANK.items()}
    return {row["requirement_id"]: names[row["best"]] for row in rows}


def _linked(actor: Actor, **target: Any) -> list[EvidenceItem]:
    links = scoped(actor, EvidenceLink).filter(item_id=OuterRef("pk"), **target)
    return list(
        with_freshness(scoped(actor, EvidenceItem).select_related("owner", "current_version"))
        .filter(Exists(links))
        .order_by("-number")
    )


def evidence_for_requirement(*, actor: Actor, requirement: Any) -> list[EvidenceItem]:
    """Items linked to one catalogue requirement (a Requirement or its id), with freshness."""
    return _linked(actor, requirement_id=getattr(requirement, "pk", requirement))


def evidence_for_control(*, actor: Actor, control: Any) -> list[EvidenceItem]:
    """Items linked to one control of the register (a Control or its id), with freshness."""
    return _linked(actor, control_id=getattr(control, "pk", control))


def evidence_for_requirements(*, actor: Actor, requirement_ids: list[int]) -> list[EvidenceItem]:
    """Items linked to any of these catalogue requirements, with freshness."""
    return _linked(actor, requirement_id__in=requirement_ids) if requirement_ids else []


def evidence_for_risk(*, actor: Actor, risk: Any) -> list[EvidenceItem]:
    """Items linked to one risk (a Risk or its id), with freshness."""
    return _linked(actor, risk_id=getattr(risk, "pk", risk))


def duplicate_of(*, actor: Actor, sha256: str) -> EvidenceVersion | None:
    """The stored version that already holds these bytes in the organisation, if any."""
    return (
        scoped(actor, EvidenceVersion)
        .filter(sha256=sha256)
        .select_related("item")
        .order_by("pk")
        .first()
    )


# --- the audit pack -------------------------------------------------------------------------


def pack_path(item: EvidenceItem) -> str:
    """Where the item's current file goes in the audit pack (file items only)."""
    version = item.current_version
    if version is None:
        return ""
    slug = slugify(item.title)[:60] or "evidence"
    return f"evidence/{item.ref}-{slug}/{version.original_name}"


def _opener(name: str) -> Callable[[], IO[bytes]]:
    def open_file() -> IO[bytes]:
        return default_storage.open(name, "rb")

    return open_file


def pack_files(*, actor: Actor) -> list[PackFile]:
    """The current version of every file item, for the audit pack (one query)."""
    items = (
        scoped(actor, EvidenceItem)
        .filter(kind="file", current_version__isnull=False)
        .select_related("current_version")
        .order_by("number")
    )
    files = []
    for item in items:
        version = item.current_version
        assert version is not None
        files.append(
            PackFile(
                path=pack_path(item),
                sha256=version.sha256,
                size=version.size,
                open=_opener(str(version.file.name)),
            )
        )
    return files


INDEX_HEADER = [
    "Ref",
    "Title",
    "Kind",
    "Link URL",
    "Owner",
    "Collected",
    "Valid until",
    "Freshness",
    "Controls",
    "Clauses",
    "Risks",
    "Current version",
    "SHA-256",
    "Path in pack",
]


def evidence_index(*, actor: Actor) -> tuple[list[str], list[list[str]]]:
    """The evidence register as a table (header, rows), two queries.

    Text cells already pass through ``safe_cell``, so a title that starts with "=" cannot act
    as a formula in the spreadsheet that shows the index.
    """
    items = evidence_list(actor=actor).order_by("number")
    rows = []
    for item in items:
        groups = grouped_links(item)
        version = item.current_version
        cells = [
            item.ref,
            item.title,
            item.kind,
            item.url,
            item.owner.email if item.owner else "",
            item.collected_on.isoformat(),
            item.valid_until.isoformat() if item.valid_until else "",
            str(getattr(item, "freshness", "")),
            ", ".join(link.requirement.ref for link in groups["controls"] if link.requirement),
            ", ".join(link.requirement.ref for link in groups["clauses"] if link.requirement),
            ", ".join(link.risk.ref for link in groups["risks"] if link.risk),
            str(version.number) if version else "",
            version.sha256 if version else "",
            pack_path(item),
        ]
        rows.append([safe_cell(c) for c in cells])
    return list(INDEX_HEADER), rows


def risk_choices(*, actor: Actor) -> list[tuple[int, str]]:
    """The organisation's risks for a link picker: (id, "R-001 Title")."""
    risks = scoped(actor, Risk).only("id", "ref", "title").order_by("ref")
    return [(r.pk, f"{r.ref} {r.title}") for r in risks]


def focus_requirement(ref: str | None) -> Any:
    """The catalogue requirement a list is filtered by (for its heading), or None."""
    if not ref:
        return None
    return Requirement.objects.filter(
        framework__slug=FRAMEWORK, ref=normalise_ref(ref), kind__in=("control", "clause")
    ).first()
