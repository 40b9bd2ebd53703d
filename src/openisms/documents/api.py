from datetime import date, datetime
from typing import Any, Literal

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from openisms.core.api import Conflict, Error, Pagination, PathId, VersionIn
from openisms.core.changes import changes_of
from openisms.documents import exports, library, selectors, services
from openisms.documents.downloads import file_response
from openisms.documents.fields import DocumentChanges
from openisms.documents.markdown import render_html
from openisms.orgs.access import request_actor as actor

router = Router(tags=["documents"])
P = "/orgs/{org}/documents"


class DocumentOut(Schema):
    id: int
    version: int
    ref: str
    title: str
    kind: str
    classification: str
    owner: str | None
    status: str
    current_version: int | None
    pending_version: int | None
    review_interval_months: int
    next_review_on: date | None
    audience_roles: list[str]
    template_key: str
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_owner(obj: Any) -> str | None:
        return obj.owner.email if obj.owner_id else None

    @staticmethod
    def resolve_status(obj: Any) -> str:
        return str(obj.status())

    @staticmethod
    def resolve_current_version(obj: Any) -> int | None:
        return getattr(obj, "current_number", None)

    @staticmethod
    def resolve_pending_version(obj: Any) -> int | None:
        return getattr(obj, "pending_number", None)


class DocumentDetailOut(DocumentOut):
    draft_text: str
    draft_html: str
    draft_file_name: str
    draft_file_sha256: str
    controls: list[str]
    requirements: list[str]

    @staticmethod
    def resolve_draft_html(obj: Any) -> str:
        return render_html(obj.draft_text)

    @staticmethod
    def resolve_controls(obj: Any) -> list[str]:
        return [c.ref for c in obj.controls.all()]

    @staticmethod
    def resolve_requirements(obj: Any) -> list[str]:
        return sorted(r.ref for r in obj.requirements.all())


class DocumentFilters(Schema):
    status: str | None = None
    kind: str | None = None
    owner: str | None = None
    q: str = ""


class DocumentIn(Schema):
    title: str
    kind: str = "policy"
    owner: str | None = None
    classification: str = "internal"
    review_interval_months: int = 12
    next_review_on: date | None = None
    audience_roles: list[str] = []
    draft_text: str = ""
    controls: list[str] = []
    requirements: list[str] = []

    def changes(self) -> DocumentChanges:
        return changes_of(DocumentChanges, self.dict())


class DocumentPatch(Schema):
    title: str | None = None
    kind: str | None = None
    owner: str | None = None
    classification: str | None = None
    review_interval_months: int | None = None
    next_review_on: date | None = None
    audience_roles: list[str] | None = None
    draft_text: str | None = None
    controls: list[str] | None = None
    requirements: list[str] | None = None
    version: VersionIn = None

    def changes(self) -> DocumentChanges:
        return changes_of(DocumentChanges, self.dict(exclude_unset=True, exclude={"version"}))


class DocumentTemplateOut(Schema):
    key: str
    title: str
    kind: str
    controls: list[str]
    review_months: int
    words: int


class DocumentFromTemplateIn(Schema):
    key: str
    owner: str | None = None


class DocumentVersionOut(Schema):
    number: int
    state: str
    title: str
    comment: str
    submitted_by: str | None
    submitted_at: datetime
    approved_by: str | None
    approved_at: datetime | None
    rejected_by: str | None
    rejected_at: datetime | None
    decision_comment: str

    @staticmethod
    def resolve_title(obj: Any) -> str:
        return str(obj.snapshot.get("title", ""))

    @staticmethod
    def resolve_submitted_by(obj: Any) -> str | None:
        return obj.submitted_by.email if obj.submitted_by_id else None

    @staticmethod
    def resolve_approved_by(obj: Any) -> str | None:
        return obj.approved_by.email if obj.approved_by_id else None

    @staticmethod
    def resolve_rejected_by(obj: Any) -> str | None:
        return obj.rejected_by.email if obj.rejected_by_id else None


class DocumentVersionDetailOut(DocumentVersionOut):
    text: str
    html: str
    file: dict[str, Any]

    @staticmethod
    def resolve_html(obj: Any) -> str:
        return render_html(obj.text)


class VersionDecisionIn(Schema):
    comment: str = ""


class AcknowledgementOut(Schema):
    ref: str
    version: int
    user: str
    acknowledged_at: datetime


class DocumentReaderOut(Schema):
    user: str
    role: str
    acknowledged_versions: list[int]
    read_current: bool


class DocumentReadersOut(Schema):
    current_version: int | None
    readers: list[DocumentReaderOut]
    missing: list[str]


@router.get(P, response={200: list[DocumentOut], 404: Error})
@paginate(Pagination)
def document_list(request: HttpRequest, org: str, filters: Query[DocumentFilters]) -> Any:
    """The register. ``status``: draft, in_review, published or review_overdue; ``owner``: an
    e-mail or 'me'."""
    return selectors.document_list(actor=actor(request, org), **filters.dict())


@router.post(P, response={201: DocumentDetailOut, 403: Error, 404: Error, 422: Error})
def document_create(request: HttpRequest, org: str, payload: DocumentIn) -> Any:
    """``requirements``: ISO/IEC 27001 clause or Annex A refs ("5.1", "A.5.1");
    ``controls``: refs of the organisation's controls; ``audience_roles`` empty: everyone."""
    a = actor(request, org)
    doc = services.document_create(actor=a, **payload.changes())
    return Status(201, selectors.document_get(actor=a, document_id=doc.pk))


@router.get(P + "/templates", response={200: list[DocumentTemplateOut], 404: Error})
@paginate(Pagination)
def template_list(request: HttpRequest, org: str) -> Any:
    """The starter policy templates a document can be created from."""
    actor(request, org)
    return [
        DocumentTemplateOut(
            key=t.key,
            title=t.title,
            kind=t.kind,
            controls=list(t.controls),
            review_months=t.review_months,
            words=t.words,
        )
        for t in library.templates().values()
    ]


@router.post(
    P + "/from-template", response={201: DocumentDetailOut, 403: Error, 404: Error, 422: Error}
)
def document_from_template(request: HttpRequest, org: str, payload: DocumentFromTemplateIn) -> Any:
    """A new document from a starter template, with the organisation's name, scope, owner,
    approver and review interval filled in."""
    a = actor(request, org)
    doc = services.document_create_from_template(actor=a, key=payload.key, owner=payload.owner)
    return Status(201, selectors.document_get(actor=a, document_id=doc.pk))


@router.get(P + "/awaiting-acknowledgement", response={200: list[DocumentOut], 404: Error})
@paginate(Pagination)
def awaiting(request: HttpRequest, org: str) -> Any:
    """Published documents whose current version the caller has not acknowledged."""
    return selectors.awaiting_acknowledgement(actor=actor(request, org))


@router.get(P + "/export", response={200: None, 404: Error, 422: Error})
def register_export(
    request: HttpRequest, org: str, format: Literal["csv", "xlsx"] = "csv"
) -> HttpResponse:
    content, content_type, ext = exports.export_register(actor=actor(request, org), fmt=format)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{org}-documents.{ext}"'
    return response


@router.get(P + "/{document_id}", response={200: DocumentDetailOut, 404: Error})
def document_get(request: HttpRequest, org: str, document_id: PathId) -> Any:
    return selectors.document_get(actor=actor(request, org), document_id=document_id)


@router.patch(
    P + "/{document_id}",
    response={200: DocumentDetailOut, 403: Error, 404: Error, 409: Conflict, 422: Error},
)
def document_update(
    request: HttpRequest, org: str, document_id: PathId, payload: DocumentPatch
) -> Any:
    """The owner (contributor role) may change only ``draft_text``."""
    a = actor(request, org)
    doc = selectors.document_get(actor=a, document_id=document_id)
    services.document_update(actor=a, document=doc, version=payload.version, **payload.changes())
    return selectors.document_get(actor=a, document_id=document_id)


@router.get(P + "/{document_id}/export", response={200: None, 404: Error, 422: Error})
def document_export(
    request: HttpRequest,
    org: str,
    document_id: PathId,
    format: Literal["pdf", "docx"] = "pdf",
    version: int | None = None,
) -> HttpResponse:
    """Version ``version``, else the current approved one, else the draft marked DRAFT."""
    a = actor(request, org)
    doc = selectors.document_get(actor=a, document_id=document_id)
    chosen = selectors.version_get(actor=a, document=doc, number=version) if version else None
    content, content_type, ext = exports.export_document(
        actor=a, document=doc, fmt=format, version=chosen
    )
    chosen = chosen or selectors.current_version(actor=a, document=doc)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="{exports.file_name(doc, chosen, ext)}"'
    )
    return response


@router.get(P + "/{document_id}/readers", response={200: DocumentReadersOut, 404: Error})
def readers(request: HttpRequest, org: str, document_id: PathId) -> Any:
    """Who the document is published to, which versions each acknowledged, and who has not
    read the current version."""
    a = actor(request, org)
    r = selectors.readership(
        actor=a, document=selectors.document_get(actor=a, document_id=document_id)
    )
    return {
        "current_version": r.current,
        "readers": [
            {
                "user": x.user.email,
                "role": x.role,
                "acknowledged_versions": x.acknowledged,
                "read_current": x.current,
            }
            for x in r.readers
        ],
        "missing": [x.user.email for x in r.missing],
    }


@router.post(
    P + "/{document_id}/submit",
    response={201: DocumentVersionOut, 403: Error, 404: Error, 422: Error},
)
def submit(request: HttpRequest, org: str, document_id: PathId, payload: VersionDecisionIn) -> Any:
    """Freeze the draft into the next version, awaiting approval (editors and the owner)."""
    a = actor(request, org)
    doc = selectors.document_get(actor=a, document_id=document_id)
    return Status(201, services.document_submit(actor=a, document=doc, comment=payload.comment))


@router.get(P + "/{document_id}/versions", response={200: list[DocumentVersionOut], 404: Error})
@paginate(Pagination)
def version_list(request: HttpRequest, org: str, document_id: PathId) -> Any:
    a = actor(request, org)
    doc = selectors.document_get(actor=a, document_id=document_id)
    return selectors.version_list(actor=a, document=doc)


@router.get(
    P + "/{document_id}/versions/{number}", response={200: DocumentVersionDetailOut, 404: Error}
)
def version_get(request: HttpRequest, org: str, document_id: PathId, number: PathId) -> Any:
    a = actor(request, org)
    doc = selectors.document_get(actor=a, document_id=document_id)
    return selectors.version_get(actor=a, document=doc, number=number)


def _version(request: HttpRequest, org: str, document_id: int, number: int) -> Any:
    a = actor(request, org)
    doc = selectors.document_get(actor=a, document_id=document_id)
    return a, selectors.version_get(actor=a, document=doc, number=number)


@router.post(
    P + "/{document_id}/versions/{number}/approve",
    response={200: DocumentVersionOut, 403: Error, 404: Error, 422: Error},
)
def approve(
    request: HttpRequest, org: str, document_id: PathId, number: PathId, payload: VersionDecisionIn
) -> Any:
    """Publish the version. With separate approval on, its submitter may not approve it."""
    a, version = _version(request, org, document_id, number)
    return services.document_approve(actor=a, version=version, comment=payload.comment)


@router.post(
    P + "/{document_id}/versions/{number}/reject",
    response={200: DocumentVersionOut, 403: Error, 404: Error, 422: Error},
)
def reject(
    request: HttpRequest, org: str, document_id: PathId, number: PathId, payload: VersionDecisionIn
) -> Any:
    """Send the version back; ``comment`` says what to change."""
    a, version = _version(request, org, document_id, number)
    return services.document_reject(actor=a, version=version, comment=payload.comment)


@router.post(
    P + "/{document_id}/versions/{number}/acknowledge",
    response={201: AcknowledgementOut, 403: Error, 404: Error, 422: Error},
)
def acknowledge(request: HttpRequest, org: str, document_id: PathId, number: PathId) -> Any:
    """The caller has read this approved version (any role it is published to)."""
    a, version = _version(request, org, document_id, number)
    ack = services.version_acknowledge(actor=a, version=version)
    return Status(
        201,
        {
            "ref": version.document.ref,
            "version": version.number,
            "user": ack.user.email,
            "acknowledged_at": ack.acknowledged_at,
        },
    )


@router.post(
    P + "/{document_id}/file", response={200: DocumentDetailOut, 403: Error, 404: Error, 422: Error}
)
def upload(request: HttpRequest, org: str, document_id: PathId, file: File[UploadedFile]) -> Any:
    """Multipart upload of the draft's file (pdf, docx, odt, md, txt; the bytes must match the
    extension), replacing any earlier one; versions keep the file they were submitted with."""
    a = actor(request, org)
    doc = selectors.document_get(actor=a, document_id=document_id)
    services.document_upload_file(actor=a, document=doc, upload=file)
    return selectors.document_get(actor=a, document_id=document_id)


@router.get(P + "/{document_id}/file", response={200: None, 404: Error})
def download(
    request: HttpRequest, org: str, document_id: PathId, version: int | None = None
) -> FileResponse:
    """The draft's file, or the one frozen with version ``version``; 404 when there is none."""
    a = actor(request, org)
    doc = selectors.document_get(actor=a, document_id=document_id)
    chosen = selectors.version_get(actor=a, document=doc, number=version) if version else None
    stored = selectors.document_file(document=doc, version=chosen)
    if stored is None:
        raise Http404("No file.")
    return file_response(stored)
