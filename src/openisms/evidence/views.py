from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from openisms.core.forms import form_errors_from, posted_version
from openisms.evidence import selectors, services
from openisms.evidence.downloads import version_response
from openisms.evidence.fields import EVIDENCE_RULE
from openisms.evidence.forms import CreateForm, DatesForm, ItemForm, LinkForm, VersionForm
from openisms.evidence.models import EvidenceItem, Freshness
from openisms.orgs.access import Actor, Perm
from openisms.orgs.decorators import org_view
from openisms.orgs.selectors import members_by_email, object_history

PAGE_SIZE = 50


def _emails(actor: Actor) -> list[str]:
    return sorted(members_by_email(actor=actor))


def _problem(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _detail(actor: Actor, item_id: int) -> HttpResponse:
    return redirect("evidence:detail", org=actor.org.slug, item_id=item_id)


def _duplicate_message(request: HttpRequest, exc: ValidationError) -> None:
    """Point at the item that already holds the bytes, so the user can link it instead."""
    if isinstance(exc, services.DuplicateEvidence):
        messages.warning(request, _problem(exc))


@org_view("evidence")
def evidence_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    risk = request.GET.get("risk", "")
    params: dict[str, Any] = {
        "freshness": request.GET.get("freshness") or None,
        "requirement": request.GET.get("requirement", "")[:40] or None,
        "risk": int(risk) if risk.isdigit() else None,
        "owner": request.GET.get("owner") or None,
        "kind": request.GET.get("kind") or None,
        "q": request.GET.get("q", "")[:200],
    }
    items = selectors.evidence_list(actor=actor, **params)
    risk_choices = selectors.risk_choices(actor=actor)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    chips = request.GET.copy()
    chips.pop("page", None)
    chips.pop("freshness", None)
    context = {
        "org": actor.org,
        "page": page,
        "rows": [(item, selectors.grouped_links(item)) for item in page],
        "params": params,
        "query": query.urlencode(),
        "chip_query": chips.urlencode(),
        "counts": selectors.freshness_counts(actor=actor),
        "freshness_choices": Freshness.choices,
        "owners": _emails(actor),
        "risks": risk_choices,
        "focus_requirement": selectors.focus_requirement(params["requirement"]),
        "focus_risk": next((label for pk, label in risk_choices if pk == params["risk"]), None),
        "can_edit": actor.can(Perm.EDIT_ISMS),
    }
    template = "evidence/list.html#table" if request.htmx else "evidence/list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@org_view("evidence", perm=Perm.EDIT_ISMS)
@require_http_methods(["GET", "POST"])
def evidence_create(request: HttpRequest, actor: Actor) -> HttpResponse:
    risk_choices = selectors.risk_choices(actor=actor)
    initial = {
        "refs": request.GET.get("refs", "")[:200],
        "controls": request.GET.get("controls", "")[:200],
        "kind": request.GET.get("kind", "file"),
    }
    data = request.POST if request.method == "POST" else None
    form = CreateForm(
        data,
        request.FILES or None,
        initial=initial,
        member_emails=_emails(actor),
        risk_choices=risk_choices,
    )
    if request.method == "POST" and form.is_valid():
        fields = form.changes()
        link_to = {
            "requirements": fields.pop("refs", ""),
            "controls": fields.pop("controls", ""),
            "risks": fields.pop("risks", []),
        }
        kind, upload, note = fields.pop("kind"), fields.pop("file", None), fields.pop("note", "")
        try:
            if kind == "link":
                item = services.evidence_create_link(actor=actor, **link_to, **fields)
            else:
                fields.pop("url", None)
                item = services.evidence_create_file(
                    actor=actor, upload=upload, note=note, **link_to, **fields
                )
        except ValidationError as exc:
            _duplicate_message(request, exc)
            form_errors_from(form, exc)
        else:
            messages.success(request, f"{item.ref} added.")
            return _detail(actor, item.pk)
    return render(request, "evidence/create.html", {"org": actor.org, "form": form})


@org_view("evidence")
def evidence_detail(request: HttpRequest, actor: Actor, item_id: int) -> HttpResponse:
    item = selectors.evidence_get(actor=actor, item_id=item_id)
    can_edit = services.can_edit_item(actor, item)
    can_link = actor.can(Perm.EDIT_ISMS)
    context = {
        "org": actor.org,
        "item": item,
        "groups": selectors.grouped_links(item),
        "versions": getattr(item, "all_versions", []),
        "can_edit": can_edit,
        "can_link": can_link,
        "version_form": VersionForm(auto_id="v-%s") if can_edit and item.kind == "file" else None,
        "link_form": LinkForm(auto_id="l-%s", risk_choices=selectors.risk_choices(actor=actor))
        if can_link
        else None,
        "history": object_history(
            actor=actor, object_type="evidence.evidenceitem", object_id=item.pk
        )[:20],
    }
    return render(request, "evidence/detail.html", context)


def _initial(item: EvidenceItem) -> dict[str, Any]:
    return {
        "title": item.title,
        "description": item.description,
        "url": item.url,
        "owner": item.owner.email if item.owner else "",
        "collected_on": item.collected_on,
        "valid_until": item.valid_until,
        "next_review_on": item.next_review_on,
    }


@org_view("evidence")
@require_http_methods(["GET", "POST"])
def evidence_edit(request: HttpRequest, actor: Actor, item_id: int) -> HttpResponse:
    item = selectors.evidence_get(actor=actor, item_id=item_id)
    if not services.can_edit_item(actor, item):
        actor.require(Perm.EDIT_ISMS)
    full = actor.can(Perm.EDIT_ISMS)
    data = request.POST if request.method == "POST" else None
    form: ItemForm | DatesForm
    if full:
        form = ItemForm(
            data, initial=_initial(item), member_emails=_emails(actor), link=item.kind == "link"
        )
    else:
        form = DatesForm(data, initial=_initial(item))
    if request.method == "POST" and form.is_valid():
        try:
            services.evidence_update(
                actor=actor, item=item, version=posted_version(request), **form.changes()
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
            item = selectors.evidence_get(actor=actor, item_id=item_id)
        else:
            messages.success(request, f"{item.ref} saved.")
            return _detail(actor, item.pk)
    return render(
        request, "evidence/edit.html", {"org": actor.org, "item": item, "form": form, "full": full}
    )


@org_view("evidence")
@require_POST
def evidence_upload(request: HttpRequest, actor: Actor, item_id: int) -> HttpResponse:
    item = selectors.evidence_get(actor=actor, item_id=item_id)
    actor.require_edit(
        EVIDENCE_RULE,
        EVIDENCE_RULE.assignee_of(item),
        message="You can upload versions only of the evidence you own.",
    )
    form = VersionForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Check the upload: " + form.errors.as_text())
        return _detail(actor, item.pk)
    try:
        version = services.evidence_version_upload(
            actor=actor,
            item=item,
            upload=form.cleaned_data["file"],
            note=form.cleaned_data.get("note", ""),
            **form.changes(),
        )
    except ValidationError as exc:
        messages.error(request, _problem(exc))
    else:
        messages.success(request, f"Version {version.number} of {item.ref} uploaded.")
    return _detail(actor, item.pk)


@org_view("evidence")
def evidence_download(request: HttpRequest, actor: Actor, item_id: int, number: int) -> Any:
    return version_response(selectors.version_get(actor=actor, item_id=item_id, number=number))


@org_view("evidence", perm=Perm.EDIT_ISMS)
@require_POST
def evidence_link(request: HttpRequest, actor: Actor, item_id: int) -> HttpResponse:
    item = selectors.evidence_get(actor=actor, item_id=item_id)
    form = LinkForm(request.POST, risk_choices=selectors.risk_choices(actor=actor))
    if not form.is_valid():
        messages.error(request, "Check the links: " + form.errors.as_text())
        return _detail(actor, item.pk)
    try:
        created = services.evidence_link(
            actor=actor,
            item=item,
            requirements=form.cleaned_data["refs"],
            risks=[int(r) for r in form.cleaned_data["risks"]],
            controls=form.cleaned_data["controls"],
        )
    except ValidationError as exc:
        messages.error(request, _problem(exc))
    else:
        n = len(created)
        messages.success(
            request, f"{n} link{'s' if n != 1 else ''} added." if n else "Already linked."
        )
    return _detail(actor, item.pk)


@org_view("evidence", perm=Perm.EDIT_ISMS)
@require_POST
def evidence_unlink(request: HttpRequest, actor: Actor, item_id: int, link_id: int) -> HttpResponse:
    item = selectors.evidence_get(actor=actor, item_id=item_id)
    removed = services.evidence_unlink(actor=actor, item=item, link_ids=[link_id])
    if removed:
        messages.success(request, "Link removed.")
    else:
        messages.error(request, "That link does not exist (any more).")
    return _detail(actor, item.pk)
