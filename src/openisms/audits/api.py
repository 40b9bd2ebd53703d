from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from openisms.audits import exports, follow_up, selectors, services
from openisms.audits.fields import AuditChanges, ChecklistChanges, FindingChanges, ProgrammeChanges
from openisms.audits.models import AuditStatus, ChecklistResult, FindingType
from openisms.core.api import Error, Pagination, PathId
from openisms.core.changes import changes_of
from openisms.orgs.access import request_actor as actor

router = Router(tags=["internal audit"])


class ProgrammeOut(Schema):
    id: int
    title: str
    first_year: int
    last_year: int
    objectives: str
    criteria: str
    owner: str | None
    audit_count: int
    completed_count: int

    @staticmethod
    def resolve_owner(obj: Any) -> str | None:
        return obj.owner.email if obj.owner_id else None


class ProgrammeIn(Schema):
    title: str
    first_year: int
    last_year: int
    objectives: str = ""
    criteria: str = ""
    owner: str | None = None

    def changes(self) -> ProgrammeChanges:
        return changes_of(ProgrammeChanges, self.dict())


class ProgrammePatch(Schema):
    title: str | None = None
    first_year: int | None = None
    last_year: int | None = None
    objectives: str | None = None
    criteria: str | None = None
    owner: str | None = None

    def changes(self) -> ProgrammeChanges:
        return changes_of(ProgrammeChanges, self.dict(exclude_unset=True))


class CoverageAuditOut(Schema):
    ref: str
    title: str
    status: str
    planned_start: date
    planned_end: date
    actual_end: date | None


class CoverageRowOut(Schema):
    ref: str
    title: str
    kind: str
    planned: bool
    done: bool
    audits: list[CoverageAuditOut]


class ProgrammeCoverageOut(Schema):
    counts: dict[str, int]
    clauses: list[CoverageRowOut]
    controls: list[CoverageRowOut]
    unplanned: list[str]


class AuditOut(Schema):
    id: int
    ref: str
    programme_id: int
    title: str
    criteria: str
    status: str
    planned_start: date
    planned_end: date
    actual_start: date | None
    actual_end: date | None
    lead_auditor: str | None
    created_at: datetime

    @staticmethod
    def resolve_lead_auditor(obj: Any) -> str | None:
        return obj.lead_auditor.email if obj.lead_auditor_id else None


class AuditDetailOut(AuditOut):
    auditors: list[str]
    scope: list[str]

    @staticmethod
    def resolve_auditors(obj: Any) -> list[str]:
        return [u.email for u in obj.auditors.all()]

    @staticmethod
    def resolve_scope(obj: Any) -> list[str]:
        return [r.ref for r in obj.scope.all()]


class InternalAuditFilters(Schema):
    programme: int | None = None
    status: AuditStatus | None = None
    year: int | None = None


class AuditIn(Schema):
    programme: int
    title: str
    criteria: str = ""
    planned_start: date
    planned_end: date
    lead_auditor: str | None = None
    auditors: list[str] = []
    scope: list[str] = []

    def changes(self) -> AuditChanges:
        return changes_of(AuditChanges, self.dict())


class AuditPatch(Schema):
    programme: int | None = None
    title: str | None = None
    criteria: str | None = None
    planned_start: date | None = None
    planned_end: date | None = None
    actual_start: date | None = None
    actual_end: date | None = None
    status: AuditStatus | None = None
    lead_auditor: str | None = None
    auditors: list[str] | None = None
    scope: list[str] | None = None

    def changes(self) -> AuditChanges:
        return changes_of(AuditChanges, self.dict(exclude_unset=True))


class ChecklistItemOut(Schema):
    id: int
    ref: str
    title: str
    kind: str
    result: str
    notes: str
    evidence: list[int]
    finding_count: int

    @staticmethod
    def resolve_ref(obj: Any) -> str:
        return str(obj.requirement.ref)

    @staticmethod
    def resolve_title(obj: Any) -> str:
        return str(obj.requirement.title)

    @staticmethod
    def resolve_kind(obj: Any) -> str:
        return str(obj.requirement.kind)

    @staticmethod
    def resolve_evidence(obj: Any) -> list[int]:
        return [e.pk for e in obj.evidence.all()]


class ChecklistPatch(Schema):
    result: ChecklistResult | None = None
    notes: str | None = None
    evidence: list[int] | None = None

    def changes(self) -> ChecklistChanges:
        return changes_of(ChecklistChanges, self.dict(exclude_unset=True))


class FindingOut(Schema):
    id: int
    ref: str
    audit: str
    type: str
    title: str
    description: str
    evidence_seen: str
    checklist_item: int | None
    requirement: str | None
    author: str | None
    nonconformity: str | None  # the register entry raised from it (NC-001)
    created_at: datetime

    @staticmethod
    def resolve_audit(obj: Any) -> str:
        return str(obj.audit.ref)

    @staticmethod
    def resolve_nonconformity(obj: Any) -> str | None:
        return obj.nonconformity.ref if obj.nonconformity_id else None

    @staticmethod
    def resolve_checklist_item(obj: Any) -> int | None:
        return obj.checklist_item_id

    @staticmethod
    def resolve_requirement(obj: Any) -> str | None:
        return obj.requirement.ref if obj.requirement_id else None

    @staticmethod
    def resolve_author(obj: Any) -> str | None:
        return obj.author.email if obj.author_id else None


class FindingIn(Schema):
    type: FindingType
    title: str
    description: str = ""
    evidence_seen: str = ""
    checklist_item: int | None = None
    requirement: str | None = None

    def changes(self) -> FindingChanges:
        return changes_of(FindingChanges, self.dict())


class FindingPatch(Schema):
    type: FindingType | None = None
    title: str | None = None
    description: str | None = None
    evidence_seen: str | None = None
    checklist_item: int | None = None
    requirement: str | None = None

    def changes(self) -> FindingChanges:
        return changes_of(FindingChanges, self.dict(exclude_unset=True))


class ReportOut(Schema):
    id: int
    number: int
    state: str
    comment: str
    submitted_by: str | None
    submitted_at: datetime
    approved_by: str | None
    approved_at: datetime | None
    rejected_by: str | None
    rejected_at: datetime | None
    decision_comment: str

    @staticmethod
    def resolve_submitted_by(obj: Any) -> str | None:
        return obj.submitted_by.email if obj.submitted_by_id else None

    @staticmethod
    def resolve_approved_by(obj: Any) -> str | None:
        return obj.approved_by.email if obj.approved_by_id else None

    @staticmethod
    def resolve_rejected_by(obj: Any) -> str | None:
        return obj.rejected_by.email if obj.rejected_by_id else None


class ReportDetailOut(ReportOut):
    snapshot: dict[str, Any]


class AuditCommentIn(Schema):
    comment: str = ""


W = {403: Error, 404: Error, 422: Error}


# --- programmes -------------------------------------------------------------------------------


@router.get("/orgs/{org}/audit-programmes", response={200: list[ProgrammeOut], 404: Error})
@paginate(Pagination)
def programme_list(request: HttpRequest, org: str) -> Any:
    return selectors.programme_list(actor=actor(request, org))


@router.post("/orgs/{org}/audit-programmes", response={201: ProgrammeOut} | W)
def programme_create(request: HttpRequest, org: str, payload: ProgrammeIn) -> Any:
    a = actor(request, org)
    programme = services.programme_create(actor=a, **payload.changes())
    return Status(201, selectors.programme_get(actor=a, programme_id=programme.pk))


@router.get("/orgs/{org}/audit-programmes/{programme_id}", response={200: ProgrammeOut, 404: Error})
def programme_get(request: HttpRequest, org: str, programme_id: PathId) -> Any:
    return selectors.programme_get(actor=actor(request, org), programme_id=programme_id)


@router.patch("/orgs/{org}/audit-programmes/{programme_id}", response={200: ProgrammeOut} | W)
def programme_update(
    request: HttpRequest, org: str, programme_id: PathId, payload: ProgrammePatch
) -> Any:
    a = actor(request, org)
    programme = selectors.programme_get(actor=a, programme_id=programme_id)
    services.programme_update(actor=a, programme=programme, **payload.changes())
    return selectors.programme_get(actor=a, programme_id=programme_id)


@router.delete("/orgs/{org}/audit-programmes/{programme_id}", response={204: None} | W)
def programme_delete(request: HttpRequest, org: str, programme_id: PathId) -> Any:
    """Only a programme without audits can be deleted."""
    a = actor(request, org)
    programme = selectors.programme_get(actor=a, programme_id=programme_id)
    services.programme_delete(actor=a, programme=programme)
    return Status(204, None)


@router.get(
    "/orgs/{org}/audit-programmes/{programme_id}/coverage",
    response={200: ProgrammeCoverageOut, 404: Error},
)
def programme_coverage(request: HttpRequest, org: str, programme_id: PathId) -> Any:
    """Every numbered clause of 4-10 and every applicable Annex A control with the programme's
    audits that cover it; ``unplanned`` lists the refs no audit covers yet."""
    a = actor(request, org)
    programme = selectors.programme_get(actor=a, programme_id=programme_id)
    coverage = selectors.programme_coverage(actor=a, programme=programme)

    def rows(group: list[selectors.CoverageRow]) -> list[dict[str, Any]]:
        return [
            {
                "ref": r.requirement.ref,
                "title": r.requirement.title,
                "kind": r.requirement.kind,
                "planned": r.planned,
                "done": r.done,
                "audits": r.audits,
            }
            for r in group
        ]

    unplanned = coverage.unplanned_clauses + coverage.unplanned_controls
    return {
        "counts": coverage.counts(),
        "clauses": rows(coverage.clauses),
        "controls": rows(coverage.controls),
        "unplanned": [r.requirement.ref for r in unplanned],
    }


# --- audits -----------------------------------------------------------------------------------


@router.get("/orgs/{org}/audits", response={200: list[AuditOut], 404: Error})
@paginate(Pagination)
def audit_list(request: HttpRequest, org: str, filters: Query[InternalAuditFilters]) -> Any:
    return selectors.audit_list(actor=actor(request, org), **filters.dict())


@router.post("/orgs/{org}/audits", response={201: AuditDetailOut} | W)
def audit_create(request: HttpRequest, org: str, payload: AuditIn) -> Any:
    """``scope``: clause and control refs ("9.2", "A.5.15"); ``auditors`` and ``lead_auditor``:
    members' e-mails. An auditor who owns a control or SoA row in scope is refused (422)."""
    a = actor(request, org)
    audit = services.audit_create(actor=a, **payload.changes())
    return Status(201, selectors.audit_get(actor=a, audit_id=audit.pk))


@router.get("/orgs/{org}/audits/{audit_id}", response={200: AuditDetailOut, 404: Error})
def audit_get(request: HttpRequest, org: str, audit_id: PathId) -> Any:
    return selectors.audit_get(actor=actor(request, org), audit_id=audit_id)


@router.patch("/orgs/{org}/audits/{audit_id}", response={200: AuditDetailOut} | W)
def audit_update(request: HttpRequest, org: str, audit_id: PathId, payload: AuditPatch) -> Any:
    """Setting ``status`` to in_progress starts the audit and creates its checklist."""
    a = actor(request, org)
    audit = selectors.audit_get(actor=a, audit_id=audit_id)
    services.audit_update(actor=a, audit=audit, **payload.changes())
    return selectors.audit_get(actor=a, audit_id=audit_id)


@router.delete("/orgs/{org}/audits/{audit_id}", response={204: None} | W)
def audit_delete(request: HttpRequest, org: str, audit_id: PathId) -> Any:
    a = actor(request, org)
    services.audit_delete(actor=a, audit=selectors.audit_get(actor=a, audit_id=audit_id))
    return Status(204, None)


@router.get("/orgs/{org}/audits/{audit_id}/export", response={200: None, 404: Error, 422: Error})
def audit_export(
    request: HttpRequest, org: str, audit_id: PathId, format: Literal["pdf", "docx"] = "pdf"
) -> HttpResponse:
    """The audit report from the latest approved version, else the live audit as a draft."""
    a = actor(request, org)
    audit = selectors.audit_get(actor=a, audit_id=audit_id)
    content, content_type, ext = exports.export_report(actor=a, audit=audit, fmt=format)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{audit.ref}-report.{ext}"'
    return response


# --- checklist --------------------------------------------------------------------------------


@router.get(
    "/orgs/{org}/audits/{audit_id}/checklist",
    response={200: list[ChecklistItemOut], 404: Error},
)
@paginate(Pagination)
def checklist_list(request: HttpRequest, org: str, audit_id: PathId) -> Any:
    a = actor(request, org)
    return selectors.checklist(actor=a, audit=selectors.audit_get(actor=a, audit_id=audit_id))


@router.patch(
    "/orgs/{org}/audits/{audit_id}/checklist/{item_id}", response={200: ChecklistItemOut} | W
)
def checklist_update(
    request: HttpRequest, org: str, audit_id: PathId, item_id: PathId, payload: ChecklistPatch
) -> Any:
    """``evidence``: ids of the organisation's evidence items (replaces the list)."""
    a = actor(request, org)
    audit = selectors.audit_get(actor=a, audit_id=audit_id)
    item = selectors.checklist_item_get(actor=a, audit=audit, item_id=item_id)
    services.checklist_item_update(actor=a, item=item, **payload.changes())
    return selectors.checklist_item_get(actor=a, audit=audit, item_id=item_id)


# --- findings ---------------------------------------------------------------------------------


@router.get("/orgs/{org}/audits/{audit_id}/findings", response={200: list[FindingOut], 404: Error})
@paginate(Pagination)
def finding_list(
    request: HttpRequest, org: str, audit_id: PathId, type: FindingType | None = None
) -> Any:
    a = actor(request, org)
    audit = selectors.audit_get(actor=a, audit_id=audit_id)
    return selectors.finding_list(actor=a, audit=audit, type=type)


@router.post("/orgs/{org}/audits/{audit_id}/findings", response={201: FindingOut} | W)
def finding_create(request: HttpRequest, org: str, audit_id: PathId, payload: FindingIn) -> Any:
    """Editors on any audit; auditors on the audits they are assigned to."""
    a = actor(request, org)
    audit = selectors.audit_get(actor=a, audit_id=audit_id)
    finding = services.finding_create(actor=a, audit=audit, **payload.changes())
    return Status(201, selectors.finding_get(actor=a, audit=audit, finding_id=finding.pk))


@router.get(
    "/orgs/{org}/audits/{audit_id}/findings/{finding_id}",
    response={200: FindingOut, 404: Error},
)
def finding_get(request: HttpRequest, org: str, audit_id: PathId, finding_id: PathId) -> Any:
    a = actor(request, org)
    audit = selectors.audit_get(actor=a, audit_id=audit_id)
    return selectors.finding_get(actor=a, audit=audit, finding_id=finding_id)


@router.patch("/orgs/{org}/audits/{audit_id}/findings/{finding_id}", response={200: FindingOut} | W)
def finding_update(
    request: HttpRequest, org: str, audit_id: PathId, finding_id: PathId, payload: FindingPatch
) -> Any:
    """Auditors change only the findings they wrote."""
    a = actor(request, org)
    audit = selectors.audit_get(actor=a, audit_id=audit_id)
    finding = selectors.finding_get(actor=a, audit=audit, finding_id=finding_id)
    services.finding_update(actor=a, finding=finding, **payload.changes())
    return selectors.finding_get(actor=a, audit=audit, finding_id=finding_id)


@router.delete("/orgs/{org}/audits/{audit_id}/findings/{finding_id}", response={204: None} | W)
def finding_delete(request: HttpRequest, org: str, audit_id: PathId, finding_id: PathId) -> Any:
    a = actor(request, org)
    audit = selectors.audit_get(actor=a, audit_id=audit_id)
    finding = selectors.finding_get(actor=a, audit=audit, finding_id=finding_id)
    services.finding_delete(actor=a, finding=finding)
    return Status(204, None)


class RaiseIn(Schema):
    owner: str | None = None  # a member's e-mail


class RaisedOut(Schema):
    id: int
    ref: str
    source_ref: str
    severity: str
    status: str


@router.post(
    "/orgs/{org}/audits/{audit_id}/findings/{finding_id}/nonconformity",
    response={201: RaisedOut} | W,
)
def finding_raise_nonconformity(
    request: HttpRequest, org: str, audit_id: PathId, finding_id: PathId, payload: RaiseIn
) -> Any:
    """Raise the nonconformity register entry for a major or minor finding (editors, once)."""
    a = actor(request, org)
    audit = selectors.audit_get(actor=a, audit_id=audit_id)
    finding = selectors.finding_get(actor=a, audit=audit, finding_id=finding_id)
    return Status(
        201, follow_up.finding_raise_nonconformity(actor=a, finding=finding, owner=payload.owner)
    )


# --- reports ----------------------------------------------------------------------------------


@router.get("/orgs/{org}/audits/{audit_id}/reports", response={200: list[ReportOut], 404: Error})
@paginate(Pagination)
def report_list(request: HttpRequest, org: str, audit_id: PathId) -> Any:
    a = actor(request, org)
    return selectors.report_list(actor=a, audit=selectors.audit_get(actor=a, audit_id=audit_id))


@router.post("/orgs/{org}/audits/{audit_id}/reports", response={201: ReportDetailOut} | W)
def report_submit(request: HttpRequest, org: str, audit_id: PathId, payload: AuditCommentIn) -> Any:
    """Freeze the audit into a new report version awaiting approval."""
    a = actor(request, org)
    audit = selectors.audit_get(actor=a, audit_id=audit_id)
    report = services.report_submit(actor=a, audit=audit, comment=payload.comment)
    return Status(201, selectors.report_get(actor=a, audit=audit, report_id=report.pk))


@router.get(
    "/orgs/{org}/audits/{audit_id}/reports/{report_id}",
    response={200: ReportDetailOut, 404: Error},
)
def report_get(request: HttpRequest, org: str, audit_id: PathId, report_id: PathId) -> Any:
    a = actor(request, org)
    audit = selectors.audit_get(actor=a, audit_id=audit_id)
    return selectors.report_get(actor=a, audit=audit, report_id=report_id)


@router.post(
    "/orgs/{org}/audits/{audit_id}/reports/{report_id}/approve",
    response={200: ReportDetailOut} | W,
)
def report_approve(
    request: HttpRequest, org: str, audit_id: PathId, report_id: PathId, payload: AuditCommentIn
) -> Any:
    """Approvers only; the submitter may not approve while separation of duties is on."""
    a = actor(request, org)
    audit = selectors.audit_get(actor=a, audit_id=audit_id)
    report = selectors.report_get(actor=a, audit=audit, report_id=report_id)
    services.report_approve(actor=a, report=report, comment=payload.comment)
    return selectors.report_get(actor=a, audit=audit, report_id=report_id)


@router.post(
    "/orgs/{org}/audits/{audit_id}/reports/{report_id}/reject",
    response={200: ReportDetailOut} | W,
)
def report_reject(
    request: HttpRequest, org: str, audit_id: PathId, report_id: PathId, payload: AuditCommentIn
) -> Any:
    """The comment (required) says what to change."""
    a = actor(request, org)
    audit = selectors.audit_get(actor=a, audit_id=audit_id)
    report = selectors.report_get(actor=a, audit=audit, report_id=report_id)
    services.report_reject(actor=a, report=report, comment=payload.comment)
    return selectors.report_get(actor=a, audit=audit, report_id=report_id)
