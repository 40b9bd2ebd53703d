from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from openisms.audits import exports, follow_up, selectors, services
from openisms.audits.forms import (
    AuditForm,
    ChecklistForm,
    DecisionForm,
    FindingForm,
    ProgrammeForm,
    SubmitForm,
)
from openisms.audits.models import Audit, AuditStatus, FindingType
from openisms.core.forms import form_errors_from
from openisms.orgs.access import Actor, Perm
from openisms.orgs.decorators import org_view
from openisms.orgs.selectors import members_by_email, object_history


def _emails(actor: Actor) -> list[str]:
    return sorted(members_by_email(actor=actor))


def _problem(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# --- programmes -------------------------------------------------------------------------------


@org_view("audits")
def programme_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    context = {
        "org": actor.org,
        "programmes": list(selectors.programme_list(actor=actor)),
        "audits": list(selectors.audit_list(actor=actor)),
        "can_edit": actor.can(Perm.EDIT_ISMS),
    }
    return render(request, "audits/programme_list.html", context)


@org_view("audits")
def programme_detail(request: HttpRequest, actor: Actor, programme_id: int) -> HttpResponse:
    programme = selectors.programme_get(actor=actor, programme_id=programme_id)
    coverage = selectors.programme_coverage(actor=actor, programme=programme)
    context = {
        "org": actor.org,
        "programme": programme,
        "coverage": coverage,
        "counts": coverage.counts(),
        "audits": list(selectors.audit_list(actor=actor, programme=programme.pk)),
        "can_edit": actor.can(Perm.EDIT_ISMS),
        "history": object_history(
            actor=actor, object_type="audits.auditprogramme", object_id=programme.pk
        )[:20],
    }
    return render(request, "audits/programme_detail.html", context)


def _programme_form(
    request: HttpRequest, actor: Actor, programme: Any, initial: dict[str, Any]
) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    form = ProgrammeForm(data, initial=initial, member_emails=_emails(actor))
    if request.method == "POST" and form.is_valid():
        try:
            if programme is None:
                programme = services.programme_create(actor=actor, **form.changes())
            else:
                services.programme_update(actor=actor, programme=programme, **form.changes())
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, f"{programme.title} saved.")
            return redirect(
                "audits:programme_detail", org=actor.org.slug, programme_id=programme.pk
            )
    context = {"org": actor.org, "form": form, "programme": programme}
    return render(request, "audits/programme_form.html", context)


@org_view("audits", perm=Perm.EDIT_ISMS)
@require_http_methods(["GET", "POST"])
def programme_new(request: HttpRequest, actor: Actor) -> HttpResponse:
    return _programme_form(request, actor, None, {})


@org_view("audits", perm=Perm.EDIT_ISMS)
@require_http_methods(["GET", "POST"])
def programme_edit(request: HttpRequest, actor: Actor, programme_id: int) -> HttpResponse:
    programme = selectors.programme_get(actor=actor, programme_id=programme_id)
    initial = {
        "title": programme.title,
        "first_year": programme.first_year,
        "last_year": programme.last_year,
        "objectives": programme.objectives,
        "criteria": programme.criteria,
        "owner": programme.owner.email if programme.owner else "",
    }
    return _programme_form(request, actor, programme, initial)


# --- audits -----------------------------------------------------------------------------------


def _audit_form_view(
    request: HttpRequest, actor: Actor, audit: Audit | None, initial: dict[str, Any]
) -> HttpResponse:
    programmes = [(p.pk, str(p)) for p in selectors.programme_list(actor=actor)]
    data = request.POST if request.method == "POST" else None
    form = AuditForm(
        data,
        initial=initial,
        member_emails=_emails(actor),
        programmes=programmes,
        requirements=selectors.auditable_requirements(),
    )
    if request.method == "POST" and form.is_valid():
        try:
            if audit is None:
                audit = services.audit_create(actor=actor, **form.changes())
            else:
                services.audit_update(actor=actor, audit=audit, **form.changes())
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, f"{audit.ref} saved.")
            return redirect("audits:audit_detail", org=actor.org.slug, audit_id=audit.pk)
    return render(
        request, "audits/audit_form.html", {"org": actor.org, "form": form, "audit": audit}
    )


@org_view("audits", perm=Perm.EDIT_ISMS)
@require_http_methods(["GET", "POST"])
def audit_new(request: HttpRequest, actor: Actor) -> HttpResponse:
    initial = {"programme": request.GET.get("programme", ""), "status": AuditStatus.PLANNED}
    return _audit_form_view(request, actor, None, initial)


@org_view("audits", perm=Perm.EDIT_ISMS)
@require_http_methods(["GET", "POST"])
def audit_edit(request: HttpRequest, actor: Actor, audit_id: int) -> HttpResponse:
    audit = selectors.audit_get(actor=actor, audit_id=audit_id)
    initial = {
        "programme": audit.programme_id,
        "title": audit.title,
        "criteria": audit.criteria,
        "planned_start": audit.planned_start,
        "planned_end": audit.planned_end,
        "actual_start": audit.actual_start,
        "actual_end": audit.actual_end,
        "status": audit.status,
        "lead_auditor": audit.lead_auditor.email if audit.lead_auditor else "",
        "auditors": [u.email for u in audit.auditors.all()],
        "scope": [r.ref for r in audit.scope.all()],
    }
    return _audit_form_view(request, actor, audit, initial)


@org_view("audits")
def audit_detail(request: HttpRequest, actor: Actor, audit_id: int) -> HttpResponse:
    audit = selectors.audit_get(actor=actor, audit_id=audit_id)
    findings = list(selectors.finding_list(actor=actor, audit=audit))
    reports = list(selectors.report_list(actor=actor, audit=audit))
    groups = [
        (label, [f for f in findings if f.type == value]) for value, label in FindingType.choices
    ]
    context = {
        "org": actor.org,
        "audit": audit,
        "items": list(selectors.checklist(actor=actor, audit=audit)),
        "counts": selectors.checklist_counts(actor=actor, audit=audit),
        "groups": groups,
        "findings": findings,
        "reports": reports,
        "pending": next((r for r in reports if r.is_pending), None),
        "can_edit": actor.can(Perm.EDIT_ISMS),
        "can_find": services.may_write_findings(actor, audit)
        and audit.status in (AuditStatus.IN_PROGRESS, AuditStatus.COMPLETED),
        "editable": {f.pk for f in findings if services.may_edit_finding(actor, f)},
        "submit_form": SubmitForm(),
        "history": object_history(actor=actor, object_type="audits.audit", object_id=audit.pk)[:20],
    }
    return render(request, "audits/audit_detail.html", context)


@org_view("audits")
def audit_export(request: HttpRequest, actor: Actor, audit_id: int) -> HttpResponse:
    audit = selectors.audit_get(actor=actor, audit_id=audit_id)
    fmt = request.GET.get("format", "pdf")
    try:
        content, content_type, ext = exports.export_report(actor=actor, audit=audit, fmt=fmt)
    except ValidationError as exc:
        return HttpResponse(_problem(exc), status=400, content_type="text/plain")
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{audit.ref}-report.{ext}"'
    return response


# --- checklist --------------------------------------------------------------------------------


@org_view("audits", perm=Perm.EDIT_ISMS)
@require_http_methods(["GET", "POST"])
def checklist_item(request: HttpRequest, actor: Actor, audit_id: int, item_id: int) -> HttpResponse:
    audit = selectors.audit_get(actor=actor, audit_id=audit_id)
    item = selectors.checklist_item_get(actor=actor, audit=audit, item_id=item_id)
    initial = {
        "result": item.result,
        "notes": item.notes,
        "evidence": [e.pk for e in item.evidence.all()],
    }
    data = request.POST if request.method == "POST" else None
    form = ChecklistForm(data, initial=initial, evidence=selectors.evidence_choices(actor=actor))
    if request.method == "POST" and form.is_valid():
        try:
            services.checklist_item_update(actor=actor, item=item, **form.changes())
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, f"{item.requirement.ref} recorded.")
            return redirect("audits:audit_detail", org=actor.org.slug, audit_id=audit.pk)
    context = {"org": actor.org, "audit": audit, "item": item, "form": form}
    return render(request, "audits/checklist_form.html", context)


# --- findings ---------------------------------------------------------------------------------


def _items(actor: Actor, audit: Audit) -> list[tuple[int, str]]:
    return [
        (i.pk, f"{i.requirement.ref} {i.requirement.title}")
        for i in selectors.checklist(actor=actor, audit=audit)
    ]


@org_view("audits")
@require_http_methods(["GET", "POST"])
def finding_new(request: HttpRequest, actor: Actor, audit_id: int) -> HttpResponse:
    audit = selectors.audit_get(actor=actor, audit_id=audit_id)
    if not services.may_write_findings(actor, audit):
        raise PermissionDenied("You can write findings only on the audits you are assigned to.")
    initial = {"checklist_item": request.GET.get("item", "")}
    data = request.POST if request.method == "POST" else None
    form = FindingForm(data, initial=initial, items=_items(actor, audit))
    if request.method == "POST" and form.is_valid():
        try:
            finding = services.finding_create(actor=actor, audit=audit, **form.changes())
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, f"Finding F{finding.number} recorded.")
            return redirect("audits:audit_detail", org=actor.org.slug, audit_id=audit.pk)
    context = {"org": actor.org, "audit": audit, "form": form, "finding": None}
    return render(request, "audits/finding_form.html", context)


@org_view("audits")
@require_http_methods(["GET", "POST"])
def finding_edit(
    request: HttpRequest, actor: Actor, audit_id: int, finding_id: int
) -> HttpResponse:
    audit = selectors.audit_get(actor=actor, audit_id=audit_id)
    finding = selectors.finding_get(actor=actor, audit=audit, finding_id=finding_id)
    if not services.may_edit_finding(actor, finding):
        raise PermissionDenied("You can edit only the findings you wrote.")
    initial = {
        "type": finding.type,
        "title": finding.title,
        "description": finding.description,
        "evidence_seen": finding.evidence_seen,
        "checklist_item": finding.checklist_item_id or "",
        "requirement": finding.requirement.ref if finding.requirement else "",
    }
    data = request.POST if request.method == "POST" else None
    form = FindingForm(data, initial=initial, items=_items(actor, audit))
    if request.method == "POST" and form.is_valid():
        try:
            services.finding_update(actor=actor, finding=finding, **form.changes())
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, f"Finding F{finding.number} saved.")
            return redirect("audits:audit_detail", org=actor.org.slug, audit_id=audit.pk)
    context = {"org": actor.org, "audit": audit, "form": form, "finding": finding}
    return render(request, "audits/finding_form.html", context)


@org_view("audits")
@require_POST
def finding_delete(
    request: HttpRequest, actor: Actor, audit_id: int, finding_id: int
) -> HttpResponse:
    audit = selectors.audit_get(actor=actor, audit_id=audit_id)
    finding = selectors.finding_get(actor=actor, audit=audit, finding_id=finding_id)
    services.finding_delete(actor=actor, finding=finding)
    messages.success(request, f"Finding F{finding.number} deleted.")
    return redirect("audits:audit_detail", org=actor.org.slug, audit_id=audit.pk)


@org_view("audits", perm=Perm.EDIT_ISMS)
@require_POST
def finding_raise(
    request: HttpRequest, actor: Actor, audit_id: int, finding_id: int
) -> HttpResponse:
    """Raise the nonconformity register entry for a major or minor finding."""
    audit = selectors.audit_get(actor=actor, audit_id=audit_id)
    finding = selectors.finding_get(actor=actor, audit=audit, finding_id=finding_id)
    try:
        nc = follow_up.finding_raise_nonconformity(actor=actor, finding=finding)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("audits:audit_detail", org=actor.org.slug, audit_id=audit.pk)
    messages.success(request, f"{finding.ref} raised as {nc.ref} in the nonconformity register.")
    return redirect("nonconformities:detail", org=actor.org.slug, nc_id=nc.pk)


# --- reports ----------------------------------------------------------------------------------


@org_view("audits", perm=Perm.EDIT_ISMS)
@require_POST
def report_submit(request: HttpRequest, actor: Actor, audit_id: int) -> HttpResponse:
    audit = selectors.audit_get(actor=actor, audit_id=audit_id)
    form = SubmitForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        report = services.report_submit(actor=actor, audit=audit, comment=comment)
    except ValidationError as exc:
        messages.error(request, _problem(exc))
        return redirect("audits:audit_detail", org=actor.org.slug, audit_id=audit.pk)
    messages.success(request, f"Report version {report.number} submitted for approval.")
    return redirect(
        "audits:report_detail", org=actor.org.slug, audit_id=audit.pk, report_id=report.pk
    )


@org_view("audits")
def report_detail(
    request: HttpRequest, actor: Actor, audit_id: int, report_id: int
) -> HttpResponse:
    audit = selectors.audit_get(actor=actor, audit_id=audit_id)
    report = selectors.report_get(actor=actor, audit=audit, report_id=report_id)
    doc = exports.report_doc(actor=actor, audit=audit, version=report)
    context = {
        "org": actor.org,
        "audit": audit,
        "report": report,
        "doc": doc,
        "groups": [
            (label, [f for f in doc.data.get("findings", []) if f["type"] == value])
            for value, label in FindingType.choices
        ],
        "may_decide": services.may_decide(actor, report),
        "decision_form": DecisionForm(),
    }
    return render(request, "audits/report_detail.html", context)


@org_view("audits", perm=Perm.APPROVE)
@require_POST
def report_decide(
    request: HttpRequest, actor: Actor, audit_id: int, report_id: int
) -> HttpResponse:
    audit = selectors.audit_get(actor=actor, audit_id=audit_id)
    report = selectors.report_get(actor=actor, audit=audit, report_id=report_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose approve or reject.")
    else:
        comment = form.cleaned_data["comment"]
        try:
            if form.cleaned_data["decision"] == "approve":
                services.report_approve(actor=actor, report=report, comment=comment)
            else:
                services.report_reject(actor=actor, report=report, comment=comment)
        except ValidationError as exc:
            messages.error(request, _problem(exc))
        else:
            messages.success(request, f"Report version {report.number} decided.")
    return redirect(
        "audits:report_detail", org=actor.org.slug, audit_id=audit.pk, report_id=report.pk
    )
