"""Registry entries for risk acceptance requests (see tests/routes.py for the fields).

Requests are submitted by the manager, who owns the risks ``Ctx.risk`` makes, and decided by
the owner of organisation A (who calls the routes), so separation of duties lets them. The
list builder adds one more rejected request on every call, so the query-budget test (which
measures twice) sees more requests the second time.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from openisms.orgs.access import Actor, actor_for
from openisms.risks import services as risk_services
from openisms.risks.models import Risk, RiskAcceptanceRequest
from tests.routes import Ctx, Route

_calls = itertools.count(1)
LATER = dt.date.today() + dt.timedelta(days=90)


def _manager(ctx: Ctx) -> Actor:
    return actor_for(ctx.world.users_a["manager"], ctx.world.org_a.slug)


def _owner(ctx: Ctx) -> Actor:
    return actor_for(ctx.world.owner_a, ctx.world.org_a.slug)


def _request(ctx: Ctx, risk: Risk) -> RiskAcceptanceRequest:
    return risk_services.risk_acceptance_request(
        actor=_manager(ctx), risk=risk, rationale="Replacement next year.", expires_on=LATER
    )


def _pending(ctx: Ctx) -> dict[str, Any]:
    return {"request_id": _request(ctx, ctx.risk(above_threshold=True)).pk}


def _risk_with_history(ctx: Ctx) -> dict[str, Any]:
    """A risk above the threshold with one more rejected request than the previous one."""
    risk = ctx.risk(above_threshold=True)
    for _ in range(next(_calls)):
        risk_services.risk_acceptance_reject(
            actor=_owner(ctx), request=_request(ctx, risk), comment="Treat it first."
        )
    return {"risk_id": risk.pk}


def _fresh_risk(ctx: Ctx) -> dict[str, Any]:
    return {"risk_id": ctx.risk(above_threshold=True).pk}


def _ask(ctx: Ctx) -> dict[str, Any]:
    return {"rationale": "Accepted until the migration.", "expires_on": LATER.isoformat()}


RISKACC_API: list[Route] = [
    Route(
        "GET",
        "/api/v1/orgs/{org}/risks/{risk_id}/acceptance-requests",
        "org",
        200,
        200,
        params=_risk_with_history,
    ),
    Route(
        "POST",
        "/api/v1/orgs/{org}/risks/{risk_id}/acceptance-requests",
        "org",
        201,
        403,
        params=_fresh_risk,
        body=_ask,
    ),
    Route(
        "POST",
        "/api/v1/orgs/{org}/acceptance-requests/{request_id}/approve",
        "org",
        200,
        403,
        params=_pending,
        body=lambda c: {"comment": "Agreed."},
    ),
    Route(
        "POST",
        "/api/v1/orgs/{org}/acceptance-requests/{request_id}/reject",
        "org",
        200,
        403,
        params=_pending,
        body=lambda c: {"comment": "Treat it first."},
    ),
]

RISKACC_UI: list[Route] = [
    Route("POST", "risks:acceptance_request", "org", 302, 403, params=_fresh_risk, body=_ask),
    Route(
        "POST",
        "risks:acceptance_decide",
        "org",
        302,
        403,
        params=_pending,
        body=lambda c: {"decision": "approve", "comment": "Agreed."},
    ),
]
