from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from openisms.controls.selectors import controls_of_requirements
from openisms.core.forms import form_errors_from, posted_version
from openisms.core.panels import panel_context
from openisms.orgs.access import Actor, Perm
from openisms.orgs.approvals import may_decide
from openisms.orgs.decorators import org_view
from openisms.orgs.selectors import members_by_email, object_history
from openisms.soa import exports, pack, selectors, services
from openisms.soa.forms import AssignedForm, BulkForm, DecisionForm, EntryForm, SubmitForm
from openisms.soa.models import REASONS, SoaStatus, SoaVersion
from openisms.soa.services import SOA_FLOW

PAGE_SIZE = 100  # every Annex A control on one page


def _emails(actor: Actor) -> list[str]:
    return sorted(members_by_email(actor=actor))


def _problem(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _list_url(actor: Actor, kind: str = "control") -> str:
    url = reverse("soa:list", kwargs={"org": actor.org.slug})
    return url + ("?kind=clause" if kind == "clause" else "")


# --- the working SoA -------------------------------------------------------------------------


@org_view("soa")
def soa_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    kind = "clause" if request.GET.get("kind") == "clause" else "control"
    params: dict[str, Any] = {
        "theme": request.GET.get("theme") or None,
        "applicable": request.GET.get("applicable") or None,
        "status": request.GET.get("status") or None,
        "owner": request.GET.get("owner") or None,
        "q": request.GET.get("q", "")[:200],
        "reason": request.GET.get("reason") or None,
    }
    rows = selectors.with_risks(actor, selectors.soa_list(actor=actor, kind=kind, **params))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    emails = _emails(actor)
    can_edit = actor.can(Perm.EDIT_ISMS)
    context = {
        "org": actor.org,
        "kind": kind,
        "page": page,
        "params": params,
        "query": query.urlencode(),
        "counts": selectors.soa_counts(actor=actor, kind=kind),
        "themes": selectors.soa_themes(actor=actor) if kind == "control" else [],
        "statuses": SoaStatus.choices,
        "reasons": REASONS,
        "owners": emails,
        "can_edit": can_edit,
        "bulk_form": BulkForm(member_emails=emails, auto_id="bulk-%s") if can_edit else None,
        "current": selectors.current_approved(actor=actor),
        "pending": selectors.pending_version(actor=actor),
        "tab": kind,
    }
    template = "soa/list.html#table" if request.htmx else "soa/list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@org_view("soa", perm=Perm.EDIT_ISMS)
@require_POST
def soa_bulk(request: HttpRequest, actor: Actor) -> HttpResponse:
    kind = "clause" if request.POST.get("kind") == "clause" else "control"
    ids = [int(v) for v in request.POST.getlist("entries") if v.isdigit()]
    form = BulkForm(request.POST, member_emails=_emails(actor))
    if not form.is_valid():
        messages.error(request, "Check the bulk change: " + form.errors.as_text())
        return redirect(_list_url(actor, kind))
    try:
        changed = services.soa_bulk_update(
            actor=actor, entries=selectors.soa_entries(actor=actor, ids=ids), **form.changes()
        )
    except ValidationError as exc:
        messages.error(request, _problem(exc))
    else:
        messages.success(request, f"{changed} row{'s' if changed != 1 else ''} updated.")
    return redirect(_list_url(actor, kind))


@org_view("soa")
def soa_detail(request: HttpRequest, actor: Actor, entry_id: int) -> HttpResponse:
    entry = selectors.soa_get(actor=actor, entry_id=entry_id)
    context = {
        "org": actor.org,
        "entry": entry,
        "risks": selectors.risks_of(entry),
        "cited": selectors.cited_of(entry),
        "controls": controls_of_requirements(
            actor=actor, requirement_ids=[entry.requirement_id]
        ).get(entry.requirement_id, []),
        "can_edit": services.can_edit_entry(actor, entry),
        "history": object_history(actor=actor, object_type="soa.soaentry", object_id=entry.pk)[:20],
        **panel_context("linked_work", actor, requirement=entry.requirement),
    }
    return render(request, "soa/detail.html", context)


@org_view("soa")
@require_http_methods(["GET", "POST"])
def soa_edit(request: HttpRequest, actor: Actor, entry_id: int) -> HttpResponse:
    entry = selectors.soa_get(actor=actor, entry_id=entry_id)
    if not services.can_edit_entry(actor, entry):
        actor.require(Perm.EDIT_ISMS)
    full = actor.can(Perm.EDIT_ISMS)
    clause = entry.requirement.kind == "clause"
    initial = {
        "applicable": entry.applicable,
        "legal_regulatory": entry.legal_regulatory,
        "contractual": entry.contractual,
        "business": entry.business,
        "justification": entry.justification,
        "status": entry.status,
        "owner": entry.owner.email if entry.owner else "",
        "target_date": entry.target_date,
        "implementation": entry.implementation,
        "cited_requirements": ", ".join(selectors.cited_refs_of(entry)),
    }
    data = request.POST if request.method == "POST" else None
    form: EntryForm | AssignedForm
    if full:
        form = EntryForm(data, initial=initial, member_emails=_emails(actor), clause=clause)
        if not selectors.risks_of(entry):
            form.fields.pop("confirm_exclusion", None)
    else:
        form = AssignedForm(data, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.soa_entry_update(
                actor=actor,
                entry=entry,
                confirm_exclusion=bool(form.cleaned_data.get("confirm_exclusion")),
                cited_requirements=form.cited() if isinstance(form, EntryForm) else None,
                version=posted_version(request),
                **form.changes(),
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
            entry = selectors.soa_get(actor=actor, entry_id=entry_id)  # as saved, not as tried
        else:
            messages.success(request, f"{entry.requirement.ref} saved.")
            return redirect("soa:detail", org=actor.org.slug, entry_id=entry.pk)
    context = {
        "org": actor.org,
        "entry": entry,
        "form": form,
        "risks": selectors.risks_of(entry),
        "full": full,
    }
    return render(request, "soa/edit.html", context)


@org_view("soa")
def soa_export(request: HttpRequest, actor: Actor) -> HttpResponse:
    """?format=csv|xlsx|pdf|docx, and ?version=N for a version (otherwise the working SoA)."""
    number = request.GET.get("version", "")
    version = (
        selectors.version_by_number(actor=actor, number=int(number)) if number.isdigit() else None
    )
    try:
        content, content_type, ext = exports.export_soa(
            actor=actor, fmt=request.GET.get("format", "csv"), version=version
        )
    except ValidationError as exc:
        return HttpResponse(_problem(exc), status=400, content_type="text/plain")
    name = f"{actor.org.slug}-soa-" + (f"v{version.number}" if version else "working")
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}.{ext}"'
    return response


@org_view("soa")
def audit_pack(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The audit pack as a download; any member may take it (auditors need it)."""
    try:
        return pack.pack_response(actor)  # type: ignore[return-value] # a streaming FileResponse
    except ValidationError as exc:
        messages.error(request, _problem(exc))
        return redirect("soa:versions", org=actor.org.slug)


# --- versions and approval ------------------------------------------------------------------


@org_view("soa")
def versions(request: HttpRequest, actor: Actor) -> HttpResponse:
    page = Paginator(selectors.version_list(actor=actor), 50).get_page(request.GET.get("page"))
    pending = selectors.pending_version(actor=actor)
    context = {
        "org": actor.org,
        "page": page,
        "query": "",
        "pending": pending,
        "current": selectors.current_approved(actor=actor),
        "submit_form": SubmitForm() if actor.can(Perm.EDIT_ISMS) and pending is None else None,
        "decision_form": DecisionForm()
        if pending and may_decide(actor, SOA_FLOW, pending)
        else None,
        "own_submission": pending is not None and _submitted_by(actor, pending),
        "tab": "versions",
    }
    return render(request, "soa/versions.html", context)


@org_view("soa", perm=Perm.EDIT_ISMS)
@require_POST
def version_submit(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = SubmitForm(request.POST)
    form.is_valid()
    try:
        version = services.soa_submit(actor=actor, comment=form.cleaned_data.get("comment", ""))
    except ValidationError as exc:
        messages.error(request, _problem(exc))
        return redirect("soa:versions", org=actor.org.slug)
    messages.success(request, f"Version {version.number} submitted for approval.")
    return redirect("soa:version_detail", org=actor.org.slug, version_id=version.pk)


def _decision_form(actor: Actor, version: SoaVersion | None) -> DecisionForm | None:
    """The approve/reject form, for members who may decide (never the submitter while
    separate approval is on)."""
    return DecisionForm() if version and may_decide(actor, SOA_FLOW, version) else None


def _submitted_by(actor: Actor, version: SoaVersion) -> bool:
    return actor.user is not None and version.submitted_by_id == actor.user.pk


def _decide(request: HttpRequest, actor: Actor, version_id: int, approve: bool) -> HttpResponse:
    version = selectors.version_get(actor=actor, version_id=version_id)
    form = DecisionForm(request.POST)
    form.is_valid()
    comment = form.cleaned_data.get("comment", "")
    try:
        if approve:
            services.soa_approve(actor=actor, version=version, comment=comment)
            messages.success(request, f"Version {version.number} approved.")
        else:
            services.soa_reject(actor=actor, version=version, comment=comment)
            messages.success(request, f"Version {version.number} sent back.")
    except ValidationError as exc:
        messages.error(request, _problem(exc))
    return redirect("soa:version_detail", org=actor.org.slug, version_id=version.pk)


@org_view("soa", perm=Perm.APPROVE)
@require_POST
def version_approve(request: HttpRequest, actor: Actor, version_id: int) -> HttpResponse:
    return _decide(request, actor, version_id, approve=True)


@org_view("soa", perm=Perm.APPROVE)
@require_POST
def version_reject(request: HttpRequest, actor: Actor, version_id: int) -> HttpResponse:
    return _decide(request, actor, version_id, approve=False)


@org_view("soa")
def version_detail(request: HttpRequest, actor: Actor, version_id: int) -> HttpResponse:
    version = selectors.version_get(actor=actor, version_id=version_id)
    rows = version.rows
    context = {
        "org": actor.org,
        "version": version,
        "controls": [r for r in rows if r.get("kind") == "control"],
        "clauses": [r for r in rows if r.get("kind") == "clause"],
        "statuses": dict(SoaStatus.choices),
        "decision_form": _decision_form(actor, version),
        "own_submission": version.is_pending and _submitted_by(actor, version),
        "history": object_history(actor=actor, object_type="soa.soaversion", object_id=version.pk)[
            :20
        ],
        "tab": "versions",
    }
    return render(request, "soa/version_detail.html", context)


@org_view("soa")
def version_diff(request: HttpRequest, actor: Actor) -> HttpResponse:
    """?first=ID&second=ID (second empty or 'working': the working SoA)."""
    choices = list(selectors.version_list(actor=actor)[:200])
    first_id = request.GET.get("first", "")
    second_id = request.GET.get("second", "")
    first: SoaVersion | None = None
    if first_id.isdigit():
        first = selectors.version_get(actor=actor, version_id=int(first_id))
    elif choices:
        latest = selectors.current_approved(actor=actor) or choices[0]
        first = selectors.version_get(actor=actor, version_id=latest.pk)
    second = (
        selectors.version_get(actor=actor, version_id=int(second_id))
        if second_id.isdigit()
        else None
    )
    diff = selectors.version_diff(actor=actor, first=first, second=second) if first else None
    context = {
        "org": actor.org,
        "choices": choices,
        "first": first,
        "second": second,
        "diff": diff,
        "statuses": dict(SoaStatus.choices),
        "tab": "diff",
    }
    return render(request, "soa/diff.html", context)
