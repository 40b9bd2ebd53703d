from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from openisms.accounts import selectors, services
from openisms.core.api import Error, Pagination, PathId

router = Router(tags=["account"])


class TokenIn(Schema):
    name: str
    expires_in_days: int | None = None


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None
    is_active: bool


class TokenCreated(TokenOut):
    token: str


@router.get("/tokens", response=list[TokenOut])
@paginate(Pagination)
def token_list(request: HttpRequest) -> object:
    return selectors.token_list(actor=request.auth)  # type: ignore[attr-defined]


@router.post("/tokens", response={201: TokenCreated, 422: Error})
def token_create(request: HttpRequest, payload: TokenIn) -> Status[dict[str, object]]:
    token, raw = services.token_create(
        actor=request.auth,  # type: ignore[attr-defined]
        name=payload.name,
        expires_in_days=payload.expires_in_days,
    )
    data = TokenOut.from_orm(token).dict()
    data["token"] = raw
    return Status(201, data)


@router.delete("/tokens/{token_id}", response={200: TokenOut, 404: Error})
def token_revoke(request: HttpRequest, token_id: PathId) -> object:
    user = request.auth  # type: ignore[attr-defined]
    token = selectors.token_get(actor=user, token_id=token_id)
    return services.token_revoke(actor=user, token=token)
