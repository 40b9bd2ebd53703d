from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from openisms.assets import io, selectors, services
from openisms.assets.fields import AssetChanges
from openisms.assets.models import AssetType, Classification
from openisms.core.api import (
    Conflict,
    Email,
    Error,
    Ids,
    Pagination,
    PathId,
    Shorts,
    Text,
    VersionIn,
)
from openisms.core.changes import changes_of
from openisms.orgs.access import request_actor as actor

router = Router(tags=["assets"])

Level = Annotated[int, Field(ge=1, le=5)]


class AssetOut(Schema):
    id: int
    version: int
    name: str
    type: str
    description: str
    owner: str | None
    custodian: str | None
    location: str
    classification: str
    confidentiality: int
    integrity: int
    availability: int
    tags: list[str]
    depends_on: list[int]
    updated_at: datetime

    @staticmethod
    def resolve_owner(obj: Any) -> str | None:
        return obj.owner.email if obj.owner_id else None

    @staticmethod
    def resolve_custodian(obj: Any) -> str | None:
        return obj.custodian.email if obj.custodian_id else None

    @staticmethod
    def resolve_tags(obj: Any) -> list[str]:
        return list(obj.tag_list)

    @staticmethod
    def resolve_depends_on(obj: Any) -> list[int]:
        return [a.pk for a in obj.depends_on.all()]


class AssetIn(Schema):
    name: str = Field(..., max_length=200)
    type: AssetType
    description: Text = ""
    owner: Email | None = None
    custodian: Email | None = None
    location: str = Field("", max_length=200)
    classification: Classification = Classification.INTERNAL
    confidentiality: Level = 3
    integrity: Level = 3
    availability: Level = 3
    tags: Shorts = []
    depends_on: Ids = []

    def changes(self) -> AssetChanges:
        return changes_of(AssetChanges, self.dict())


class AssetPatch(Schema):
    name: str | None = Field(None, max_length=200)
    type: AssetType | None = None
    description: Text | None = None
    owner: Email | None = None
    custodian: Email | None = None
    location: str | None = Field(None, max_length=200)
    classification: Classification | None = None
    confidentiality: Level | None = None
    integrity: Level | None = None
    availability: Level | None = None
    # Lists are replaced whole; [] clears one, and null is refused (a 422) rather than
    # reaching the service. Leaving the field out keeps the list as it is.
    tags: Shorts = Field(default_factory=list)
    depends_on: Ids = Field(default_factory=list)
    version: VersionIn = None

    def changes(self) -> AssetChanges:
        return changes_of(AssetChanges, self.dict(exclude_unset=True, exclude={"version"}))


class AssetFilters(Schema):
    q: str = ""
    type: str | None = None
    classification: str | None = None
    owner: str | None = None
    tag: str | None = None
    sort: str = "name"


class ImportIssueOut(Schema):
    row: int
    column: str
    message: str


class ImportOut(Schema):
    dry_run: bool
    created: int
    updated: int
    unchanged: int
    issues: list[ImportIssueOut]


@router.get("/orgs/{org}/assets", response={200: list[AssetOut], 404: Error})
@paginate(Pagination)
def asset_list(request: HttpRequest, org: str, filters: Query[AssetFilters]) -> Any:
    return selectors.asset_list(actor=actor(request, org), **filters.dict()).prefetch_related(
        "depends_on"
    )


@router.post("/orgs/{org}/assets", response={201: AssetOut, 403: Error, 404: Error, 422: Error})
def asset_create(request: HttpRequest, org: str, payload: AssetIn) -> Any:
    asset = services.asset_create(actor=actor(request, org), **payload.changes())
    return Status(201, asset)


@router.get("/orgs/{org}/assets/export", response={200: None, 404: Error, 422: Error})
def asset_export(request: HttpRequest, org: str, format: str = "csv") -> HttpResponse:
    """The inventory as a CSV or XLSX file that re-imports as it is."""
    content, content_type, ext = io.export_assets(actor=actor(request, org), fmt=format)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{org}-assets.{ext}"'
    return response


@router.post(
    "/orgs/{org}/assets/import",
    response={200: ImportOut, 403: Error, 404: Error, 422: ImportOut | Error},
)
def asset_import(
    request: HttpRequest, org: str, file: File[UploadedFile], dry_run: Form[bool] = False
) -> Any:
    """All or nothing: with any bad row nothing is written and every problem is listed (422
    with the import's body; a request without a file is a 422 with the Error body)."""
    result = io.import_assets(
        actor=actor(request, org), data=file.read(), filename=file.name or "", dry_run=dry_run
    )
    body = {
        "dry_run": result.dry_run,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "issues": [vars(i) for i in result.issues],
    }
    return Status(200 if result.ok else 422, body)


@router.get("/orgs/{org}/assets/{asset_id}", response={200: AssetOut, 404: Error})
def asset_get(request: HttpRequest, org: str, asset_id: PathId) -> Any:
    return selectors.asset_get(actor=actor(request, org), asset_id=asset_id)


@router.patch(
    "/orgs/{org}/assets/{asset_id}",
    response={200: AssetOut, 403: Error, 404: Error, 409: Conflict, 422: Error},
)
def asset_update(request: HttpRequest, org: str, asset_id: PathId, payload: AssetPatch) -> Any:
    a = actor(request, org)
    asset = selectors.asset_get(actor=a, asset_id=asset_id)
    services.asset_update(actor=a, asset=asset, version=payload.version, **payload.changes())
    return selectors.asset_get(actor=a, asset_id=asset_id)


@router.delete("/orgs/{org}/assets/{asset_id}", response={204: None, 403: Error, 404: Error})
def asset_delete(request: HttpRequest, org: str, asset_id: PathId) -> Any:
    a = actor(request, org)
    services.asset_delete(actor=a, asset=selectors.asset_get(actor=a, asset_id=asset_id))
    return Status(204, None)
