"""API of the composition layer: views that combine several domains."""

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from openisms.core.api import Error
from openisms.orgs.access import request_actor as actor
from openisms.web import mywork, readiness
from openisms.work.api import TaskOut

router = Router(tags=["soa"])


class ReadinessCountsOut(Schema):
    implemented: int
    partially_implemented: int
    planned: int
    not_started: int
    excluded: int = Field(description="Not applicable; left out of the percentage.")
    applicable: int
    percent_implemented: int | None = Field(
        description="Implemented share of the applicable rows, rounded down; null when none "
        "is applicable."
    )


class ReadinessGroupOut(Schema):
    key: str
    label: str
    counts: ReadinessCountsOut
    with_current_evidence: int
    behind: int


class ReadinessAttributeOut(Schema):
    key: str
    label: str
    values: list[ReadinessGroupOut]


class ReadinessEvidenceOut(Schema):
    current: int
    due_soon: int
    expired: int
    applicable_controls_without_current_evidence: int


class ReadinessTasksOut(Schema):
    open: int
    overdue: int
    due_soon: int


class ReadinessRiskBandOut(Schema):
    name: str
    colour: str
    count: int


class ReadinessRisksOut(Schema):
    total: int
    residual: list[ReadinessRiskBandOut]
    above_threshold_without_acceptance: int
    overdue_treatment_actions: int


class ReadinessAttentionOut(Schema):
    id: int = Field(description="The SoA row id (GET /orgs/{org}/soa/{id}).")
    ref: str
    kind: str
    title: str
    status: str
    owner: str | None
    target_date: date | None
    days_overdue: int
    reasons: list[str]


class ReadinessOut(Schema):
    as_of: date
    controls: ReadinessCountsOut
    clauses: ReadinessCountsOut
    themes: list[ReadinessGroupOut]
    attributes: list[ReadinessAttributeOut]
    owners: list[ReadinessGroupOut] = Field(
        description="Applicable controls and clauses per owner e-mail ('' for nobody)."
    )
    evidence: ReadinessEvidenceOut
    tasks: ReadinessTasksOut
    risks: ReadinessRisksOut
    attention: list[ReadinessAttentionOut] = Field(
        description="The most urgent applicable rows that are behind (at most 10)."
    )
    attention_total: int
    no_owner: int
    overdue_targets: int


def _group(g: readiness.Group) -> dict[str, Any]:
    return {
        "key": g.key,
        "label": g.label,
        "counts": g.counts.as_dict(),
        "with_current_evidence": g.with_current_evidence,
        "behind": g.behind,
    }


@router.get(
    "/orgs/{org}/readiness",
    response={200: ReadinessOut, 404: Error},
    operation_id="openisms_soa_api_readiness_get",
)
def readiness_get(request: HttpRequest, org: str) -> Any:
    """The readiness dashboard: implementation of the applicable controls (overall, by theme,
    by each ISO/IEC 27002 attribute and by owner) and of clauses 4-10, evidence freshness,
    tasks, risks, and the rows that are behind."""
    a = actor(request, org)
    r = readiness.readiness(actor=a)
    return {
        "as_of": r.as_of,
        "controls": r.controls.as_dict(),
        "clauses": r.clauses.as_dict(),
        "themes": [_group(g) for g in r.themes],
        "attributes": [
            {"key": s.key, "label": s.label, "values": [_group(g) for g in s.groups]}
            for s in r.attributes
        ],
        "owners": [_group(g) for g in r.owners],
        "evidence": {
            "current": r.evidence.current,
            "due_soon": r.evidence.due_soon,
            "expired": r.evidence.expired,
            "applicable_controls_without_current_evidence": r.evidence.controls_without_current,
        },
        "tasks": vars(r.tasks),
        "risks": {
            "total": r.risks.total,
            "residual": [vars(b) for b in r.risks.residual],
            "above_threshold_without_acceptance": r.risks.above_threshold_without_acceptance,
            "overdue_treatment_actions": r.risks.overdue_actions,
        },
        "attention": [
            {
                "id": i.entry_id,
                "ref": i.ref,
                "kind": i.kind,
                "title": i.title,
                "status": i.status,
                "owner": i.owner,
                "target_date": i.target_date,
                "days_overdue": i.days_overdue,
                "reasons": i.reasons,
            }
            for i in r.attention
        ],
        "attention_total": r.attention_total,
        "no_owner": r.no_owner,
        "overdue_targets": r.overdue_targets,
    }


# --- My work ----------------------------------------------------------------------------


class SoaRowOut(Schema):
    id: int
    ref: str
    title: str
    status: str
    target_date: date | None


class RiskRowOut(Schema):
    id: int
    ref: str
    title: str
    review_date: date | None


class EvidenceRowOut(Schema):
    id: int
    ref: str
    title: str
    freshness: str
    valid_until: date | None
    next_review_on: date | None


class MyWorkOut(Schema):
    tasks: list[TaskOut]
    soa_rows: list[SoaRowOut]
    risks: list[RiskRowOut]
    evidence: list[EvidenceRowOut]


@router.get(
    "/orgs/{org}/tasks/mine",
    response={200: MyWorkOut, 404: Error},
    tags=["tasks"],
    operation_id="openisms_work_api_my_work",
)
def my_work(request: HttpRequest, org: str) -> Any:
    """The caller's work: open tasks (overdue first), SoA rows they own that are not
    implemented, risks they own whose review is due within two weeks or past, and evidence
    they own that has expired or is due soon."""
    work = mywork.my_work(actor=actor(request, org))
    return {
        "tasks": work.tasks,
        "soa_rows": [
            {
                "id": e.pk,
                "ref": e.requirement.ref,
                "title": e.requirement.title,
                "status": e.status,
                "target_date": e.target_date,
            }
            for e in work.soa_rows
        ],
        "risks": work.risks,
        "evidence": [
            {
                "id": item.pk,
                "ref": item.ref,
                "title": item.title,
                "freshness": item.freshness,  # type: ignore[attr-defined]  # annotation
                "valid_until": item.valid_until,
                "next_review_on": item.next_review_on,
            }
            for item in work.evidence
        ],
    }
