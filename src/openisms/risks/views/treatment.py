"""Treatment of risks: acceptances, treatment actions and the treatment plan."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from openisms.core.forms import form_errors_from
from openisms.orgs.access import Actor, Perm
from openisms.orgs.decorators import org_view
from openisms.risks import selectors, services
from openisms.risks.forms import AcceptForm, ActionForm, ActionUpdateForm, DecisionForm
from openisms.risks.models import TreatmentAction
from openisms.risks.views.common import OPEN_ACTIONS, PAGE_SIZE, _emails, _query, _report


@org_view("risks")
@require_POST
def risk_accept(request: HttpRequest, actor: Actor, risk_id: int) -> HttpResponse:
    risk = selectors.risk_get(actor=actor, risk_id=risk_id)
    actor.require_role(
        risk.method.acceptors, f"Only {', '.join(risk.method.acceptors)} may accept this risk."
    )
    form = AcceptForm(request.POST)
    if form.is_valid():
        try:
            services.risk_accept(actor=actor, risk=risk, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(form, exc)
    _report(request, form, f"Risk {risk.ref} accepted.")
    return redirect("risks:detail", org=actor.org.slug, risk_id=risk.pk)


@org_view("risks")
@require_POST
def acceptance_request(request: HttpRequest, actor: Actor, risk_id: int) -> HttpResponse:
    """The owner (or an editor) asks management to accept the risk."""
    risk = selectors.risk_get(actor=actor, risk_id=risk_id)
    if not services.can_edit_risk(actor, risk):
        actor.require(Perm.EDIT_ISMS, "Only the risk's owner or an editor may request acceptance.")
    form = AcceptForm(request.POST)
    if form.is_valid():
        try:
            services.risk_acceptance_request(actor=actor, risk=risk, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(form, exc)
    _report(request, form, f"Acceptance of {risk.ref} requested.")
    return redirect("risks:detail", org=actor.org.slug, risk_id=risk.pk)


@org_view("risks")
@require_POST
def acceptance_decide(request: HttpRequest, actor: Actor, request_id: int) -> HttpResponse:
    """Approve or reject a pending acceptance request (the button pressed says which)."""
    pending = selectors.acceptance_request_get(actor=actor, request_id=request_id)
    form = DecisionForm(request.POST)
    approve = request.POST.get("decision") == "approve"
    if form.is_valid():
        comment = form.cleaned_data["comment"]
        try:
            if approve:
                services.risk_acceptance_approve(actor=actor, request=pending, comment=comment)
            else:
                services.risk_acceptance_reject(actor=actor, request=pending, comment=comment)
        except ValidationError as exc:
            form_errors_from(form, exc)
    done = "approved; the risk is accepted" if approve else "rejected"
    _report(request, form, f"Acceptance request {pending.number} {done}.")
    return redirect("risks:detail", org=actor.org.slug, risk_id=pending.risk_id)


@org_view("risks")
@require_POST
def acceptance_revoke(request: HttpRequest, actor: Actor, acceptance_id: int) -> HttpResponse:
    acceptance = selectors.acceptance_get(actor=actor, acceptance_id=acceptance_id)
    services.acceptance_revoke(actor=actor, acceptance=acceptance)
    messages.success(request, "Acceptance revoked.")
    return redirect("risks:detail", org=actor.org.slug, risk_id=acceptance.risk_id)


@org_view("risks")
@require_POST
def action_create(request: HttpRequest, actor: Actor, risk_id: int) -> HttpResponse:
    risk = selectors.risk_get(actor=actor, risk_id=risk_id)
    if not services.can_edit_risk(actor, risk):
        actor.require(Perm.EDIT_ISMS)
    form = ActionForm(request.POST, member_emails=_emails(actor))
    if form.is_valid():
        try:
            services.action_save(actor=actor, risk=risk, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(form, exc)
    _report(request, form, "Treatment action added.")
    return redirect("risks:detail", org=actor.org.slug, risk_id=risk.pk)


@org_view("risks")
@require_POST
def action_update(request: HttpRequest, actor: Actor, action_id: int) -> HttpResponse:
    action = selectors.action_get(actor=actor, action_id=action_id)
    form = ActionUpdateForm(request.POST, member_emails=_emails(actor))
    if form.is_valid():
        try:
            services.action_save(actor=actor, risk=action.risk, action=action, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(form, exc)
    elif not services.can_edit_risk(actor, action.risk):
        actor.require(Perm.EDIT_ISMS)
    _report(request, form, f"Action '{action.title}' updated.")
    if request.POST.get("next") == "plan":
        return redirect("risks:treatment_plan", org=actor.org.slug)
    return redirect("risks:detail", org=actor.org.slug, risk_id=action.risk_id)


@org_view("risks")
def treatment_plan(request: HttpRequest, actor: Actor) -> HttpResponse:
    params = {
        "status": request.GET.get("status") or None,
        "owner": request.GET.get("owner") or None,
    }
    actions = selectors.action_list(actor=actor, status=params["status"], owner=params["owner"])
    page = Paginator(actions, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "org": actor.org,
        "page": page,
        "params": params,
        "query": _query(request),
        "statuses": TreatmentAction.Status.choices,
        "open_statuses": OPEN_ACTIONS,
        "owners": _emails(actor),
        "today": timezone.localdate(),
    }
    template = "risks/treatment_plan.html#table" if request.htmx else "risks/treatment_plan.html"  # type: ignore[attr-defined]
    return render(request, template, context)
