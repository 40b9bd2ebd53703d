"""Every route has a query budget that holds and does not grow with the data."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import login, token_client
from tests.routes import API, UI, Ctx, Route, api_url, send, ui_url

# One file per area (query_budgets*.json), merged; a key in two files is an error.
BUDGETS: dict[str, int] = {}
for _path in sorted(Path(__file__).parent.glob("query_budgets*.json")):
    for _key, _value in json.loads(_path.read_text()).items():
        assert _key not in BUDGETS, f"{_key} is budgeted twice"
        BUDGETS[_key] = _value
ALL = [("api", r) for r in API] + [("ui", r) for r in UI]


def test_every_route_has_a_budget() -> None:
    keys = {f"{kind} {r.key}" for kind, r in ALL}
    assert not sorted(keys - set(BUDGETS)), (
        f"Routes without a query budget: {sorted(keys - set(BUDGETS))}"
    )
    assert not sorted(set(BUDGETS) - keys), f"Stale budgets: {sorted(set(BUDGETS) - keys)}"


def _measure(kind: str, route: Route, ctx: Ctx) -> tuple[int, int, list[str]]:
    owner = ctx.world.owner_a
    client = token_client(owner) if kind == "api" and not route.session_only else login(owner)
    # Warm up: the first token use records last_used_at, the first page loads the session.
    send(client, "GET", "/api/v1/me" if kind == "api" else "/healthz", None, api=kind == "api")
    params = route.params(ctx)
    body = route.body(ctx) if route.body else None
    slug = ctx.world.org_a.slug
    url = api_url(route, slug, params) if kind == "api" else ui_url(route, slug, params)
    with CaptureQueriesContext(connection) as captured:
        response = send(
            client, route.method, url, body, api=kind == "api", multipart=route.multipart
        )
    return response.status_code, len(captured), [q["sql"] for q in captured.captured_queries]


@pytest.mark.parametrize(("kind", "route"), ALL, ids=[f"{k} {r.key}" for k, r in ALL])
def test_query_budget(kind: str, route: Route, world: Any, catalog: None) -> None:
    ctx = Ctx(world)
    ctx.grow(2)
    status, small, _ = _measure(kind, route, ctx)
    assert status == route.ok
    ctx.grow(25)
    status, large, queries = _measure(kind, route, ctx)
    assert status == route.ok
    assert large == small, f"{route.key}: {small} queries with little data, {large} with more"
    if os.environ.get("OPENISMS_BUDGET_REPORT"):  # to set budgets for new routes
        print(f"\nBUDGET {kind} {route.key} = {large}")
        return
    budget = BUDGETS[f"{kind} {route.key}"]
    assert large <= budget, f"{route.key}: {large} queries > budget {budget}:\n" + "\n".join(
        queries
    )
