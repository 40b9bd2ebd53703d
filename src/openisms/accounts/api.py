from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from openisms.accounts import selectors, services
from openisms.accounts.auth import SESSION_ONLY
from openisms.accounts.models import TokenScope
from openisms.core.api import Error, Pagination, PathId

router = Router(tags=["account"])


class TokenIn(Schema):
    name: str
    expires_in_days: int | None = None  # 90 unless said; 1 to 365
    scope: TokenScope = TokenScope.READ
    org: str | None = None  # an organisation's slug binds the token to it; None: all


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    scope: str
    org: str | None
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None
    is_active: bool

    @staticmethod
    def resolve_org(obj: Any) -> str | None:
        return obj.org.slug if obj.org_id else None


class TokenCreated(TokenOut):
    token: str


@router.get("/tokens", response=list[TokenOut])
@paginate(Pagination)
def token_list(request: HttpRequest) -> object:
    return selectors.token_list(actor=request.auth)  # type: ignore[attr-defined]


@router.post("/tokens", response={201: TokenCreated, 403: Error, 422: Error}, auth=SESSION_ONLY)
def token_create(request: HttpRequest, payload: TokenIn) -> Status[object]:
    """Browser session only: a token can never mint another."""
    user = request.auth  # type: ignore[attr-defined]
    token, raw = services.token_create(
        actor=user,
        name=payload.name,
        expires_in_days=payload.expires_in_days,
        scope=payload.scope,
        org_id=selectors.member_org_id(user=user, slug=payload.org) if payload.org else None,
    )
    token.token = raw  # type: ignore[attr-defined]  # shown this once, never stored
    return Status(201, token)


@router.delete(
    "/tokens/{token_id}", response={200: TokenOut, 403: Error, 404: Error}, auth=SESSION_ONLY
)
def token_revoke(request: HttpRequest, token_id: PathId) -> object:
    user = request.auth  # type: ignore[attr-defined]
    token = selectors.token_get(actor=user, token_id=token_id)
    return services.token_revoke(actor=user, token=token)
