"""No GET request writes to the database.

Reads never write: organisation rows are created when the organisation starts (the risk
method and starter library, see ``orgs/starters.py``) or on the first write, never on a visit.
For every GET route in the registry (tests/routes.py and routes_*.py, the same registry the
isolation and query-budget tests use) the owner of organisation A issues the GET, the SQL is
captured, and no INSERT, UPDATE or DELETE may appear. Each route is visited three times: in a
brand-new organisation before any data is built (routes whose path names no object: the
first-visit path, where lazy creation used to hide), with the route's own data built through
the services, and again once the organisation has grown.

What the test does not count, and why (nothing is ignored silently):
- Logging in (``Client.force_login``) writes the session row and ``last_login``. That is the
  login, not a GET; it happens before the capture. A GET never saves the session unless the
  view changes it (Django's ``SessionMiddleware`` saves only a modified session and
  ``SESSION_SAVE_EVERY_REQUEST`` is off), so a view that touches the session fails here.
  Flash messages are kept in a cookie first (``FallbackStorage``), so showing one writes
  nothing either.
- A personal API token records when it was last used, at most once a minute
  (``accounts.services.token_authenticate``), on any method: it is the token's security
  record, like ``last_login``, and the token list shows it. Each API client makes its first
  call before the capture, and ``test_token_use_is_the_only_write_of_authentication`` pins
  that this single UPDATE of ``last_used_at`` is all authentication ever writes.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch

from openisms.orgs import services as org_services
from openisms.orgs.access import actor_for
from openisms.risks.models import RiskMethod
from tests.conftest import add_member, login, token_client
from tests.routes import API, UI, Ctx, Route, api_url, send, ui_url
from tests.test_isolation import openapi_routes, ui_route_names

GETS = [("api", r) for r in API if r.method == "GET"] + [("ui", r) for r in UI if r.method == "GET"]
GET_IDS = [f"{kind} {r.key}" for kind, r in GETS]
# URL names the UI only registers for POST: a GET on them must write nothing either.
UI_GET_NAMES = {r.path for r in UI if r.method == "GET"}
POST_ONLY_UI = [r for r in UI if r.method == "POST" and r.path not in UI_GET_NAMES]
POST_ONLY_UI = list({r.path: r for r in POST_ONLY_UI}.values())

PATH_PARAM = re.compile(r"{(\w+)}")
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
TABLE = re.compile(r'^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.I)


def writes(captured: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if WRITE.match(q["sql"])]


def shown(statements: list[str]) -> str:
    """The statements, shortened: enough to see which table and which columns."""
    return "\n".join(sql[:160] for sql in statements[:12])


def tables(statements: list[str]) -> set[str]:
    found = set()
    for sql in statements:
        match = TABLE.match(sql)
        found.add(match.group(1) if match else sql[:60])
    return found


def _client(kind: str, ctx: Ctx) -> Client:
    owner = ctx.world.owner_a
    if kind == "ui":
        return login(owner)  # the session row and last_login are written here, by the login
    client = token_client(owner)
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/api/v1/me").status_code == 200
    # The token's first use records last_used_at (see the module docstring); nothing else.
    assert tables(writes(captured)) == {"accounts_apitoken"}, writes(captured)
    return client


def _url(kind: str, route: Route, ctx: Ctx, params: dict[str, Any]) -> str:
    slug = ctx.world.org_a.slug
    return api_url(route, slug, params) if kind == "api" else ui_url(route, slug, params)


def _get(kind: str, ctx: Ctx, url: str) -> tuple[int, list[str]]:
    """One GET by the owner of organisation A, and the writes it made."""
    client = _client(kind, ctx)
    with CaptureQueriesContext(connection) as captured:
        response = send(client, "GET", url, None, api=kind == "api")
    return response.status_code, writes(captured)


def _needs_no_object(kind: str, route: Route) -> bool:
    if kind == "api":
        return set(PATH_PARAM.findall(route.path)) <= {"org"}
    try:
        ui_url(route, "org-a", {})
    except NoReverseMatch:
        return False
    return True


def _pristine_url(kind: str, route: Route, ctx: Ctx) -> str | None:
    """The route's URL without building its data, when its path names nothing but the
    organisation: the visit of someone who opens the page in a brand-new organisation."""
    return _url(kind, route, ctx, {}) if _needs_no_object(kind, route) else None


def test_every_get_route_is_checked() -> None:
    """Every GET route of the OpenAPI document and every UI URL name is visited below (the
    isolation meta-tests tie the registry to both)."""
    api_gets = {key for key in openapi_routes() if key.startswith("GET ")}
    checked_api = {r.key for kind, r in GETS if kind == "api"}
    assert not sorted(api_gets - checked_api), f"GET routes not checked: {api_gets - checked_api}"
    checked_ui = UI_GET_NAMES | {r.path for r in POST_ONLY_UI}
    assert not sorted(ui_route_names() - checked_ui), ui_route_names() - checked_ui


def test_the_check_sees_writes() -> None:
    """The statement filter recognises every kind of write Django issues, and only those."""
    assert WRITE.match('INSERT INTO "core_auditevent" ("chain") VALUES (1)')
    assert WRITE.match('  UPDATE "accounts_apitoken" SET "last_used_at" = 1')
    assert WRITE.match('DELETE FROM "django_session" WHERE 1')
    assert not WRITE.match("SELECT \"action\" FROM x WHERE action = 'risk.update'")
    assert tables(['INSERT OR IGNORE INTO "soa_soaentry" ("org_id") VALUES (1)']) == {
        "soa_soaentry"
    }


@pytest.mark.parametrize(("kind", "route"), GETS, ids=GET_IDS)
def test_get_writes_nothing(kind: str, route: Route, world: Any, catalog: None) -> None:
    """Three visits: a brand-new organisation (routes that need no object), the route's own
    data built through the services, and again once the organisation has grown."""
    ctx = Ctx(world)
    key = f"{kind} {route.key}"
    visits: dict[str, list[str]] = {}
    url = _pristine_url(kind, route, ctx)
    if url is not None:
        status, visits["in a new organisation"] = _get(kind, ctx, url)
        assert status < 500, (key, status)
    status, visits["with its data"] = _get(kind, ctx, _url(kind, route, ctx, route.params(ctx)))
    assert status == route.ok, (key, status)
    ctx.grow(2)
    status, visits["once grown"] = _get(kind, ctx, _url(kind, route, ctx, route.params(ctx)))
    assert status == route.ok, (key, status)
    for visit, statements in visits.items():
        assert not statements, f"{key} writes {visit}:\n{shown(statements)}"


@pytest.mark.parametrize("route", POST_ONLY_UI, ids=[r.path for r in POST_ONLY_UI])
def test_get_on_a_post_only_page_writes_nothing(route: Route, world: Any, catalog: None) -> None:
    ctx = Ctx(world)
    client = login(ctx.world.owner_a)
    url = ui_url(route, ctx.world.org_a.slug, route.params(ctx))
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 405, (route.path, response.status_code)
    assert not writes(captured), shown(writes(captured))


def test_token_use_is_the_only_write_of_authentication(world: Any) -> None:
    """The exception the module docstring explains, pinned: one UPDATE of the token's
    last_used_at on its first use in a minute, none on the next, and nothing for a session."""
    client = token_client(world.owner_a)
    with CaptureQueriesContext(connection) as captured:
        client.get("/api/v1/orgs")
    statements = writes(captured)
    assert len(statements) == 1 and tables(statements) == {"accounts_apitoken"}, statements
    assert '"last_used_at"' in statements[0]
    with CaptureQueriesContext(connection) as captured:
        client.get("/api/v1/orgs")
    assert not writes(captured)
    session = login(world.owner_a)
    with CaptureQueriesContext(connection) as captured:
        assert session.get("/api/v1/orgs").status_code == 200
        assert session.get(f"/o/{world.org_a.slug}/").status_code == 200
    assert not writes(captured)


# Query strings the registry does not use but whose pages take another path.
VARIANTS = [
    ("ui", "GET risks:export", "format=pdf"),
    ("ui", "GET risks:export", "format=xlsx"),
    ("ui", "GET risks:library", "kind=vulnerabilities"),
    ("ui", "GET assets:export", "format=xlsx"),
    ("api", "GET /api/v1/orgs/{org}/assets/export", "format=csv"),
    ("api", "GET /api/v1/orgs/{org}/risks/heatmap", "which=inherent"),
]


@pytest.mark.parametrize(("kind", "key", "query"), VARIANTS, ids=[" ".join(v) for v in VARIANTS])
def test_other_paths_of_a_page_write_nothing(
    kind: str, key: str, query: str, world: Any, catalog: None
) -> None:
    route = next(r for k, r in GETS if k == kind and r.key == key)
    route = dataclasses.replace(route, query=query)
    ctx = Ctx(world)
    ctx.grow(2)
    status, statements = _get(kind, ctx, _url(kind, route, ctx, route.params(ctx)))
    assert status == route.ok
    assert not statements, shown(statements)


RISK_PAGES = [
    (kind, dataclasses.replace(r, query=query))
    for kind, r, query in [(k, r, r.query) for k, r in GETS]
    + [(k, r, q) for k, key, q in VARIANTS for kk, r in GETS if kk == k and r.key == key]
    if (
        r.path.startswith("risks:")
        or any(part in r.path for part in ("/risk", "/threats", "/vulnerabilities"))
    )
    and _needs_no_object(kind, r)
]


@pytest.mark.parametrize(
    ("kind", "route"), RISK_PAGES, ids=[f"{kind} {r.key}?{r.query}" for kind, r in RISK_PAGES]
)
def test_risk_pages_of_an_organisation_without_a_method_write_nothing(
    kind: str, route: Route, world: Any, catalog: None
) -> None:
    """Every organisation has its method from the start; should one have none, its pages
    (those that need no risk: a risk needs the method) show the default or an empty list, and
    none of them creates it."""
    ctx = Ctx(world)
    RiskMethod.objects.filter(org=world.org_a).delete()
    status, statements = _get(kind, ctx, _url(kind, route, ctx, {}))
    assert status < 500, status
    assert not statements, shown(statements)
    assert not RiskMethod.objects.filter(org=world.org_a).exists()


def test_public_pages_and_invitation_links_write_nothing(world: Any) -> None:
    """Pages an anonymous visitor or an invited person opens, with a valid link too."""
    actor = actor_for(world.owner_a, world.org_a.slug)
    _, new_link = org_services.invitation_create(
        actor=actor, email="new@example.com", role="viewer"
    )
    known = add_member(world.org_b, "known@example.com", "viewer")
    _, known_link = org_services.invitation_create(actor=actor, email=known.email, role="viewer")
    visits = [
        (Client(), "/accounts/login/", 200),
        (Client(), "/healthz", 200),
        (Client(), f"/invite/{new_link}/", 200),
        (Client(), f"/invite/{known_link}/", 200),
        (login(known), f"/invite/{known_link}/", 200),
    ]
    for client, url, expected in visits:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == expected, url
        assert not writes(captured), (url, shown(writes(captured)))
