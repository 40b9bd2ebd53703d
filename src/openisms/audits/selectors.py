"""Reads for internal audits. Each takes the actor and owns its joins."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from openisms.audits.models import (
    NONCONFORMITY_TYPES,
    Audit,
    AuditProgramme,
    AuditReport,
    AuditStatus,
    ChecklistItem,
    ChecklistResult,
    Finding,
    FindingType,
)
from openisms.catalog.models import Requirement
from openisms.evidence.models import EvidenceItem
from openisms.orgs.access import Actor, get_scoped_or_404, scoped
from openisms.soa import selectors as soa_selectors
from openisms.soa.models import soa_framework

SCOPE = Audit.scope.through
AUDITORS = Audit.auditors.through
THEMES = (
    ("organizational", "Theme 5: organisational controls"),
    ("people", "Theme 6: people controls"),
    ("physical", "Theme 7: physical controls"),
    ("technological", "Theme 8: technological controls"),
)


# --- the catalogue an audit draws on -----------------------------------------------------------


def is_auditable_clause(ref: str) -> bool:
    """A numbered clause such as 4.1 or 6.1.2: the chapter headings (4, 5, ...) have nothing to
    audit of their own, and the lettered items (4.2.a) are audited within their clause."""
    parts = ref.split(".")
    return len(parts) >= 2 and all(p.isdigit() for p in parts)


def auditable_requirements() -> list[Requirement]:
    """Clauses 4 to 10 (numbered) and the Annex A controls of the SoA's framework, in catalogue
    order (one query; shared catalogue content)."""
    rows = Requirement.objects.filter(
        framework__slug=soa_framework(), kind__in=("clause", "control"), retired=False
    ).order_by("position")
    return [r for r in rows if r.kind == "control" or is_auditable_clause(r.ref)]


def resolve_refs(refs: list[str]) -> tuple[list[Requirement], list[str]]:
    """Requirements named by ref ("9.2", "A.5.15"; a bare "5.15" that is no clause is the
    control), and the refs that name none."""
    by_ref = {r.ref: r for r in auditable_requirements()}
    found: list[Requirement] = []
    unknown: list[str] = []
    for raw in refs:
        text = str(raw).strip()
        if not text:
            continue
        req = by_ref.get(text) or by_ref.get(f"A.{text}")
        if text.lower().startswith("a.") and req is None:
            req = by_ref.get(f"A.{text[2:]}")
        if req is None:
            unknown.append(text)
        elif req not in found:
            found.append(req)
    return found, unknown


# --- programmes -------------------------------------------------------------------------------


def programme_list(*, actor: Actor) -> QuerySet[AuditProgramme]:
    return (
        scoped(actor, AuditProgramme)
        .select_related("owner")
        .annotate(
            audit_count=Count("audits", distinct=True),
            completed_count=Count(
                "audits", filter=Q(audits__status=AuditStatus.COMPLETED), distinct=True
            ),
        )
        .order_by("-first_year", "title")
    )


def programme_get(*, actor: Actor, programme_id: int) -> AuditProgramme:
    return get_scoped_or_404(programme_list(actor=actor), pk=programme_id)


@dataclass
class CoverageRow:
    requirement: Requirement
    audits: list[Audit] = field(default_factory=list)

    @property
    def planned(self) -> bool:
        return bool(self.audits)

    @property
    def done(self) -> bool:
        return any(a.status == AuditStatus.COMPLETED for a in self.audits)


@dataclass
class Coverage:
    clauses: list[CoverageRow]
    controls: list[CoverageRow]

    @property
    def unplanned_clauses(self) -> list[CoverageRow]:
        return [r for r in self.clauses if not r.planned]

    @property
    def unplanned_controls(self) -> list[CoverageRow]:
        return [r for r in self.controls if not r.planned]

    def counts(self) -> dict[str, int]:
        return {
            "clauses": len(self.clauses),
            "clauses_planned": sum(1 for r in self.clauses if r.planned),
            "clauses_done": sum(1 for r in self.clauses if r.done),
            "controls": len(self.controls),
            "controls_planned": sum(1 for r in self.controls if r.planned),
            "controls_done": sum(1 for r in self.controls if r.done),
        }


def programme_coverage(*, actor: Actor, programme: AuditProgramme) -> Coverage:
    """Every numbered clause and every applicable Annex A control, each with the programme's
    audits (not cancelled) that cover it; four queries whatever the size."""
    applicable = set(
        soa_selectors.soa_list(actor=actor, kind="control", applicable=True).values_list(
            "requirement_id", flat=True
        )
    )
    audits = {
        a.pk: a
        for a in scoped(actor, Audit)
        .filter(programme=programme)
        .exclude(status=AuditStatus.CANCELLED)
        .order_by("planned_start", "sequence")
    }
    covering: dict[int, list[Audit]] = {}
    links = SCOPE.objects.filter(audit_id__in=list(audits)).order_by(
        "audit__planned_start", "audit__sequence"
    )
    for req_id, audit_id in links.values_list("requirement_id", "audit_id"):
        covering.setdefault(req_id, []).append(audits[audit_id])
    clauses: list[CoverageRow] = []
    controls: list[CoverageRow] = []
    for req in auditable_requirements():
        row = CoverageRow(req, covering.get(req.pk, []))
        if req.kind == "clause":
            clauses.append(row)
        elif req.pk in applicable:
            controls.append(row)
    return Coverage(clauses, controls)


# --- audits -----------------------------------------------------------------------------------


def _audit_base(actor: Actor) -> QuerySet[Audit]:
    return scoped(actor, Audit).select_related("programme", "lead_auditor")


def audit_list(
    *,
    actor: Actor,
    programme: int | None = None,
    status: str | None = None,
    year: int | None = None,
) -> QuerySet[Audit]:
    qs = _audit_base(actor).annotate(
        scope_count=Count("scope", distinct=True),
        finding_count=Count("findings", distinct=True),
    )
    if programme:
        qs = qs.filter(programme_id=programme)
    if status:
        qs = qs.filter(status=status)
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("planned_start", "year", "sequence")


def audit_get(*, actor: Actor, audit_id: int) -> Audit:
    qs = _audit_base(actor).prefetch_related(
        Prefetch("scope", queryset=Requirement.objects.order_by("position")),
        Prefetch("auditors", queryset=_users().order_by("email")),
    )
    return get_scoped_or_404(qs, pk=audit_id)


def _users() -> QuerySet[Any]:
    return Audit.auditors.field.related_model._default_manager.all()


def assigned_ids(audit: Audit) -> set[int]:
    """The lead auditor and the auditors (needs :func:`audit_get`'s prefetch)."""
    ids = {u.pk for u in audit.auditors.all()}
    if audit.lead_auditor_id:
        ids.add(audit.lead_auditor_id)
    return ids


# --- checklist and findings -------------------------------------------------------------------


def checklist(*, actor: Actor, audit: Audit) -> QuerySet[ChecklistItem]:
    return (
        scoped(actor, ChecklistItem)
        .filter(audit=audit)
        .select_related("requirement")
        .prefetch_related(Prefetch("evidence", queryset=EvidenceItem.objects.order_by("title")))
        .annotate(finding_count=Count("findings", distinct=True))
        .order_by("requirement__position")
    )


def checklist_item_get(*, actor: Actor, audit: Audit, item_id: int) -> ChecklistItem:
    return get_scoped_or_404(checklist(actor=actor, audit=audit), pk=item_id)


def checklist_counts(*, actor: Actor, audit: Audit) -> dict[str, int]:
    """Items per result, one query."""
    rows = (
        scoped(actor, ChecklistItem)
        .filter(audit=audit)
        .values("result")
        .annotate(n=Count("id"))
        .order_by()
    )
    out = dict.fromkeys(ChecklistResult.values, 0)
    for row in rows:
        out[row["result"]] = row["n"]
    return out


def _finding_base(actor: Actor) -> QuerySet[Finding]:
    return scoped(actor, Finding).select_related(
        "audit", "requirement", "author", "checklist_item", "nonconformity"
    )


def finding_list(
    *, actor: Actor, audit: Audit | None = None, type: str | None = None
) -> QuerySet[Finding]:
    qs = _finding_base(actor)
    if audit is not None:
        qs = qs.filter(audit=audit)
    if type:
        qs = qs.filter(type=type)
    return qs.order_by("audit__year", "audit__sequence", "number")


def finding_get(*, actor: Actor, audit: Audit, finding_id: int) -> Finding:
    return get_scoped_or_404(finding_list(actor=actor, audit=audit), pk=finding_id)


def findings_needing_nonconformity(*, actor: Actor) -> QuerySet[Finding]:
    """Major and minor nonconformities found by internal audits that no register entry
    follows yet (``follow_up.finding_raise_nonconformity`` raises one)."""
    return finding_list(actor=actor).filter(
        type__in=NONCONFORMITY_TYPES, nonconformity__isnull=True
    )


def evidence_choices(*, actor: Actor) -> list[tuple[int, str]]:
    rows = scoped(actor, EvidenceItem).order_by("title").values_list("pk", "title")
    return [(pk, title) for pk, title in rows]


# --- reports ----------------------------------------------------------------------------------


def report_list(*, actor: Actor, audit: Audit) -> QuerySet[AuditReport]:
    return (
        scoped(actor, AuditReport)
        .filter(audit=audit)
        .select_related("submitted_by", "approved_by", "rejected_by")
        .order_by("-number")
    )


def report_get(*, actor: Actor, audit: Audit, report_id: int) -> AuditReport:
    return get_scoped_or_404(report_list(actor=actor, audit=audit), pk=report_id)


def latest_approved_report(*, actor: Actor, audit: Audit) -> AuditReport | None:
    return report_list(actor=actor, audit=audit).filter(state=AuditReport.State.APPROVED).first()


def approved_reports(*, actor: Actor) -> QuerySet[AuditReport]:
    return (
        scoped(actor, AuditReport)
        .filter(state=AuditReport.State.APPROVED)
        .select_related("audit", "approved_by", "submitted_by")
        .order_by("audit__year", "audit__sequence", "number")
    )


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def audit_snapshot(*, actor: Actor, audit: Audit) -> dict[str, Any]:
    """The audit as a report freezes it: fields, scope, auditors, checklist results with their
    counts, and the findings (a fixed number of queries)."""
    audit = audit_get(actor=actor, audit_id=audit.pk)
    items = list(checklist(actor=actor, audit=audit))
    findings = list(finding_list(actor=actor, audit=audit))
    results = Counter(i.result for i in items)
    types = Counter(f.type for f in findings)
    return {
        "ref": audit.ref,
        "title": audit.title,
        "programme": audit.programme.title,
        "status": audit.status,
        "criteria": audit.criteria,
        "planned_start": _date(audit.planned_start),
        "planned_end": _date(audit.planned_end),
        "actual_start": _date(audit.actual_start),
        "actual_end": _date(audit.actual_end),
        "lead_auditor": audit.lead_auditor.email if audit.lead_auditor else None,
        "auditors": [u.email for u in audit.auditors.all()],
        "scope": [{"ref": r.ref, "title": r.title, "kind": r.kind} for r in audit.scope.all()],
        "checklist": [
            {
                "ref": i.requirement.ref,
                "title": i.requirement.title,
                "kind": i.requirement.kind,
                "result": i.result,
                "notes": i.notes,
                "evidence": [e.title for e in i.evidence.all()],
            }
            for i in items
        ],
        "result_counts": {value: results.get(value, 0) for value in ChecklistResult.values},
        "findings": [
            {
                "number": f.number,
                "ref": f"{audit.ref}-F{f.number}",
                "type": f.type,
                "title": f.title,
                "description": f.description,
                "evidence_seen": f.evidence_seen,
                "requirement": f.requirement.ref if f.requirement else None,
                "author": f.author.email if f.author else None,
            }
            for f in findings
        ],
        "finding_counts": {value: types.get(value, 0) for value in FindingType.values},
    }


def finding_counts_by_type(findings: list[Finding]) -> dict[str, int]:
    counts = Counter(f.type for f in findings)
    return {label: counts.get(value, 0) for value, label in FindingType.choices}
