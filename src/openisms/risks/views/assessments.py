"""Risk assessments: start, complete (freezing scores) and compare two."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from openisms.core.forms import form_errors_from
from openisms.orgs.access import Actor, Perm
from openisms.orgs.decorators import org_view
from openisms.risks import selectors, services
from openisms.risks.forms import AssessmentForm
from openisms.risks.models import RiskAssessment


def _assessments_page(
    request: HttpRequest, actor: Actor, form: AssessmentForm, status: int = 200
) -> HttpResponse:
    items = list(selectors.assessment_list(actor=actor))
    context = {
        "org": actor.org,
        "assessments": items,
        "completed": [a for a in items if a.status == RiskAssessment.Status.COMPLETED],
        "form": form,
        "can_edit": actor.can(Perm.EDIT_ISMS),
    }
    return render(request, "risks/assessments.html", context, status=status)


@org_view("risks")
def assessments(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = AssessmentForm(initial={"performed_on": timezone.localdate()})
    return _assessments_page(request, actor, form)


@org_view("risks", perm=Perm.EDIT_ISMS)
@require_POST
def assessment_create(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = AssessmentForm(request.POST)
    if form.is_valid():
        try:
            item = services.assessment_create(actor=actor, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, f"Assessment '{item.name}' started.")
            return redirect("risks:assessment_detail", org=actor.org.slug, assessment_id=item.pk)
    return _assessments_page(request, actor, form, status=422)


@org_view("risks")
def assessment_detail(request: HttpRequest, actor: Actor, assessment_id: int) -> HttpResponse:
    item = selectors.assessment_get(actor=actor, assessment_id=assessment_id)
    context = {
        "org": actor.org,
        "assessment": item,
        "entries": list(selectors.assessment_entries(actor=actor, assessment=item))
        if item.status == item.Status.COMPLETED
        else [],
        "can_edit": actor.can(Perm.EDIT_ISMS),
    }
    return render(request, "risks/assessment_detail.html", context)


@org_view("risks", perm=Perm.EDIT_ISMS)
@require_POST
def assessment_complete(request: HttpRequest, actor: Actor, assessment_id: int) -> HttpResponse:
    item = selectors.assessment_get(actor=actor, assessment_id=assessment_id)
    try:
        services.assessment_complete(actor=actor, assessment=item)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Assessment '{item.name}' completed; its scores are frozen.")
    return redirect("risks:assessment_detail", org=actor.org.slug, assessment_id=item.pk)


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@org_view("risks")
def assessment_compare(request: HttpRequest, actor: Actor) -> HttpResponse:
    completed = [
        a
        for a in selectors.assessment_list(actor=actor)
        if a.status == RiskAssessment.Status.COMPLETED
    ]
    first_id, second_id = _int(request.GET.get("first")), _int(request.GET.get("second"))
    if first_id is None and second_id is None and len(completed) >= 2:
        second_id, first_id = completed[0].pk, completed[1].pk  # the two most recent
    by_id = {a.pk: a for a in completed}
    first, second = by_id.get(first_id or 0), by_id.get(second_id or 0)
    if (first_id and first is None) or (second_id and second is None):
        raise Http404("No such completed assessment.")
    rows = (
        selectors.assessment_compare(actor=actor, first=first, second=second)
        if first is not None and second is not None
        else []
    )
    context = {
        "org": actor.org,
        "completed": completed,
        "first": first,
        "second": second,
        "rows": rows,
    }
    return render(request, "risks/assessment_compare.html", context)
