from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from openisms.assets import io, selectors, services
from openisms.assets.forms import AssetForm, ImportForm
from openisms.assets.models import AssetType, Classification
from openisms.core.forms import form_errors_from, posted_version
from openisms.orgs.access import Actor, Perm
from openisms.orgs.decorators import org_view
from openisms.orgs.selectors import members_by_email, object_history

PAGE_SIZE = 50


@org_view("assets")
def asset_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    params: dict[str, Any] = {
        "q": request.GET.get("q", "")[:200],
        "type": request.GET.get("type") or None,
        "classification": request.GET.get("classification") or None,
        "owner": request.GET.get("owner") or None,
        "tag": request.GET.get("tag") or None,
        "sort": request.GET.get("sort", "name"),
    }
    page = Paginator(selectors.asset_list(actor=actor, **params), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "org": actor.org,
        "page": page,
        "params": params,
        "query": query.urlencode(),
        "types": AssetType.choices,
        "classifications": Classification.choices,
        "can_edit": actor.can(Perm.EDIT_ISMS),
        "import_form": ImportForm(),
    }
    template = "assets/list.html#table" if request.htmx else "assets/list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def _emails(actor: Actor) -> list[str]:
    return sorted(members_by_email(actor=actor))


@org_view("assets")
@require_http_methods(["GET", "POST"])
def asset_create(request: HttpRequest, actor: Actor) -> HttpResponse:
    actor.require(Perm.EDIT_ISMS)
    form = AssetForm(request.POST or None, member_emails=_emails(actor))
    if request.method == "POST" and form.is_valid():
        try:
            asset = services.asset_create(actor=actor, **form.changes())
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, f"Asset '{asset.name}' added.")
            return redirect("assets:detail", org=actor.org.slug, asset_id=asset.pk)
    return render(request, "assets/form.html", {"org": actor.org, "form": form, "asset": None})


@org_view("assets")
def asset_detail(request: HttpRequest, actor: Actor, asset_id: int) -> HttpResponse:
    asset = selectors.asset_get(actor=actor, asset_id=asset_id)
    context = {
        "org": actor.org,
        "asset": asset,
        "can_edit": services.can_edit(actor, asset),
        "can_delete": actor.can(Perm.EDIT_ISMS),
        "history": object_history(actor=actor, object_type="assets.asset", object_id=asset.pk)[:20],
    }
    return render(request, "assets/detail.html", context)


@org_view("assets")
@require_http_methods(["GET", "POST"])
def asset_edit(request: HttpRequest, actor: Actor, asset_id: int) -> HttpResponse:
    asset = selectors.asset_get(actor=actor, asset_id=asset_id)
    if not services.can_edit(actor, asset):
        actor.require(Perm.EDIT_ISMS)
    initial = {
        "name": asset.name,
        "type": asset.type,
        "description": asset.description,
        "owner": asset.owner.email if asset.owner else "",
        "custodian": asset.custodian.email if asset.custodian else "",
        "location": asset.location,
        "classification": asset.classification,
        "confidentiality": asset.confidentiality,
        "integrity": asset.integrity,
        "availability": asset.availability,
        "tags": "; ".join(asset.tag_list),
    }
    form = AssetForm(request.POST or None, initial=initial, member_emails=_emails(actor))
    if request.method == "POST" and form.is_valid():
        try:
            services.asset_update(
                actor=actor, asset=asset, version=posted_version(request), **form.changes()
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, "Asset saved.")
            return redirect("assets:detail", org=actor.org.slug, asset_id=asset.pk)
    return render(request, "assets/form.html", {"org": actor.org, "form": form, "asset": asset})


@org_view("assets", perm=Perm.EDIT_ISMS)
@require_POST
def asset_delete(request: HttpRequest, actor: Actor, asset_id: int) -> HttpResponse:
    asset = selectors.asset_get(actor=actor, asset_id=asset_id)
    services.asset_delete(actor=actor, asset=asset)
    messages.success(request, f"Asset '{asset.name}' deleted.")
    return redirect("assets:list", org=actor.org.slug)


@org_view("assets")
def asset_export(request: HttpRequest, actor: Actor) -> HttpResponse:
    fmt = request.GET.get("format", "csv")
    if request.GET.get("template"):
        content, content_type, ext = io.template(fmt)
        name = f"assets-template.{ext}"
    else:
        content, content_type, ext = io.export_assets(actor=actor, fmt=fmt)
        name = f"{actor.org.slug}-assets.{ext}"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@org_view("assets", perm=Perm.EDIT_ISMS)
@require_POST
def asset_import(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Choose a CSV or XLSX file to import.")
        return redirect("assets:list", org=actor.org.slug)
    upload = form.cleaned_data["file"]
    result = io.import_assets(
        actor=actor,
        data=upload.read(),
        filename=upload.name,
        dry_run=form.cleaned_data["dry_run"],
    )
    if result.ok:
        messages.success(request, result.summary())
        return redirect("assets:list", org=actor.org.slug)
    return render(
        request, "assets/import_errors.html", {"org": actor.org, "result": result}, status=422
    )
