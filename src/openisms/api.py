"""The REST API at /api/v1. Routers live in each app's ``api.py``; this file assembles them."""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI

from openisms import __version__
from openisms.accounts.api import router as accounts_router
from openisms.accounts.auth import AUTH
from openisms.assets.api import router as assets_router
from openisms.audits.api import router as audits_router
from openisms.catalog.api import router as catalog_router
from openisms.context.api import router as context_router
from openisms.controls.api import router as controls_router
from openisms.core.api import declare_error_responses, install_error_handlers
from openisms.documents.api import router as documents_router
from openisms.evidence.api import router as evidence_router
from openisms.nonconformities.api import router as nonconformities_router
from openisms.objectives.api import router as objectives_router
from openisms.orgs.api import router as orgs_router
from openisms.oscal.api import router as oscal_router
from openisms.reviews.api import router as reviews_router
from openisms.risks.api import router as risks_router
from openisms.soa.api import router as soa_router
from openisms.web.api import router as web_router
from openisms.work.api import router as work_router


class OpenIsmsAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Any) -> str:
        """``<app>_api_<function>``, however an app's API package is split into modules, so
        clients' generated method names do not change when a module is split."""
        module = operation.view_func.__module__
        if ".api." in module:
            module = module[: module.index(".api.") + len(".api")]
        return f"{module}_{operation.view_func.__name__}".replace(".", "_")

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        """The document with the error statuses every operation can answer (core/api.py)."""
        return declare_error_responses(super().get_openapi_schema(**kwargs))


api = OpenIsmsAPI(
    title="OpenISMS API",
    version=__version__,
    description=(
        "Organisation data lives under /orgs/{org}/ (org is the organisation's slug). "
        "Authenticate with a personal API token (Authorization: Bearer <token>) or a browser "
        "session with CSRF. Errors are JSON objects with a 'detail' member. Lists are paginated "
        "with limit and offset."
    ),
    auth=AUTH,
    urls_namespace="api",
)
install_error_handlers(api)
api.add_router("/", accounts_router)
api.add_router("/", orgs_router)
api.add_router("/", catalog_router)
api.add_router("/", assets_router)
api.add_router("/", risks_router)
api.add_router("/", controls_router)
api.add_router("/", soa_router)
api.add_router("/", evidence_router)
api.add_router("/", documents_router)
api.add_router("/", oscal_router)
# The composition layer first: its /tasks/mine must match before /tasks/{task_id}.
api.add_router("/", web_router)
api.add_router("/", work_router)
api.add_router("/", nonconformities_router)
api.add_router("/", reviews_router)
api.add_router("/", audits_router)
api.add_router("/", context_router)
api.add_router("/", objectives_router)
