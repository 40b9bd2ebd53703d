"""Registry entries for management reviews (see tests/routes.py).

Every builder calls ``_grow`` first, which adds a held review with computed inputs, decisions,
actions and approved minutes (and nonconformities feeding its inputs), so the query-budget test
(which measures twice) sees more of everything the second time.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from openisms.nonconformities import services as nc_services
from openisms.orgs.access import Actor, actor_for
from openisms.reviews import services
from openisms.reviews.models import ManagementReview, ReviewMinutes
from tests.routes import Ctx, Route

_seq = itertools.count(1)


def _owner(ctx: Ctx) -> Actor:
    return actor_for(ctx.world.owner_a, ctx.world.org_a.slug)


def _admin(ctx: Ctx) -> Actor:
    return actor_for(ctx.world.users_a["admin"], ctx.world.org_a.slug)


def _review(ctx: Ctx, **extra: Any) -> ManagementReview:
    step = next(_seq)
    fields: dict[str, Any] = {
        "title": f"Review {step}",
        "meeting_on": dt.date.today() - dt.timedelta(days=step % 50),
        "chair": ctx.world.owner_a.email,
        "attendees": [ctx.world.owner_a.email, ctx.world.users_a["manager"].email],
        "status": "held",
    }
    fields.update(extra)
    review = services.review_create(actor=_owner(ctx), **fields)
    services.decision_add(actor=_owner(ctx), review=review, text="Improve", category="improvement")
    services.review_action_create(
        actor=_owner(ctx),
        review=review,
        title=f"Action {step}",
        owner=ctx.world.owner_a.email,
        due_on=dt.date.today() - dt.timedelta(days=1),
    )
    return review


def _grow(ctx: Ctx) -> dict[str, Any]:
    actor = _owner(ctx)
    nc_services.nonconformity_create(
        actor=actor, title=f"NC {next(_seq)}", description="", source="review", severity="minor"
    )
    review = _review(ctx)
    services.review_compute_inputs(actor=actor, review=review)
    minutes = services.minutes_submit(actor=actor, review=review)
    services.minutes_approve(actor=_admin(ctx), minutes=minutes)
    return {}


def _review_id(ctx: Ctx) -> dict[str, Any]:
    _grow(ctx)
    review = _review(ctx)
    services.review_compute_inputs(actor=_owner(ctx), review=review)
    return {"review_id": review.pk}


def _pending(ctx: Ctx) -> ReviewMinutes:
    """Minutes submitted by the admin, so the owner may decide."""
    _grow(ctx)
    review = _review(ctx)
    services.review_compute_inputs(actor=_owner(ctx), review=review)
    return services.minutes_submit(actor=_admin(ctx), review=review)


def _minutes_id(ctx: Ctx) -> dict[str, Any]:
    return {"minutes_id": _pending(ctx).pk}


def _action_id(ctx: Ctx) -> dict[str, Any]:
    _grow(ctx)
    action = services.review_action_create(
        actor=_owner(ctx), review=_review(ctx), title="Hire", owner=ctx.world.owner_a.email
    )
    return {"action_id": action.pk}


def _decision_id(ctx: Ctx) -> dict[str, Any]:
    _grow(ctx)
    decision = services.decision_add(actor=_owner(ctx), review=_review(ctx), text="Grow")
    return {"decision_id": decision.pk}


def _review_body(ctx: Ctx) -> dict[str, Any]:
    return {
        "title": f"Review {next(_seq)}",
        "meeting_on": dt.date.today().isoformat(),
        "chair": ctx.world.owner_a.email,
        "attendees": [ctx.world.users_a["manager"].email],
        "status": "planned",
    }


def _review_form(ctx: Ctx) -> dict[str, Any]:
    return _review_body(ctx) | {
        "period_start": "",
        "guests": "Consultant",
        "interested_parties": "Customers asked for SOC 2",
        "other_notes": "",
    }


def _action_body(ctx: Ctx) -> dict[str, Any]:
    return {
        "title": f"Prepare the budget {next(_seq)}",
        "owner": ctx.world.users_a["manager"].email,
        "due_on": "2027-02-28",
        "status": "planned",
    }


R = "/api/v1/orgs/{org}/reviews"

REVIEWS_API: list[Route] = [
    Route("GET", R, "org", 200, 200, params=_grow, query="status=held"),
    Route("POST", R, "org", 201, 403, params=_grow, body=_review_body),
    Route("GET", R + "/{review_id}", "org", 200, 200, params=_review_id),
    Route(
        "PATCH",
        R + "/{review_id}",
        "org",
        200,
        403,
        params=_review_id,
        body=lambda c: {"other_notes": "Budget in Q3", "attendees": [c.world.owner_a.email]},
    ),
    Route("POST", R + "/{review_id}/inputs", "org", 200, 403, params=_review_id),
    Route(
        "POST",
        R + "/{review_id}/decisions",
        "org",
        201,
        403,
        params=_review_id,
        body=lambda c: {"text": "Add a platform engineer", "category": "resources"},
    ),
    Route(
        "DELETE",
        "/api/v1/orgs/{org}/review-decisions/{decision_id}",
        "org",
        204,
        403,
        params=_decision_id,
    ),
    Route(
        "POST", R + "/{review_id}/actions", "org", 201, 403, params=_review_id, body=_action_body
    ),
    Route("GET", "/api/v1/orgs/{org}/review-actions", "org", 200, 200, params=_grow),
    Route(
        "PATCH",
        "/api/v1/orgs/{org}/review-actions/{action_id}",
        "org",
        200,
        403,
        params=_action_id,
        body=lambda c: {"status": "done"},
    ),
    Route(
        "DELETE",
        "/api/v1/orgs/{org}/review-actions/{action_id}",
        "org",
        204,
        403,
        params=_action_id,
    ),
    Route("GET", R + "/{review_id}/minutes", "org", 200, 200, params=_review_id),
    Route(
        "POST",
        R + "/{review_id}/minutes",
        "org",
        201,
        403,
        params=_review_id,
        body=lambda c: {"comment": "For approval"},
    ),
    Route(
        "POST",
        "/api/v1/orgs/{org}/review-minutes/{minutes_id}/approve",
        "org",
        200,
        403,
        params=_minutes_id,
        body=lambda c: {"comment": "Agreed"},
    ),
    Route(
        "POST",
        "/api/v1/orgs/{org}/review-minutes/{minutes_id}/reject",
        "org",
        200,
        403,
        params=_minutes_id,
        body=lambda c: {"comment": "Add the budget"},
    ),
]

REVIEWS_UI: list[Route] = [
    Route("GET", "reviews:list", "org", 200, 200, params=_grow),
    Route("GET", "reviews:new", "org", 200, 403, params=_grow),
    Route("POST", "reviews:new", "org", 302, 403, params=_grow, body=_review_form),
    Route("GET", "reviews:detail", "org", 200, 200, params=_review_id),
    Route("GET", "reviews:edit", "org", 200, 403, params=_review_id),
    Route("POST", "reviews:edit", "org", 302, 403, params=_review_id, body=_review_form),
    Route("POST", "reviews:compute", "org", 302, 403, params=_review_id, body=lambda c: {}),
    Route(
        "POST",
        "reviews:decision_add",
        "org",
        302,
        403,
        params=_review_id,
        body=lambda c: {"text": "Extend the scope", "category": "change"},
    ),
    Route(
        "POST",
        "reviews:decision_delete",
        "org",
        302,
        403,
        params=_decision_id,
        body=lambda c: {},
    ),
    Route("POST", "reviews:action_add", "org", 302, 403, params=_review_id, body=_action_body),
    Route(
        "POST",
        "reviews:action_progress",
        "org",
        302,
        403,
        params=_action_id,
        body=lambda c: {"status": "in_progress", "notes": "Started"},
    ),
    Route(
        "POST",
        "reviews:minutes_submit",
        "org",
        302,
        403,
        params=_review_id,
        body=lambda c: {"comment": ""},
    ),
    Route(
        "POST",
        "reviews:minutes_approve",
        "org",
        302,
        403,
        params=_minutes_id,
        body=lambda c: {"comment": "Agreed"},
    ),
    Route(
        "POST",
        "reviews:minutes_reject",
        "org",
        302,
        403,
        params=_minutes_id,
        body=lambda c: {"comment": "Add the budget"},
    ),
    Route("GET", "reviews:export", "org", 200, 200, params=_review_id, query="format=pdf"),
]
