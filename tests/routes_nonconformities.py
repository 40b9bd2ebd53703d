"""Registry entries for nonconformities and corrective actions (see tests/routes.py).

Every builder calls ``_grow`` first, which adds nonconformities with requirements and
corrective actions (some overdue), so the query-budget test (which measures twice) sees more
of everything the second time.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from openisms.nonconformities import services
from openisms.nonconformities.models import Nonconformity
from openisms.orgs.access import Actor, actor_for
from tests.routes import Ctx, Route

_seq = itertools.count(1)


def _owner(ctx: Ctx) -> Actor:
    return actor_for(ctx.world.owner_a, ctx.world.org_a.slug)


def _nc(ctx: Ctx, **extra: Any) -> Nonconformity:
    step = next(_seq)
    fields: dict[str, Any] = {
        "title": f"Nonconformity {step}",
        "description": "Found in a sample",
        "source": ("audit", "incident", "review", "other")[step % 4],
        "severity": ("major", "minor")[step % 2],
        "source_ref": f"IA-2026-01 finding {step}",
        "owner": ctx.world.users_a["contributor"].email,
        "requirements": ["A.5.18", "9.2"],
        "raised_on": dt.date.today() - dt.timedelta(days=step % 30),
    }
    fields.update(extra)
    return services.nonconformity_create(actor=_owner(ctx), **fields)


def _grow(ctx: Ctx) -> dict[str, Any]:
    actor = _owner(ctx)
    for _ in range(2):
        nc = _nc(ctx)
        services.action_create(
            actor=actor,
            nc=nc,
            title=f"Fix {next(_seq)}",
            owner=ctx.world.owner_a.email,
            due_on=dt.date.today() - dt.timedelta(days=2),
        )
        services.action_create(actor=actor, nc=nc, title=f"Check {next(_seq)}", status="done")
    return {}


def _nc_id(ctx: Ctx) -> dict[str, Any]:
    _grow(ctx)
    nc = _nc(ctx)
    services.action_create(actor=_owner(ctx), nc=nc, title="Its action", due_on=dt.date.today())
    return {"nc_id": nc.pk}


def _ready(ctx: Ctx) -> Nonconformity:
    """Root cause recorded, its one action done: ready for verification."""
    _grow(ctx)
    nc = _nc(ctx)
    services.nonconformity_update(actor=_owner(ctx), nc=nc, root_cause="No trigger")
    services.action_create(actor=_owner(ctx), nc=nc, title="Done already", status="done")
    return nc


def _ready_id(ctx: Ctx) -> dict[str, Any]:
    return {"nc_id": _ready(ctx).pk}


def _verifying_id(ctx: Ctx) -> dict[str, Any]:
    nc = _ready(ctx)
    services.nonconformity_start_verification(actor=_owner(ctx), nc=nc)
    return {"nc_id": nc.pk}


def _checked_id(ctx: Ctx) -> dict[str, Any]:
    nc = _ready(ctx)
    services.nonconformity_start_verification(actor=_owner(ctx), nc=nc)
    services.nonconformity_check(actor=_owner(ctx), nc=nc, result="effective")
    return {"nc_id": nc.pk}


def _action_id(ctx: Ctx) -> dict[str, Any]:
    _grow(ctx)
    action = services.action_create(
        actor=_owner(ctx), nc=_nc(ctx), title="Deprovision", owner=ctx.world.owner_a.email
    )
    return {"action_id": action.pk}


def _nc_body(ctx: Ctx) -> dict[str, Any]:
    return {
        "title": f"Leavers kept access {next(_seq)}",
        "source": "audit",
        "severity": "major",
        "source_ref": "IA-2026-02 finding 3",
        "owner": ctx.world.users_a["manager"].email,
        "requirements": ["A.5.18"],
    }


def _nc_form(ctx: Ctx) -> dict[str, Any]:
    body = _nc_body(ctx)
    return body | {
        "requirements": "A.5.18, 9.2",
        "raised_on": dt.date.today().isoformat(),
        "description": "",
        "correction": "",
        "root_cause": "Nobody told IT",
        "root_cause_method": "five_whys",
    }


def _action_body(ctx: Ctx) -> dict[str, Any]:
    return {
        "title": f"Automate it {next(_seq)}",
        "owner": ctx.world.users_a["manager"].email,
        "due_on": "2027-01-31",
        "status": "planned",
    }


NC = "/api/v1/orgs/{org}/nonconformities"
CA = "/api/v1/orgs/{org}/corrective-actions"

NONCONFORMITIES_API: list[Route] = [
    Route("GET", NC, "org", 200, 200, params=_grow, query="status=active&severity=major"),
    Route("POST", NC, "org", 201, 403, params=_grow, body=_nc_body),
    Route("GET", NC + "/{nc_id}", "org", 200, 200, params=_nc_id),
    Route(
        "PATCH",
        NC + "/{nc_id}",
        "org",
        200,
        403,
        params=_nc_id,
        body=lambda c: {"root_cause": "Manual step", "severity": "minor"},
    ),
    Route("DELETE", NC + "/{nc_id}", "org", 204, 403, params=_nc_id),
    Route("POST", NC + "/{nc_id}/verify", "org", 200, 403, params=_ready_id),
    Route(
        "POST",
        NC + "/{nc_id}/effectiveness",
        "org",
        200,
        403,
        params=_verifying_id,
        body=lambda c: {"result": "effective", "notes": "Sampled ten leavers"},
    ),
    Route("POST", NC + "/{nc_id}/close", "org", 200, 403, params=_checked_id, body=lambda c: {}),
    Route("GET", NC + "/{nc_id}/actions", "org", 200, 200, params=_nc_id),
    Route("POST", NC + "/{nc_id}/actions", "org", 201, 403, params=_nc_id, body=_action_body),
    Route("GET", CA, "org", 200, 200, params=_grow, query="status=active&overdue=true"),
    Route(
        "PATCH",
        CA + "/{action_id}",
        "org",
        200,
        403,
        params=_action_id,
        body=lambda c: {"status": "in_progress", "notes": "Started"},
    ),
    Route("DELETE", CA + "/{action_id}", "org", 204, 403, params=_action_id),
]

NONCONFORMITIES_UI: list[Route] = [
    Route("GET", "nonconformities:list", "org", 200, 200, params=_grow, query="status=all&q=Non"),
    Route("GET", "nonconformities:new", "org", 200, 403, params=_grow),
    Route("POST", "nonconformities:new", "org", 302, 403, params=_grow, body=_nc_form),
    Route("GET", "nonconformities:export", "org", 200, 200, params=_grow, query="format=xlsx"),
    Route("GET", "nonconformities:detail", "org", 200, 200, params=_nc_id),
    Route("GET", "nonconformities:edit", "org", 200, 403, params=_nc_id),
    Route("POST", "nonconformities:edit", "org", 302, 403, params=_nc_id, body=_nc_form),
    Route("POST", "nonconformities:verify", "org", 302, 403, params=_ready_id, body=lambda c: {}),
    Route(
        "POST",
        "nonconformities:check",
        "org",
        302,
        403,
        params=_verifying_id,
        body=lambda c: {"result": "effective", "checked_on": "2026-06-01", "notes": ""},
    ),
    Route("POST", "nonconformities:close", "org", 302, 403, params=_checked_id, body=lambda c: {}),
    Route("POST", "nonconformities:delete", "org", 302, 403, params=_nc_id, body=lambda c: {}),
    Route(
        "POST",
        "nonconformities:action_new",
        "org",
        302,
        403,
        params=_nc_id,
        body=_action_body,
    ),
    Route(
        "POST",
        "nonconformities:action_progress",
        "org",
        302,
        403,
        params=_action_id,
        body=lambda c: {"status": "done", "notes": "Finished"},
    ),
    Route(
        "POST",
        "nonconformities:action_delete",
        "org",
        302,
        403,
        params=_action_id,
        body=lambda c: {},
    ),
]
