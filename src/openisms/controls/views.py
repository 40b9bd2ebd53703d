"""The control register's pages: list with filters and bulk edit, detail, create, edit, delete."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from openisms.catalog.selectors import framework_list
from openisms.controls import selectors, services
from openisms.controls.forms import AssignedForm, BulkForm, ControlForm
from openisms.controls.models import Control, ControlStatus
from openisms.core.forms import form_errors_from, posted_version
from openisms.core.panels import panel_context
from openisms.orgs.access import Actor, Perm
from openisms.orgs.decorators import org_view
from openisms.orgs.selectors import members_by_email, object_history

PAGE_SIZE = 50


def _emails(actor: Actor) -> list[str]:
    return sorted(members_by_email(actor=actor))


def _requirement_lines(control: Control) -> str:
    return "\n".join(f"{r.framework.slug}:{r.ref}" for r in control.requirements.all())


def _detail(actor: Actor, control: Control) -> HttpResponse:
    return redirect("controls:detail", org=actor.org.slug, control_id=control.pk)


@org_view("controls")
def control_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    params: dict[str, Any] = {
        "status": request.GET.get("status") or None,
        "owner": request.GET.get("owner") or None,
        "framework": request.GET.get("framework") or None,
        "q": request.GET.get("q", "")[:200],
        "unlinked": request.GET.get("unlinked") == "1",
    }
    rows = selectors.control_list(actor=actor, **params)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    emails = _emails(actor)
    can_edit = actor.can(Perm.EDIT_ISMS)
    context = {
        "org": actor.org,
        "page": page,
        "params": params,
        "query": query.urlencode(),
        "counts": selectors.control_counts(actor=actor),
        "statuses": ControlStatus.choices,
        "owners": emails,
        "frameworks": list(framework_list(orgs=actor.org.pk)),
        "can_edit": can_edit,
        "bulk_form": BulkForm(member_emails=emails, auto_id="bulk-%s") if can_edit else None,
    }
    template = "controls/list.html#table" if request.htmx else "controls/list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@org_view("controls", perm=Perm.EDIT_ISMS)
@require_POST
def control_bulk(request: HttpRequest, actor: Actor) -> HttpResponse:
    ids = [int(v) for v in request.POST.getlist("controls") if v.isdigit()]
    form = BulkForm(request.POST, member_emails=_emails(actor))
    back = reverse("controls:list", kwargs={"org": actor.org.slug})
    if not form.is_valid():
        messages.error(request, "Check the bulk change: " + form.errors.as_text())
        return redirect(back)
    try:
        changed = services.control_bulk_update(
            actor=actor, controls=selectors.controls_by_ids(actor=actor, ids=ids), **form.changes()
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{changed} control{'s' if changed != 1 else ''} updated.")
    return redirect(back)


@org_view("controls")
def control_detail(request: HttpRequest, actor: Actor, control_id: int) -> HttpResponse:
    control = selectors.control_get(actor=actor, control_id=control_id)
    context = {
        "org": actor.org,
        "control": control,
        "can_edit": services.can_edit_control(actor, control),
        "can_delete": actor.can(Perm.EDIT_ISMS),
        "history": object_history(
            actor=actor, object_type="controls.control", object_id=control.pk
        )[:20],
        **panel_context("linked_work", actor, control=control),
    }
    return render(request, "controls/detail.html", context)


@org_view("controls", perm=Perm.EDIT_ISMS)
@require_http_methods(["GET", "POST"])
def control_create(request: HttpRequest, actor: Actor) -> HttpResponse:
    initial = {
        "status": ControlStatus.NOT_STARTED,
        "requirements": request.GET.get("req", "")[:200],
    }
    data = request.POST if request.method == "POST" else None
    form = ControlForm(data, initial=initial, actor=actor, member_emails=_emails(actor))
    if request.method == "POST" and form.is_valid():
        try:
            control = services.control_create(
                actor=actor, requirements=form.cleaned_data["requirements"], **form.changes()
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, f"Control {control.ref} added.")
            return _detail(actor, control)
    return render(request, "controls/form.html", {"org": actor.org, "form": form, "control": None})


@org_view("controls")
@require_http_methods(["GET", "POST"])
def control_edit(request: HttpRequest, actor: Actor, control_id: int) -> HttpResponse:
    control = selectors.control_get(actor=actor, control_id=control_id)
    if not services.can_edit_control(actor, control):
        actor.require(Perm.EDIT_ISMS)
    full = actor.can(Perm.EDIT_ISMS)
    initial = {
        "ref": control.ref,
        "name": control.name,
        "description": control.description,
        "owner": control.owner.email if control.owner else "",
        "status": control.status,
        "target_date": control.target_date,
        "implementation": control.implementation,
        "requirements": _requirement_lines(control),
    }
    data = request.POST if request.method == "POST" else None
    form: ControlForm | AssignedForm
    if full:
        form = ControlForm(data, initial=initial, actor=actor, member_emails=_emails(actor))
    else:
        form = AssignedForm(data, initial=initial)
    if request.method == "POST" and form.is_valid():
        linked = form.cleaned_data["requirements"] if full else None
        try:
            services.control_update(
                actor=actor,
                control=control,
                requirements=linked,
                version=posted_version(request),
                **form.changes(),
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
            control = selectors.control_get(actor=actor, control_id=control_id)  # as saved
        else:
            messages.success(request, f"Control {control.ref} saved.")
            return _detail(actor, control)
    context = {"org": actor.org, "form": form, "control": control, "full": full}
    return render(request, "controls/form.html", context)


@org_view("controls", perm=Perm.EDIT_ISMS)
@require_http_methods(["GET", "POST"])
def control_delete(request: HttpRequest, actor: Actor, control_id: int) -> HttpResponse:
    """GET asks for confirmation and says what the deletion takes with it; POST deletes."""
    control = selectors.control_get(actor=actor, control_id=control_id)
    if request.method == "POST":
        services.control_delete(actor=actor, control=control)
        messages.success(request, f"Control {control.ref} deleted.")
        return redirect("controls:list", org=actor.org.slug)
    context = {
        "org": actor.org,
        "control": control,
        **panel_context("linked_work", actor, control=control),
    }
    return render(request, "controls/delete.html", context)


@require_POST
@org_view("controls")
def parameters_set(request: HttpRequest, actor: Actor, framework: str, ref: str) -> HttpResponse:
    requirement = selectors.requirement_for_parameters(actor=actor, framework=framework, ref=ref)
    values = {
        key.removeprefix("param:"): request.POST.get(key, "")
        for key in request.POST
        if key.startswith("param:")
    }
    try:
        services.parameter_values_set(actor=actor, requirement=requirement, values=values)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Parameter values of {requirement.ref} saved.")
    url = reverse(
        "catalog:requirement", kwargs={"org": actor.org.slug, "framework": framework, "ref": ref}
    )
    return redirect(url + "#parameters")
