from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from openisms.accounts.auth import SESSION_ONLY
from openisms.core import audit
from openisms.core.api import Error, Pagination, PathId
from openisms.orgs import selectors, services
from openisms.orgs.access import Perm, token_org_id
from openisms.orgs.access import request_actor as actor
from openisms.orgs.models import OrgSize, PiiRole, Role, Sector

router = Router(tags=["organisations"])


class OrgOut(Schema):
    slug: str
    name: str
    scope: str
    size: str
    sector: str
    pii_role: str
    role: str
    created_at: datetime


class OrgIn(Schema):
    name: str
    slug: str
    scope: str = ""
    size: OrgSize = OrgSize.MICRO
    sector: Sector = Sector.OTHER
    pii_role: PiiRole = PiiRole.NONE


class OrgPatch(Schema):
    name: str | None = None
    slug: str | None = None
    scope: str | None = None
    size: OrgSize | None = None
    sector: Sector | None = None
    pii_role: PiiRole | None = None


class MemberOut(Schema):
    id: int
    email: str
    full_name: str
    role: str
    created_at: datetime

    @staticmethod
    def resolve_email(obj: Any) -> str:
        return str(obj.user.email)

    @staticmethod
    def resolve_full_name(obj: Any) -> str:
        return str(obj.user.full_name)


class MemberPatch(Schema):
    role: Role


class InvitationIn(Schema):
    email: str
    role: Role


class InvitationOut(Schema):
    id: int
    email: str
    role: str
    status: str
    expires_at: datetime
    created_at: datetime


class InvitationCreated(InvitationOut):
    link: str


class AuditEventOut(Schema):
    seq: int
    action: str
    actor: str
    object_type: str
    object_id: str
    object_repr: str
    before: Any
    after: Any
    request_id: str
    created_at: datetime
    hash: str
    prev_hash: str

    @staticmethod
    def resolve_actor(obj: Any) -> str:
        return str(obj.actor_label)


class AuditFilters(Schema):
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    actor: str | None = None
    since: datetime | None = None
    until: datetime | None = None


class VerifyOut(Schema):
    intact: bool
    events: int
    problem: str | None


def _org_out(a: Any) -> dict[str, Any]:
    org = a.org
    return {
        "slug": org.slug,
        "name": org.name,
        "scope": org.scope,
        "size": org.size,
        "sector": org.sector,
        "pii_role": org.pii_role,
        "role": a.role,
        "created_at": org.created_at,
    }


@router.get("/orgs", response=list[OrgOut])
@paginate(Pagination)
def org_list(request: HttpRequest) -> list[dict[str, Any]]:
    memberships = selectors.memberships_of(user=request.auth, only_org=token_org_id(request))  # type: ignore[attr-defined]
    return [_org_out(m) for m in memberships]


@router.post("/orgs", response={201: OrgOut, 403: Error, 422: Error})
def org_create(request: HttpRequest, payload: OrgIn) -> Status[dict[str, Any]]:
    if token_org_id(request) is not None:
        raise PermissionDenied("This API token is bound to one organisation.")
    org = services.organization_create(actor=request.auth, **payload.dict())  # type: ignore[attr-defined]
    return Status(201, _org_out(actor(request, org.slug)))


@router.get("/orgs/{org}", response={200: OrgOut, 404: Error})
def org_get(request: HttpRequest, org: str) -> dict[str, Any]:
    return _org_out(actor(request, org))


@router.patch(
    "/orgs/{org}", response={200: OrgOut, 403: Error, 404: Error, 422: Error}, auth=SESSION_ONLY
)
def org_update(request: HttpRequest, org: str, payload: OrgPatch) -> dict[str, Any]:
    a = actor(request, org)
    updated = services.organization_update(actor=a, **payload.dict(exclude_unset=True))
    return _org_out(type(a)(user=a.user, org=updated, role=a.role))


@router.get("/orgs/{org}/members", response={200: list[MemberOut], 404: Error})
@paginate(Pagination)
def member_list(request: HttpRequest, org: str) -> Any:
    return selectors.member_list(actor=actor(request, org))


@router.patch(
    "/orgs/{org}/members/{member_id}",
    response={200: MemberOut, 403: Error, 404: Error, 422: Error},
    auth=SESSION_ONLY,
)
def member_update(request: HttpRequest, org: str, member_id: PathId, payload: MemberPatch) -> Any:
    a = actor(request, org)
    a.require(Perm.MANAGE_ORG)
    membership = selectors.member_get(actor=a, member_id=member_id)
    return services.membership_change_role(actor=a, membership=membership, role=payload.role)


@router.delete(
    "/orgs/{org}/members/{member_id}",
    response={204: None, 403: Error, 404: Error, 422: Error},
    auth=SESSION_ONLY,
)
def member_remove(request: HttpRequest, org: str, member_id: PathId) -> Status[None]:
    a = actor(request, org)
    a.require(Perm.MANAGE_ORG)
    services.membership_remove(
        actor=a, membership=selectors.member_get(actor=a, member_id=member_id)
    )
    return Status(204, None)


@router.get("/orgs/{org}/invitations", response={200: list[InvitationOut], 403: Error, 404: Error})
@paginate(Pagination)
def invitation_list(request: HttpRequest, org: str) -> Any:
    return selectors.invitation_list(actor=actor(request, org))


@router.post(
    "/orgs/{org}/invitations",
    response={201: InvitationCreated, 403: Error, 404: Error, 422: Error},
    auth=SESSION_ONLY,
)
def invitation_create(request: HttpRequest, org: str, payload: InvitationIn) -> Any:
    from django.conf import settings

    invitation, raw = services.invitation_create(
        actor=actor(request, org), email=payload.email, role=payload.role
    )
    data = InvitationOut.from_orm(invitation).dict()
    data["link"] = f"{settings.OPENISMS_BASE_URL}/invite/{raw}/"
    return Status(201, data)


@router.delete(
    "/orgs/{org}/invitations/{invitation_id}",
    response={200: InvitationOut, 403: Error, 404: Error, 422: Error},
    auth=SESSION_ONLY,
)
def invitation_revoke(request: HttpRequest, org: str, invitation_id: PathId) -> Any:
    a = actor(request, org)
    invitation = selectors.invitation_get(actor=a, invitation_id=invitation_id)
    return services.invitation_revoke(actor=a, invitation=invitation)


@router.get("/orgs/{org}/audit-events", response={200: list[AuditEventOut], 403: Error, 404: Error})
@paginate(Pagination)
def audit_event_list(request: HttpRequest, org: str, filters: Query[AuditFilters]) -> Any:
    return selectors.audit_event_list(
        actor=actor(request, org),
        action=filters.action,
        object_type=filters.object_type,
        object_id=filters.object_id,
        actor_email=filters.actor,
        since=filters.since,
        until=filters.until,
    )


@router.get("/orgs/{org}/audit-events/verify", response={200: VerifyOut, 403: Error, 404: Error})
def audit_verify(request: HttpRequest, org: str) -> dict[str, Any]:
    a = actor(request, org)
    a.require(Perm.VIEW_AUDIT_TRAIL)
    key = audit.chain_key(a.org)
    problem = audit.verify_chain(key)
    return {
        "intact": problem is None,
        "events": selectors.audit_event_list(actor=a).count(),
        "problem": str(problem) if problem else None,
    }


class MembershipOut(Schema):
    org: str
    name: str
    role: str


class MeOut(Schema):
    id: int
    email: str
    full_name: str
    memberships: list[MembershipOut]


@router.get("/me", response=MeOut, tags=["account"], operation_id="openisms_accounts_api_me")
def me(request: HttpRequest) -> dict[str, object]:
    user = request.auth  # type: ignore[attr-defined]
    return {
        "id": user.pk,
        "email": user.email,
        "full_name": user.full_name,
        "memberships": [
            {"org": m.org.slug, "name": m.org.name, "role": m.role}
            for m in selectors.memberships_of(user=user, only_org=token_org_id(request))
        ],
    }
