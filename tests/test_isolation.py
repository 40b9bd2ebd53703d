"""Tenant isolation over every route: a member of organisation B never sees A's data (404),
a viewer of A cannot write (403), and anonymous callers are refused. A route missing from
the registry in tests/routes.py fails the meta-tests below, naming the route."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from openisms.api import api
from tests.conftest import login
from tests.conftest import token_client as _token_client
from tests.routes import API, UI, Ctx, Route, api_url, send, ui_url

API_IDS = [r.key for r in API]
UI_IDS = [r.key for r in UI]


def openapi_routes() -> set[str]:
    schema = api.get_openapi_schema()
    return {
        f"{method.upper()} {path}"
        for path, methods in schema["paths"].items()
        for method in methods
    }


def ui_route_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns: list[Any], namespace: str | None) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                if str(p.pattern).startswith("api/"):
                    continue  # the API is covered through its OpenAPI document
                walk(p.url_patterns, p.namespace or namespace)
            elif isinstance(p, URLPattern):
                if p.name is None:
                    raise AssertionError(f"URL pattern {p.pattern} has no name")
                names.add(f"{namespace}:{p.name}" if namespace else p.name)

    walk(get_resolver().url_patterns, None)
    return names


def test_every_api_route_is_registered() -> None:
    registered = {r.key for r in API}
    missing = sorted(openapi_routes() - registered)
    stale = sorted(registered - openapi_routes())
    assert not missing, f"API routes without isolation/budget coverage: {missing}"
    assert not stale, f"Registry lists routes that no longer exist: {stale}"


def test_every_ui_route_is_registered() -> None:
    registered = {r.path for r in UI}
    missing = sorted(ui_route_names() - registered)
    stale = sorted(registered - ui_route_names())
    assert not missing, f"UI routes without isolation/budget coverage: {missing}"
    assert not stale, f"Registry lists UI routes that no longer exist: {stale}"


def test_registry_detects_an_uncovered_route() -> None:
    """The meta-test must be able to fail: removing one entry is noticed."""
    registered = {r.key for r in API[1:]}
    assert openapi_routes() - registered == {API[0].key}


def _check(
    route: Route, client: Client, org: str, params: dict[str, Any], ctx: Ctx, *, api_call: bool
) -> Any:
    body = route.body(ctx) if route.body else None
    url = api_url(route, org, params) if api_call else ui_url(route, org, params)
    return send(client, route.method, url, body, api=api_call, multipart=route.multipart)


@pytest.fixture
def ctx(world: Any, catalog: None) -> Ctx:
    return Ctx(world)


@pytest.mark.parametrize("route", API, ids=API_IDS)
def test_api_isolation(route: Route, ctx: Ctx) -> None:
    w = ctx.world
    # Routes that only a browser session may call are checked with one; a token gets 403.
    token_client = login if route.session_only else _token_client
    params = route.params(ctx)
    anonymous = _check(route, Client(), w.org_a.slug, params, ctx, api_call=True)
    assert anonymous.status_code == 401, anonymous.content
    if route.scope == "org":
        outsider = token_client(w.owner_b)
        response = _check(route, outsider, w.org_a.slug, params, ctx, api_call=True)
        assert response.status_code == 404, (route.key, response.content)
        assert response.json() == {"detail": "Not Found"}
        if params and route.owned_params:
            # Own organisation in the URL, A's object ids in the path: still 404.
            response = _check(route, outsider, w.org_b.slug, params, ctx, api_call=True)
            assert response.status_code == 404, (route.key, response.content)
        viewer = token_client(w.users_a["viewer"])
        response = _check(route, viewer, w.org_a.slug, route.params(ctx), ctx, api_call=True)
        assert response.status_code == route.viewer, (route.key, response.content)
    elif route.scope == "user" and params:
        response = _check(route, token_client(w.owner_b), w.org_a.slug, params, ctx, api_call=True)
        assert response.status_code == 404, (route.key, response.content)
    owner = token_client(w.owner_a)
    response = _check(route, owner, w.org_a.slug, route.params(ctx), ctx, api_call=True)
    assert response.status_code == route.ok, (route.key, response.content)
    if route.session_only:
        by_token = _token_client(w.owner_a)
        response = _check(route, by_token, w.org_a.slug, route.params(ctx), ctx, api_call=True)
        assert response.status_code == 403, (route.key, response.content)
        assert "browser session" in response.json()["detail"]


@pytest.mark.parametrize("route", UI, ids=UI_IDS)
def test_ui_isolation(route: Route, ctx: Ctx) -> None:
    w = ctx.world
    params = route.params(ctx)
    if route.scope in {"org", "user"}:
        anonymous = _check(route, Client(), w.org_a.slug, params, ctx, api_call=False)
        assert anonymous.status_code == 302, route.key
        assert "/accounts/login/" in anonymous["Location"]
    if route.scope == "org":
        outsider = login(w.owner_b)
        response = _check(route, outsider, w.org_a.slug, params, ctx, api_call=False)
        assert response.status_code == 404, route.key
        if params and route.owned_params:
            response = _check(route, outsider, w.org_b.slug, params, ctx, api_call=False)
            assert response.status_code == 404, route.key
        viewer = login(w.users_a["viewer"])
        response = _check(route, viewer, w.org_a.slug, route.params(ctx), ctx, api_call=False)
        assert response.status_code == route.viewer, route.key
    elif route.scope == "user" and params:
        response = _check(route, login(w.owner_b), w.org_a.slug, params, ctx, api_call=False)
        assert response.status_code == 404, route.key
    response = _check(route, login(w.owner_a), w.org_a.slug, route.params(ctx), ctx, api_call=False)
    assert response.status_code == route.ok, route.key
