"""Registry entries for the tasks and reminders (see tests/routes.py for the fields).

The builders create organisation A's rows through the services. Every builder calls ``_grow``
first, which adds tasks on controls, clauses and risks (some overdue, some assigned to the
owner who is measured), comments, owned SoA rows and risks due for review, so the query-budget
test (which measures twice) sees more of everything the second time.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from openisms.orgs.access import Actor, actor_for
from openisms.risks import services as risk_services
from openisms.soa import selectors as soa_selectors
from openisms.soa import services as soa_services
from openisms.work import services as work_services
from openisms.work.models import Task
from tests.routes import Ctx, Route

_seq = itertools.count(1)
TARGETS = ("A.5.15", "9.2", "A.8.13", "6.1.3", None)


def _owner(ctx: Ctx) -> Actor:
    return actor_for(ctx.world.owner_a, ctx.world.org_a.slug)


def _task(ctx: Ctx, **extra: Any) -> Task:
    step = next(_seq)
    fields: dict[str, Any] = {
        "title": f"Task {step}",
        "description": "Do it well",
        "assignee": ctx.world.owner_a.email,
        "due_on": dt.date.today() + dt.timedelta(days=(step % 7) - 3),
        "requirement": TARGETS[step % len(TARGETS)],
        "priority": ("low", "normal", "high")[step % 3],
    }
    fields.update(extra)
    return work_services.task_create(actor=_owner(ctx), **fields)


def _grow(ctx: Ctx) -> dict[str, Any]:
    """More tasks (on controls, clauses and risks), comments, owned SoA rows, risk reviews."""
    actor = _owner(ctx)
    owner_email = ctx.world.owner_a.email
    risk = ctx.risk()
    risk_services.risk_update(
        actor=actor, risk=risk, owner=owner_email, review_date=dt.date.today()
    )
    for _ in range(3):
        task = _task(ctx)
        work_services.task_comment_add(actor=actor, task=task, body=f"Note {next(_seq)}")
    _task(ctx, requirement=None, risk=risk.ref)
    _task(ctx, assignee=ctx.world.users_a["contributor"].email, status="blocked")
    soa_services.soa_sync(actor=actor)
    ids = list(soa_selectors.soa_list(actor=actor).values_list("pk", flat=True))
    step = next(_seq)
    rows = soa_selectors.soa_entries(actor=actor, ids=ids[step % 20 : step % 20 + 5])
    soa_services.soa_bulk_update(actor=actor, entries=rows, owner=owner_email, status="planned")
    return {}


def _task_id(ctx: Ctx) -> dict[str, Any]:
    _grow(ctx)
    return {"task_id": _task(ctx).pk}


def _task_body(ctx: Ctx) -> dict[str, Any]:
    return {
        "title": f"Write the access control policy {next(_seq)}",
        "assignee": ctx.world.users_a["manager"].email,
        "due_on": "2027-03-31",
        "priority": "high",
        "requirement": "A.5.15",
    }


def _task_form(ctx: Ctx) -> dict[str, Any]:
    return _task_body(ctx) | {"status": "in_progress", "description": "", "risk": ""}


WORK_API: list[Route] = [
    Route(
        "GET",
        "/api/v1/orgs/{org}/tasks",
        "org",
        200,
        200,
        params=_grow,
        query="status=active&overdue=false&target=A.5.15",
    ),
    Route("POST", "/api/v1/orgs/{org}/tasks", "org", 201, 403, params=_grow, body=_task_body),
    Route("GET", "/api/v1/orgs/{org}/tasks/counts", "org", 200, 200, params=_grow),
    Route("GET", "/api/v1/orgs/{org}/tasks/mine", "org", 200, 200, params=_grow),
    Route("GET", "/api/v1/orgs/{org}/tasks/{task_id}", "org", 200, 200, params=_task_id),
    Route(
        "PATCH",
        "/api/v1/orgs/{org}/tasks/{task_id}",
        "org",
        200,
        403,
        params=_task_id,
        body=lambda c: {"status": "in_progress", "title": f"Renamed {next(_seq)}"},
    ),
    Route("DELETE", "/api/v1/orgs/{org}/tasks/{task_id}", "org", 204, 403, params=_task_id),
    Route("GET", "/api/v1/orgs/{org}/tasks/{task_id}/comments", "org", 200, 200, params=_task_id),
    Route(
        "POST",
        "/api/v1/orgs/{org}/tasks/{task_id}/comments",
        "org",
        201,
        403,
        params=_task_id,
        body=lambda c: {"body": f"Progress update {next(_seq)}"},
    ),
]

WORK_UI: list[Route] = [
    Route("GET", "web:my_work", "org", 200, 200, params=_grow),
    Route("GET", "work:task_list", "org", 200, 200, params=_grow, query="status=all&q=Task"),
    Route("GET", "work:task_new", "org", 200, 403, params=_grow, query="requirement=A.5.15"),
    Route("POST", "work:task_new", "org", 302, 403, params=_grow, body=_task_form),
    Route("GET", "work:task_detail", "org", 200, 200, params=_task_id),
    Route("GET", "work:task_edit", "org", 200, 403, params=_task_id),
    Route("POST", "work:task_edit", "org", 302, 403, params=_task_id, body=_task_form),
    Route(
        "POST",
        "work:task_status",
        "org",
        302,
        403,
        params=_task_id,
        body=lambda c: {"status": "done"},
    ),
    Route(
        "POST",
        "work:task_comment",
        "org",
        302,
        403,
        params=_task_id,
        body=lambda c: {"body": f"Looks good {next(_seq)}"},
    ),
    Route("POST", "work:task_delete", "org", 302, 403, params=_task_id, body=lambda c: {}),
]
