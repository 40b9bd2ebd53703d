"""Registry entries for the risk module's UI pages (see tests/routes.py for the fields).

Params builders create organisation A's rows through the services; the list pages' builders
add a few richly linked risks on every call, so the query-budget test (which measures twice)
sees more risks, actions, acceptances and assessments the second time.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from openisms.orgs.access import Actor, actor_for
from openisms.risks import selectors as risk_selectors
from openisms.risks import services as risk_services
from openisms.risks.models import Risk, Threat
from tests.routes import Ctx, Route

_seq = itertools.count(1)
TODAY = dt.date.today()


def _owner(ctx: Ctx) -> Actor:
    return actor_for(ctx.world.owner_a, ctx.world.org_a.slug)


def make_risk(ctx: Ctx) -> Risk:
    """A risk linked to everything its pages show: asset, threat, controls, action, acceptance."""
    actor = _owner(ctx)
    risk_services.risk_module_setup(actor=actor)
    threat = risk_selectors.library_list(actor=actor, model=Threat).first()
    risk = risk_services.risk_create(
        actor=actor,
        title=f"Risk {next(_seq)}",
        description="Ransomware encrypts the file server.",
        assets=[ctx.asset().pk],
        threat=threat.pk if threat else None,
        owner=ctx.world.users_a["manager"].email,
        inherent_likelihood=4,
        inherent_impact=4,
        treatment="modify",
        planned_controls=["A.8.13", "A.5.30"],
        residual_likelihood=3,
        residual_impact=4,
        review_date=TODAY + dt.timedelta(days=90),
        quant={
            "frequency": {"low": 0.1, "mode": 0.5, "high": 2},
            "magnitude": {"low": 1e4, "mode": 1e5, "high": 1e6},
        },
    )
    risk_services.action_save(
        actor=actor,
        risk=risk,
        title="Offline backups",
        owner=ctx.world.users_a["manager"].email,
        due_date=TODAY - dt.timedelta(days=3),
    )
    risk_services.risk_accept(
        actor=actor,
        risk=risk,
        rationale="Budget next year.",
        expires_on=TODAY + dt.timedelta(days=30),
    )
    return risk


def _quantified(ctx: Ctx) -> dict[str, Any]:
    ctx.risk()  # Ctx.risk() gives every risk frequency and loss ranges
    return {}


def _grow(ctx: Ctx) -> dict[str, Any]:
    for _ in range(2):
        make_risk(ctx)
    return {}


def _risk(ctx: Ctx) -> dict[str, Any]:
    return {"risk_id": make_risk(ctx).pk}


_calls = itertools.count(1)


def _risk_with_work(ctx: Ctx) -> dict[str, Any]:
    """A new risk with one more linked evidence item and task than the previous one."""
    risk = make_risk(ctx)
    ctx.linked_work(risk=risk, n=next(_calls))
    return {"risk_id": risk.pk}


def _acceptance(ctx: Ctx) -> dict[str, Any]:
    risk = make_risk(ctx)
    return {"acceptance_id": risk.acceptances.get().pk}


def _action(ctx: Ctx) -> dict[str, Any]:
    risk = make_risk(ctx)
    return {"action_id": risk.actions.get().pk}


def _risk_form(ctx: Ctx) -> dict[str, Any]:
    return {
        "title": f"Form risk {next(_seq)}",
        "description": "Laptop theft exposes customer data.",
        "inherent_likelihood": 3,
        "inherent_impact": 4,
        "treatment": "modify",
        "planned_controls": "A.8.1, 7.9",
        "residual_likelihood": 2,
        "residual_impact": 4,
        "distribution": "pert",
    }


def _action_form(ctx: Ctx) -> dict[str, Any]:
    return {"title": f"Action {next(_seq)}", "status": "planned", "owner": "", "due_date": ""}


def _method_form(ctx: Ctx) -> dict[str, Any]:
    # Same 5x5 scales (the shared Ctx.grow keeps creating 4x4 risks), new bands and threshold.
    levels = "\n".join(f"Level {n} | description {n}" for n in range(1, 6))
    return {
        "name": "5x5 matrix",
        "likelihood_levels": levels,
        "impact_levels": levels,
        "scoring": "product",
        "bands": "Low | 1 | 6 | #2e7d32\nMedium | 7 | 14 | #f9a825\nHigh | 15 | 25 | #c62828",
        "acceptance_threshold": 12,
        "acceptors": ["owner", "admin"],
        "notes": "Simpler",
    }


def _library_item(ctx: Ctx) -> dict[str, Any]:
    actor = _owner(ctx)
    item = risk_services.library_item_save(
        actor=actor,
        model=Threat,
        item=None,
        name=f"Custom threat {next(_seq)}",
        group="Custom",
        suggested_controls=["A.8.7"],
    )
    return {"kind": "threats", "item_id": item.pk}


def _library_form(ctx: Ctx) -> dict[str, Any]:
    return {
        "name": f"Drone surveillance {next(_seq)}",
        "group": "Physical",
        "description": "Cameras on drones look into offices.",
        "suggested_controls": "A.7.1, A.7.4",
    }


def _assessment(ctx: Ctx) -> dict[str, Any]:
    actor = _owner(ctx)
    item = risk_services.assessment_create(
        actor=actor, name=f"Assessment {next(_seq)}", performed_on=TODAY
    )
    return {"assessment_id": item.pk}


def _completed(ctx: Ctx) -> dict[str, Any]:
    _grow(ctx)
    actor = _owner(ctx)
    item = risk_services.assessment_create(
        actor=actor, name=f"Assessment {next(_seq)}", performed_on=TODAY
    )
    risk_services.assessment_complete(actor=actor, assessment=item)
    return {"assessment_id": item.pk}


def _two_completed(ctx: Ctx) -> dict[str, Any]:
    """The compare page defaults to the two most recent completed assessments."""
    _completed(ctx)
    _completed(ctx)
    return {}


RISK_UI: list[Route] = [
    Route("GET", "risks:register", "org", 200, 200, params=_grow, query="sort=residual"),
    Route("GET", "risks:create", "org", 200, 403),
    Route("POST", "risks:create", "org", 302, 403, body=_risk_form),
    Route("GET", "risks:detail", "org", 200, 200, params=_risk_with_work),
    Route("GET", "risks:edit", "org", 200, 403, params=_risk),
    Route("POST", "risks:edit", "org", 302, 403, params=_risk, body=_risk_form),
    Route("POST", "risks:delete", "org", 302, 403, params=_risk),
    Route(
        "POST",
        "risks:accept",
        "org",
        302,
        403,
        params=_risk,
        body=lambda c: {
            "rationale": "Accepted for now.",
            "expires_on": str(TODAY + dt.timedelta(days=60)),
        },
    ),
    Route("POST", "risks:acceptance_revoke", "org", 302, 403, params=_acceptance),
    Route("POST", "risks:action_create", "org", 302, 403, params=_risk, body=_action_form),
    Route(
        "POST",
        "risks:action_update",
        "org",
        302,
        403,
        params=_action,
        body=lambda c: {"status": "done", "owner": "", "due_date": str(TODAY)},
    ),
    Route("GET", "risks:dashboard", "org", 200, 200, params=_grow),
    Route("GET", "risks:treatment_plan", "org", 200, 200, params=_grow, query="status=planned"),
    Route("GET", "risks:method", "org", 200, 200, params=_grow),
    Route("POST", "risks:method", "org", 302, 403, body=_method_form),
    Route("POST", "risks:method_rescore", "org", 302, 403),
    Route("GET", "risks:library", "org", 200, 200, query="kind=threats&q=a"),
    Route(
        "GET",
        "risks:library_create",
        "org",
        200,
        403,
        params=lambda c: {"kind": "vulnerabilities"},
        owned_params=False,
    ),
    Route(
        "POST",
        "risks:library_create",
        "org",
        302,
        403,
        params=lambda c: {"kind": "threats"},
        body=_library_form,
        owned_params=False,
    ),
    Route("GET", "risks:library_edit", "org", 200, 403, params=_library_item),
    Route("POST", "risks:library_edit", "org", 302, 403, params=_library_item, body=_library_form),
    Route("POST", "risks:library_delete", "org", 302, 403, params=_library_item),
    Route("GET", "risks:assessments", "org", 200, 200, params=_two_completed),
    Route(
        "POST",
        "risks:assessment_create",
        "org",
        302,
        403,
        body=lambda c: {"name": f"Annual {next(_seq)}", "performed_on": str(TODAY)},
    ),
    Route("GET", "risks:assessment_detail", "org", 200, 200, params=_completed),
    Route("POST", "risks:assessment_complete", "org", 302, 403, params=_assessment),
    Route("GET", "risks:assessment_compare", "org", 200, 200, params=_two_completed),
    Route("GET", "risks:export", "org", 200, 200, params=_grow, query="format=csv"),
    Route(
        "GET", "risks:simulation", "org", 200, 200, params=_quantified, query="trials=2000&seed=3"
    ),
]
