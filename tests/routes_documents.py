"""Registry entries for documents and policies (see tests/routes.py for the fields).

Every builder calls ``_grow`` first, which adds a published document with acknowledgements
and a version in review, so the query-budget test sees more rows the second time.
"""

from __future__ import annotations

import itertools
from typing import Any

from openisms.documents import selectors, services
from openisms.orgs.access import Actor, actor_for
from tests.routes import Ctx, Route

_seq = itertools.count(1)


def _actor(ctx: Ctx, role: str = "owner") -> Actor:
    return actor_for(ctx.world.users_a.get(role, ctx.world.owner_a), ctx.world.org_a.slug)


def _doc(ctx: Ctx) -> Any:
    owner = _actor(ctx)
    doc = services.document_create(
        actor=owner,
        title=f"Policy {next(_seq)}",
        owner=ctx.world.users_a["manager"].email,
        draft_text="# Policy\n\n- one\n- two\n",
        requirements=["A.5.1", "5.2"],
    )
    version = services.document_submit(actor=_actor(ctx, "manager"), document=doc)
    version = services.document_approve(actor=owner, version=version)
    services.version_acknowledge(actor=_actor(ctx, "viewer"), version=version)
    services.document_update(actor=owner, document=doc, draft_text="# Policy\n\nChanged.\n")
    return doc


def _grow(ctx: Ctx) -> dict[str, Any]:
    doc = _doc(ctx)
    services.document_submit(actor=_actor(ctx, "manager"), document=doc)
    return {}


def _doc_id(ctx: Ctx) -> dict[str, Any]:
    _grow(ctx)
    return {"document_id": _doc(ctx).pk}


def _version(ctx: Ctx) -> dict[str, Any]:
    return _doc_id(ctx) | {"number": 1}


def _pending(ctx: Ctx) -> dict[str, Any]:
    _grow(ctx)
    doc = _doc(ctx)
    services.document_submit(actor=_actor(ctx, "manager"), document=doc)
    return {"document_id": doc.pk, "number": 2}


def _body(ctx: Ctx) -> dict[str, Any]:
    return {"title": f"New policy {next(_seq)}", "draft_text": "# Text", "requirements": ["A.5.1"]}


def _form(ctx: Ctx) -> dict[str, Any]:
    return {
        "title": f"Form policy {next(_seq)}",
        "kind": "policy",
        "classification": "internal",
        "review_interval_months": 12,
        "draft_text": "# Text",
        "requirements": "A.5.1",
    }


D = "/api/v1/orgs/{org}/documents"

DOCUMENTS_API: list[Route] = [
    Route("GET", D, "org", 200, 200, params=_grow, query="status=published"),
    Route("POST", D, "org", 201, 403, params=_grow, body=_body),
    Route("GET", D + "/templates", "org", 200, 200, params=_grow),
    Route(
        "POST",
        D + "/from-template",
        "org",
        201,
        403,
        params=_grow,
        body=lambda c: {"key": "backup"},
    ),
    Route("GET", D + "/awaiting-acknowledgement", "org", 200, 200, params=_grow),
    Route("GET", D + "/export", "org", 200, 200, params=_grow, query="format=csv"),
    Route("GET", D + "/{document_id}", "org", 200, 200, params=_doc_id),
    Route(
        "PATCH",
        D + "/{document_id}",
        "org",
        200,
        403,
        params=_doc_id,
        body=lambda c: {"title": f"Renamed {next(_seq)}"},
    ),
    Route("GET", D + "/{document_id}/export", "org", 200, 200, params=_doc_id),
    Route("GET", D + "/{document_id}/readers", "org", 200, 200, params=_doc_id),
    Route("POST", D + "/{document_id}/submit", "org", 201, 403, params=_doc_id, body=lambda c: {}),
    Route("GET", D + "/{document_id}/versions", "org", 200, 200, params=_doc_id),
    Route("GET", D + "/{document_id}/versions/{number}", "org", 200, 200, params=_version),
    Route(
        "POST",
        D + "/{document_id}/versions/{number}/approve",
        "org",
        200,
        403,
        params=_pending,
        body=lambda c: {},
    ),
    Route(
        "POST",
        D + "/{document_id}/versions/{number}/reject",
        "org",
        200,
        403,
        params=_pending,
        body=lambda c: {"comment": "Fix it"},
    ),
    Route(
        "POST",
        D + "/{document_id}/versions/{number}/acknowledge",
        "org",
        201,
        201,
        params=_version,
    ),
]


def _with_file(ctx: Ctx) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    params = _doc_id(ctx)
    doc = selectors.document_get(actor=_actor(ctx), document_id=params["document_id"])
    services.document_upload_file(
        actor=_actor(ctx), document=doc, upload=SimpleUploadedFile("p.pdf", b"%PDF-1.4 x")
    )
    return params


def _upload(ctx: Ctx) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"file": SimpleUploadedFile(f"p{next(_seq)}.pdf", b"%PDF-1.4 body")}


DOCUMENTS_API.extend(
    [
        Route(
            "POST",
            D + "/{document_id}/file",
            "org",
            200,
            403,
            params=_doc_id,
            body=_upload,
            multipart=True,
        ),
        Route("GET", D + "/{document_id}/file", "org", 200, 200, params=_with_file),
    ]
)

DOCUMENTS_UI: list[Route] = [
    Route("POST", "documents:upload", "org", 302, 403, params=_doc_id, body=_upload),
    Route("GET", "documents:file", "org", 200, 200, params=_with_file),
    Route("GET", "documents:list", "org", 200, 200, params=_grow, query="status=published"),
    Route("GET", "documents:awaiting", "org", 200, 200, params=_grow),
    Route("GET", "documents:templates", "org", 200, 200, params=_grow),
    Route(
        "POST",
        "documents:templates",
        "org",
        302,
        403,
        params=_grow,
        body=lambda c: {"key": "backup"},
    ),
    Route("GET", "documents:new", "org", 200, 403, params=_grow),
    Route("POST", "documents:new", "org", 302, 403, params=_grow, body=_form),
    Route("GET", "documents:register_export", "org", 200, 200, params=_grow),
    Route("GET", "documents:detail", "org", 200, 200, params=_doc_id),
    Route("GET", "documents:edit", "org", 200, 403, params=_doc_id),
    Route("POST", "documents:edit", "org", 302, 403, params=_doc_id, body=_form),
    Route("POST", "documents:submit", "org", 302, 403, params=_doc_id, body=lambda c: {}),
    Route("GET", "documents:export", "org", 200, 200, params=_doc_id),
    Route("GET", "documents:version", "org", 200, 200, params=_version),
    Route("POST", "documents:approve", "org", 302, 403, params=_pending, body=lambda c: {}),
    Route(
        "POST",
        "documents:reject",
        "org",
        302,
        403,
        params=_pending,
        body=lambda c: {"comment": "Fix it"},
    ),
    Route("POST", "documents:acknowledge", "org", 302, 302, params=_version, body=lambda c: {}),
]
