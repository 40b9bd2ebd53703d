from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from openisms.context import exports, selectors, services
from openisms.context.forms import (
    CommentForm,
    ContextForm,
    IssueForm,
    PartyForm,
    RequirementForm,
)
from openisms.context.services import CONTEXT_FLOW
from openisms.core.forms import form_errors_from
from openisms.orgs.access import Actor, Perm
from openisms.orgs.approvals import may_decide
from openisms.orgs.decorators import org_view
from openisms.orgs.selectors import members_by_email


def _index(actor: Actor) -> HttpResponse:
    return redirect("context:index", org=actor.org.slug)


@org_view("context")
def index(request: HttpRequest, actor: Actor) -> HttpResponse:
    versions = list(selectors.version_list(actor=actor)[:20])
    return render(
        request,
        "context/index.html",
        {
            "org": actor.org,
            "ctx": selectors.context_get(actor=actor),
            "issues": selectors.issue_list(actor=actor),
            "parties": selectors.party_list(actor=actor),
            "versions": versions,
            "pending": next((v for v in versions if v.is_pending), None),
            "can_edit": actor.can(Perm.EDIT_ISMS),
            "comment_form": CommentForm(),
        },
    )


def _form_page(
    request: HttpRequest, actor: Actor, form: forms.Form, title: str, **extra: Any
) -> HttpResponse:
    context = {"org": actor.org, "form": form, "title": title} | extra
    return render(request, "context/form.html", context)


@org_view("context", perm=Perm.EDIT_ISMS)
@require_http_methods(["GET", "POST"])
def context_edit(request: HttpRequest, actor: Actor) -> HttpResponse:
    ctx = selectors.context_get(actor=actor)
    initial = {
        "scope": actor.org.scope,
        "boundaries": ctx.boundaries if ctx else "",
        "interfaces": ctx.interfaces if ctx else "",
        "exclusions": ctx.exclusions if ctx else "",
    }
    form = ContextForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.context_update(actor=actor, **form.changes())
        except ValidationError as exc:
            form_errors_from(form, exc)
        except PermissionDenied as exc:
            form.add_error("scope", str(exc))
        else:
            messages.success(request, "Scope and boundaries saved.")
            return _index(actor)
    return _form_page(request, actor, form, "Scope, boundaries and exclusions")


def _issue_form(request: HttpRequest, actor: Actor, initial: dict[str, Any]) -> IssueForm:
    data = request.POST if request.method == "POST" else None
    return IssueForm(data, initial=initial, member_emails=sorted(members_by_email(actor=actor)))


@org_view("context", perm=Perm.EDIT_ISMS)
@require_http_methods(["GET", "POST"])
def issue_new(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = _issue_form(request, actor, {"status": "active", "kind": "external"})
    if request.method == "POST" and form.is_valid():
        try:
            issue = services.issue_create(actor=actor, **form.changes())
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, f"{issue.ref} added.")
            return _index(actor)
    return _form_page(request, actor, form, "New issue")


@org_view("context", perm=Perm.EDIT_ISMS)
@require_http_methods(["GET", "POST"])
def issue_edit(request: HttpRequest, actor: Actor, issue_id: int) -> HttpResponse:
    issue = selectors.issue_get(actor=actor, issue_id=issue_id)
    initial = {
        name: getattr(issue, name)
        for name in ("kind", "category", "title", "description", "effect", "status")
    } | {"owner": issue.owner.email if issue.owner else ""}
    form = _issue_form(request, actor, initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.issue_update(actor=actor, issue=issue, **form.changes())
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, f"{issue.ref} saved.")
            return _index(actor)
    return _form_page(request, actor, form, f"Edit {issue.ref}")


@org_view("context", perm=Perm.EDIT_ISMS)
@require_http_methods(["GET", "POST"])
def party_new(request: HttpRequest, actor: Actor) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    form = PartyForm(data, initial={"status": "active"})
    if request.method == "POST" and form.is_valid():
        try:
            party = services.party_create(actor=actor, **form.changes())
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, f"{party.ref} added.")
            return _index(actor)
    return _form_page(request, actor, form, "New interested party")


@org_view("context", perm=Perm.EDIT_ISMS)
@require_http_methods(["GET", "POST"])
def party_edit(request: HttpRequest, actor: Actor, party_id: int) -> HttpResponse:
    party = selectors.party_get(actor=actor, party_id=party_id)
    initial = {n: getattr(party, n) for n in ("name", "kind", "needs", "status")}
    form = PartyForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.party_update(actor=actor, party=party, **form.changes())
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, f"{party.ref} saved.")
            return _index(actor)
    return _form_page(request, actor, form, f"Edit {party.ref}")


def _req_form(request: HttpRequest, actor: Actor, initial: dict[str, Any]) -> RequirementForm:
    parties = [(p.pk, f"{p.ref} {p.name}") for p in selectors.party_list(actor=actor)]
    data = request.POST if request.method == "POST" else None
    return RequirementForm(data, initial=initial, parties=parties)


@org_view("context", perm=Perm.EDIT_ISMS)
@require_http_methods(["GET", "POST"])
def requirement_new(request: HttpRequest, actor: Actor) -> HttpResponse:
    initial = {"status": "active", "party": request.GET.get("party", "")[:12]}
    form = _req_form(request, actor, initial)
    if request.method == "POST" and form.is_valid():
        try:
            req = services.requirement_create(actor=actor, **form.changes())
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, f"{req.ref} added.")
            return _index(actor)
    return _form_page(request, actor, form, "New requirement of an interested party")


@org_view("context", perm=Perm.EDIT_ISMS)
@require_http_methods(["GET", "POST"])
def requirement_edit(request: HttpRequest, actor: Actor, requirement_id: int) -> HttpResponse:
    req = selectors.requirement_get(actor=actor, requirement_id=requirement_id)
    names = ("title", "kind", "reference", "description", "addressed", "how", "status")
    initial = {n: getattr(req, n) for n in names} | {"party": req.party_id}
    form = _req_form(request, actor, initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.requirement_update(actor=actor, requirement=req, **form.changes())
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, f"{req.ref} saved.")
            return _index(actor)
    return _form_page(request, actor, form, f"Edit {req.ref}")


@org_view("context", perm=Perm.EDIT_ISMS)
@require_POST
def submit(request: HttpRequest, actor: Actor) -> HttpResponse:
    try:
        version = services.context_submit(actor=actor, comment=request.POST.get("comment", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _index(actor)
    messages.success(request, f"Version {version.number} submitted for approval.")
    return redirect("context:version_detail", org=actor.org.slug, version_id=version.pk)


@org_view("context")
def version_detail(request: HttpRequest, actor: Actor, version_id: int) -> HttpResponse:
    version = selectors.version_get(actor=actor, version_id=version_id)
    against = request.GET.get("against", "live")[:10]
    try:
        diff = selectors.diff_for(actor=actor, version_id=version_id, against=against)
    except ValidationError:
        raise Http404("No such comparison.") from None
    return render(
        request,
        "context/version.html",
        {
            "org": actor.org,
            "version": version,
            "snap": version.snapshot,
            "diff": diff,
            "against": against,
            "may_decide": may_decide(actor, CONTEXT_FLOW, version),
            "comment_form": CommentForm(),
        },
    )


@org_view("context", perm=Perm.APPROVE)
@require_POST
def version_decide(request: HttpRequest, actor: Actor, version_id: int) -> HttpResponse:
    version = selectors.version_get(actor=actor, version_id=version_id)
    comment = request.POST.get("comment", "")
    try:
        if request.POST.get("decision") == "reject":
            services.context_reject(actor=actor, version=version, comment=comment)
            messages.success(request, f"Version {version.number} rejected.")
        else:
            services.context_approve(actor=actor, version=version, comment=comment)
            messages.success(request, f"Version {version.number} approved.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("context:version_detail", org=actor.org.slug, version_id=version.pk)


@org_view("context")
def export(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The live context (or ``?version=<id>``) as ``?format=pdf`` or ``docx``."""
    version_id = request.GET.get("version", "")
    version = (
        selectors.version_get(actor=actor, version_id=int(version_id))
        if version_id.isdigit()
        else None
    )
    try:
        content, content_type, ext = exports.export_context(
            actor=actor, fmt=request.GET.get("format", "pdf"), version=version
        )
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=400, content_type="text/plain")
    name = f"context-{version.number if version else 'working'}.{ext}"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
