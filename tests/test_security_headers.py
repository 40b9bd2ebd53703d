"""Every page of the registry (tests/routes.py) carries the browser security headers, and
nothing shown to a signed-in user may be stored by a browser or proxy cache."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.conftest import World, login, token_client
from tests.routes import API, UI, Ctx, api_url, ui_url


def _check(response: Any, where: str, *, signed_in: bool) -> list[str]:
    problems = []
    csp = response.get("Content-Security-Policy", "")
    page = "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    # Stored files are served under a stricter policy of their own: nothing runs in them.
    download = "default-src 'none'" in csp and "sandbox" in csp
    if not (page or download):
        problems.append(f"{where}: Content-Security-Policy {csp!r}")
    if "unsafe-inline" in csp or "unsafe-eval" in csp:
        problems.append(f"{where}: unsafe CSP {csp!r}")
    if response.get("X-Content-Type-Options") != "nosniff":
        problems.append(f"{where}: X-Content-Type-Options")
    if response.get("Referrer-Policy") != "same-origin":
        problems.append(f"{where}: Referrer-Policy {response.get('Referrer-Policy')!r}")
    if response.get("X-Frame-Options") != "DENY":
        problems.append(f"{where}: X-Frame-Options {response.get('X-Frame-Options')!r}")
    if signed_in and "no-store" not in response.get("Cache-Control", ""):
        problems.append(f"{where}: Cache-Control {response.get('Cache-Control')!r}")
    return problems


@pytest.fixture
def ctx(world: World, catalog: None) -> Ctx:
    return Ctx(world)


def test_every_page_sends_security_headers(ctx: Ctx) -> None:
    owner, anonymous = login(ctx.world.owner_a), Client()
    slug = ctx.world.org_a.slug
    problems: list[str] = []
    pages = [r for r in UI if r.method == "GET"]
    assert len(pages) > 100  # the whole registry, not a sample
    for route in pages:
        url = ui_url(route, slug, route.params(ctx))
        problems += _check(owner.get(url), f"owner {route.key}", signed_in=True)
        problems += _check(anonymous.get(url), f"anonymous {route.key}", signed_in=False)
    assert not problems, "\n".join(problems)


def test_every_api_read_sends_security_headers(ctx: Ctx) -> None:
    client = token_client(ctx.world.owner_a)
    slug = ctx.world.org_a.slug
    problems: list[str] = []
    for route in (r for r in API if r.method == "GET"):
        response = client.get(api_url(route, slug, route.params(ctx)))
        problems += _check(response, route.key, signed_in=True)
    assert not problems, "\n".join(problems)


def test_the_check_notices_a_missing_header(db: None) -> None:
    response = Client().get("/accounts/login/")
    assert _check(response, "login", signed_in=False) == []
    del response["X-Frame-Options"]
    del response["Cache-Control"]
    assert _check(response, "login", signed_in=True) == [
        "login: X-Frame-Options None",
        "login: Cache-Control None",
    ]
