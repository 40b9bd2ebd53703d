"""Registry entries for the ISMS context (see tests/routes.py for the fields).

Every builder calls ``_grow`` first, which adds issues, parties with requirements and one more
approved version (submitted by the manager, approved by the owner), so the query-budget test
(which measures twice) sees more of everything the second time.
"""

from __future__ import annotations

import itertools
from typing import Any

from openisms.context import selectors, services
from openisms.context.models import ContextVersion
from openisms.orgs.access import Actor, actor_for
from tests.routes import Ctx, Route

_seq = itertools.count(1)


def _owner(ctx: Ctx) -> Actor:
    return actor_for(ctx.world.owner_a, ctx.world.org_a.slug)


def _manager(ctx: Ctx) -> Actor:
    return actor_for(ctx.world.users_a["manager"], ctx.world.org_a.slug)


def _pending(ctx: Ctx) -> ContextVersion:
    return selectors.pending_version(actor=_owner(ctx)) or services.context_submit(
        actor=_manager(ctx), comment=f"Review {next(_seq)}"
    )


def _grow(ctx: Ctx) -> dict[str, Any]:
    actor = _owner(ctx)
    step = next(_seq)
    services.issue_create(
        actor=actor,
        kind="external",
        category="market",
        title=f"Issue {step}",
        effect="Some",
        owner=ctx.world.users_a["contributor"].email,
    )
    party = services.party_create(actor=actor, name=f"Party {step}", kind="customer", needs="N")
    for n in range(2):
        services.requirement_create(
            actor=actor, party=party.pk, title=f"Req {step}.{n}", kind="contractual"
        )
    pending = _pending(ctx)
    admin = actor_for(ctx.world.users_a["admin"], ctx.world.org_a.slug)
    approver = admin if pending.submitted_by_id == ctx.world.owner_a.pk else actor
    services.context_approve(actor=approver, version=pending)
    return {}


def _issue_id(ctx: Ctx) -> dict[str, Any]:
    _grow(ctx)
    return {"issue_id": selectors.issue_list(actor=_owner(ctx)).last().pk}  # type: ignore[union-attr]


def _party_id(ctx: Ctx) -> dict[str, Any]:
    _grow(ctx)
    return {"party_id": selectors.party_list(actor=_owner(ctx)).last().pk}  # type: ignore[union-attr]


def _requirement_id(ctx: Ctx) -> dict[str, Any]:
    _grow(ctx)
    last = selectors.requirement_list(actor=_owner(ctx)).last()
    return {"requirement_id": last.pk}  # type: ignore[union-attr]


def _version_id(ctx: Ctx) -> dict[str, Any]:
    _grow(ctx)
    return {"version_id": selectors.current_approved(actor=_owner(ctx)).pk}  # type: ignore[union-attr]


def _pending_id(ctx: Ctx) -> dict[str, Any]:
    _grow(ctx)
    return {"version_id": _pending(ctx).pk}


def _issue_body(ctx: Ctx) -> dict[str, Any]:
    return {
        "kind": "internal",
        "category": "organisational",
        "title": f"Reorganisation {next(_seq)}",
        "effect": "Roles change",
        "owner": ctx.world.users_a["manager"].email,
        "status": "active",
        "description": "",
    }


def _party_body(ctx: Ctx) -> dict[str, Any]:
    return {"name": f"Regulator {next(_seq)}", "kind": "regulator", "needs": "Compliance"}


def _party_form(ctx: Ctx) -> dict[str, Any]:
    return _party_body(ctx) | {"status": "active"}


def _req_body(ctx: Ctx) -> dict[str, Any]:
    party = selectors.party_list(actor=_owner(ctx)).first()
    return {
        "party": party.pk if party else 0,
        "title": f"Notify breaches {next(_seq)}",
        "kind": "legal",
        "reference": "45 CFR 164.404",
        "addressed": True,
        "how": "Incident procedure",
        "status": "active",
        "description": "",
    }


def _context_form(ctx: Ctx) -> dict[str, Any]:
    return {
        "scope": ctx.world.org_a.scope,
        "boundaries": f"Production {next(_seq)}",
        "interfaces": "Suppliers",
        "exclusions": "Office",
    }


P = "/api/v1/orgs/{org}/context"

CONTEXT_API: list[Route] = [
    Route("GET", P, "org", 200, 200, params=_grow),
    Route(
        "PATCH",
        P,
        "org",
        200,
        403,
        params=_grow,
        body=lambda c: {"boundaries": f"Everything {next(_seq)}"},
    ),
    Route("GET", P + "/issues", "org", 200, 200, params=_grow, query="kind=external"),
    Route("POST", P + "/issues", "org", 201, 403, params=_grow, body=_issue_body),
    Route("GET", P + "/issues/{issue_id}", "org", 200, 200, params=_issue_id),
    Route(
        "PATCH",
        P + "/issues/{issue_id}",
        "org",
        200,
        403,
        params=_issue_id,
        body=lambda c: {"status": "retired"},
    ),
    Route("GET", P + "/parties", "org", 200, 200, params=_grow),
    Route("POST", P + "/parties", "org", 201, 403, params=_grow, body=_party_body),
    Route("GET", P + "/parties/{party_id}", "org", 200, 200, params=_party_id),
    Route(
        "PATCH",
        P + "/parties/{party_id}",
        "org",
        200,
        403,
        params=_party_id,
        body=lambda c: {"needs": f"More {next(_seq)}"},
    ),
    Route("GET", P + "/requirements", "org", 200, 200, params=_grow),
    Route("POST", P + "/requirements", "org", 201, 403, params=_grow, body=_req_body),
    Route("GET", P + "/requirements/{requirement_id}", "org", 200, 200, params=_requirement_id),
    Route(
        "PATCH",
        P + "/requirements/{requirement_id}",
        "org",
        200,
        403,
        params=_requirement_id,
        body=lambda c: {"reference": f"MSA {next(_seq)}"},
    ),
    Route("GET", P + "/versions", "org", 200, 200, params=_grow),
    Route("POST", P + "/versions", "org", 201, 403, params=_grow, body=lambda c: {"comment": ""}),
    Route("GET", P + "/versions/{version_id}", "org", 200, 200, params=_version_id),
    Route(
        "GET",
        P + "/versions/{version_id}/diff",
        "org",
        200,
        200,
        params=_version_id,
        query="against=live",
    ),
    Route(
        "POST",
        P + "/versions/{version_id}/approve",
        "org",
        200,
        403,
        params=_pending_id,
        body=lambda c: {"comment": "ok"},
    ),
    Route(
        "POST",
        P + "/versions/{version_id}/reject",
        "org",
        200,
        403,
        params=_pending_id,
        body=lambda c: {"comment": "Fix it"},
    ),
]

CONTEXT_UI: list[Route] = [
    Route("GET", "context:index", "org", 200, 200, params=_grow),
    Route("GET", "context:edit", "org", 200, 403, params=_grow),
    Route("POST", "context:edit", "org", 302, 403, params=_grow, body=_context_form),
    Route("GET", "context:export", "org", 200, 200, params=_grow, query="format=docx"),
    Route("GET", "context:issue_new", "org", 200, 403, params=_grow),
    Route("POST", "context:issue_new", "org", 302, 403, params=_grow, body=_issue_body),
    Route("GET", "context:issue_edit", "org", 200, 403, params=_issue_id),
    Route("POST", "context:issue_edit", "org", 302, 403, params=_issue_id, body=_issue_body),
    Route("GET", "context:party_new", "org", 200, 403, params=_grow),
    Route("POST", "context:party_new", "org", 302, 403, params=_grow, body=_party_form),
    Route("GET", "context:party_edit", "org", 200, 403, params=_party_id),
    Route("POST", "context:party_edit", "org", 302, 403, params=_party_id, body=_party_form),
    Route("GET", "context:requirement_new", "org", 200, 403, params=_grow),
    Route("POST", "context:requirement_new", "org", 302, 403, params=_grow, body=_req_body),
    Route("GET", "context:requirement_edit", "org", 200, 403, params=_requirement_id),
    Route(
        "POST", "context:requirement_edit", "org", 302, 403, params=_requirement_id, body=_req_body
    ),
    Route("POST", "context:submit", "org", 302, 403, params=_grow, body=lambda c: {"comment": ""}),
    Route("GET", "context:version_detail", "org", 200, 200, params=_version_id),
    Route(
        "POST",
        "context:version_decide",
        "org",
        302,
        403,
        params=_pending_id,
        body=lambda c: {"decision": "approve", "comment": ""},
    ),
]
