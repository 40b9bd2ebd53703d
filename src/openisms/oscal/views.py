"""OSCAL pages: import a catalog or profile (the worker does it; the job page shows progress
and every problem found) and download the organisation's OSCAL documents."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from openisms.catalog.models import Framework
from openisms.catalog.selectors import (
    framework_get,
    framework_list,
    mapping_set_get,
    mapping_set_list,
)
from openisms.core.forms import form_errors_from
from openisms.orgs.access import Actor, Perm
from openisms.orgs.decorators import org_view
from openisms.oscal import exports, jobs, services
from openisms.oscal.forms import ImportForm


@require_http_methods(["GET", "POST"])
@org_view("catalog")
def import_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    frameworks = list(framework_list(orgs=actor.org.pk))
    catalogs = [f.slug for f in frameworks if f.origin == Framework.Origin.OSCAL]
    form = ImportForm(request.POST or None, request.FILES or None, catalogs=catalogs)
    if request.method == "POST":
        actor.require(Perm.EDIT_ISMS, "Your role does not allow importing frameworks.")
        if form.is_valid():
            data = form.cleaned_data
            catalog_file = data.get("catalog")
            try:
                job = jobs.import_job_create(
                    actor=actor,
                    data=data["file"].read(),
                    filename=data["file"].name or "",
                    slug=data.get("slug") or "",
                    catalog_data=catalog_file.read() if catalog_file else b"",
                    catalog_filename=(catalog_file.name or "") if catalog_file else "",
                    catalog_framework=data.get("catalog_framework") or "",
                )
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                return redirect("oscal:job", org=actor.org.slug, job_id=job.pk)
    context: dict[str, Any] = {
        "org": actor.org,
        "form": form,
        "can_import": actor.can(Perm.EDIT_ISMS),
        "jobs": list(jobs.import_job_list(actor=actor)[:20]),
        "imported": [f for f in frameworks if f.origin != Framework.Origin.SHIPPED],
        "shipped": [f for f in frameworks if f.origin == Framework.Origin.SHIPPED],
        "mapping_sets": list(mapping_set_list()),
    }
    return render(request, "oscal/import.html", context)


@org_view("catalog")
def job_page(request: HttpRequest, actor: Actor, job_id: int) -> HttpResponse:
    job = jobs.import_job_get(actor=actor, job_id=job_id)
    template = "oscal/job.html#status" if request.htmx else "oscal/job.html"  # type: ignore[attr-defined]
    return render(request, template, {"org": actor.org, "job": job})


def _download(document: dict[str, Any], name: str) -> HttpResponse:
    response = JsonResponse(document, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="{name}.json"'
    return response


@org_view("catalog")
def export_catalog(request: HttpRequest, actor: Actor, framework: str) -> HttpResponse:
    fw = framework_get(slug=framework, orgs=actor.org.pk)
    return _download(exports.catalog_document(fw), f"{fw.slug}-oscal-catalog")


@org_view("catalog")
def export_ssp(request: HttpRequest, actor: Actor) -> HttpResponse:
    try:
        document = exports.ssp_document(actor=actor, organization=actor.org)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("oscal:import", org=actor.org.slug)
    return _download(document, f"{actor.org.slug}-oscal-ssp")


@org_view("catalog")
def export_assessment_results(request: HttpRequest, actor: Actor) -> HttpResponse:
    return _download(
        exports.assessment_results_document(actor=actor, organization=actor.org),
        f"{actor.org.slug}-oscal-assessment-results",
    )


@org_view("catalog")
def export_mapping(request: HttpRequest, actor: Actor, mapping_set: str) -> HttpResponse:
    found = mapping_set_get(slug=mapping_set)
    return _download(exports.mapping_document(found), f"{found.slug}-oscal-mapping")


@require_POST
@org_view("catalog")
def framework_delete(request: HttpRequest, actor: Actor, framework: str) -> HttpResponse:
    found = jobs.imported_framework(actor=actor, slug=framework)
    try:
        gone = services.oscal_framework_delete(actor=actor, framework=found)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            f"{found.short_name} removed ({gone['requirements']} requirements, "
            f"{gone['assessments']} assessments).",
        )
    return redirect("oscal:import", org=actor.org.slug)
