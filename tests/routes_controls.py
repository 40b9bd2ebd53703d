"""Registry entries for the control register, tracked frameworks and coverage (see
tests/routes.py for the fields).

The builders create organisation A's rows through the services. Every builder that reads calls
``_grow`` first, which adds controls meeting requirements of three frameworks, with owners,
evidence and tasks on them and on their requirements, so the query-budget test (which measures
twice) sees more of everything the second time.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from openisms.controls import selectors as control_selectors
from openisms.controls import services as control_services
from openisms.controls.models import Control
from openisms.evidence import services as evidence_services
from openisms.orgs.access import Actor, actor_for
from openisms.soa import tracking
from openisms.work import services as work_services
from tests.routes import Ctx, Route

_seq = itertools.count(1)
ISO = ("A.5.15", "A.8.13", "A.8.15", "A.5.30", "A.8.24")
CSF = ("PR.DS-11", "PR.AA-01", "DE.CM-01", "RS.MA-01", "GV.PO-01")
HIPAA = ("164.308(a)(7)(ii)(A)", "164.312(d)", "164.312(b)", "164.308(a)(1)(ii)(D)")
TRACKED = ("nist-csf-2.0", "hipaa-security-rule")
SWITCHED = "nist-csf-2.0"  # the framework the track / untrack routes switch


def _owner(ctx: Ctx) -> Actor:
    return actor_for(ctx.world.owner_a, ctx.world.org_a.slug)


def _track(actor: Actor, slug: str) -> None:
    if not tracking.is_tracked(actor=actor, framework_slug=slug):
        tracking.framework_track(actor=actor, framework_slug=slug)


def _new_control(ctx: Ctx, **extra: Any) -> Control:
    step = next(_seq)
    fields: dict[str, Any] = {
        "ref": f"CT-{step:04d}",
        "name": f"Control {step}",
        "description": "What it is",
        "owner": (ctx.world.users_a["contributor"].email, ctx.member().user.email)[step % 2],
        "status": ("not_started", "planned", "partially_implemented", "implemented")[step % 4],
        "target_date": dt.date(2027, 1, 1) + dt.timedelta(days=step),
        "implementation": f"Done this way, {step}",
        "requirements": [
            f"iso27001-2022:{ISO[step % len(ISO)]}",
            f"nist-csf-2.0:{CSF[step % len(CSF)]}",
            f"hipaa-security-rule:{HIPAA[step % len(HIPAA)]}",
        ],
    }
    fields.update(extra)
    return control_services.control_create(actor=_owner(ctx), **fields)


def _backups(ctx: Ctx) -> Control:
    """The one control whose pages are measured, with more requirements every call."""
    actor = _owner(ctx)
    control = Control.objects.filter(org=ctx.world.org_a, ref="BK-01").first()
    if control is None:
        control = control_services.control_create(
            actor=actor,
            ref="BK-01",
            name="Backups",
            owner=ctx.world.users_a["contributor"].email,
            requirements=["iso27001-2022:A.8.13"],
        )
    step = next(_seq)
    have = [f"{r.framework.slug}:{r.ref}" for r in control.requirements.all()]
    more = [f"nist-csf-2.0:{CSF[step % len(CSF)]}", f"iso27001-2022:{ISO[step % len(ISO)]}"]
    control_services.control_update(
        actor=actor, control=control, requirements=sorted({*have, *more})
    )
    return control


def _grow(ctx: Ctx) -> dict[str, Any]:
    """Tracked frameworks, three more controls, and evidence and tasks on controls and on their
    requirements (current and expired)."""
    actor = _owner(ctx)
    for slug in TRACKED:
        _track(actor, slug)
    controls = [_new_control(ctx) for _ in range(3)]
    backups = _backups(ctx)
    step = next(_seq)
    evidence_services.evidence_create_link(
        actor=actor,
        title=f"Evidence {step}",
        url=f"https://example.com/e/{step}",
        collected_on=dt.date(2026, 1, 1),
        valid_until=dt.date(2026, 1, 1) + dt.timedelta(days=step * 30),
        controls=[backups.ref, controls[0].ref],
        requirements=["A.8.13"],
    )
    work_services.task_create(
        actor=actor,
        title=f"Task {step}",
        assignee=ctx.world.users_a["manager"].email,
        due_on=dt.date(2026, 1, 1) + dt.timedelta(days=step),
        control=backups.ref,
    )
    return {}


def _control_id(ctx: Ctx) -> dict[str, Any]:
    _grow(ctx)
    return {"control_id": _backups(ctx).pk}


def _fresh_id(ctx: Ctx) -> dict[str, Any]:
    """A control of its own (each delete needs one)."""
    return {"control_id": _new_control(ctx).pk}


def _framework(ctx: Ctx) -> dict[str, Any]:
    _grow(ctx)
    return {"framework": SWITCHED}


def _untracked(ctx: Ctx) -> dict[str, Any]:
    """Tracked once before (its rows exist, as on every later call), not tracked now."""
    actor = _owner(ctx)
    _track(actor, SWITCHED)
    tracking.framework_untrack(actor=actor, framework_slug=SWITCHED)
    return {"framework": SWITCHED}


def _untracked_api(ctx: Ctx) -> dict[str, Any]:
    """As above; the framework goes in the body, so there is no path parameter."""
    _untracked(ctx)
    return {}


def _tracked(ctx: Ctx) -> dict[str, Any]:
    _track(_owner(ctx), SWITCHED)
    return {"framework": SWITCHED}


def _override(ctx: Ctx) -> dict[str, Any]:
    _grow(ctx)
    requirement = control_selectors.requirements_by_name(
        [("nist-csf-2.0", "GV.PO-01")], actor=_owner(ctx)
    )
    return {"framework": SWITCHED, "requirement_id": requirement["nist-csf-2.0", "GV.PO-01"].pk}


def _api_body(ctx: Ctx) -> dict[str, Any]:
    step = next(_seq)
    return {
        "ref": f"API-{step:04d}",
        "name": f"Control {step}",
        "owner": ctx.world.users_a["manager"].email,
        "status": "planned",
        "requirements": ["iso27001-2022:A.8.13", "nist-csf-2.0:PR.DS-11"],
    }


def _form(ctx: Ctx) -> dict[str, Any]:
    step = next(_seq)
    return {
        "ref": f"UI-{step:04d}",
        "name": f"Control {step}",
        "description": "What it is",
        "owner": ctx.world.users_a["manager"].email,
        "status": "partially_implemented",
        "target_date": "2027-03-31",
        "implementation": f"Revision {step}",
        "requirements": "iso27001-2022:A.8.13\nnist-csf-2.0:PR.DS-11\n",
    }


def _other_hipaa(ctx: Ctx) -> str:
    """A HIPAA requirement the measured control does not meet yet, so that every edit adds one
    requirement and removes others (the same writes on every call)."""
    have = {r.ref for r in _backups(ctx).requirements.all()}
    return "hipaa-security-rule:" + next(ref for ref in HIPAA if ref not in have)


def _edit_form(ctx: Ctx) -> dict[str, Any]:
    return _form(ctx) | {
        "ref": "BK-01",
        "requirements": f"iso27001-2022:A.8.13\n{_other_hipaa(ctx)}",
    }


def _patch_body(ctx: Ctx) -> dict[str, Any]:
    return {
        "implementation": f"Revision {next(_seq)}",
        "requirements": ["iso27001-2022:A.8.13", _other_hipaa(ctx)],
    }


def _bulk_ids(ctx: Ctx) -> list[int]:
    """Twenty controls, all not started and owned by the contributor, so that the bulk change
    measured changes every one of them (and their SoA rows) on every call."""
    _grow(ctx)
    controls = list(Control.objects.filter(org=ctx.world.org_a).order_by("pk")[:20])
    control_services.control_bulk_update(
        actor=_owner(ctx),
        controls=controls,
        status="not_started",
        owner=ctx.world.users_a["contributor"].email,
    )
    return [c.pk for c in controls]


def _bulk_api(ctx: Ctx) -> dict[str, Any]:
    owner = ctx.world.users_a["manager"].email
    return {"ids": _bulk_ids(ctx), "status": "implemented", "owner": owner}


def _bulk_form(ctx: Ctx) -> dict[str, Any]:
    owner = ctx.world.users_a["manager"].email
    return {"controls": _bulk_ids(ctx), "status": "implemented", "owner": owner, "target_date": ""}


P = "/api/v1/orgs/{org}"

CONTROLS_API: list[Route] = [
    Route(
        "GET",
        P + "/controls",
        "org",
        200,
        200,
        params=_grow,
        query="framework=nist-csf-2.0&status=planned&q=control",
    ),
    Route("POST", P + "/controls", "org", 201, 403, body=_api_body),
    Route("POST", P + "/controls/bulk", "org", 200, 403, body=_bulk_api),
    Route("GET", P + "/controls/{control_id}", "org", 200, 200, params=_control_id),
    Route(
        "PATCH",
        P + "/controls/{control_id}",
        "org",
        200,
        403,
        params=_control_id,
        body=_patch_body,
    ),
    Route("DELETE", P + "/controls/{control_id}", "org", 204, 403, params=_fresh_id),
    Route("GET", P + "/frameworks", "org", 200, 200, params=_grow),
    Route(
        "POST",
        P + "/frameworks",
        "org",
        201,
        403,
        params=_untracked_api,
        body=lambda c: {"framework": SWITCHED},
    ),
    Route(
        "DELETE",
        P + "/frameworks/{framework}",
        "org",
        204,
        403,
        params=_tracked,
        owned_params=False,
    ),
    Route(
        "GET",
        P + "/coverage/{framework}",
        "org",
        200,
        200,
        params=_framework,
        owned_params=False,
    ),
    Route(
        "GET",
        P + "/coverage/{framework}/export",
        "org",
        200,
        200,
        params=_framework,
        query="format=xlsx",
        owned_params=False,
    ),
]

CONTROLS_UI: list[Route] = [
    Route(
        "GET",
        "controls:list",
        "org",
        200,
        200,
        params=_grow,
        query="framework=nist-csf-2.0&status=planned&owner=contributor-a@example.com",
    ),
    Route("POST", "controls:bulk", "org", 302, 403, body=_bulk_form),
    Route("GET", "controls:create", "org", 200, 403, params=_grow),
    Route("POST", "controls:create", "org", 302, 403, body=_form),
    Route("GET", "controls:detail", "org", 200, 200, params=_control_id),
    Route("GET", "controls:edit", "org", 200, 403, params=_control_id),
    Route("POST", "controls:edit", "org", 302, 403, params=_control_id, body=_edit_form),
    Route("GET", "controls:delete", "org", 200, 403, params=_control_id),
    Route("POST", "controls:delete", "org", 302, 403, params=_fresh_id),
    Route("GET", "soa:frameworks", "org", 200, 200, params=_grow),
    Route(
        "POST",
        "soa:framework_track",
        "org",
        302,
        403,
        params=_untracked,
        owned_params=False,
    ),
    Route(
        "POST",
        "soa:framework_untrack",
        "org",
        302,
        403,
        params=_tracked,
        owned_params=False,
    ),
    Route("GET", "soa:coverage", "org", 200, 200, params=_framework, owned_params=False),
    Route("GET", "soa:coverage_gaps", "org", 200, 200, params=_framework, owned_params=False),
    Route(
        "GET",
        "soa:coverage_export",
        "org",
        200,
        200,
        params=_framework,
        query="format=pdf",
        owned_params=False,
    ),
    Route(
        "POST",
        "soa:coverage_override",
        "org",
        302,
        403,
        params=_override,
        body=lambda c: {"status": "implemented", "reason": f"Done elsewhere {next(_seq)}"},
        owned_params=False,
    ),
]
