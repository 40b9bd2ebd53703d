"""The registry of every API route and UI page, used by the isolation and query-budget tests.

Each entry says how to call the route on organisation A's data. A route that exists in the
OpenAPI document or the URL configuration but not here fails the meta-tests, so every new
route must state its scope, its expected statuses and its query budget.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from openisms.accounts import services as account_services
from openisms.accounts.models import ApiToken
from openisms.assets import services as asset_services
from openisms.assets.models import Asset
from openisms.orgs import services as org_services
from openisms.orgs.models import Invitation, Membership
from tests.conftest import World, add_member

_seq = itertools.count(1)


@dataclass
class Ctx:
    world: World

    def member(self) -> Membership:
        user = add_member(self.world.org_a, f"m{next(_seq)}@example.com", "contributor")
        return Membership.objects.get(user=user, org=self.world.org_a)

    def invitation(self) -> Invitation:
        from openisms.core.access import actor_for

        actor = actor_for(self.world.owner_a, self.world.org_a.slug)
        invitation, _ = org_services.invitation_create(
            actor=actor, email=f"inv{next(_seq)}@example.com", role="viewer"
        )
        return invitation

    def token(self) -> ApiToken:
        token, _ = account_services.token_create(actor=self.world.owner_a, name=f"t{next(_seq)}")
        return token

    def asset(self) -> Asset:
        from openisms.core.access import actor_for

        actor = actor_for(self.world.owner_a, self.world.org_a.slug)
        previous = Asset.objects.filter(org=self.world.org_a).order_by("-pk").first()
        return asset_services.asset_create(
            actor=actor,
            name=f"Asset {next(_seq)}",
            type="software",
            owner=self.world.users_a["manager"].email,
            tags=["grow"],
            depends_on=[previous.pk] if previous else [],
        )

    def grow(self, n: int) -> None:
        """Add n of every kind of organisation row (and the audit events they create)."""
        for _ in range(n):
            self.member()
            self.invitation()
            self.token()
            self.asset()


Params = Callable[[Ctx], dict[str, Any]]


def none(ctx: Ctx) -> dict[str, Any]:
    return {}


@dataclass
class Route:
    method: str
    path: str  # OpenAPI path (API) or URL name (UI)
    scope: str  # org: organisation data; user: the caller's own; global: catalogue; public
    ok: int  # status for the owner of A
    viewer: int | None = None  # status for a viewer of A (org routes)
    params: Params = none
    body: Params | None = None
    query: str = ""
    owned_params: bool = True  # path params name org A's rows (not shared catalogue content)
    multipart: bool = False  # body is a form with a file, not JSON

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def writes(self) -> bool:
        return self.method in {"POST", "PUT", "PATCH", "DELETE"}


def _member(ctx: Ctx) -> dict[str, Any]:
    return {"member_id": ctx.member().pk}


def _invitation(ctx: Ctx) -> dict[str, Any]:
    return {"invitation_id": ctx.invitation().pk}


def _token(ctx: Ctx) -> dict[str, Any]:
    return {"token_id": ctx.token().pk}


def _asset(ctx: Ctx) -> dict[str, Any]:
    return {"asset_id": ctx.asset().pk}


def _asset_body(ctx: Ctx) -> dict[str, Any]:
    return {"name": f"New asset {next(_seq)}", "type": "hardware", "tags": ["x"]}


def _asset_form(ctx: Ctx) -> dict[str, Any]:
    return {
        "name": f"Form asset {next(_seq)}",
        "type": "site",
        "classification": "internal",
        "confidentiality": 3,
        "integrity": 3,
        "availability": 3,
    }


def _import_file(ctx: Ctx) -> dict[str, Any]:
    import io

    data = f"name,type,tags\nImported {next(_seq)},site,a; b\n".encode()
    upload = io.BytesIO(data)
    upload.name = "assets.csv"
    return {"file": upload}


def _fresh_org(ctx: Ctx) -> dict[str, Any]:
    return {"name": "New Org", "slug": f"new-{next(_seq)}"}


def _invite_body(ctx: Ctx) -> dict[str, Any]:
    return {"email": f"new{next(_seq)}@example.com", "role": "viewer"}


API: list[Route] = [
    Route("GET", "/api/v1/me", "user", 200),
    Route("GET", "/api/v1/tokens", "user", 200),
    Route("POST", "/api/v1/tokens", "user", 201, body=lambda c: {"name": "x"}),
    Route("DELETE", "/api/v1/tokens/{token_id}", "user", 200, params=_token),
    Route("GET", "/api/v1/orgs", "user", 200),
    Route("POST", "/api/v1/orgs", "user", 201, body=_fresh_org),
    Route("GET", "/api/v1/orgs/{org}", "org", 200, 200),
    Route(
        "PATCH",
        "/api/v1/orgs/{org}",
        "org",
        200,
        403,
        body=lambda c: {"scope": f"All services, revision {next(_seq)}"},
    ),
    Route("GET", "/api/v1/orgs/{org}/members", "org", 200, 200),
    Route(
        "PATCH",
        "/api/v1/orgs/{org}/members/{member_id}",
        "org",
        200,
        403,
        params=_member,
        body=lambda c: {"role": "manager"},
    ),
    Route("DELETE", "/api/v1/orgs/{org}/members/{member_id}", "org", 204, 403, params=_member),
    Route("GET", "/api/v1/orgs/{org}/invitations", "org", 200, 403),
    Route("POST", "/api/v1/orgs/{org}/invitations", "org", 201, 403, body=_invite_body),
    Route(
        "DELETE",
        "/api/v1/orgs/{org}/invitations/{invitation_id}",
        "org",
        200,
        403,
        params=_invitation,
    ),
    Route("GET", "/api/v1/orgs/{org}/audit-events", "org", 200, 403),
    Route("GET", "/api/v1/orgs/{org}/audit-events/verify", "org", 200, 403),
    Route("GET", "/api/v1/orgs/{org}/assets", "org", 200, 200, query="tag=grow&sort=owner"),
    Route("POST", "/api/v1/orgs/{org}/assets", "org", 201, 403, body=_asset_body),
    Route("GET", "/api/v1/orgs/{org}/assets/export", "org", 200, 200, query="format=xlsx"),
    Route(
        "POST",
        "/api/v1/orgs/{org}/assets/import",
        "org",
        200,
        403,
        body=_import_file,
        multipart=True,
    ),
    Route("GET", "/api/v1/orgs/{org}/assets/{asset_id}", "org", 200, 200, params=_asset),
    Route(
        "PATCH",
        "/api/v1/orgs/{org}/assets/{asset_id}",
        "org",
        200,
        403,
        params=_asset,
        body=lambda c: {"location": f"Rack {next(_seq)}"},
    ),
    Route("DELETE", "/api/v1/orgs/{org}/assets/{asset_id}", "org", 204, 403, params=_asset),
    Route("GET", "/api/v1/frameworks", "global", 200),
    Route(
        "GET",
        "/api/v1/frameworks/{slug}",
        "global",
        200,
        params=lambda c: {"slug": "iso27001-2022"},
    ),
    Route(
        "GET",
        "/api/v1/frameworks/{slug}/requirements",
        "global",
        200,
        params=lambda c: {"slug": "iso27001-2022"},
        query="kind=control&control_type=Detective",
    ),
    Route(
        "GET",
        "/api/v1/frameworks/{slug}/requirements/{ref}",
        "global",
        200,
        params=lambda c: {"slug": "iso27001-2022", "ref": "A.8.8"},
    ),
    Route("GET", "/api/v1/catalog/transition", "global", 200, query="ref=A.12.6.1"),
]

UI: list[Route] = [
    Route("GET", "web:home", "user", 302),
    Route("GET", "web:healthz", "public", 200),
    Route("GET", "web:org_create", "user", 200),
    Route(
        "POST",
        "web:org_create",
        "user",
        302,
        body=lambda c: {**_fresh_org(c), "size": "1-49", "sector": "other"},
    ),
    Route("GET", "web:invitation_accept", "public", 404, params=lambda c: {"token": "nope"}),
    Route("GET", "web:dashboard", "org", 200, 200),
    Route("GET", "web:org_settings", "org", 200, 200),
    Route(
        "POST",
        "web:org_settings",
        "org",
        302,
        403,
        body=lambda c: {
            "name": "Org A",
            "slug": "org-a",
            "scope": f"Revision {next(_seq)}",
            "size": "1-49",
            "sector": "other",
        },
    ),
    Route("GET", "web:members", "org", 200, 200),
    Route(
        "POST",
        "web:member_update",
        "org",
        302,
        403,
        params=_member,
        body=lambda c: {"role": "manager"},
    ),
    Route("POST", "web:member_remove", "org", 302, 403, params=_member),
    Route("POST", "web:invitation_create", "org", 302, 403, body=_invite_body),
    Route("POST", "web:invitation_revoke", "org", 302, 403, params=_invitation),
    Route("GET", "web:activity", "org", 200, 403),
    Route("GET", "catalog:index", "org", 302, 302),
    Route("GET", "catalog:transition", "org", 200, 200, query="ref=A.12.6.1"),
    Route(
        "GET",
        "catalog:framework",
        "org",
        200,
        200,
        params=lambda c: {"framework": "iso27001-2022"},
        query="q=backup&control_type=Corrective",
        owned_params=False,
    ),
    Route(
        "GET",
        "catalog:requirement",
        "org",
        200,
        200,
        params=lambda c: {"framework": "iso27001-2022", "ref": "A.8.13"},
        owned_params=False,
    ),
    Route("GET", "assets:list", "org", 200, 200, query="q=asset&type=software&sort=updated"),
    Route("GET", "assets:create", "org", 200, 403),
    Route("POST", "assets:create", "org", 302, 403, body=_asset_form),
    Route("GET", "assets:export", "org", 200, 200, query="format=csv"),
    Route("POST", "assets:import", "org", 302, 403, body=_import_file),
    Route("GET", "assets:detail", "org", 200, 200, params=_asset),
    Route("GET", "assets:edit", "org", 200, 403, params=_asset),
    Route("POST", "assets:edit", "org", 302, 403, params=_asset, body=_asset_form),
    Route("POST", "assets:delete", "org", 302, 403, params=_asset),
    Route("GET", "accounts:login", "public", 302),  # a logged-in user is sent home
    Route("POST", "accounts:logout", "public", 302),
    Route("GET", "accounts:tokens", "user", 200),
    Route("POST", "accounts:tokens", "user", 200, body=lambda c: {"name": "cli"}),
    Route("POST", "accounts:token_revoke", "user", 302, params=_token),
]


@dataclass
class Call:
    route: Route
    url: str
    body: dict[str, Any] | None = field(default=None)


def api_url(route: Route, org: str, params: dict[str, Any]) -> str:
    url = route.path.replace("{org}", org)
    for key, value in params.items():
        url = url.replace("{" + key + "}", str(value))
    return url + (f"?{route.query}" if route.query else "")


def ui_url(route: Route, org: str, params: dict[str, Any]) -> str:
    from django.urls import reverse

    kwargs = dict(params)
    if route.scope == "org":
        kwargs["org"] = org
    return reverse(route.path, kwargs=kwargs) + (f"?{route.query}" if route.query else "")


def send(
    client: Any,
    method: str,
    url: str,
    body: dict[str, Any] | None,
    *,
    api: bool,
    multipart: bool = False,
) -> Any:
    if api and not multipart:
        import json

        data = json.dumps(body) if body is not None else None
        return client.generic(method, url, data=data or "", content_type="application/json")
    if method == "GET":
        return client.get(url)
    return client.post(url, data=body or {})
