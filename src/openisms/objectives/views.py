from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from openisms.core.forms import form_errors_from
from openisms.objectives import exports, selectors, services
from openisms.objectives.chart import svg_chart
from openisms.objectives.forms import MeasurementForm, ObjectiveForm
from openisms.objectives.models import Objective, ObjectiveStatus
from openisms.orgs.access import Actor, Perm
from openisms.orgs.decorators import org_view
from openisms.orgs.selectors import members_by_email, object_history


def _emails(actor: Actor) -> list[str]:
    return sorted(members_by_email(actor=actor))


@org_view("objectives")
def objective_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in ObjectiveStatus.values else ""
    q = request.GET.get("q", "")[:200]
    rows = selectors.objective_rows(selectors.objective_list(actor=actor, status=status, q=q))
    charts = [
        (r, svg_chart(r.objective, selectors.points_of(r.objective), small=True)) for r in rows
    ]
    return render(
        request,
        "objectives/list.html",
        {
            "org": actor.org,
            "charts": charts,
            "status": status,
            "q": q,
            "statuses": ObjectiveStatus.choices,
            "can_create": actor.can(Perm.EDIT_ISMS),
        },
    )


def _detail(actor: Actor, objective: Objective, form: MeasurementForm) -> dict[str, Any]:
    points = selectors.points_of(objective)
    return {
        "org": actor.org,
        "o": objective,
        "standing": selectors.standing_of(objective),
        "chart": svg_chart(objective, points),
        "measurements": list(reversed(points)),
        "can_edit": actor.can(Perm.EDIT_ISMS),
        "can_record": services.can_record(actor, objective),
        "form": form,
        "history": object_history(
            actor=actor, object_type="objectives.objective", object_id=objective.pk
        )[:20],
    }


@org_view("objectives")
def objective_detail(request: HttpRequest, actor: Actor, objective_id: int) -> HttpResponse:
    objective = selectors.objective_get(actor=actor, objective_id=objective_id)
    form = MeasurementForm(initial={"measured_on": timezone.localdate()})
    return render(request, "objectives/detail.html", _detail(actor, objective, form))


def _save(
    request: HttpRequest, actor: Actor, objective: Objective | None, initial: dict[str, Any]
) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    form = ObjectiveForm(data, initial=initial, member_emails=_emails(actor))
    if request.method == "POST" and form.is_valid():
        try:
            if objective is None:
                objective = services.objective_create(actor=actor, **form.changes())
            else:
                services.objective_update(actor=actor, objective=objective, **form.changes())
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, f"{objective.ref} saved.")
            return redirect("objectives:detail", org=actor.org.slug, objective_id=objective.pk)
    context = {"org": actor.org, "form": form, "o": objective}
    return render(request, "objectives/form.html", context)


@org_view("objectives", perm=Perm.EDIT_ISMS)
@require_http_methods(["GET", "POST"])
def objective_new(request: HttpRequest, actor: Actor) -> HttpResponse:
    return _save(request, actor, None, {"status": "active", "frequency": "monthly"})


@org_view("objectives", perm=Perm.EDIT_ISMS)
@require_http_methods(["GET", "POST"])
def objective_edit(request: HttpRequest, actor: Actor, objective_id: int) -> HttpResponse:
    objective = selectors.objective_get(actor=actor, objective_id=objective_id)
    names = ("title", "description", "measure", "unit", "direction", "baseline", "target")
    initial = {n: getattr(objective, n) for n in (*names, "due_on", "frequency", "status")}
    initial["owner"] = objective.owner.email if objective.owner else ""
    initial["controls"] = ", ".join(c.ref for c in objective.controls.all())
    return _save(request, actor, objective, initial)


@org_view("objectives")
@require_POST
def measurement_add(request: HttpRequest, actor: Actor, objective_id: int) -> HttpResponse:
    objective = selectors.objective_get(actor=actor, objective_id=objective_id)
    if not services.can_record(actor, objective):
        raise PermissionDenied("You can record measurements only of the objectives you own.")
    form = MeasurementForm(request.POST)
    if form.is_valid():
        try:
            services.measurement_record(actor=actor, objective=objective, **form.fields_())
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, "Measurement recorded.")
            return redirect("objectives:detail", org=actor.org.slug, objective_id=objective.pk)
    objective = selectors.objective_get(actor=actor, objective_id=objective_id)
    return render(request, "objectives/detail.html", _detail(actor, objective, form), status=400)


@org_view("objectives")
@require_POST
def measurement_delete(
    request: HttpRequest, actor: Actor, objective_id: int, measurement_id: int
) -> HttpResponse:
    objective = selectors.objective_get(actor=actor, objective_id=objective_id)
    m = selectors.measurement_get(actor=actor, objective=objective, measurement_id=measurement_id)
    services.measurement_delete(actor=actor, measurement=m)
    messages.success(request, "Measurement removed.")
    return redirect("objectives:detail", org=actor.org.slug, objective_id=objective.pk)


@org_view("objectives", perm=Perm.EDIT_ISMS)
@require_POST
def objective_delete(request: HttpRequest, actor: Actor, objective_id: int) -> HttpResponse:
    objective = selectors.objective_get(actor=actor, objective_id=objective_id)
    ref = objective.ref
    services.objective_delete(actor=actor, objective=objective)
    messages.success(request, f"{ref} deleted.")
    return redirect("objectives:list", org=actor.org.slug)


@org_view("objectives")
def export(request: HttpRequest, actor: Actor) -> HttpResponse:
    try:
        content, content_type, ext = exports.export_objectives(
            actor=actor, fmt=request.GET.get("format", "xlsx")
        )
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=400, content_type="text/plain")
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="objectives.{ext}"'
    return response
