from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST

from openisms.core.forms import form_errors_from, posted_version
from openisms.documents import exports, library, selectors, services
from openisms.documents.downloads import file_response
from openisms.documents.fields import DOCUMENT_RULE
from openisms.documents.forms import CommentForm, DocumentForm, DraftForm
from openisms.documents.markdown import render_html
from openisms.documents.models import Document, DocumentKind, DocumentStatus
from openisms.orgs import approvals
from openisms.orgs.access import Actor, Perm
from openisms.orgs.decorators import org_view
from openisms.orgs.selectors import members_by_email, object_history

PAGE_SIZE = 50


def _emails(actor: Actor) -> list[str]:
    return sorted(members_by_email(actor=actor))


def _problem(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _to_detail(actor: Actor, doc_id: int) -> HttpResponse:
    return redirect("documents:detail", org=actor.org.slug, document_id=doc_id)


@org_view("documents")
def document_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    params: dict[str, Any] = {
        "status": request.GET.get("status") or None,
        "kind": request.GET.get("kind") or None,
        "owner": request.GET.get("owner") or None,
        "q": request.GET.get("q", "")[:200],
    }
    page = Paginator(selectors.document_list(actor=actor, **params), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "org": actor.org,
        "page": page,
        "params": params,
        "statuses": DocumentStatus.choices,
        "kinds": DocumentKind.choices,
        "can_create": actor.can(Perm.EDIT_ISMS),
        "awaiting": len(selectors.awaiting_acknowledgement(actor=actor)),
    }
    template = "documents/list.html#table" if request.htmx else "documents/list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@org_view("documents")
def awaiting(request: HttpRequest, actor: Actor) -> HttpResponse:
    docs = selectors.awaiting_acknowledgement(actor=actor)
    return render(request, "documents/awaiting.html", {"org": actor.org, "documents": docs})


@org_view("documents")
@require_http_methods(["GET", "POST"])
def templates(request: HttpRequest, actor: Actor) -> HttpResponse:
    if request.method == "POST":
        actor.require(Perm.EDIT_ISMS)
        try:
            doc = services.document_create_from_template(
                actor=actor,
                key=request.POST.get("key", "")[:60],
                owner=request.POST.get("owner") or None,
            )
        except ValidationError as exc:
            messages.error(request, _problem(exc))
        else:
            messages.success(request, f"{doc.ref} created from the template.")
            return _to_detail(actor, doc.pk)
    context = {
        "org": actor.org,
        "templates": list(library.templates().values()),
        "people": _emails(actor),
        "can_create": actor.can(Perm.EDIT_ISMS),
    }
    return render(request, "documents/templates.html", context)


@org_view("documents", perm=Perm.EDIT_ISMS)
@require_http_methods(["GET", "POST"])
def document_new(request: HttpRequest, actor: Actor) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    form = DocumentForm(data, initial={"classification": "internal"}, member_emails=_emails(actor))
    if request.method == "POST" and form.is_valid():
        try:
            doc = services.document_create(actor=actor, **form.changes())
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, f"{doc.ref} created.")
            return _to_detail(actor, doc.pk)
    return render(request, "documents/form.html", {"org": actor.org, "form": form, "doc": None})


@org_view("documents")
def document_detail(request: HttpRequest, actor: Actor, document_id: int) -> HttpResponse:
    doc = selectors.document_get(actor=actor, document_id=document_id)
    versions = list(selectors.version_list(actor=actor, document=doc))
    current = next((v for v in versions if v.is_approved), None)
    pending = next((v for v in versions if v.is_pending), None)
    readership = selectors.readership(actor=actor, document=doc)
    me = next((r for r in readership.readers if actor.user and r.user.pk == actor.user.pk), None)
    context = {
        "org": actor.org,
        "doc": doc,
        "versions": versions,
        "current": current,
        "pending": pending,
        "current_html": mark_safe(render_html(current.text)) if current else "",  # noqa: S308
        "draft_html": mark_safe(render_html(doc.draft_text)),  # noqa: S308
        "readership": readership,
        "must_read": current is not None and me is not None and not me.current,
        "can_edit": actor.can(Perm.EDIT_ISMS),
        "can_draft": services.can_edit_draft(actor, doc),
        "may_decide": pending is not None
        and approvals.may_decide(actor, services.DOCUMENT_FLOW, pending),
        "comment_form": CommentForm(),
        "history": object_history(actor=actor, object_type="documents.document", object_id=doc.pk)[
            :20
        ],
    }
    return render(request, "documents/detail.html", context)


def _initial(doc: Document) -> dict[str, Any]:
    return {
        "title": doc.title,
        "kind": doc.kind,
        "owner": doc.owner.email if doc.owner else "",
        "classification": doc.classification,
        "review_interval_months": doc.review_interval_months,
        "next_review_on": doc.next_review_on,
        "audience_roles": doc.audience_roles,
        "requirements": ", ".join(sorted(r.ref for r in doc.requirements.all())),
        "controls": ", ".join(c.ref for c in doc.controls.all()),
        "draft_text": doc.draft_text,
    }


@org_view("documents")
@require_http_methods(["GET", "POST"])
def document_edit(request: HttpRequest, actor: Actor, document_id: int) -> HttpResponse:
    """Editors change everything; the owner (contributor) edits only the draft text."""
    doc = selectors.document_get(actor=actor, document_id=document_id)
    actor.require_edit(DOCUMENT_RULE, doc.owner_id)
    full = actor.can(Perm.EDIT_ISMS)
    data = request.POST if request.method == "POST" else None
    form: DocumentForm | DraftForm
    if full:
        form = DocumentForm(data, initial=_initial(doc), member_emails=_emails(actor))
    else:
        form = DraftForm(data, initial={"draft_text": doc.draft_text})
    if request.method == "POST" and form.is_valid():
        sent = posted_version(request)
        try:
            if isinstance(form, DocumentForm):
                services.document_update(actor=actor, document=doc, version=sent, **form.changes())
            else:
                services.document_update(
                    actor=actor,
                    document=doc,
                    version=sent,
                    draft_text=form.cleaned_data["draft_text"],
                )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, f"{doc.ref} saved.")
            return _to_detail(actor, doc.pk)
    return render(request, "documents/form.html", {"org": actor.org, "form": form, "doc": doc})


@org_view("documents")
@require_POST
def document_submit(request: HttpRequest, actor: Actor, document_id: int) -> HttpResponse:
    doc = selectors.document_get(actor=actor, document_id=document_id)
    try:
        version = services.document_submit(
            actor=actor, document=doc, comment=request.POST.get("comment", "")[:5000]
        )
    except ValidationError as exc:
        messages.error(request, _problem(exc))
    else:
        messages.success(request, f"Version {version.number} submitted for approval.")
    return _to_detail(actor, doc.pk)


@org_view("documents")
def version_detail(
    request: HttpRequest, actor: Actor, document_id: int, number: int
) -> HttpResponse:
    doc = selectors.document_get(actor=actor, document_id=document_id)
    version = selectors.version_get(actor=actor, document=doc, number=number)
    previous = selectors.version_list(actor=actor, document=doc).filter(number__lt=number).first()
    context = {
        "org": actor.org,
        "doc": doc,
        "version": version,
        "previous": previous,
        "html": mark_safe(render_html(version.text)),  # noqa: S308
        "fields": approvals.fields_diff(
            previous.snapshot if previous else {},
            version.snapshot,
            ["title", "kind", "classification"],
        ),
        "diff": selectors.text_diff(previous.text if previous else "", version.text),
        "may_decide": approvals.may_decide(actor, services.DOCUMENT_FLOW, version),
        "comment_form": CommentForm(),
    }
    return render(request, "documents/version.html", context)


def _decide(
    request: HttpRequest, actor: Actor, document_id: int, number: int, step: str
) -> HttpResponse:
    doc = selectors.document_get(actor=actor, document_id=document_id)
    version = selectors.version_get(actor=actor, document=doc, number=number)
    comment = request.POST.get("comment", "")[:5000]
    try:
        if step == "approve":
            services.document_approve(actor=actor, version=version, comment=comment)
        else:
            services.document_reject(actor=actor, version=version, comment=comment)
    except ValidationError as exc:
        messages.error(request, _problem(exc))
    else:
        done = "approved and published" if step == "approve" else "sent back"
        messages.success(request, f"Version {version.number} {done}.")
    return _to_detail(actor, doc.pk)


@org_view("documents")
@require_POST
def version_approve(
    request: HttpRequest, actor: Actor, document_id: int, number: int
) -> HttpResponse:
    return _decide(request, actor, document_id, number, "approve")


@org_view("documents")
@require_POST
def version_reject(
    request: HttpRequest, actor: Actor, document_id: int, number: int
) -> HttpResponse:
    return _decide(request, actor, document_id, number, "reject")


@org_view("documents")
@require_POST
def version_acknowledge(
    request: HttpRequest, actor: Actor, document_id: int, number: int
) -> HttpResponse:
    doc = selectors.document_get(actor=actor, document_id=document_id)
    version = selectors.version_get(actor=actor, document=doc, number=number)
    try:
        services.version_acknowledge(actor=actor, version=version)
    except ValidationError as exc:
        messages.error(request, _problem(exc))
    else:
        messages.success(request, f"Thank you: you have read {doc.ref} version {number}.")
    return _to_detail(actor, doc.pk)


def _download(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@org_view("documents")
def register_export(request: HttpRequest, actor: Actor) -> HttpResponse:
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    content, content_type, ext = exports.export_register(actor=actor, fmt=fmt)
    return _download(content, content_type, f"{actor.org.slug}-documents.{ext}")


@org_view("documents")
def document_export(request: HttpRequest, actor: Actor, document_id: int) -> HttpResponse:
    doc = selectors.document_get(actor=actor, document_id=document_id)
    fmt = "docx" if request.GET.get("format") == "docx" else "pdf"
    number = request.GET.get("version", "")
    chosen = (
        selectors.version_get(actor=actor, document=doc, number=int(number))
        if number.isdigit()
        else selectors.current_version(actor=actor, document=doc)
    )
    content, content_type, ext = exports.export_document(
        actor=actor, document=doc, fmt=fmt, version=chosen
    )
    return _download(content, content_type, exports.file_name(doc, chosen, ext))


@org_view("documents")
@require_POST
def document_upload(request: HttpRequest, actor: Actor, document_id: int) -> HttpResponse:
    doc = selectors.document_get(actor=actor, document_id=document_id)
    try:
        services.document_upload_file(actor=actor, document=doc, upload=request.FILES.get("file"))
    except ValidationError as exc:
        messages.error(request, _problem(exc))
    else:
        messages.success(request, f"File attached to the draft of {doc.ref}.")
    return _to_detail(actor, doc.pk)


@org_view("documents")
def document_file(request: HttpRequest, actor: Actor, document_id: int) -> Any:
    """The draft's file, or with ?version=N the file frozen with version N."""
    doc = selectors.document_get(actor=actor, document_id=document_id)
    number = request.GET.get("version", "")
    version = (
        selectors.version_get(actor=actor, document=doc, number=int(number))
        if number.isdigit()
        else None
    )
    stored = selectors.document_file(document=doc, version=version)
    if stored is None:
        raise Http404("No file.")
    return file_response(stored)
