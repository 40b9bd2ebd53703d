"""Registry entries for the evidence library (see tests/routes.py for the fields).

The builders create organisation A's evidence through the services. ``_grow`` adds a file item
with two versions linked to controls, a clause and a risk, and a link item, on every call, so
the query-budget test (which measures twice) sees more items, versions and links the second
time. Every uploaded body has bytes of its own: the library refuses duplicates.
"""

from __future__ import annotations

import io
import itertools
from typing import Any

from openisms.evidence import services as evidence_services
from openisms.evidence.models import EvidenceItem
from openisms.orgs.access import Actor, actor_for
from tests.routes import Ctx, Route

_seq = itertools.count(1)


def _owner(ctx: Ctx) -> Actor:
    return actor_for(ctx.world.owner_a, ctx.world.org_a.slug)


def _pdf(name: str = "report") -> io.BytesIO:
    n = next(_seq)
    upload = io.BytesIO(f"%PDF-1.7\n% evidence {n}\n%%EOF\n".encode())
    upload.name = f"{name}-{n}.pdf"
    return upload


def _file_item(ctx: Ctx) -> EvidenceItem:
    actor = _owner(ctx)
    risk = ctx.risk()
    item = evidence_services.evidence_create_file(
        actor=actor,
        upload=_pdf(),
        title=f"Backup report {next(_seq)}",
        owner=ctx.world.users_a["manager"].email,
        validity_days=365,
        requirements="A.8.13, A.5.30, 9.2",
        risks=[risk.pk],
    )
    evidence_services.evidence_version_upload(actor=actor, item=item, upload=_pdf("renewed"))
    return item


def _grow(ctx: Ctx) -> dict[str, Any]:
    _file_item(ctx)
    evidence_services.evidence_create_link(
        actor=_owner(ctx),
        title=f"Restore test ticket {next(_seq)}",
        url=f"https://tickets.example.com/{next(_seq)}",
        requirements=["A.8.13"],
    )
    return {}


def _item_id(ctx: Ctx) -> dict[str, Any]:
    _grow(ctx)
    return {"item_id": _file_item(ctx).pk}


def _download(ctx: Ctx) -> dict[str, Any]:
    return _item_id(ctx) | {"number": 1}


def _unlink_query(ctx: Ctx) -> dict[str, Any]:
    return _item_id(ctx) | {"requirement": "A.5.30"}


def _link_id(ctx: Ctx) -> dict[str, Any]:
    item = _file_item(ctx)
    link = item.links.order_by("pk").first()
    assert link is not None
    return {"item_id": item.pk, "link_id": link.pk}


def _file_body(ctx: Ctx) -> dict[str, Any]:
    return {"file": _pdf("upload"), "title": "Uploaded", "requirements": "A.5.15, 9.2"}


def _version_body(ctx: Ctx) -> dict[str, Any]:
    return {"file": _pdf("version"), "note": "Quarterly refresh"}


def _link_body(ctx: Ctx) -> dict[str, Any]:
    n = next(_seq)
    return {
        "title": f"Wiki page {n}",
        "url": f"https://wiki.example.com/{n}",
        "requirements": ["A.5.1"],
    }


def _create_form(ctx: Ctx) -> dict[str, Any]:
    return {"kind": "file", "file": _pdf("form"), "title": "", "refs": "A.5.15, A.8.13, 9.2"}


def _edit_form(ctx: Ctx) -> dict[str, Any]:
    return {
        "title": f"Backup report, revision {next(_seq)}",
        "description": "Nightly backup job results",
        "owner": ctx.world.users_a["manager"].email,
        "collected_on": "2026-01-01",
        "validity_days": "365",
        "next_review_on": "2026-07-01",
    }


EVIDENCE_API: list[Route] = [
    Route(
        "GET",
        "/api/v1/orgs/{org}/evidence",
        "org",
        200,
        200,
        params=_grow,
        query="requirement=A.8.13&freshness=current&q=backup",
    ),
    Route("POST", "/api/v1/orgs/{org}/evidence", "org", 201, 403, body=_link_body),
    Route(
        "POST",
        "/api/v1/orgs/{org}/evidence/files",
        "org",
        201,
        403,
        params=_grow,
        body=_file_body,
        multipart=True,
    ),
    Route("GET", "/api/v1/orgs/{org}/evidence/{item_id}", "org", 200, 200, params=_item_id),
    Route(
        "PATCH",
        "/api/v1/orgs/{org}/evidence/{item_id}",
        "org",
        200,
        403,
        params=_item_id,
        body=lambda c: {"description": f"Revision {next(_seq)}", "validity_days": 90},
    ),
    Route(
        "POST",
        "/api/v1/orgs/{org}/evidence/{item_id}/versions",
        "org",
        201,
        403,
        params=_item_id,
        body=_version_body,
        multipart=True,
    ),
    Route(
        "GET",
        "/api/v1/orgs/{org}/evidence/{item_id}/versions/{number}/download",
        "org",
        200,
        200,
        params=_download,
    ),
    Route(
        "POST",
        "/api/v1/orgs/{org}/evidence/{item_id}/links",
        "org",
        200,
        403,
        params=_item_id,
        body=lambda c: {"requirements": ["A.5.15", "9.3"], "risks": []},
    ),
    Route(
        "DELETE",
        "/api/v1/orgs/{org}/evidence/{item_id}/links",
        "org",
        200,
        403,
        params=_unlink_query,
    ),
]

EVIDENCE_UI: list[Route] = [
    Route(
        "GET",
        "evidence:list",
        "org",
        200,
        200,
        params=_grow,
        query="requirement=A.8.13&freshness=current",
    ),
    Route("GET", "evidence:create", "org", 200, 403),
    Route(
        "POST", "evidence:create", "org", 302, 403, params=_grow, body=_create_form, multipart=True
    ),
    Route("GET", "evidence:detail", "org", 200, 200, params=_item_id),
    Route("GET", "evidence:edit", "org", 200, 403, params=_item_id),
    Route("POST", "evidence:edit", "org", 302, 403, params=_item_id, body=_edit_form),
    Route(
        "POST",
        "evidence:upload",
        "org",
        302,
        403,
        params=_item_id,
        body=_version_body,
        multipart=True,
    ),
    Route("GET", "evidence:download", "org", 200, 200, params=_download),
    Route(
        "POST",
        "evidence:link",
        "org",
        302,
        403,
        params=_item_id,
        body=lambda c: {"refs": "A.5.15, 6.1.2"},
    ),
    Route("POST", "evidence:unlink", "org", 302, 403, params=_link_id),
]
