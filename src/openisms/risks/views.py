from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from openisms.assets import selectors as asset_selectors
from openisms.core.forms import form_errors_from
from openisms.core.panels import panel_context
from openisms.orgs.access import Actor, Perm
from openisms.orgs.decorators import org_view
from openisms.orgs.models import Role
from openisms.orgs.selectors import members_by_email, object_history
from openisms.risks import exports, selectors, services
from openisms.risks.forms import (
    SERVICE_FIELD_ERRORS,
    AcceptForm,
    ActionForm,
    ActionUpdateForm,
    AssessmentForm,
    LibraryItemForm,
    MethodForm,
    RiskForm,
)
from openisms.risks.models import (
    Risk,
    RiskAssessment,
    RiskMethod,
    Threat,
    Treatment,
    TreatmentAction,
    Vulnerability,
)

PAGE_SIZE = 50
KINDS: dict[str, type[Threat] | type[Vulnerability]] = {
    "threats": Threat,
    "vulnerabilities": Vulnerability,
}
OPEN_ACTIONS = (TreatmentAction.Status.PLANNED, TreatmentAction.Status.IN_PROGRESS)


def _emails(actor: Actor) -> list[str]:
    return sorted(members_by_email(actor=actor))


def _band_colour(method: RiskMethod, level: str) -> str:
    for band in method.bands:
        if band["name"] == level:
            return str(band["colour"])
    return "#8796a5"


def _colour_risk(risk: Risk) -> Risk:
    """Attach the band colours of the risk's own method version (no query: method is joined)."""
    risk.inherent_colour = _band_colour(risk.method, risk.inherent_level)  # type: ignore[attr-defined]
    risk.residual_colour = _band_colour(risk.method, risk.residual_level)  # type: ignore[attr-defined]
    return risk


def _query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --- the register ----------------------------------------------------------------------------


@org_view("risks")
def register(request: HttpRequest, actor: Actor) -> HttpResponse:
    method = services.risk_module_setup(actor=actor)
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
    method = services.risk_module_setup(actor=actor)
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
            services.risk_update(actor=actor, risk=risk, **form.service_fields())
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
@require_POST
def risk_accept(request: HttpRequest, actor: Actor, risk_id: int) -> HttpResponse:
    risk = selectors.risk_get(actor=actor, risk_id=risk_id)
    if actor.role not in risk.method.acceptors:
        raise PermissionDenied(f"Only {', '.join(risk.method.acceptors)} may accept this risk.")
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


def _report(request: HttpRequest, form: Any, success: str) -> None:
    if form.errors:
        for field, errors in form.errors.items():
            label = form.fields[field].label or field if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
    else:
        messages.success(request, success)


# --- dashboard and treatment plan ------------------------------------------------------------

CELL, LEFT, BOTTOM = 52, 128, 44


def _heatmap_view(hm: selectors.Heatmap) -> dict[str, Any]:
    """Geometry of the heatmap's SVG (likelihood rows top-down from highest, impact columns)."""
    rows = hm.rows()
    impacts = hm.method.impact_scale
    cells, row_labels = [], []
    for r, (level, row) in enumerate(rows):
        y = r * CELL
        row_labels.append(
            {"y": y + CELL // 2 + 4, "label": level["label"], "value": level["value"]}
        )
        for c, (impact, count, colour) in enumerate(row):
            cells.append(
                {
                    "x": LEFT + c * CELL,
                    "y": y,
                    "cx": LEFT + c * CELL + CELL // 2,
                    "cy": y + CELL // 2,
                    "colour": colour,
                    "count": count,
                    "likelihood": level["label"],
                    "impact": impacts[impact - 1]["label"],
                }
            )
    height = len(rows) * CELL
    return {
        "map": hm,
        "rows": rows,
        "cells": cells,
        "row_labels": row_labels,
        "col_labels": [
            {"x": LEFT + c * CELL + CELL // 2, "label": i["label"], "value": i["value"]}
            for c, i in enumerate(impacts)
        ],
        "width": LEFT + len(impacts) * CELL + 4,
        "height": height + BOTTOM,
        "grid_height": height,
        "axis_y": height + 16,
        "axis_title_y": height + 36,
        "axis_title_x": LEFT + len(impacts) * CELL // 2,
        "label_x": LEFT - 8,
    }


@org_view("risks")
def dashboard(request: HttpRequest, actor: Actor) -> HttpResponse:
    method = services.risk_module_setup(actor=actor)
    counts = selectors.level_counts(actor=actor)
    levels = [(b["name"], b["colour"]) for b in method.bands]
    known = {name for name, _c in levels}

    def rows(which: str) -> list[tuple[str, str, int]]:
        found = counts[which]
        out = [(name, colour, found.get(name, 0)) for name, colour in levels]
        out += [(name, "#8796a5", n) for name, n in sorted(found.items()) if name not in known]
        return out

    overdue = selectors.action_list(actor=actor, overdue=True)
    context = {
        "org": actor.org,
        "method": method,
        "inherent": _heatmap_view(selectors.heatmap(actor=actor, method=method, which="inherent")),
        "residual": _heatmap_view(selectors.heatmap(actor=actor, method=method, which="residual")),
        "inherent_counts": rows("inherent"),
        "residual_counts": rows("residual"),
        "needing_acceptance": selectors.risk_list(actor=actor, acceptance="needed").count(),
        "overdue": list(overdue[:10]),
        "overdue_count": overdue.count(),
    }
    return render(request, "risks/dashboard.html", context)


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


# --- method ----------------------------------------------------------------------------------


@org_view("risks")
@require_http_methods(["GET", "POST"])
def method(request: HttpRequest, actor: Actor) -> HttpResponse:
    current = services.risk_module_setup(actor=actor)
    can_edit = actor.can(Perm.EDIT_ISMS)
    if request.method == "POST":
        actor.require(Perm.EDIT_ISMS)
    form = MethodForm(request.POST or None, initial=MethodForm.initial_from(current))
    if request.method == "POST" and form.is_valid():
        try:
            new = services.risk_method_update(actor=actor, **form.service_fields())
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                exc = ValidationError(
                    {SERVICE_FIELD_ERRORS.get(k, k): v for k, v in exc.error_dict.items()}
                )
            form_errors_from(form, exc)
        else:
            messages.success(
                request,
                f"Version {new.version} of the method saved. "
                "Re-score the risks to move them onto it.",
            )
            return redirect("risks:method", org=actor.org.slug)
    versions = list(selectors.method_list(actor=actor))
    context = {
        "org": actor.org,
        "method": current,
        "versions": versions,
        "stale": sum(v.risk_count for v in versions if v.pk != current.pk),  # type: ignore[attr-defined]
        "form": form,
        "can_edit": can_edit,
        "roles": dict(Role.choices),
    }
    return render(request, "risks/method.html", context)


@org_view("risks", perm=Perm.EDIT_ISMS)
@require_POST
def method_rescore(request: HttpRequest, actor: Actor) -> HttpResponse:
    moved = services.risk_rescore(actor=actor)
    messages.success(
        request, f"{moved} risk{'s' if moved != 1 else ''} moved onto the current method."
    )
    return redirect("risks:method", org=actor.org.slug)


# --- library ---------------------------------------------------------------------------------


def _kind(kind: str) -> type[Threat] | type[Vulnerability]:
    if kind not in KINDS:
        raise Http404("No such library.")
    return KINDS[kind]


@org_view("risks")
def library(request: HttpRequest, actor: Actor) -> HttpResponse:
    services.risk_module_setup(actor=actor)
    kind = request.GET.get("kind", "threats")
    model = _kind(kind)
    params = {"q": request.GET.get("q", "")[:200], "group": request.GET.get("group", "")}
    items = selectors.library_list(actor=actor, model=model, **params)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    groups = (
        selectors.library_list(actor=actor, model=model)
        .order_by("group")
        .values_list("group", flat=True)
        .distinct()
    )
    context = {
        "org": actor.org,
        "kind": kind,
        "kinds": [("threats", "Threats"), ("vulnerabilities", "Vulnerabilities")],
        "page": page,
        "params": params,
        "groups": list(groups),
        "query": _query(request),
        "can_edit": actor.can(Perm.EDIT_ISMS),
    }
    template = "risks/library.html#table" if request.htmx else "risks/library.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def _library_form(
    request: HttpRequest, actor: Actor, kind: str, item: Threat | Vulnerability | None
) -> HttpResponse:
    model = _kind(kind)
    initial = LibraryItemForm.initial_from(item) if item else None
    form = LibraryItemForm(request.POST or None, initial=initial, threat=model is Threat)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.library_item_save(
                actor=actor, model=model, item=item, **form.service_fields()
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, f"'{saved.name}' saved.")
            return redirect(f"{_url('risks:library', actor)}?kind={kind}")
    context = {"org": actor.org, "form": form, "item": item, "kind": kind}
    return render(request, "risks/library_form.html", context)


def _url(name: str, actor: Actor) -> str:
    return reverse(name, kwargs={"org": actor.org.slug})


@org_view("risks", perm=Perm.EDIT_ISMS)
@require_http_methods(["GET", "POST"])
def library_create(request: HttpRequest, actor: Actor, kind: str) -> HttpResponse:
    return _library_form(request, actor, kind, None)


@org_view("risks", perm=Perm.EDIT_ISMS)
@require_http_methods(["GET", "POST"])
def library_edit(request: HttpRequest, actor: Actor, kind: str, item_id: int) -> HttpResponse:
    item = selectors.library_get(actor=actor, model=_kind(kind), item_id=item_id)
    return _library_form(request, actor, kind, item)


@org_view("risks", perm=Perm.EDIT_ISMS)
@require_POST
def library_delete(request: HttpRequest, actor: Actor, kind: str, item_id: int) -> HttpResponse:
    item = selectors.library_get(actor=actor, model=_kind(kind), item_id=item_id)
    services.library_item_delete(actor=actor, item=item)
    messages.success(request, f"'{item.name}' deleted.")
    return redirect(f"{_url('risks:library', actor)}?kind={kind}")


# --- assessments -----------------------------------------------------------------------------


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


# --- export ----------------------------------------------------------------------------------


@org_view("risks")
def export(request: HttpRequest, actor: Actor) -> HttpResponse:
    fmt = request.GET.get("format", "csv")
    if fmt not in ("csv", "xlsx", "pdf"):
        raise Http404("Unknown format.")
    content, content_type, ext = exports.export_risks(actor=actor, fmt=fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{actor.org.slug}-risks.{ext}"'
    return response


def _curve_points(
    curves: list[list[list[float]]], width: int = 640, height: int = 280, pad: int = 48
) -> tuple[list[str], list[tuple[float, str]], list[tuple[float, str]]]:
    """SVG polyline points for loss exceedance curves on a log-scaled loss axis."""
    import math

    losses = [p[0] for curve in curves for p in curve if p[0] > 0]
    if not losses:
        return ["" for _ in curves], [], []
    low, high = math.log10(min(losses)), math.log10(max(losses))
    span = max(high - low, 1e-9)

    def x(loss: float) -> float:
        return pad + (math.log10(max(loss, 10**low)) - low) / span * (width - 2 * pad)

    def y(prob: float) -> float:
        return height - pad + -prob * (height - 2 * pad)

    points = [
        " ".join(f"{x(p[0]):.1f},{y(p[1]):.1f}" for p in curve if p[0] > 0) for curve in curves
    ]
    x_ticks = [(x(10**e), f"${10**e:,.0f}") for e in range(math.ceil(low), math.floor(high) + 1)]
    y_ticks = [(y(p), f"{int(p * 100)}%") for p in (0, 0.25, 0.5, 0.75, 1.0)]
    return points, x_ticks, y_ticks


@org_view("risks")
def simulation_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    from django.core.exceptions import ValidationError

    from openisms.risks import simulation

    try:
        trials = int(request.GET.get("trials", 20_000))
        seed = int(request.GET.get("seed", 1))
        result = simulation.run(actor=actor, trials=trials, seed=seed)
        error = None
    except (ValueError, ValidationError) as exc:
        result, error = None, " ".join(getattr(exc, "messages", [str(exc)]))
        trials, seed = 20_000, 1
    curves: tuple[list[str], list[tuple[float, str]], list[tuple[float, str]]] = ([], [], [])
    if result and result.get("portfolio"):
        portfolio = result["portfolio"]
        curves = _curve_points([portfolio["inherent_exceedance"], portfolio["residual_exceedance"]])
    context = {
        "org": actor.org,
        "result": result,
        "error": error,
        "trials": trials,
        "seed": seed,
        "curve_points": curves[0],
        "x_ticks": curves[1],
        "y_ticks": curves[2],
        "refs": {r.ref: r.pk for r in selectors.quantified_risks(actor=actor)},
    }
    return render(request, "risks/simulation.html", context)
