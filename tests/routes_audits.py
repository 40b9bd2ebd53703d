"""Registry entries for internal audit (see tests/routes.py for the fields).

Every builder calls ``_grow`` first, which adds a programme, a started audit with a checklist
(an item with evidence), findings of several types and an approved report, so the query-budget
test (which measures twice) sees more of everything the second time.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from openisms.audits import selectors, services
from openisms.audits.models import Audit, AuditProgramme, AuditReport
from openisms.orgs.access import Actor, actor_for
from tests.routes import Ctx, Route

_seq = itertools.count(1)
SCOPE = ["9.2", "9.3", "A.5.15", "A.8.13"]


def _as(ctx: Ctx, role: str) -> Actor:
    return actor_for(ctx.world.users_a[role], ctx.world.org_a.slug)


def _programme(ctx: Ctx) -> AuditProgramme:
    return services.programme_create(
        actor=_as(ctx, "owner"),
        title=f"Programme {next(_seq)}",
        first_year=2026,
        last_year=2028,
        owner=ctx.world.users_a["manager"].email,
    )


def _audit(ctx: Ctx, *, start: bool = True, programme: AuditProgramme | None = None) -> Audit:
    owner = _as(ctx, "owner")
    audit = services.audit_create(
        actor=owner,
        programme=(programme or _programme(ctx)).pk,
        title=f"Audit {next(_seq)}",
        planned_start=dt.date(2026, 10, 5),
        planned_end=dt.date(2026, 10, 9),
        lead_auditor=ctx.world.users_a["auditor"].email,
        auditors=[ctx.world.users_a["auditor"].email, ctx.world.users_a["viewer"].email],
        scope=SCOPE,
    )
    if start:
        services.audit_update(actor=owner, audit=audit, status="in_progress")
    return audit


def _grow(ctx: Ctx) -> dict[str, Any]:
    owner = _as(ctx, "owner")
    ctx.linked_work(requirement="A.5.15")
    audit = _audit(ctx)
    items = list(selectors.checklist(actor=owner, audit=audit))
    evidence = [pk for pk, _ in selectors.evidence_choices(actor=owner)][:2]
    services.checklist_item_update(
        actor=owner, item=items[0], result="conforming", notes="Fine", evidence=evidence
    )
    for kind in ("major_nc", "ofi"):
        services.finding_create(
            actor=_as(ctx, "auditor"),
            audit=audit,
            type=kind,
            title=f"Finding {next(_seq)}",
            checklist_item=items[1].pk,
        )
    report = services.report_submit(actor=_as(ctx, "manager"), audit=audit)
    services.report_approve(actor=owner, report=report)
    return {}


def _programme_id(ctx: Ctx) -> dict[str, Any]:
    _grow(ctx)
    return {"programme_id": _programme(ctx).pk}


def _full_audit(ctx: Ctx) -> Audit:
    """The audit _grow made last: with checklist, findings and an approved report."""
    _grow(ctx)
    audit = Audit.objects.filter(org=ctx.world.org_a).order_by("-pk").first()
    assert audit is not None
    return audit


def _audit_id(ctx: Ctx) -> dict[str, Any]:
    return {"audit_id": _full_audit(ctx).pk}


def _fresh_audit_id(ctx: Ctx) -> dict[str, Any]:
    """A started audit without findings or reports (to delete, or to submit a report of)."""
    _grow(ctx)
    return {"audit_id": _audit(ctx).pk}


def _item(ctx: Ctx) -> dict[str, Any]:
    audit = _full_audit(ctx)
    item = selectors.checklist(actor=_as(ctx, "owner"), audit=audit).first()
    assert item is not None
    return {"audit_id": audit.pk, "item_id": item.pk}


def _finding(ctx: Ctx) -> dict[str, Any]:
    audit = _full_audit(ctx)
    finding = selectors.finding_list(actor=_as(ctx, "owner"), audit=audit).first()
    assert finding is not None
    return {"audit_id": audit.pk, "finding_id": finding.pk}


def _report(ctx: Ctx) -> dict[str, Any]:
    audit = _full_audit(ctx)
    report = AuditReport.objects.filter(audit=audit).first()
    assert report is not None
    return {"audit_id": audit.pk, "report_id": report.pk}


def _pending_report(ctx: Ctx) -> dict[str, Any]:
    _grow(ctx)
    audit = _audit(ctx)
    report = services.report_submit(actor=_as(ctx, "manager"), audit=audit)
    return {"audit_id": audit.pk, "report_id": report.pk}


def _programme_body(ctx: Ctx) -> dict[str, Any]:
    return {"title": f"Programme {next(_seq)}", "first_year": 2026, "last_year": 2028}


def _audit_body(ctx: Ctx) -> dict[str, Any]:
    return {
        "programme": _programme(ctx).pk,
        "title": f"Audit {next(_seq)}",
        "planned_start": "2027-03-01",
        "planned_end": "2027-03-05",
        "lead_auditor": ctx.world.users_a["auditor"].email,
        "scope": ["9.2", "A.5.15"],
    }


def _audit_form(ctx: Ctx) -> dict[str, Any]:
    return _audit_body(ctx) | {
        "status": "planned",
        "criteria": "",
        "all_clauses": "on",
        "themes": ["people"],
    }


def _finding_body(ctx: Ctx) -> dict[str, Any]:
    return {"type": "minor_nc", "title": f"Finding {next(_seq)}", "requirement": "A.5.15"}


AUDITS_API: list[Route] = [
    Route("GET", "/api/v1/orgs/{org}/audit-programmes", "org", 200, 200, params=_grow),
    Route(
        "POST",
        "/api/v1/orgs/{org}/audit-programmes",
        "org",
        201,
        403,
        params=_grow,
        body=_programme_body,
    ),
    Route(
        "GET",
        "/api/v1/orgs/{org}/audit-programmes/{programme_id}",
        "org",
        200,
        200,
        params=_programme_id,
    ),
    Route(
        "PATCH",
        "/api/v1/orgs/{org}/audit-programmes/{programme_id}",
        "org",
        200,
        403,
        params=_programme_id,
        body=lambda c: {"title": f"Renamed {next(_seq)}"},
    ),
    Route(
        "DELETE",
        "/api/v1/orgs/{org}/audit-programmes/{programme_id}",
        "org",
        204,
        403,
        params=_programme_id,
    ),
    Route(
        "GET",
        "/api/v1/orgs/{org}/audit-programmes/{programme_id}/coverage",
        "org",
        200,
        200,
        params=_programme_id,
    ),
    Route("GET", "/api/v1/orgs/{org}/audits", "org", 200, 200, params=_grow, query="year=2026"),
    Route("POST", "/api/v1/orgs/{org}/audits", "org", 201, 403, params=_grow, body=_audit_body),
    Route("GET", "/api/v1/orgs/{org}/audits/{audit_id}", "org", 200, 200, params=_audit_id),
    Route(
        "PATCH",
        "/api/v1/orgs/{org}/audits/{audit_id}",
        "org",
        200,
        403,
        params=_audit_id,
        body=lambda c: {"title": f"Renamed {next(_seq)}", "scope": [*SCOPE, "A.8.15"]},
    ),
    Route(
        "DELETE", "/api/v1/orgs/{org}/audits/{audit_id}", "org", 204, 403, params=_fresh_audit_id
    ),
    Route(
        "GET",
        "/api/v1/orgs/{org}/audits/{audit_id}/export",
        "org",
        200,
        200,
        params=_audit_id,
        query="format=docx",
    ),
    Route(
        "GET", "/api/v1/orgs/{org}/audits/{audit_id}/checklist", "org", 200, 200, params=_audit_id
    ),
    Route(
        "PATCH",
        "/api/v1/orgs/{org}/audits/{audit_id}/checklist/{item_id}",
        "org",
        200,
        403,
        params=_item,
        body=lambda c: {"result": "observation", "notes": f"Seen {next(_seq)}"},
    ),
    Route(
        "GET", "/api/v1/orgs/{org}/audits/{audit_id}/findings", "org", 200, 200, params=_audit_id
    ),
    Route(
        "POST",
        "/api/v1/orgs/{org}/audits/{audit_id}/findings",
        "org",
        201,
        403,
        params=_audit_id,
        body=_finding_body,
    ),
    Route(
        "GET",
        "/api/v1/orgs/{org}/audits/{audit_id}/findings/{finding_id}",
        "org",
        200,
        200,
        params=_finding,
    ),
    Route(
        "PATCH",
        "/api/v1/orgs/{org}/audits/{audit_id}/findings/{finding_id}",
        "org",
        200,
        403,
        params=_finding,
        body=lambda c: {"title": f"Renamed {next(_seq)}"},
    ),
    Route(
        "DELETE",
        "/api/v1/orgs/{org}/audits/{audit_id}/findings/{finding_id}",
        "org",
        204,
        403,
        params=_finding,
    ),
    Route(
        "POST",
        "/api/v1/orgs/{org}/audits/{audit_id}/findings/{finding_id}/nonconformity",
        "org",
        201,
        403,
        params=_finding,  # the audit's first finding, a major nonconformity not yet raised
        body=lambda c: {"owner": c.world.users_a["manager"].email},
    ),
    Route("GET", "/api/v1/orgs/{org}/audits/{audit_id}/reports", "org", 200, 200, params=_audit_id),
    Route(
        "POST",
        "/api/v1/orgs/{org}/audits/{audit_id}/reports",
        "org",
        201,
        403,
        params=_fresh_audit_id,
        body=lambda c: {"comment": "Ready"},
    ),
    Route(
        "GET",
        "/api/v1/orgs/{org}/audits/{audit_id}/reports/{report_id}",
        "org",
        200,
        200,
        params=_report,
    ),
    Route(
        "POST",
        "/api/v1/orgs/{org}/audits/{audit_id}/reports/{report_id}/approve",
        "org",
        200,
        403,
        params=_pending_report,
        body=lambda c: {"comment": "Fine"},
    ),
    Route(
        "POST",
        "/api/v1/orgs/{org}/audits/{audit_id}/reports/{report_id}/reject",
        "org",
        200,
        403,
        params=_pending_report,
        body=lambda c: {"comment": "Add the sample sizes"},
    ),
]

AUDITS_UI: list[Route] = [
    Route("GET", "audits:programme_list", "org", 200, 200, params=_grow),
    Route("GET", "audits:programme_new", "org", 200, 403, params=_grow),
    Route(
        "POST",
        "audits:programme_new",
        "org",
        302,
        403,
        params=_grow,
        body=lambda c: _programme_body(c) | {"objectives": "", "criteria": "", "owner": ""},
    ),
    Route("GET", "audits:programme_detail", "org", 200, 200, params=_programme_id),
    Route("GET", "audits:programme_edit", "org", 200, 403, params=_programme_id),
    Route(
        "POST",
        "audits:programme_edit",
        "org",
        302,
        403,
        params=_programme_id,
        body=lambda c: _programme_body(c) | {"objectives": "More", "criteria": "", "owner": ""},
    ),
    Route("GET", "audits:audit_new", "org", 200, 403, params=_grow),
    Route("POST", "audits:audit_new", "org", 302, 403, params=_grow, body=_audit_form),
    Route("GET", "audits:audit_detail", "org", 200, 200, params=_audit_id),
    Route("GET", "audits:audit_edit", "org", 200, 403, params=_audit_id),
    Route(
        "POST",
        "audits:audit_edit",
        "org",
        302,
        403,
        params=_fresh_audit_id,
        body=lambda c: _audit_form(c) | {"status": "in_progress"},
    ),
    Route("GET", "audits:audit_export", "org", 200, 200, params=_audit_id, query="format=pdf"),
    Route("GET", "audits:checklist_item", "org", 200, 403, params=_item),
    Route(
        "POST",
        "audits:checklist_item",
        "org",
        302,
        403,
        params=_item,
        body=lambda c: {"result": "nonconforming", "notes": f"Gap {next(_seq)}"},
    ),
    Route("GET", "audits:finding_new", "org", 200, 403, params=_audit_id),
    Route(
        "POST",
        "audits:finding_new",
        "org",
        302,
        403,
        params=_audit_id,
        body=lambda c: _finding_body(c) | {"description": "", "evidence_seen": ""},
    ),
    Route("GET", "audits:finding_edit", "org", 200, 403, params=_finding),
    Route(
        "POST",
        "audits:finding_edit",
        "org",
        302,
        403,
        params=_finding,
        body=lambda c: _finding_body(c) | {"description": "x", "evidence_seen": ""},
    ),
    Route("POST", "audits:finding_delete", "org", 302, 403, params=_finding, body=lambda c: {}),
    Route("POST", "audits:finding_raise", "org", 302, 403, params=_finding, body=lambda c: {}),
    Route(
        "POST",
        "audits:report_submit",
        "org",
        302,
        403,
        params=_fresh_audit_id,
        body=lambda c: {"comment": "Ready"},
    ),
    Route("GET", "audits:report_detail", "org", 200, 200, params=_report),
    Route(
        "POST",
        "audits:report_decide",
        "org",
        302,
        403,
        params=_pending_report,
        body=lambda c: {"decision": "approve", "comment": ""},
    ),
]
