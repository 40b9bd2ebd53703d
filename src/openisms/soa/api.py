from datetime import date, datetime
from typing import Any, Literal

from django.http import FileResponse, HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from openisms.core.api import Conflict, Error, Pagination, PathId, VersionIn
from openisms.core.changes import changes_of
from openisms.orgs.access import request_actor as actor
from openisms.soa import exports, selectors, services, tracking
from openisms.soa.coverage import coverage
from openisms.soa.coverage_exports import export_coverage
from openisms.soa.fields import SoaEntryChanges
from openisms.soa.models import SoaStatus
from openisms.soa.pack import pack_response

router = Router(tags=["soa"])
ExportFormat = Literal["csv", "xlsx", "pdf", "docx"]
CoverageFormat = Literal["json", "xlsx", "pdf"]


class SoaEntryOut(Schema):
    id: int
    version: int
    ref: str
    kind: str
    title: str
    theme: str
    applicable: bool
    risk_treatment: bool
    risks: list[str]
    legal_regulatory: bool
    contractual: bool
    business: bool
    justification: str
    status: str
    owner: str | None
    target_date: date | None
    implementation: str
    cited_requirements: list[int]  # ids of interested-party requirements (the context's)
    cited_refs: list[str]
    updated_at: datetime

    @staticmethod
    def resolve_cited_requirements(obj: Any) -> list[int]:
        return selectors.cited_ids_of(obj)

    @staticmethod
    def resolve_cited_refs(obj: Any) -> list[str]:
        return selectors.cited_refs_of(obj)

    @staticmethod
    def resolve_ref(obj: Any) -> str:
        return str(obj.requirement.ref)

    @staticmethod
    def resolve_kind(obj: Any) -> str:
        return str(obj.requirement.kind)

    @staticmethod
    def resolve_title(obj: Any) -> str:
        return str(obj.requirement.title)

    @staticmethod
    def resolve_theme(obj: Any) -> str:
        return str(obj.requirement.theme)

    @staticmethod
    def resolve_risks(obj: Any) -> list[str]:
        return [r.ref for r in selectors.risks_of(obj)]

    @staticmethod
    def resolve_risk_treatment(obj: Any) -> bool:
        return bool(selectors.risks_of(obj))

    @staticmethod
    def resolve_owner(obj: Any) -> str | None:
        return obj.owner.email if obj.owner_id else None


class SoaFilters(Schema):
    kind: str = "control"
    theme: str | None = None
    applicable: bool | None = None
    status: str | None = None
    owner: str | None = None
    q: str = ""
    reason: str | None = None


class SoaPatch(Schema):
    applicable: bool | None = None
    legal_regulatory: bool | None = None
    contractual: bool | None = None
    business: bool | None = None
    justification: str | None = None
    status: SoaStatus | None = None
    owner: str | None = None
    target_date: date | None = None
    implementation: str | None = None
    confirm_exclusion: bool = False
    cited_requirements: list[int] | None = None  # ids of interested-party requirements
    version: VersionIn = None

    def changes(self) -> SoaEntryChanges:
        return changes_of(
            SoaEntryChanges,
            self.dict(
                exclude_unset=True, exclude={"confirm_exclusion", "cited_requirements", "version"}
            ),
        )


class SoaVersionOut(Schema):
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


class SoaVersionDetailOut(SoaVersionOut):
    rows: list[dict[str, Any]]


class SoaSubmitIn(Schema):
    comment: str = ""


class SoaDecisionIn(Schema):
    comment: str = ""


class SoaFieldChangeOut(Schema):
    field: str
    old: Any
    new: Any


class SoaRowDiffOut(Schema):
    ref: str
    kind: str
    title: str
    change: str
    fields: list[SoaFieldChangeOut]


class SoaDiffOut(Schema):
    first: int
    second: int | None
    rows: list[SoaRowDiffOut]


@router.get("/orgs/{org}/soa", response={200: list[SoaEntryOut], 404: Error})
@paginate(Pagination)
def soa_list(request: HttpRequest, org: str, filters: Query[SoaFilters]) -> Any:
    """The working SoA: controls (kind=control) or clauses 4-10 (kind=clause)."""
    a = actor(request, org)
    return selectors.with_risks(a, selectors.soa_list(actor=a, **filters.dict()))


@router.get("/orgs/{org}/soa/export", response={200: None, 404: Error, 422: Error})
def soa_export(
    request: HttpRequest, org: str, format: ExportFormat = "csv", version: int | None = None
) -> HttpResponse:
    """CSV (the 93 controls), XLSX (controls, clauses and an About sheet), PDF or DOCX
    (summary, controls and clauses; organisation, version and approval on every page) of
    version number ``version``, or of the working SoA, marked as a draft, when it is left
    out."""
    a = actor(request, org)
    chosen = selectors.version_by_number(actor=a, number=version) if version else None
    content, content_type, ext = exports.export_soa(actor=a, fmt=format, version=chosen)
    response = HttpResponse(content, content_type=content_type)
    name = f"{org}-soa-v{chosen.number}" if chosen else f"{org}-soa-working"
    response["Content-Disposition"] = f'attachment; filename="{name}.{ext}"'
    return response


@router.get("/orgs/{org}/audit-pack", response={200: None, 404: Error, 422: Error})
def audit_pack(request: HttpRequest, org: str) -> FileResponse:
    """A ZIP of the current approved SoA (XLSX, PDF), the risk register (XLSX, CSV), the
    evidence index and files, ``manifest.json`` and ``SHA256SUMS``. Any member may download
    it; 422 when no SoA version is approved or a stored file fails its SHA-256 check."""
    return pack_response(actor(request, org))


@router.get("/orgs/{org}/soa/{entry_id}", response={200: SoaEntryOut, 404: Error})
def soa_get(request: HttpRequest, org: str, entry_id: PathId) -> Any:
    return selectors.soa_get(actor=actor(request, org), entry_id=entry_id)


@router.patch(
    "/orgs/{org}/soa/{entry_id}",
    response={200: SoaEntryOut, 403: Error, 404: Error, 409: Conflict, 422: Error},
)
def soa_update(request: HttpRequest, org: str, entry_id: PathId, payload: SoaPatch) -> Any:
    """Excluding a control that risks plan needs ``confirm_exclusion: true``.
    ``cited_requirements`` (ids of the organisation's interested-party requirements, see
    ``/context/requirements``) replaces what the row cites as reasons; editors only."""
    a = actor(request, org)
    entry = selectors.soa_get(actor=a, entry_id=entry_id)
    services.soa_entry_update(
        actor=a,
        entry=entry,
        confirm_exclusion=payload.confirm_exclusion,
        cited_requirements=payload.cited_requirements,
        version=payload.version,
        **payload.changes(),
    )
    return selectors.soa_get(actor=a, entry_id=entry_id)


@router.get("/orgs/{org}/soa-versions", response={200: list[SoaVersionOut], 404: Error})
@paginate(Pagination)
def version_list(request: HttpRequest, org: str, state: str | None = None) -> Any:
    return selectors.version_list(actor=actor(request, org), state=state)


@router.post(
    "/orgs/{org}/soa-versions",
    response={201: SoaVersionDetailOut, 403: Error, 404: Error, 422: Error},
)
def version_submit(request: HttpRequest, org: str, payload: SoaSubmitIn) -> Any:
    """Freeze the working SoA into a new version awaiting approval (one pending at a time)."""
    version = services.soa_submit(actor=actor(request, org), comment=payload.comment)
    return Status(201, version)


@router.get("/orgs/{org}/soa-versions/diff", response={200: SoaDiffOut, 404: Error})
def version_diff(request: HttpRequest, org: str, first: int, second: int | None = None) -> Any:
    """Row by row, field by field; without ``second`` the version is compared with the
    working SoA."""
    a = actor(request, org)
    one = selectors.version_get(actor=a, version_id=first)
    two = selectors.version_get(actor=a, version_id=second) if second else None
    diff = selectors.version_diff(actor=a, first=one, second=two)
    return {
        "first": one.number,
        "second": two.number if two else None,
        "rows": [vars(r) | {"fields": [vars(f) for f in r.fields]} for r in diff.rows],
    }


@router.get(
    "/orgs/{org}/soa-versions/{version_id}", response={200: SoaVersionDetailOut, 404: Error}
)
def version_get(request: HttpRequest, org: str, version_id: PathId) -> Any:
    return selectors.version_get(actor=actor(request, org), version_id=version_id)


@router.post(
    "/orgs/{org}/soa-versions/{version_id}/approve",
    response={200: SoaVersionOut, 403: Error, 404: Error, 422: Error},
)
def version_approve(
    request: HttpRequest, org: str, version_id: PathId, payload: SoaDecisionIn
) -> Any:
    """Owners and admins only; an approved version never changes again."""
    a = actor(request, org)
    version = selectors.version_get(actor=a, version_id=version_id)
    return services.soa_approve(actor=a, version=version, comment=payload.comment)


@router.post(
    "/orgs/{org}/soa-versions/{version_id}/reject",
    response={200: SoaVersionOut, 403: Error, 404: Error, 422: Error},
)
def version_reject(
    request: HttpRequest, org: str, version_id: PathId, payload: SoaDecisionIn
) -> Any:
    """Owners and admins only; the comment (required) says what to change."""
    a = actor(request, org)
    version = selectors.version_get(actor=a, version_id=version_id)
    return services.soa_reject(actor=a, version=version, comment=payload.comment)


# --- tracked frameworks and coverage ---------------------------------------------------------


class TrackedFrameworkOut(Schema):
    slug: str
    name: str
    short_name: str
    version: str
    publisher: str
    status: str
    tracked_since: datetime
    started_by: str | None

    @staticmethod
    def resolve_slug(obj: Any) -> str:
        return str(obj.framework.slug)

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.framework.name)

    @staticmethod
    def resolve_short_name(obj: Any) -> str:
        return str(obj.framework.short_name)

    @staticmethod
    def resolve_version(obj: Any) -> str:
        return str(obj.framework.version)

    @staticmethod
    def resolve_publisher(obj: Any) -> str:
        return str(obj.framework.publisher)

    @staticmethod
    def resolve_status(obj: Any) -> str:
        return str(obj.framework.status)

    @staticmethod
    def resolve_tracked_since(obj: Any) -> datetime:
        return obj.created_at

    @staticmethod
    def resolve_started_by(obj: Any) -> str | None:
        return obj.started_by.email if obj.started_by_id else None


class TrackIn(Schema):
    framework: str


class CoverageCountsOut(Schema):
    covered: int
    partial: int
    not_covered: int
    not_applicable: int


class CoverageRollupOut(Schema):
    ref: str
    title: str
    kind: str
    depth: int
    counts: CoverageCountsOut
    total: int
    applicable: int
    percent: int


class CoverageControlOut(Schema):
    id: int
    ref: str
    name: str
    status: str


class CoverageEvidenceOut(Schema):
    ref: str
    title: str
    freshness: str


class CoverageMappedOut(Schema):
    framework: str
    ref: str
    title: str
    relationship: str
    provenance: str
    status: str


class CoverageRequirementOut(Schema):
    id: int
    ref: str
    title: str
    kind: str
    status: str
    source: str
    because: list[str]
    controls: list[CoverageControlOut]
    evidence: list[CoverageEvidenceOut]
    mapped: list[CoverageMappedOut]


class CoverageOut(Schema):
    framework: str
    name: str
    tracked: bool
    as_of: datetime
    totals: CoverageRollupOut
    rollups: list[CoverageRollupOut]
    requirements: list[CoverageRequirementOut]


def _rollup(u: Any) -> dict[str, Any]:
    return {
        "ref": u.ref,
        "title": u.title,
        "kind": u.kind,
        "depth": u.depth,
        "counts": u.counts,
        "total": u.total,
        "applicable": u.applicable,
        "percent": u.percent,
    }


@router.get(
    "/orgs/{org}/frameworks",
    response={200: list[TrackedFrameworkOut], 404: Error},
    tags=["frameworks"],
)
@paginate(Pagination)
def framework_list(request: HttpRequest, org: str) -> Any:
    """The frameworks the organisation tracks (each requirement has an assessment row and
    a coverage); the catalogue's frameworks are at /frameworks."""
    tracked = selectors.tracked_list(actor=actor(request, org)).values()
    return sorted(tracked, key=lambda t: (t.framework.status, t.framework.name))


@router.post(
    "/orgs/{org}/frameworks",
    response={201: TrackedFrameworkOut, 403: Error, 404: Error, 422: Error},
    tags=["frameworks"],
)
def framework_track(request: HttpRequest, org: str, payload: TrackIn) -> Any:
    """Start tracking a catalogue framework (by slug): one assessment row per requirement,
    starting from the controls that already meet them. 422 when unknown or already tracked."""
    tracked = tracking.framework_track(actor=actor(request, org), framework_slug=payload.framework)
    return Status(201, tracked)


@router.delete(
    "/orgs/{org}/frameworks/{framework}",
    response={204: None, 403: Error, 404: Error, 422: Error},
    tags=["frameworks"],
)
def framework_untrack(request: HttpRequest, org: str, framework: str) -> Any:
    """Stop tracking a framework; its assessments are kept and come back when it is tracked
    again. 422 for the SoA's framework (always tracked) and for one not tracked."""
    tracking.framework_untrack(actor=actor(request, org), framework_slug=framework)
    return Status(204, None)


@router.get(
    "/orgs/{org}/coverage/{framework}",
    response={200: CoverageOut, 404: Error},
    tags=["frameworks"],
)
def coverage_get(request: HttpRequest, org: str, framework: str) -> Any:
    """How far the organisation meets each requirement of a framework (tracked or not), with
    the reasons: ``status`` is covered, partial, not_covered or not_applicable, ``source`` where
    it comes from (excluded, override, controls, assessment, mapping, none). See the user guide,
    Coverage, for the rules. 404 for a framework the catalogue does not have."""
    a = actor(request, org)
    result = coverage(actor=a, framework_slug=framework)
    return {
        "framework": result.framework.slug,
        "name": result.framework.name,
        "tracked": tracking.is_tracked(actor=a, framework_slug=result.framework.slug),
        "as_of": result.as_of,
        "totals": _rollup(result.totals),
        "rollups": [_rollup(u) for u in result.rollups],
        "requirements": [
            r.as_dict()
            | {"id": r.id, "controls": [vars(c) for c in r.controls]}
            | {"mapped": [vars(m) | {"status": m.verdict} for m in r.mapped]}
            for r in result.requirements
        ],
    }


@router.get(
    "/orgs/{org}/coverage/{framework}/export",
    response={200: None, 404: Error, 422: Error},
    tags=["frameworks"],
)
def coverage_export(
    request: HttpRequest, org: str, framework: str, format: CoverageFormat = "json"
) -> HttpResponse:
    """The coverage as JSON (ref, title, status, because per requirement), XLSX (every
    requirement, roll-up and gaps sheets) or PDF."""
    content, content_type, ext = export_coverage(
        actor=actor(request, org), framework_slug=framework, fmt=format
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{org}-coverage-{framework}.{ext}"'
    return response
