"""OSCAL over the API: imports as background jobs (multipart upload, then poll the job) and
exports of the catalogue, the organisation's SSP and assessment results, and mapping sets."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, JsonResponse
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from openisms.catalog.selectors import framework_get, mapping_set_get
from openisms.core.api import Error, Pagination, PathId
from openisms.orgs.access import Perm
from openisms.orgs.access import request_actor as actor
from openisms.oscal import exports, jobs, services

router = Router(tags=["oscal"])


class OscalIssueOut(Schema):
    path: str
    message: str


class ImportJobOut(Schema):
    id: int
    status: str
    progress: int
    stage: str
    filename: str
    framework: str | None
    issues: list[OscalIssueOut]
    created_at: datetime
    finished_at: datetime | None

    @staticmethod
    def resolve_framework(obj: Any) -> str | None:
        return obj.framework.slug if obj.framework_id else None


@router.post(
    "/orgs/{org}/oscal/imports",
    response={202: ImportJobOut, 403: Error, 404: Error, 422: Error},
)
def import_create(
    request: HttpRequest,
    org: str,
    file: File[UploadedFile],
    catalog: File[UploadedFile] | None = None,
    slug: Form[str] = "",
    catalog_framework: Form[str] = "",
    maps_as: Form[str | None] = None,
) -> Any:
    """Import an OSCAL catalog or profile (JSON, YAML or XML) as a framework of the
    organisation. The job runs in the worker: poll it for progress and, when it fails, for
    every problem found (where in the document, what is wrong). A profile needs the catalog
    it selects from: upload it as ``catalog`` or name an imported one in ``catalog_framework``."""
    job = jobs.import_job_create(
        actor=actor(request, org),
        data=file.read(),
        filename=file.name or "",
        slug=slug.strip(),
        catalog_data=catalog.read() if catalog is not None else b"",
        catalog_filename=(catalog.name or "") if catalog is not None else "",
        catalog_framework=catalog_framework.strip(),
        maps_as=maps_as,
    )
    return Status(202, jobs.import_job_get(actor=actor(request, org), job_id=job.pk))


@router.get("/orgs/{org}/oscal/imports", response={200: list[ImportJobOut], 404: Error})
@paginate(Pagination)
def import_list(request: HttpRequest, org: str) -> Any:
    """The organisation's import jobs, newest first."""
    return jobs.import_job_list(actor=actor(request, org))


@router.get("/orgs/{org}/oscal/imports/{job_id}", response={200: ImportJobOut, 404: Error})
def import_get(request: HttpRequest, org: str, job_id: PathId) -> Any:
    return jobs.import_job_get(actor=actor(request, org), job_id=job_id)


def _json(document: dict[str, Any], name: str) -> JsonResponse:
    response = JsonResponse(document, json_dumps_params={"ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="{name}.json"'
    return response


@router.get("/orgs/{org}/oscal/catalogs/{framework}", response={200: None, 404: Error})
def export_catalog(request: HttpRequest, org: str, framework: str) -> Any:
    """A framework as an OSCAL catalog (ours with our guidance; an imported one as loaded)."""
    a = actor(request, org)
    fw = framework_get(slug=framework, orgs=a.org.pk)
    return _json(exports.catalog_document(fw), f"{fw.slug}-catalog")


@router.get("/orgs/{org}/oscal/ssp", response={200: None, 404: Error, 422: Error})
def export_ssp(request: HttpRequest, org: str) -> Any:
    """The organisation's implementation as an OSCAL system security plan (422 while the
    control register has no control meeting an ISO/IEC 27001 requirement)."""
    a = actor(request, org)
    return _json(exports.ssp_document(actor=a, organization=a.org), f"{org}-ssp")


@router.get("/orgs/{org}/oscal/assessment-results", response={200: None, 403: Error, 404: Error})
def export_assessment_results(request: HttpRequest, org: str) -> Any:
    """The Statement of Applicability's state as OSCAL assessment results."""
    a = actor(request, org)
    a.require(Perm.VIEW)
    return _json(
        exports.assessment_results_document(actor=a, organization=a.org),
        f"{org}-assessment-results",
    )


@router.get("/orgs/{org}/oscal/mappings/{mapping_set}", response={200: None, 404: Error})
def export_mapping(request: HttpRequest, org: str, mapping_set: str) -> Any:
    """A mapping set as an OSCAL 1.2 mapping collection."""
    actor(request, org)
    found = mapping_set_get(slug=mapping_set)
    return _json(exports.mapping_document(found), f"{found.slug}-mapping")


@router.delete(
    "/orgs/{org}/oscal/frameworks/{framework}",
    response={204: None, 403: Error, 404: Error, 422: Error},
)
def framework_delete(request: HttpRequest, org: str, framework: str) -> Any:
    """Remove a framework the organisation imported, with its assessments (422 while controls,
    evidence or tasks point at its requirements)."""
    a = actor(request, org)
    services.oscal_framework_delete(
        actor=a, framework=jobs.imported_framework(actor=a, slug=framework)
    )
    return Status(204, None)
