from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from openisms.core.forms import form_errors_from
from openisms.nonconformities import exports, selectors, services
from openisms.nonconformities.forms import (
    ActionForm,
    ActionProgressForm,
    CheckForm,
    NonconformityForm,
)
from openisms.nonconformities.models import (
    CorrectiveAction,
    NcSource,
    NcStatus,
    Nonconformity,
    Severity,
)
from openisms.orgs.access import Actor, Perm
from openisms.orgs.decorators import org_view
from openisms.orgs.selectors import members_by_email, object_history

PAGE_SIZE = 50
SECTION = "nonconformities"


def _emails(actor: Actor) -> list[str]:
    return sorted(members_by_email(actor=actor))


def _problem(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _back(actor: Actor, nc: Nonconformity) -> HttpResponse:
    return redirect("nonconformities:detail", org=actor.org.slug, nc_id=nc.pk)


@org_view(SECTION)
def nc_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    status = request.GET.get("status", "active")
    params: dict[str, Any] = {
        "status": None if status in ("", "all") else status,
        "severity": request.GET.get("severity") or None,
        "source": request.GET.get("source") or None,
        "q": request.GET.get("q", "")[:200],
    }
    page = Paginator(selectors.nonconformity_list(actor=actor, **params), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "org": actor.org,
        "page": page,
        "params": params,
        "status": status or "all",
        "query": query.urlencode(),
        "counts": selectors.nonconformity_counts(actor=actor),
        "statuses": NcStatus.choices,
        "severities": Severity.choices,
        "sources": NcSource.choices,
        "can_create": services.can_raise(actor),
        "today": timezone.localdate(),
    }
    template = "nonconformities/list.html"
    if request.htmx:  # type: ignore[attr-defined]
        template += "#table"
    return render(request, template, context)


def _detail_context(actor: Actor, nc: Nonconformity, **extra: Any) -> dict[str, Any]:
    emails = _emails(actor)
    actions = list(nc.actions.all())
    editor = actor.can(Perm.EDIT_ISMS)
    return {
        "org": actor.org,
        "nc": nc,
        "actions": [
            (
                a,
                services.can_edit_action(actor, a) and not nc.is_closed,
                ActionProgressForm(
                    initial={"status": a.status, "notes": a.notes}, auto_id=f"a{a.pk}-%s"
                ),
            )
            for a in actions
        ],
        "requirements": list(nc.requirements.all()),
        "can_edit": services.can_edit_nc(actor, nc) and not nc.is_closed,
        "is_editor": editor and not nc.is_closed,
        "can_check": services.can_raise(actor) and nc.status == NcStatus.VERIFYING,
        "action_form": ActionForm(member_emails=emails, auto_id="new-%s"),
        "check_form": CheckForm(initial={"checked_on": timezone.localdate()}),
        "history": object_history(
            actor=actor, object_type="nonconformities.nonconformity", object_id=nc.pk
        )[:20],
        "today": timezone.localdate(),
    } | extra


@org_view(SECTION)
def nc_detail(request: HttpRequest, actor: Actor, nc_id: int) -> HttpResponse:
    nc = selectors.nonconformity_get(actor=actor, nc_id=nc_id)
    return render(request, "nonconformities/detail.html", _detail_context(actor, nc))


@org_view(SECTION)
@require_http_methods(["GET", "POST"])
def nc_new(request: HttpRequest, actor: Actor) -> HttpResponse:
    if not services.can_raise(actor):
        actor.require(Perm.EDIT_ISMS)
    data = request.POST if request.method == "POST" else None
    initial = {"raised_on": timezone.localdate(), "source": request.GET.get("source", "")[:10]}
    form = NonconformityForm(data, initial=initial, member_emails=_emails(actor))
    if request.method == "POST" and form.is_valid():
        fields: dict[str, Any] = dict(form.changes())
        for late in ("root_cause", "root_cause_method"):
            fields.pop(late, None)  # recorded once known, from the nonconformity's page
        try:
            nc = services.nonconformity_create(actor=actor, **fields)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, f"{nc.ref} raised.")
            return _back(actor, nc)
    return render(request, "nonconformities/form.html", {"org": actor.org, "form": form})


@org_view(SECTION)
@require_http_methods(["GET", "POST"])
def nc_edit(request: HttpRequest, actor: Actor, nc_id: int) -> HttpResponse:
    nc = selectors.nonconformity_get(actor=actor, nc_id=nc_id)
    if not services.can_edit_nc(actor, nc):
        actor.require(Perm.EDIT_ISMS)
    initial = {
        "title": nc.title,
        "description": nc.description,
        "source": nc.source,
        "source_ref": nc.source_ref,
        "severity": nc.severity,
        "raised_on": nc.raised_on,
        "owner": nc.owner.email if nc.owner else "",
        "requirements": ", ".join(r.ref for r in nc.requirements.all()),
        "correction": nc.correction,
        "correction_on": nc.correction_on,
        "root_cause": nc.root_cause,
        "root_cause_method": nc.root_cause_method,
    }
    data = request.POST if request.method == "POST" else None
    form = NonconformityForm(data, initial=initial, member_emails=_emails(actor))
    if request.method == "POST" and form.is_valid():
        try:
            services.nonconformity_update(actor=actor, nc=nc, **form.changes())
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, f"{nc.ref} saved.")
            return _back(actor, nc)
    context = {"org": actor.org, "form": form, "nc": nc}
    return render(request, "nonconformities/form.html", context)


def _run(request: HttpRequest, done: str, step: Any) -> None:
    try:
        step()
    except ValidationError as exc:
        messages.error(request, _problem(exc))
    else:
        messages.success(request, done)


@org_view(SECTION, perm=Perm.EDIT_ISMS)
@require_POST
def nc_verify(request: HttpRequest, actor: Actor, nc_id: int) -> HttpResponse:
    nc = selectors.nonconformity_get(actor=actor, nc_id=nc_id)
    _run(
        request,
        f"{nc.ref}: verifying effectiveness.",
        lambda: services.nonconformity_start_verification(actor=actor, nc=nc),
    )
    return _back(actor, nc)


@org_view(SECTION)
@require_POST
def nc_check(request: HttpRequest, actor: Actor, nc_id: int) -> HttpResponse:
    nc = selectors.nonconformity_get(actor=actor, nc_id=nc_id)
    if not services.can_raise(actor):
        actor.require(Perm.EDIT_ISMS)
    form = CheckForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a result and a valid date.")
        return _back(actor, nc)
    _run(
        request,
        f"{nc.ref}: effectiveness recorded.",
        lambda: services.nonconformity_check(actor=actor, nc=nc, **form.cleaned_data),
    )
    return _back(actor, nc)


@org_view(SECTION, perm=Perm.EDIT_ISMS)
@require_POST
def nc_close(request: HttpRequest, actor: Actor, nc_id: int) -> HttpResponse:
    nc = selectors.nonconformity_get(actor=actor, nc_id=nc_id)
    _run(request, f"{nc.ref} closed.", lambda: services.nonconformity_close(actor=actor, nc=nc))
    return _back(actor, nc)


@org_view(SECTION, perm=Perm.EDIT_ISMS)
@require_POST
def nc_delete(request: HttpRequest, actor: Actor, nc_id: int) -> HttpResponse:
    nc = selectors.nonconformity_get(actor=actor, nc_id=nc_id)
    ref = nc.ref
    services.nonconformity_delete(actor=actor, nc=nc)
    messages.success(request, f"{ref} deleted.")
    return redirect("nonconformities:list", org=actor.org.slug)


@org_view(SECTION, perm=Perm.EDIT_ISMS)
@require_POST
def action_new(request: HttpRequest, actor: Actor, nc_id: int) -> HttpResponse:
    nc = selectors.nonconformity_get(actor=actor, nc_id=nc_id)
    form = ActionForm(request.POST, member_emails=_emails(actor))
    if not form.is_valid():
        messages.error(request, "Give the action a title (and a valid date and owner).")
        return _back(actor, nc)
    _run(
        request,
        "Corrective action added.",
        lambda: services.action_create(actor=actor, nc=nc, **form.changes()),
    )
    return _back(actor, nc)


def _action(actor: Actor, action_id: int) -> CorrectiveAction:
    return selectors.action_get(actor=actor, action_id=action_id)


@org_view(SECTION)
@require_POST
def action_progress(request: HttpRequest, actor: Actor, action_id: int) -> HttpResponse:
    """Status and notes, from the nonconformity's page (editors and the action's owner)."""
    action = _action(actor, action_id)
    if not services.can_edit_action(actor, action):
        actor.require(Perm.EDIT_ISMS)
    form = ActionProgressForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a valid status.")
    else:
        _run(
            request,
            f"'{action.title}' saved.",
            lambda: services.action_update(actor=actor, action=action, **form.cleaned_data),
        )
    return _back(actor, action.nonconformity)


@org_view(SECTION, perm=Perm.EDIT_ISMS)
@require_POST
def action_delete(request: HttpRequest, actor: Actor, action_id: int) -> HttpResponse:
    action = _action(actor, action_id)
    nc = action.nonconformity
    _run(
        request,
        "Corrective action removed.",
        lambda: services.action_delete(actor=actor, action=action),
    )
    return _back(actor, nc)


@org_view(SECTION)
def nc_export(request: HttpRequest, actor: Actor) -> HttpResponse:
    fmt = request.GET.get("format", "xlsx")
    if fmt not in ("csv", "xlsx"):
        raise Http404("Unknown format.")
    content, content_type, ext = exports.export_nonconformities(actor=actor, fmt=fmt)
    response = HttpResponse(content, content_type=content_type)
    name = f"{actor.org.slug}-nonconformities.{ext}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
