"""The risk register: list, create, edit, detail, delete and export."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from openisms.assets import selectors as asset_selectors
from openisms.core.forms import form_errors_from, posted_version
from openisms.core.panels import panel_context
from openisms.orgs.access import Actor, Perm
from openisms.orgs.decorators import org_view
from openisms.orgs.selectors import object_history
from openisms.risks import exports, selectors, services
from openisms.risks.forms import AcceptForm, ActionForm, ActionUpdateForm, DecisionForm, RiskForm
from openisms.risks.models import RiskMethod, Threat, Treatment, Vulnerability
from openisms.risks.views.common import OPEN_ACTIONS, PAGE_SIZE, _colour_risk, _emails, _query


@org_view("risks")
def register(request: HttpRequest, actor: Actor) -> HttpResponse:
    method = selectors.method_in_use(actor=actor)
    params: dict[str, Any] = {
        "q": request.GET.get("q", "")[:200],
        "level": request.GET.get("level") or None,
        "residual_level": request.GET.get("residual_level") or None,
        "treatment": request.GET.get("treatment") or None,
        "owner": request.GET.get("owner") or None,
        "acceptance": request.GET.get("acceptance") or None,
        "sort": request.GET.get("sort", "ref"),
    }
    page = Paginator(selectors.risk_list(actor=actor, **params), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for risk in page:
        _colour_risk(risk)
    context = {
        "org": actor.org,
        "page": page,
        "params": params,
        "query": _query(request),
        "levels": [b["name"] for b in method.bands],
        "treatments": Treatment.choices,
        "owners": _emails(actor),
        "sorts": [
            ("ref", "Reference"),
            ("inherent", "Inherent score"),
            ("residual", "Residual score"),
            ("review", "Review date"),
            ("title", "Title"),
        ],
        "can_edit": services.can_edit_risk(actor),
    }
    template = "risks/register.html#table" if request.htmx else "risks/register.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def _risk_form(actor: Actor, method: RiskMethod, data: Any, initial: Any = None) -> RiskForm:
    return RiskForm(
        data,
        initial=initial,
        method=method,
        member_emails=_emails(actor),
        assets=[(a.pk, a.name) for a in asset_selectors.asset_list(actor=actor)],
        threats=[
            (t.pk, f"{t.group}: {t.name}")
            for t in selectors.library_list(actor=actor, model=Threat)
        ],
        vulnerabilities=[
            (v.pk, f"{v.group}: {v.name}")
            for v in selectors.library_list(actor=actor, model=Vulnerability)
        ],
    )


@org_view("risks")
@require_http_methods(["GET", "POST"])
def risk_create(request: HttpRequest, actor: Actor) -> HttpResponse:
    if not services.can_edit_risk(actor):
        actor.require(Perm.EDIT_ISMS)
    method = selectors.method_in_use(actor=actor)  # risk_create sets it up if it must
    form = _risk_form(actor, method, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            risk = services.risk_create(actor=actor, **form.service_fields())
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, f"Risk {risk.ref} added.")
            return redirect("risks:detail", org=actor.org.slug, risk_id=risk.pk)
    context = {"org": actor.org, "form": form, "risk": None, "method": method}
    return render(request, "risks/form.html", context)


@org_view("risks")
@require_http_methods(["GET", "POST"])
def risk_edit(request: HttpRequest, actor: Actor, risk_id: int) -> HttpResponse:
    risk = selectors.risk_get(actor=actor, risk_id=risk_id)
    if not services.can_edit_risk(actor, risk):
        actor.require(Perm.EDIT_ISMS)
    form = _risk_form(actor, risk.method, request.POST or None, RiskForm.initial_from(risk))
    if request.method == "POST" and form.is_valid():
        try:
            services.risk_update(
                actor=actor, risk=risk, version=posted_version(request), **form.service_fields()
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, f"Risk {risk.ref} saved.")
            return redirect("risks:detail", org=actor.org.slug, risk_id=risk.pk)
    context = {"org": actor.org, "form": form, "risk": risk, "method": risk.method}
    return render(request, "risks/form.html", context)


@org_view("risks")
def risk_detail(request: HttpRequest, actor: Actor, risk_id: int) -> HttpResponse:
    risk = _colour_risk(selectors.risk_get(actor=actor, risk_id=risk_id))
    today = timezone.localdate()
    current = risk.residual_score if risk.residual_score is not None else risk.inherent_score
    acceptances = list(risk.acceptances.all())
    valid = [
        a
        for a in acceptances
        if a.revoked_at is None and a.expires_on >= today and a.residual_score >= current
    ]
    requests = list(selectors.acceptance_requests(actor=actor, risk=risk))
    pending = next((r for r in requests if r.is_pending), None)
    if pending is not None:
        pending.risk = risk  # may_decide reads the risk's method and owner
    emails = _emails(actor)
    actions = [
        (
            a,
            ActionUpdateForm(
                initial={
                    "owner": a.owner.email if a.owner else "",
                    "due_date": a.due_date,
                    "status": a.status,
                },
                member_emails=emails,
                auto_id=f"a{a.pk}-%s",
            ),
        )
        for a in risk.actions.all()
    ]
    context = {
        "org": actor.org,
        "risk": risk,
        "today": today,
        "open_statuses": OPEN_ACTIONS,
        "current_score": current,
        "needs_acceptance": services.needs_acceptance(risk),
        "acceptances": acceptances,
        "valid_acceptances": valid,
        "can_accept": actor.role in risk.method.acceptors,
        "acceptance_requests": requests,
        "pending_request": pending,
        "can_request": services.can_edit_risk(actor, risk),
        "may_decide": pending is not None and services.may_decide(actor, pending),
        "decision_form": DecisionForm(),
        "accept_form": AcceptForm(initial={"expires_on": today + dt.timedelta(days=365)}),
        "actions": actions,
        "action_form": ActionForm(member_emails=emails),
        "can_edit": services.can_edit_risk(actor, risk),
        "can_delete": actor.can(Perm.EDIT_ISMS),
        "suggested": list(risk.threat.suggested_controls.all()) if risk.threat else [],
        "history": object_history(actor=actor, object_type="risks.risk", object_id=risk.pk)[:20],
        **panel_context("linked_work", actor, risk=risk),
    }
    return render(request, "risks/detail.html", context)


@org_view("risks", perm=Perm.EDIT_ISMS)
@require_POST
def risk_delete(request: HttpRequest, actor: Actor, risk_id: int) -> HttpResponse:
    risk = selectors.risk_get(actor=actor, risk_id=risk_id)
    services.risk_delete(actor=actor, risk=risk)
    messages.success(request, f"Risk {risk.ref} deleted.")
    return redirect("risks:register", org=actor.org.slug)


@org_view("risks")
def export(request: HttpRequest, actor: Actor) -> HttpResponse:
    fmt = request.GET.get("format", "csv")
    if fmt not in ("csv", "xlsx", "pdf"):
        raise Http404("Unknown format.")
    content, content_type, ext = exports.export_risks(actor=actor, fmt=fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{actor.org.slug}-risks.{ext}"'
    return response
