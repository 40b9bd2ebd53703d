"""What internal audit reports to a management review (ISO/IEC 27001 9.3.2 d) 3) and g))."""

from __future__ import annotations

from collections import Counter

from openisms.audits.models import Audit, AuditStatus, Finding, FindingType
from openisms.orgs.access import Actor, scoped
from openisms.orgs.review_inputs import ReviewInput, ReviewPeriod

TYPE_LABELS = dict(FindingType.choices)


def audit_results(actor: Actor, period: ReviewPeriod) -> ReviewInput:
    """Audits completed in the period, their findings by type, one row per audit (two
    queries)."""
    audits = list(
        scoped(actor, Audit)
        .filter(
            status=AuditStatus.COMPLETED,
            actual_end__gte=period.start,
            actual_end__lte=period.end,
        )
        .order_by("actual_end", "year", "sequence")
    )
    findings = list(
        scoped(actor, Finding)
        .filter(audit__in=[a.pk for a in audits])
        .values_list("audit_id", "type")
    )
    by_type = Counter(t for _, t in findings)
    by_audit: dict[int, Counter[str]] = {}
    for audit_id, kind in findings:
        by_audit.setdefault(audit_id, Counter())[kind] += 1
    figures: dict[str, int | float | str] = {"Audits completed": len(audits)}
    figures.update({label: by_type.get(value, 0) for value, label in FindingType.choices})
    items = [
        {
            "audit": a.ref,
            "title": a.title,
            "completed": a.actual_end.isoformat() if a.actual_end else "",
            "findings": ", ".join(
                f"{TYPE_LABELS[value]}: {by_audit.get(a.pk, Counter()).get(value, 0)}"
                for value in FindingType.values
            ),
        }
        for a in audits
    ]
    if audits:
        nc = by_type.get(FindingType.MAJOR, 0) + by_type.get(FindingType.MINOR, 0)
        summary = (
            f"{len(audits)} internal audit(s) completed in the period with {len(findings)} "
            f"finding(s), {nc} of them nonconformities."
        )
    else:
        summary = "No internal audit was completed in the period."
    return ReviewInput(
        key="audit_results",
        clause="9.3.2 d) 3)",
        title="Audit results",
        summary=summary,
        figures=figures,
        items=items,
    )


def improvement_opportunities(actor: Actor, period: ReviewPeriod) -> ReviewInput:
    """Opportunities for improvement that internal audits recorded in the period (one
    query)."""
    rows = list(
        scoped(actor, Finding)
        .filter(
            type=FindingType.OFI,
            created_at__date__gte=period.start,
            created_at__date__lte=period.end,
        )
        .select_related("audit", "requirement")
        .order_by("audit__year", "audit__sequence", "number")
    )
    items = [
        {
            "finding": f"{f.audit.ref}-F{f.number}",
            "title": f.title,
            "requirement": f.requirement.ref if f.requirement else "",
        }
        for f in rows
    ]
    summary = (
        f"Internal audits suggested {len(rows)} opportunit{'y' if len(rows) == 1 else 'ies'} "
        "for improvement in the period."
        if rows
        else "Internal audits recorded no opportunity for improvement in the period."
    )
    return ReviewInput(
        key="improvement",
        clause="9.3.2 g)",
        title="Opportunities for continual improvement (internal audit)",
        summary=summary,
        figures={"Opportunities for improvement": len(rows)},
        items=items,
    )
