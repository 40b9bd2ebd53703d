from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from openisms.context import selectors, services
from openisms.context.fields import (
    ContextChanges,
    IssueChanges,
    PartyChanges,
    PartyRequirementChanges,
)
from openisms.context.models import (
    IssueCategory,
    IssueKind,
    ItemStatus,
    PartyKind,
    RequirementKind,
)
from openisms.core.api import Error, Pagination, PathId
from openisms.core.changes import changes_of
from openisms.orgs.access import request_actor as actor

router = Router(tags=["context"])
P = "/orgs/{org}/context"


class ContextOut(Schema):
    scope: str
    boundaries: str
    interfaces: str
    exclusions: str
    approved_version: int | None
    pending_version: int | None


class ContextPatch(Schema):
    scope: str | None = None
    boundaries: str | None = None
    interfaces: str | None = None
    exclusions: str | None = None

    def changes(self) -> ContextChanges:
        return changes_of(ContextChanges, self.dict(exclude_unset=True, exclude_none=True))


class IssueOut(Schema):
    id: int
    ref: str
    kind: str
    category: str
    title: str
    description: str
    effect: str
    owner: str | None
    status: str
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_owner(obj: Any) -> str | None:
        return obj.owner.email if obj.owner_id else None


class IssueIn(Schema):
    kind: IssueKind
    category: IssueCategory
    title: str
    description: str = ""
    effect: str = ""
    owner: str | None = None
    status: ItemStatus = ItemStatus.ACTIVE

    def changes(self) -> IssueChanges:
        return changes_of(IssueChanges, self.dict())


class IssuePatch(Schema):
    kind: IssueKind | None = None
    category: IssueCategory | None = None
    title: str | None = None
    description: str | None = None
    effect: str | None = None
    owner: str | None = None
    status: ItemStatus | None = None

    def changes(self) -> IssueChanges:
        return changes_of(IssueChanges, self.dict(exclude_unset=True))


class PartyRequirementOut(Schema):
    id: int
    ref: str
    party_id: int
    title: str
    kind: str
    reference: str
    description: str
    addressed: bool
    how: str
    status: str


class PartyOut(Schema):
    id: int
    ref: str
    name: str
    kind: str
    needs: str
    status: str
    requirements: list[PartyRequirementOut]

    @staticmethod
    def resolve_requirements(obj: Any) -> list[Any]:
        return list(obj.requirements.all())


class PartyIn(Schema):
    name: str
    kind: PartyKind
    needs: str = ""
    status: ItemStatus = ItemStatus.ACTIVE

    def changes(self) -> PartyChanges:
        return changes_of(PartyChanges, self.dict())


class PartyPatch(Schema):
    name: str | None = None
    kind: PartyKind | None = None
    needs: str | None = None
    status: ItemStatus | None = None

    def changes(self) -> PartyChanges:
        return changes_of(PartyChanges, self.dict(exclude_unset=True, exclude_none=True))


class RequirementIn(Schema):
    party: int
    title: str
    kind: RequirementKind
    reference: str = ""
    description: str = ""
    addressed: bool = False
    how: str = ""
    status: ItemStatus = ItemStatus.ACTIVE

    def changes(self) -> PartyRequirementChanges:
        return changes_of(PartyRequirementChanges, self.dict())


class RequirementPatch(Schema):
    party: int | None = None
    title: str | None = None
    kind: RequirementKind | None = None
    reference: str | None = None
    description: str | None = None
    addressed: bool | None = None
    how: str | None = None
    status: ItemStatus | None = None

    def changes(self) -> PartyRequirementChanges:
        return changes_of(PartyRequirementChanges, self.dict(exclude_unset=True, exclude_none=True))


class VersionOut(Schema):
    id: int
    number: int
    state: str
    comment: str
    decision_comment: str
    submitted_by: str | None
    submitted_at: datetime
    approved_by: str | None
    approved_at: datetime | None
    snapshot: dict[str, Any]

    @staticmethod
    def resolve_submitted_by(obj: Any) -> str | None:
        return obj.submitted_by.email if obj.submitted_by_id else None

    @staticmethod
    def resolve_approved_by(obj: Any) -> str | None:
        return obj.approved_by.email if obj.approved_by_id else None


class SubmitIn(Schema):
    comment: str = ""


class FieldChangeOut(Schema):
    field: str
    before: Any
    after: Any


class ItemChangeOut(Schema):
    key: str
    title: str
    change: str
    fields: list[FieldChangeOut]


class DiffOut(Schema):
    scope: list[FieldChangeOut]
    issues: list[ItemChangeOut]
    parties: list[ItemChangeOut]
    requirements: list[ItemChangeOut]


class ListFilters(Schema):
    status: ItemStatus | None = None


class IssueFilters(ListFilters):
    kind: IssueKind | None = None
    q: str = ""


class DiffQuery(Schema):
    against: str = "live"  # "live" or the number of another version


def _context(a: Any) -> dict[str, Any]:
    ctx = selectors.context_get(actor=a)
    approved = selectors.current_approved(actor=a)
    pending = selectors.pending_version(actor=a)
    return {
        "scope": a.org.scope,
        "boundaries": ctx.boundaries if ctx else "",
        "interfaces": ctx.interfaces if ctx else "",
        "exclusions": ctx.exclusions if ctx else "",
        "approved_version": approved.number if approved else None,
        "pending_version": pending.number if pending else None,
    }


@router.get(P, response={200: ContextOut, 404: Error})
def context_get(request: HttpRequest, org: str) -> Any:
    """The scope statement, boundaries, interfaces and exclusions, and the version numbers."""
    return _context(actor(request, org))


@router.patch(P, response={200: ContextOut, 403: Error, 404: Error, 422: Error})
def context_update(request: HttpRequest, org: str, payload: ContextPatch) -> Any:
    """Editors change boundaries, interfaces and exclusions; ``scope`` needs owner or admin."""
    a = actor(request, org)
    services.context_update(actor=a, **payload.changes())
    return _context(a)


@router.get(P + "/issues", response={200: list[IssueOut], 404: Error})
@paginate(Pagination)
def issue_list(request: HttpRequest, org: str, filters: Query[IssueFilters]) -> Any:
    return selectors.issue_list(actor=actor(request, org), **filters.dict())


@router.post(P + "/issues", response={201: IssueOut, 403: Error, 404: Error, 422: Error})
def issue_create(request: HttpRequest, org: str, payload: IssueIn) -> Any:
    a = actor(request, org)
    issue = services.issue_create(actor=a, **payload.changes())
    return Status(201, selectors.issue_get(actor=a, issue_id=issue.pk))


@router.get(P + "/issues/{issue_id}", response={200: IssueOut, 404: Error})
def issue_get(request: HttpRequest, org: str, issue_id: PathId) -> Any:
    return selectors.issue_get(actor=actor(request, org), issue_id=issue_id)


@router.patch(
    P + "/issues/{issue_id}", response={200: IssueOut, 403: Error, 404: Error, 422: Error}
)
def issue_update(request: HttpRequest, org: str, issue_id: PathId, payload: IssuePatch) -> Any:
    """The issue's owner (contributor role) may change ``description`` and ``effect``."""
    a = actor(request, org)
    issue = selectors.issue_get(actor=a, issue_id=issue_id)
    services.issue_update(actor=a, issue=issue, **payload.changes())
    return selectors.issue_get(actor=a, issue_id=issue_id)


@router.get(P + "/parties", response={200: list[PartyOut], 404: Error})
@paginate(Pagination)
def party_list(request: HttpRequest, org: str, filters: Query[ListFilters]) -> Any:
    """Interested parties, each with its requirements."""
    return selectors.party_list(actor=actor(request, org), **filters.dict())


@router.post(P + "/parties", response={201: PartyOut, 403: Error, 404: Error, 422: Error})
def party_create(request: HttpRequest, org: str, payload: PartyIn) -> Any:
    a = actor(request, org)
    party = services.party_create(actor=a, **payload.changes())
    return Status(201, selectors.party_get(actor=a, party_id=party.pk))


@router.get(P + "/parties/{party_id}", response={200: PartyOut, 404: Error})
def party_get(request: HttpRequest, org: str, party_id: PathId) -> Any:
    return selectors.party_get(actor=actor(request, org), party_id=party_id)


@router.patch(
    P + "/parties/{party_id}", response={200: PartyOut, 403: Error, 404: Error, 422: Error}
)
def party_update(request: HttpRequest, org: str, party_id: PathId, payload: PartyPatch) -> Any:
    a = actor(request, org)
    party = selectors.party_get(actor=a, party_id=party_id)
    services.party_update(actor=a, party=party, **payload.changes())
    return selectors.party_get(actor=a, party_id=party_id)


@router.get(P + "/requirements", response={200: list[PartyRequirementOut], 404: Error})
@paginate(Pagination)
def requirement_list(request: HttpRequest, org: str, filters: Query[ListFilters]) -> Any:
    """Requirements of interested parties (what SoA rows may cite by id)."""
    return selectors.requirement_list(actor=actor(request, org), **filters.dict())


@router.post(
    P + "/requirements", response={201: PartyRequirementOut, 403: Error, 404: Error, 422: Error}
)
def requirement_create(request: HttpRequest, org: str, payload: RequirementIn) -> Any:
    """``party``: the id of one of the organisation's interested parties."""
    a = actor(request, org)
    req = services.requirement_create(actor=a, **payload.changes())
    return Status(201, selectors.requirement_get(actor=a, requirement_id=req.pk))


@router.get(P + "/requirements/{requirement_id}", response={200: PartyRequirementOut, 404: Error})
def requirement_get(request: HttpRequest, org: str, requirement_id: PathId) -> Any:
    return selectors.requirement_get(actor=actor(request, org), requirement_id=requirement_id)


@router.patch(
    P + "/requirements/{requirement_id}",
    response={200: PartyRequirementOut, 403: Error, 404: Error, 422: Error},
)
def requirement_update(
    request: HttpRequest, org: str, requirement_id: PathId, payload: RequirementPatch
) -> Any:
    a = actor(request, org)
    req = selectors.requirement_get(actor=a, requirement_id=requirement_id)
    services.requirement_update(actor=a, requirement=req, **payload.changes())
    return selectors.requirement_get(actor=a, requirement_id=requirement_id)


@router.get(P + "/versions", response={200: list[VersionOut], 404: Error})
@paginate(Pagination)
def version_list(request: HttpRequest, org: str) -> Any:
    return selectors.version_list(actor=actor(request, org))


@router.post(P + "/versions", response={201: VersionOut, 403: Error, 404: Error, 422: Error})
def version_submit(request: HttpRequest, org: str, payload: SubmitIn) -> Any:
    """Freeze the live context into a version awaiting approval."""
    a = actor(request, org)
    version = services.context_submit(actor=a, comment=payload.comment)
    return Status(201, selectors.version_get(actor=a, version_id=version.pk))


@router.get(P + "/versions/{version_id}", response={200: VersionOut, 404: Error})
def version_get(request: HttpRequest, org: str, version_id: PathId) -> Any:
    return selectors.version_get(actor=actor(request, org), version_id=version_id)


@router.post(
    P + "/versions/{version_id}/approve",
    response={200: VersionOut, 403: Error, 404: Error, 422: Error},
)
def version_approve(request: HttpRequest, org: str, version_id: PathId, payload: SubmitIn) -> Any:
    """Owners and admins; with separate approval on, not the member who submitted it."""
    a = actor(request, org)
    version = selectors.version_get(actor=a, version_id=version_id)
    services.context_approve(actor=a, version=version, comment=payload.comment)
    return selectors.version_get(actor=a, version_id=version_id)


@router.post(
    P + "/versions/{version_id}/reject",
    response={200: VersionOut, 403: Error, 404: Error, 422: Error},
)
def version_reject(request: HttpRequest, org: str, version_id: PathId, payload: SubmitIn) -> Any:
    a = actor(request, org)
    version = selectors.version_get(actor=a, version_id=version_id)
    services.context_reject(actor=a, version=version, comment=payload.comment)
    return selectors.version_get(actor=a, version_id=version_id)


@router.get(P + "/versions/{version_id}/diff", response={200: DiffOut, 404: Error, 422: Error})
def version_diff(
    request: HttpRequest, org: str, version_id: PathId, query: Query[DiffQuery]
) -> Any:
    """What changed from this version to ``against``: 'live' (the working context) or the
    number of another version."""
    a = actor(request, org)
    return selectors.diff_for(actor=a, version_id=version_id, against=query.against)
