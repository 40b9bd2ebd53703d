"""Risk methods and the threat and vulnerability library."""

from typing import Any

from django.http import HttpRequest
from ninja import Status
from ninja.pagination import paginate

from openisms.core.api import Error, Pagination, PathId
from openisms.orgs.access import request_actor as actor
from openisms.risks import selectors, services
from openisms.risks.api._router import router
from openisms.risks.api.schemas import (
    LibraryIn,
    LibraryOut,
    MethodIn,
    MethodOut,
    ThreatOut,
)
from openisms.risks.models import Threat, Vulnerability


@router.get("/orgs/{org}/risk-methods", response={200: list[MethodOut], 404: Error})
@paginate(Pagination)
def method_list(request: HttpRequest, org: str) -> Any:
    return selectors.method_list(actor=actor(request, org))


@router.post(
    "/orgs/{org}/risk-methods", response={201: MethodOut, 403: Error, 404: Error, 422: Error}
)
def method_create(request: HttpRequest, org: str, payload: MethodIn) -> Any:
    """Save a new version of the method (the previous version is kept)."""
    a = actor(request, org)
    method = services.risk_method_update(actor=a, **payload.changes())
    return Status(201, selectors.method_get(actor=a, method_id=method.pk))


@router.post(
    "/orgs/{org}/risk-methods/rescore", response={200: dict[str, int], 403: Error, 404: Error}
)
def method_rescore(request: HttpRequest, org: str) -> Any:
    """Move risks scored with older versions onto the current method."""
    return {"rescored": services.risk_rescore(actor=actor(request, org))}


@router.get("/orgs/{org}/risk-methods/{method_id}", response={200: MethodOut, 404: Error})
def method_get(request: HttpRequest, org: str, method_id: PathId) -> Any:
    return selectors.method_get(actor=actor(request, org), method_id=method_id)


# --- threats and vulnerabilities --------------------------------------------------------------


def _library_routes(path: str, model: type[Threat] | type[Vulnerability], out: Any) -> None:
    name = model._meta.model_name

    @router.get(
        f"/orgs/{{org}}/{path}", response={200: list[out], 404: Error}, operation_id=f"{name}_list"
    )
    @paginate(Pagination)
    def item_list(request: HttpRequest, org: str, q: str = "", group: str = "") -> Any:
        a = actor(request, org)
        return selectors.library_list(actor=a, model=model, q=q, group=group)

    @router.post(
        f"/orgs/{{org}}/{path}",
        response={201: out, 403: Error, 404: Error, 422: Error},
        operation_id=f"{name}_create",
    )
    def item_create(request: HttpRequest, org: str, payload: LibraryIn) -> Any:
        a = actor(request, org)
        item = services.library_item_save(actor=a, model=model, item=None, **payload.changes())
        return Status(201, selectors.library_get(actor=a, model=model, item_id=item.pk))

    @router.get(
        f"/orgs/{{org}}/{path}/{{item_id}}",
        response={200: out, 404: Error},
        operation_id=f"{name}_get",
    )
    def item_get(request: HttpRequest, org: str, item_id: PathId) -> Any:
        return selectors.library_get(actor=actor(request, org), model=model, item_id=item_id)

    @router.patch(
        f"/orgs/{{org}}/{path}/{{item_id}}",
        response={200: out, 403: Error, 404: Error, 422: Error},
        operation_id=f"{name}_update",
    )
    def item_update(request: HttpRequest, org: str, item_id: PathId, payload: LibraryIn) -> Any:
        a = actor(request, org)
        item = selectors.library_get(actor=a, model=model, item_id=item_id)
        services.library_item_save(actor=a, model=model, item=item, **payload.changes())
        return selectors.library_get(actor=a, model=model, item_id=item_id)

    @router.delete(
        f"/orgs/{{org}}/{path}/{{item_id}}",
        response={204: None, 403: Error, 404: Error},
        operation_id=f"{name}_delete",
    )
    def item_delete(request: HttpRequest, org: str, item_id: PathId) -> Any:
        a = actor(request, org)
        services.library_item_delete(
            actor=a, item=selectors.library_get(actor=a, model=model, item_id=item_id)
        )
        return Status(204, None)


_library_routes("threats", Threat, ThreatOut)
_library_routes("vulnerabilities", Vulnerability, LibraryOut)


# --- risks -----------------------------------------------------------------------------------
