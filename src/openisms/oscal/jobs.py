"""OSCAL imports as background jobs: the upload is stored with the job, the worker imports it
and records its progress, and the page or API polls the job."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.tasks import task
from django.utils import timezone

from openisms.catalog.models import Framework
from openisms.orgs.access import Actor, Perm, get_scoped_or_404, scoped
from openisms.orgs.models import Membership
from openisms.oscal.documents import Document
from openisms.oscal.errors import OscalError
from openisms.oscal.models import ImportJob
from openisms.oscal.services import GivenCatalog, Progress, oscal_import, read

MAX_UPLOAD = 50 * 1024 * 1024


def import_job_list(*, actor: Actor) -> QuerySet[ImportJob]:
    """The organisation's jobs, without the uploads they hold while they wait."""
    return (
        scoped(actor, ImportJob)
        .select_related("framework", "requested_by")
        .defer("content", "catalog_content")
    )


def import_job_get(*, actor: Actor, job_id: int) -> ImportJob:
    return get_scoped_or_404(import_job_list(actor=actor), pk=job_id)


def imported_framework(*, actor: Actor, slug: str) -> Framework:
    """A framework the actor's organisation imported (404 for any other)."""
    framework = Framework.objects.filter(slug=slug, organization=actor.org).first()
    if framework is None:
        raise Http404("No such imported framework.")
    return framework


def import_job_create(
    *,
    actor: Actor,
    data: bytes,
    filename: str = "",
    slug: str = "",
    catalog_data: bytes = b"",
    catalog_filename: str = "",
    catalog_framework: str = "",
    maps_as: str | None = None,
) -> ImportJob:
    """Queue an import for the worker; the upload must at least be there and not too big (the
    worker does the full validation and reports every problem on the job)."""
    actor.require(Perm.EDIT_ISMS, "Your role does not allow importing frameworks.")
    for name, blob in (("file", data), ("catalog", catalog_data)):
        if len(blob) > MAX_UPLOAD:
            raise ValidationError({name: f"The file is larger than {MAX_UPLOAD // 2**20} MiB."})
    if not data:
        raise ValidationError({"file": "Choose an OSCAL catalog or profile to import."})
    if catalog_framework and not (
        Framework.objects.visible_to(actor.org.pk).filter(slug=catalog_framework).exists()
    ):
        raise ValidationError({"catalog_framework": f"No framework '{catalog_framework}'."})
    job = ImportJob.objects.create(
        org=actor.org,
        requested_by=actor.user,
        filename=filename[:255],
        options={
            "slug": slug,
            "catalog_filename": catalog_filename[:255],
            "catalog_framework": catalog_framework,
            "maps_as": maps_as,
        },
        content=data,
        catalog_content=catalog_data,
        stage="Waiting for the worker",
    )
    transaction.on_commit(lambda: run_import_job.enqueue(job.pk))
    return job


def _progress(job_id: int) -> Progress:
    def report(percent: int, stage: str) -> None:
        ImportJob.objects.filter(pk=job_id).update(progress=percent, stage=stage[:120])

    return report


def _finish(job: ImportJob, **fields: object) -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        content=b"", catalog_content=b"", finished_at=timezone.now(), **fields
    )


def _actor(job: ImportJob) -> Actor | None:
    """The requester as they are now (a member whose role changed since is judged anew)."""
    if job.org is None or job.requested_by is None:
        return None
    membership = Membership.objects.filter(org=job.org, user=job.requested_by).first()
    if membership is None:
        return None
    return Actor(user=job.requested_by, org=job.org, role=membership.role)


@task()
def run_import_job(job_id: int) -> str:
    job = ImportJob.objects.select_related("org", "requested_by").filter(pk=job_id).first()
    if job is None or job.status != ImportJob.Status.QUEUED:
        return "skipped"
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, stage="Starting")
    actor = _actor(job)
    try:
        if actor is None:
            raise PermissionDenied("The member who asked for this import has left.")
        options = job.options or {}
        catalogs: list[GivenCatalog] = []
        if job.catalog_content:
            document: Document = read(
                bytes(job.catalog_content), filename=options.get("catalog_filename", "")
            )
            catalogs.append(GivenCatalog(options.get("catalog_filename") or "catalog", document))
        framework = None
        if options.get("catalog_framework"):
            framework = (
                Framework.objects.visible_to(actor.org.pk)
                .filter(slug=options["catalog_framework"])
                .first()
            )
        result = oscal_import(
            actor=actor,
            organization=job.org,
            data=bytes(job.content),
            filename=job.filename,
            slug=options.get("slug") or None,
            catalogs=catalogs,
            catalog_framework=framework,
            mapping_key=options.get("maps_as"),
            progress=_progress(job.pk),
        )
    except OscalError as exc:
        _finish(
            job,
            status=ImportJob.Status.FAILED,
            stage="Refused",
            issues=[{"path": i.path, "message": i.message} for i in exc.issues],
        )
        return "failed"
    except (PermissionDenied, ValidationError) as exc:
        _finish(
            job,
            status=ImportJob.Status.FAILED,
            stage="Refused",
            issues=[{"path": "", "message": "; ".join(getattr(exc, "messages", [str(exc)]))}],
        )
        return "failed"
    _finish(
        job,
        status=ImportJob.Status.DONE,
        progress=100,
        stage=(f"{result}; {len(result.notes)} warnings" if result.notes else str(result))[:120],
        issues=[{"path": "", "message": f"Warning: {note}"} for note in result.notes[:200]],
        framework=result.framework,
    )
    return "done"
