"""Registry entries for the Statement of Applicability (see tests/routes.py for the fields).

The builders create organisation A's rows through the services. The list builders add a risk
that plans controls and a new approved version on every call, so the query-budget test (which
measures twice) sees more risks, owners and versions the second time.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from openisms.orgs.access import Actor, actor_for
from openisms.soa import selectors as soa_selectors
from openisms.soa import services as soa_services
from openisms.soa.models import SoaEntry, SoaVersion
from tests.routes import Ctx, Route

_seq = itertools.count(1)


def _owner(ctx: Ctx) -> Actor:
    return actor_for(ctx.world.owner_a, ctx.world.org_a.slug)


def _entry(ctx: Ctx, ref: str = "A.8.13") -> SoaEntry:
    actor = _owner(ctx)
    soa_services.soa_sync(actor=actor)
    return soa_selectors.soa_list(actor=actor, q=ref).get()


def _pending(ctx: Ctx) -> SoaVersion:
    """A version waiting for a decision, submitted by the manager so that the owner (who calls
    the routes) may decide on it under separation of duties."""
    manager = actor_for(ctx.world.users_a["manager"], ctx.world.org_a.slug)
    return soa_selectors.pending_version(actor=manager) or soa_services.soa_submit(
        actor=manager, comment=f"Review {next(_seq)}"
    )


def _approved(ctx: Ctx) -> SoaVersion:
    actor = _owner(ctx)
    return soa_services.soa_approve(actor=actor, version=_pending(ctx))


def _grow(ctx: Ctx) -> dict[str, Any]:
    """More risks planning controls, owned and dated rows, and one more approved version."""
    actor = _owner(ctx)
    ctx.risk()
    soa_services.soa_sync(actor=actor)
    rows = soa_selectors.soa_entries(
        actor=actor, ids=list(soa_selectors.soa_list(actor=actor).values_list("pk", flat=True))
    )
    step = next(_seq)
    soa_services.soa_bulk_update(
        actor=actor,
        entries=rows,
        owner=ctx.world.users_a["manager"].email,
        status="planned",
        target_date=dt.date(2027, 1, 1) + dt.timedelta(days=step),
    )
    _approved(ctx)
    return {}


def _entry_id(ctx: Ctx) -> dict[str, Any]:
    """The row of A.8.13, with more evidence and tasks linked to it on every call."""
    _grow(ctx)
    ctx.linked_work(requirement="A.8.13")
    return {"entry_id": _entry(ctx).pk}


def _pending_id(ctx: Ctx) -> dict[str, Any]:
    return {"version_id": _pending(ctx).pk}


def _version_id(ctx: Ctx) -> dict[str, Any]:
    _grow(ctx)
    return {"version_id": _approved(ctx).pk}


def _no_pending(ctx: Ctx) -> dict[str, Any]:
    soa_services.soa_sync(actor=_owner(ctx))
    pending = soa_selectors.pending_version(actor=_owner(ctx))
    if pending is not None:  # decided by someone other than its submitter
        admin = actor_for(ctx.world.users_a["admin"], ctx.world.org_a.slug)
        decider = admin if pending.submitted_by_id == ctx.world.owner_a.pk else _owner(ctx)
        soa_services.soa_approve(actor=decider, version=pending)
    return {}


def _diff_ids(ctx: Ctx) -> dict[str, Any]:
    _grow(ctx)
    first = _approved(ctx)
    _grow(ctx)
    return {"first": first.pk, "second": _approved(ctx).pk}


def _export_version(ctx: Ctx) -> dict[str, Any]:
    _grow(ctx)
    return {"version": _approved(ctx).number, "format": "xlsx"}


def _pack(ctx: Ctx) -> dict[str, Any]:
    """An approved version and, each call, more risks and evidence files (all in the pack)."""
    import io

    from openisms.evidence import services as evidence_services

    _grow(ctx)
    n = next(_seq)
    upload = io.BytesIO(f"%PDF-1.7\n% restore test {n}\n%%EOF\n".encode())
    upload.name = f"restore-{n}.pdf"
    evidence_services.evidence_create_file(
        actor=_owner(ctx),
        upload=upload,
        title=f"Restore test {n}",
        owner=ctx.world.users_a["manager"].email,
        validity_days=365,
        requirements=["A.8.13"],
    )
    return {}


def _readiness(ctx: Ctx) -> dict[str, Any]:
    """Each call: what _grow adds, plus a new owner of one more control, evidence linked to a
    control and a task, so the dashboard has more owners, evidence and tasks every time."""
    from openisms.evidence import services as evidence_services
    from openisms.work import services as work_services

    _grow(ctx)
    actor = _owner(ctx)
    step = next(_seq)
    refs = list(soa_selectors.soa_list(actor=actor).values_list("requirement__ref", flat=True)[:80])
    soa_services.soa_entry_update(
        actor=actor,
        entry=_entry(ctx, refs[step % 80]),
        owner=ctx.member().user.email,
    )
    evidence_services.evidence_create_link(
        actor=actor,
        title=f"Evidence {step}",
        url=f"https://example.com/{step}",
        requirements=[refs[step % 80]],
    )
    work_services.task_create(
        actor=actor, title=f"Task {step}", due_on=dt.date(2026, 1, 1) + dt.timedelta(days=step)
    )
    return {}


def _bulk_body(ctx: Ctx) -> dict[str, Any]:
    """Twenty rows, not started and each with its control of the register already (the first
    bulk change of a row creates its control), so every measured change does the same work."""
    actor = _owner(ctx)
    soa_services.soa_sync(actor=actor)
    ids = list(soa_selectors.soa_list(actor=actor).values_list("pk", flat=True)[:20])
    # Rows that already have their controls, so each measurement takes the same (update) path.
    rows = soa_selectors.soa_entries(actor=actor, ids=ids)
    soa_services.soa_bulk_update(
        actor=actor, entries=rows, owner=ctx.world.users_a["manager"].email
    )
    status = ("planned", "partially_implemented", "implemented")[next(_seq) % 3]
    return {"entries": ids, "status": status, "owner": "", "target_date": ""}


def _entry_form(ctx: Ctx) -> dict[str, Any]:
    return {
        "applicable": "on",
        "business": "on",
        "justification": "Backups protect against ransomware.",
        "status": "implemented",
        "owner": ctx.world.users_a["manager"].email,
        "target_date": "2027-03-31",
        "implementation": f"Nightly offline backups, revision {next(_seq)}",
    }


SOA_API: list[Route] = [
    Route(
        "GET",
        "/api/v1/orgs/{org}/soa",
        "org",
        200,
        200,
        params=_grow,
        query="reason=risk_treatment&applicable=true&theme=technological",
    ),
    Route("GET", "/api/v1/orgs/{org}/soa/export", "org", 200, 200, params=_export_version),
    Route("GET", "/api/v1/orgs/{org}/readiness", "org", 200, 200, params=_readiness),
    Route("GET", "/api/v1/orgs/{org}/audit-pack", "org", 200, 200, params=_pack),
    Route("GET", "/api/v1/orgs/{org}/soa/{entry_id}", "org", 200, 200, params=_entry_id),
    Route(
        "PATCH",
        "/api/v1/orgs/{org}/soa/{entry_id}",
        "org",
        200,
        403,
        params=_entry_id,
        body=lambda c: {"implementation": f"Backups, revision {next(_seq)}", "business": True},
    ),
    Route("GET", "/api/v1/orgs/{org}/soa-versions", "org", 200, 200, params=_grow),
    Route(
        "POST",
        "/api/v1/orgs/{org}/soa-versions",
        "org",
        201,
        403,
        params=_no_pending,
        body=lambda c: {"comment": "Quarterly review"},
    ),
    Route("GET", "/api/v1/orgs/{org}/soa-versions/diff", "org", 200, 200, params=_diff_ids),
    Route(
        "GET", "/api/v1/orgs/{org}/soa-versions/{version_id}", "org", 200, 200, params=_version_id
    ),
    Route(
        "POST",
        "/api/v1/orgs/{org}/soa-versions/{version_id}/approve",
        "org",
        200,
        403,
        params=_pending_id,
        body=lambda c: {"comment": "Approved by management review"},
    ),
    Route(
        "POST",
        "/api/v1/orgs/{org}/soa-versions/{version_id}/reject",
        "org",
        200,
        403,
        params=_pending_id,
        body=lambda c: {"comment": "Justify A.7.4"},
    ),
]

SOA_UI: list[Route] = [
    Route(
        "GET",
        "soa:list",
        "org",
        200,
        200,
        params=_grow,
        query="applicable=yes&reason=risk_treatment&status=planned",
    ),
    Route("POST", "soa:bulk", "org", 302, 403, body=_bulk_body),
    Route("GET", "soa:export", "org", 200, 200, params=_grow, query="format=xlsx&version=1"),
    Route("GET", "soa:audit_pack", "org", 200, 200, params=_pack),
    Route("GET", "web:readiness", "org", 200, 200, params=_readiness),
    Route("GET", "soa:detail", "org", 200, 200, params=_entry_id),
    Route("GET", "soa:edit", "org", 200, 403, params=_entry_id),
    Route("POST", "soa:edit", "org", 302, 403, params=_entry_id, body=_entry_form),
    Route("GET", "soa:versions", "org", 200, 200, params=_grow),
    Route(
        "POST",
        "soa:submit",
        "org",
        302,
        403,
        params=_no_pending,
        body=lambda c: {"comment": "Ready"},
    ),
    Route("GET", "soa:diff", "org", 200, 200, params=_grow),
    Route("GET", "soa:version_detail", "org", 200, 200, params=_version_id),
    Route("POST", "soa:approve", "org", 302, 403, params=_pending_id, body=lambda c: {}),
    Route(
        "POST",
        "soa:reject",
        "org",
        302,
        403,
        params=_pending_id,
        body=lambda c: {"comment": "Not yet"},
    ),
]
