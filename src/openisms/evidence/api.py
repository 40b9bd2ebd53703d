from datetime import date, datetime
from typing import Any

from django.http import FileResponse, HttpRequest
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from openisms.core.api import Conflict, Error, Pagination, PathId, VersionIn
from openisms.core.changes import changes_of
from openisms.evidence import selectors, services
from openisms.evidence.downloads import version_response
from openisms.evidence.fields import EvidenceChanges, EvidenceDates
from openisms.orgs.access import request_actor as actor

router = Router(tags=["evidence"])


class EvidenceVersionOut(Schema):
    number: int
    original_name: str
    sha256: str
    size: int
    content_type: str
    uploaded_by: str | None
    uploaded_at: datetime
    note: str

    @staticmethod
    def resolve_uploaded_by(obj: Any) -> str | None:
        return obj.uploaded_by.email if obj.uploaded_by_id else None


class EvidenceTargetOut(Schema):
    link_id: int
    ref: str
    title: str
    risk_id: int | None = None
    control_id: int | None = None


def _targets(obj: Any, group: str) -> list[dict[str, Any]]:
    out = []
    for link in selectors.grouped_links(obj)[group]:
        target = link.risk or link.control or link.requirement
        assert target is not None
        out.append(
            {
                "link_id": link.pk,
                "ref": target.ref,
                "title": link.control.name if link.control else target.title,  # type: ignore[union-attr]
                "risk_id": link.risk_id,
                "control_id": link.control_id,
            }
        )
    return out


class EvidenceOut(Schema):
    id: int
    version: int
    ref: str
    title: str
    description: str
    kind: str
    url: str
    owner: str | None
    collected_on: date
    valid_until: date | None
    validity_days: int | None
    next_review_on: date | None
    freshness: str
    current_version: EvidenceVersionOut | None
    controls: list[EvidenceTargetOut]
    clauses: list[EvidenceTargetOut]
    register_controls: list[EvidenceTargetOut]
    risks: list[EvidenceTargetOut]
    updated_at: datetime

    @staticmethod
    def resolve_owner(obj: Any) -> str | None:
        return obj.owner.email if obj.owner_id else None

    @staticmethod
    def resolve_controls(obj: Any) -> list[dict[str, Any]]:
        return _targets(obj, "controls")

    @staticmethod
    def resolve_clauses(obj: Any) -> list[dict[str, Any]]:
        return _targets(obj, "clauses")

    @staticmethod
    def resolve_register_controls(obj: Any) -> list[dict[str, Any]]:
        return _targets(obj, "register")

    @staticmethod
    def resolve_risks(obj: Any) -> list[dict[str, Any]]:
        return _targets(obj, "risks")


class EvidenceDetailOut(EvidenceOut):
    versions: list[EvidenceVersionOut]

    @staticmethod
    def resolve_versions(obj: Any) -> list[Any]:
        return list(getattr(obj, "all_versions", []))


class EvidenceFilters(Schema):
    freshness: str | None = None
    requirement: str | None = None
    risk: int | None = None
    owner: str | None = None
    kind: str | None = None
    q: str = ""


class EvidenceLinkItemIn(Schema):
    title: str
    url: str
    description: str = ""
    owner: str | None = None
    collected_on: date | None = None
    valid_until: date | None = None
    validity_days: int | None = None
    next_review_on: date | None = None
    requirements: list[str] = []
    risks: list[int] = []
    controls: list[str] = []

    def changes(self) -> EvidenceChanges:
        return changes_of(EvidenceChanges, self.dict(exclude={"requirements", "risks", "controls"}))


class EvidencePatch(Schema):
    title: str | None = None
    description: str | None = None
    url: str | None = None
    owner: str | None = None
    collected_on: date | None = None
    valid_until: date | None = None
    validity_days: int | None = None
    next_review_on: date | None = None
    version: VersionIn = None

    def changes(self) -> EvidenceChanges:
        return changes_of(EvidenceChanges, self.dict(exclude_unset=True, exclude={"version"}))


class EvidenceLinksIn(Schema):
    requirements: list[str] = []
    risks: list[int] = []
    controls: list[str] = []


def _ids(text: str) -> list[int]:
    return [int(p) for p in text.replace(",", " ").split() if p.isdigit()]


@router.get("/orgs/{org}/evidence", response={200: list[EvidenceOut], 404: Error})
@paginate(Pagination)
def evidence_list(request: HttpRequest, org: str, filters: Query[EvidenceFilters]) -> Any:
    """Filters: freshness (current, due_soon, expired), requirement (a ref such as A.5.15 or
    9.2), risk (id), owner (e-mail or 'none'), kind (file, link), q (text or EV-n)."""
    return selectors.evidence_list(actor=actor(request, org), **filters.dict())


@router.post(
    "/orgs/{org}/evidence", response={201: EvidenceDetailOut, 403: Error, 404: Error, 422: Error}
)
def evidence_create_link(request: HttpRequest, org: str, payload: EvidenceLinkItemIn) -> Any:
    """A link item (http or https URL), optionally linked to controls, clauses and risks."""
    a = actor(request, org)
    item = services.evidence_create_link(
        actor=a,
        requirements=payload.requirements,
        risks=payload.risks,
        controls=payload.controls,
        **payload.changes(),
    )
    return Status(201, selectors.evidence_get(actor=a, item_id=item.pk))


@router.post(
    "/orgs/{org}/evidence/files",
    response={201: EvidenceDetailOut, 403: Error, 404: Error, 422: Error},
)
def evidence_create_file(
    request: HttpRequest,
    org: str,
    file: File[UploadedFile],
    title: Form[str] = "",
    description: Form[str] = "",
    owner: Form[str] = "",
    collected_on: Form[date | None] = None,
    valid_until: Form[date | None] = None,
    validity_days: Form[int | None] = None,
    next_review_on: Form[date | None] = None,
    note: Form[str] = "",
    requirements: Form[str] = "",
    risks: Form[str] = "",
) -> Any:
    """Multipart upload of a file item. ``requirements`` is a list of refs ("A.5.15, 9.2"),
    ``risks`` of risk ids. Bytes already stored in the organisation are refused (422) with the
    item that holds them: link that item instead."""
    a = actor(request, org)
    item = services.evidence_create_file(
        actor=a,
        upload=file,
        note=note,
        requirements=requirements,
        risks=_ids(risks),
        title=title,
        description=description,
        owner=owner,
        collected_on=collected_on,
        valid_until=valid_until,
        validity_days=validity_days,
        next_review_on=next_review_on,
    )
    return Status(201, selectors.evidence_get(actor=a, item_id=item.pk))


@router.get("/orgs/{org}/evidence/{item_id}", response={200: EvidenceDetailOut, 404: Error})
def evidence_get(request: HttpRequest, org: str, item_id: PathId) -> Any:
    return selectors.evidence_get(actor=actor(request, org), item_id=item_id)


@router.patch(
    "/orgs/{org}/evidence/{item_id}",
    response={200: EvidenceDetailOut, 403: Error, 404: Error, 409: Conflict, 422: Error},
)
def evidence_update(request: HttpRequest, org: str, item_id: PathId, payload: EvidencePatch) -> Any:
    """The item's owner (contributor) may change only its dates."""
    a = actor(request, org)
    item = selectors.evidence_get(actor=a, item_id=item_id)
    services.evidence_update(actor=a, item=item, version=payload.version, **payload.changes())
    return selectors.evidence_get(actor=a, item_id=item_id)


@router.post(
    "/orgs/{org}/evidence/{item_id}/versions",
    response={201: EvidenceVersionOut, 403: Error, 404: Error, 422: Error},
)
def evidence_version_upload(
    request: HttpRequest,
    org: str,
    item_id: PathId,
    file: File[UploadedFile],
    note: Form[str] = "",
    collected_on: Form[date | None] = None,
    valid_until: Form[date | None] = None,
    validity_days: Form[int | None] = None,
    next_review_on: Form[date | None] = None,
) -> Any:
    """Multipart upload of a new version; earlier versions are kept. Dates given here update
    the item in the same change."""
    a = actor(request, org)
    item = selectors.evidence_get(actor=a, item_id=item_id)
    given = {
        "collected_on": collected_on,
        "valid_until": valid_until,
        "validity_days": validity_days,
        "next_review_on": next_review_on,
    }
    dates = changes_of(EvidenceDates, {k: v for k, v in given.items() if v is not None})
    version = services.evidence_version_upload(actor=a, item=item, upload=file, note=note, **dates)
    return Status(201, version)


@router.get(
    "/orgs/{org}/evidence/{item_id}/versions/{number}/download",
    response={200: None, 404: Error},
)
def evidence_download(
    request: HttpRequest, org: str, item_id: PathId, number: PathId
) -> FileResponse:
    """The stored bytes as an attachment, with the content type recorded at upload."""
    version = selectors.version_get(actor=actor(request, org), item_id=item_id, number=number)
    return version_response(version)


@router.post(
    "/orgs/{org}/evidence/{item_id}/links",
    response={200: EvidenceDetailOut, 403: Error, 404: Error, 422: Error},
)
def evidence_link(request: HttpRequest, org: str, item_id: PathId, payload: EvidenceLinksIn) -> Any:
    """Link to Annex A controls and clauses by ref (["A.5.15", "9.2"]), to controls of the
    register by ref (``controls``) and to risks by id; links that exist already are kept."""
    a = actor(request, org)
    item = selectors.evidence_get(actor=a, item_id=item_id)
    services.evidence_link(
        actor=a,
        item=item,
        requirements=payload.requirements,
        risks=payload.risks,
        controls=payload.controls,
    )
    return selectors.evidence_get(actor=a, item_id=item_id)


@router.delete(
    "/orgs/{org}/evidence/{item_id}/links",
    response={200: EvidenceDetailOut, 403: Error, 404: Error, 422: Error},
)
def evidence_unlink(
    request: HttpRequest,
    org: str,
    item_id: PathId,
    requirement: str = "",
    risk: str = "",
    control: str = "",
) -> Any:
    """Remove links: ``requirement`` refs, ``risk`` ids and ``control`` refs, comma-separated."""
    a = actor(request, org)
    item = selectors.evidence_get(actor=a, item_id=item_id)
    services.evidence_unlink(
        actor=a, item=item, requirements=requirement, risks=_ids(risk), controls=control
    )
    return selectors.evidence_get(actor=a, item_id=item_id)
