"""Registry entries for objectives and measurements (see tests/routes.py for the fields).

Every builder calls ``_grow`` first, which adds an objective with a few measurements and a
linked control, so the query-budget test (which measures twice) sees more the second time.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from openisms.controls import services as control_services
from openisms.objectives import selectors, services
from openisms.objectives.models import Objective
from openisms.orgs.access import Actor, actor_for
from tests.routes import Ctx, Route

_seq = itertools.count(1)


def _owner(ctx: Ctx) -> Actor:
    return actor_for(ctx.world.owner_a, ctx.world.org_a.slug)


def _objective(ctx: Ctx) -> Objective:
    actor = _owner(ctx)
    step = next(_seq)
    control = control_services.control_create(actor=actor, ref=f"OC-{step}", name=f"C {step}")
    objective = services.objective_create(
        actor=actor,
        title=f"Objective {step}",
        owner=ctx.world.users_a["contributor"].email,
        measure="Days to patch",
        unit="days",
        direction="lower" if step % 2 else "higher",
        baseline=20.0,
        target=5.0 if step % 2 else 40.0,
        due_on=dt.date.today() + dt.timedelta(days=200),
        frequency="monthly",
        controls=[control.ref],
    )
    for n in range(3):
        services.measurement_record(
            actor=actor,
            objective=objective,
            measured_on=dt.date.today() - dt.timedelta(days=30 * (3 - n)),
            value=20.0 - n,
        )
    return objective


def _grow(ctx: Ctx) -> dict[str, Any]:
    _objective(ctx)
    return {}


def _objective_id(ctx: Ctx) -> dict[str, Any]:
    _grow(ctx)
    return {"objective_id": _objective(ctx).pk}


def _measurement_id(ctx: Ctx) -> dict[str, Any]:
    objective = _objective(ctx)
    m = selectors.measurement_list(actor=_owner(ctx), objective=objective).first()
    return {"objective_id": objective.pk, "measurement_id": m.pk}  # type: ignore[union-attr]


def _body(ctx: Ctx) -> dict[str, Any]:
    return {
        "title": f"Train everyone {next(_seq)}",
        "owner": ctx.world.users_a["manager"].email,
        "measure": "Completion",
        "unit": "%",
        "direction": "higher",
        "baseline": 50,
        "target": 95,
        "due_on": "2027-06-30",
        "frequency": "quarterly",
        "status": "active",
    }


def _form(ctx: Ctx) -> dict[str, Any]:
    return _body(ctx) | {"description": "", "controls": ""}


def _measurement(ctx: Ctx) -> dict[str, Any]:
    return {"measured_on": dt.date.today().isoformat(), "value": 12.5, "note": "ok"}


P = "/api/v1/orgs/{org}/objectives"

OBJECTIVES_API: list[Route] = [
    Route("GET", P, "org", 200, 200, params=_grow, query="status=active"),
    Route("POST", P, "org", 201, 403, params=_grow, body=_body),
    Route("GET", P + "/{objective_id}", "org", 200, 200, params=_objective_id),
    Route(
        "PATCH",
        P + "/{objective_id}",
        "org",
        200,
        403,
        params=_objective_id,
        body=lambda c: {"target": 3, "status": "active"},
    ),
    Route("DELETE", P + "/{objective_id}", "org", 204, 403, params=_objective_id),
    Route("GET", P + "/{objective_id}/measurements", "org", 200, 200, params=_objective_id),
    Route(
        "POST",
        P + "/{objective_id}/measurements",
        "org",
        201,
        403,
        params=_objective_id,
        body=_measurement,
    ),
    Route(
        "DELETE",
        P + "/{objective_id}/measurements/{measurement_id}",
        "org",
        204,
        403,
        params=_measurement_id,
    ),
]

OBJECTIVES_UI: list[Route] = [
    Route("GET", "objectives:list", "org", 200, 200, params=_grow),
    Route("GET", "objectives:export", "org", 200, 200, params=_grow, query="format=xlsx"),
    Route("GET", "objectives:new", "org", 200, 403, params=_grow),
    Route("POST", "objectives:new", "org", 302, 403, params=_grow, body=_form),
    Route("GET", "objectives:detail", "org", 200, 200, params=_objective_id),
    Route("GET", "objectives:edit", "org", 200, 403, params=_objective_id),
    Route("POST", "objectives:edit", "org", 302, 403, params=_objective_id, body=_form),
    Route("POST", "objectives:delete", "org", 302, 403, params=_objective_id, body=lambda c: {}),
    Route(
        "POST",
        "objectives:measurement_add",
        "org",
        302,
        403,
        params=_objective_id,
        body=_measurement,
    ),
    Route(
        "POST",
        "objectives:measurement_delete",
        "org",
        302,
        403,
        params=_measurement_id,
        body=lambda c: {},
    ),
]
