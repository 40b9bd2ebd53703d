"""Registry entries for OSCAL imports and exports and for parameter values (see tests/routes.py
for the fields).

Organisation A imports the small fixture catalog once (``mini-a``, private to A); the builders
that read grow A's register (controls, evidence, tasks: ``routes_controls._grow``) and its
import jobs, so the query-budget test sees more of everything the second time.
"""

from __future__ import annotations

import io
import itertools
from pathlib import Path
from typing import Any

from openisms.catalog.models import Framework
from openisms.orgs.access import Actor, actor_for
from openisms.oscal import jobs
from openisms.oscal.services import oscal_import
from openisms.soa import tracking
from tests.routes import Ctx, Route
from tests.routes_controls import _grow

_seq = itertools.count(1)
MINI = Path(__file__).parent / "fixtures" / "oscal" / "mini-catalog.json"
SLUG = "mini-a"


def _owner(ctx: Ctx) -> Actor:
    return actor_for(ctx.world.owner_a, ctx.world.org_a.slug)


def _mini(ctx: Ctx) -> dict[str, Any]:
    """A's private import of the fixture catalog, with another queued import job per call."""
    if not Framework.objects.filter(slug=SLUG).exists():
        oscal_import(
            actor=_owner(ctx), organization=ctx.world.org_a, data=MINI.read_bytes(), slug=SLUG
        )
    jobs.import_job_create(
        actor=_owner(ctx), data=MINI.read_bytes(), filename=f"c{next(_seq)}.json"
    )
    _grow(ctx)
    return {"framework": SLUG, "ref": "AC-1"}


def _job(ctx: Ctx) -> dict[str, Any]:
    _mini(ctx)
    job = jobs.import_job_create(actor=_owner(ctx), data=MINI.read_bytes(), filename="j.json")
    return {"job_id": job.pk}


def _catalog(ctx: Ctx) -> dict[str, Any]:
    _mini(ctx)
    return {"framework": SLUG}


def _mapping(ctx: Ctx) -> dict[str, Any]:
    _grow(ctx)
    return {"mapping_set": "nist-csf-2.0-to-iso27001-2022"}


def _removable(ctx: Ctx) -> dict[str, Any]:
    """An import of its own for each removal, tracked so that assessments go with it."""
    _grow(ctx)
    slug = f"gone-{next(_seq)}"
    oscal_import(actor=_owner(ctx), organization=ctx.world.org_a, data=MINI.read_bytes(), slug=slug)
    tracking.framework_track(actor=_owner(ctx), framework_slug=slug)
    return {"framework": slug}


def _grown(ctx: Ctx) -> dict[str, Any]:
    _mini(ctx)
    return {}


def _upload(ctx: Ctx) -> dict[str, Any]:
    upload = io.BytesIO(MINI.read_bytes())
    upload.name = "mini-catalog.json"
    return {"file": upload, "slug": f"upload-{next(_seq)}"}


def _values(ctx: Ctx) -> dict[str, Any]:
    return {"values": {"ac-1_prm_1": f"value {next(_seq)}", "ac-1_prm_2": ""}}


def _form_values(ctx: Ctx) -> dict[str, Any]:
    return {"param:ac-1_prm_1": f"value {next(_seq)}", "param:ac-1_prm_2": f"weekly {next(_seq)}"}


P = "/api/v1/orgs/{org}"
PARAMS = P + "/frameworks/{framework}/requirements/{ref}/parameters"

OSCAL_API: list[Route] = [
    Route("GET", PARAMS, "org", 200, 200, params=_mini),
    Route("PUT", PARAMS, "org", 200, 403, params=_mini, body=_values),
    Route("GET", P + "/oscal/imports", "org", 200, 200, params=_grown),
    Route("POST", P + "/oscal/imports", "org", 202, 403, body=_upload, multipart=True),
    Route("GET", P + "/oscal/imports/{job_id}", "org", 200, 200, params=_job),
    Route("GET", P + "/oscal/catalogs/{framework}", "org", 200, 200, params=_catalog),
    Route("GET", P + "/oscal/ssp", "org", 200, 200, params=_grown),
    Route("DELETE", P + "/oscal/frameworks/{framework}", "org", 204, 403, params=_removable),
    Route("GET", P + "/oscal/assessment-results", "org", 200, 200, params=_grown),
    Route(
        "GET",
        P + "/oscal/mappings/{mapping_set}",
        "org",
        200,
        200,
        params=_mapping,
        owned_params=False,
    ),
]

OSCAL_UI: list[Route] = [
    Route("GET", "oscal:import", "org", 200, 200, params=_grown),
    Route("POST", "oscal:import", "org", 302, 403, body=_upload, multipart=True),
    Route("GET", "oscal:job", "org", 200, 200, params=_job),
    Route("POST", "oscal:framework_delete", "org", 302, 403, params=_removable),
    Route("GET", "oscal:export_ssp", "org", 200, 200, params=_grown),
    Route("GET", "oscal:export_assessment_results", "org", 200, 200, params=_grown),
    Route("GET", "oscal:export_catalog", "org", 200, 200, params=_catalog),
    Route("GET", "oscal:export_mapping", "org", 200, 200, params=_mapping, owned_params=False),
    Route("POST", "controls:parameters", "org", 302, 403, params=_mini, body=_form_values),
]
