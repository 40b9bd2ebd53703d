"""Acceptance requests: the owner asks, an acceptor approves or rejects (shared workflow)."""

from typing import Any

from django.http import HttpRequest
from ninja import Status
from ninja.pagination import paginate

from openisms.core.api import Error, Pagination, PathId
from openisms.orgs.access import request_actor as actor
from openisms.risks import selectors, services
from openisms.risks.api._router import router
from openisms.risks.api.schemas import AcceptanceDecisionIn, AcceptanceRequestOut, AcceptIn


@router.get(
    "/orgs/{org}/risks/{risk_id}/acceptance-requests",
    response={200: list[AcceptanceRequestOut], 404: Error},
)
@paginate(Pagination)
def request_list(request: HttpRequest, org: str, risk_id: PathId) -> Any:
    """The risk's acceptance requests, newest first."""
    a = actor(request, org)
    risk = selectors.risk_get(actor=a, risk_id=risk_id)
    return selectors.acceptance_requests(actor=a, risk=risk)


@router.post(
    "/orgs/{org}/risks/{risk_id}/acceptance-requests",
    response={201: AcceptanceRequestOut, 403: Error, 404: Error, 422: Error},
)
def request_create(request: HttpRequest, org: str, risk_id: PathId, payload: AcceptIn) -> Any:
    """Ask management to accept the risk (its owner or an editor)."""
    a = actor(request, org)
    risk = selectors.risk_get(actor=a, risk_id=risk_id)
    made = services.risk_acceptance_request(actor=a, risk=risk, **payload.dict())
    return Status(201, selectors.acceptance_request_get(actor=a, request_id=made.pk))


@router.post(
    "/orgs/{org}/acceptance-requests/{request_id}/approve",
    response={200: AcceptanceRequestOut, 403: Error, 404: Error, 422: Error},
)
def request_approve(
    request: HttpRequest, org: str, request_id: PathId, payload: AcceptanceDecisionIn
) -> Any:
    """Accept the risk as requested (the method's acceptors; not the submitter while
    separation of duties is on, never the risk's owner)."""
    a = actor(request, org)
    pending = selectors.acceptance_request_get(actor=a, request_id=request_id)
    services.risk_acceptance_approve(actor=a, request=pending, comment=payload.comment)
    return selectors.acceptance_request_get(actor=a, request_id=request_id)


@router.post(
    "/orgs/{org}/acceptance-requests/{request_id}/reject",
    response={200: AcceptanceRequestOut, 403: Error, 404: Error, 422: Error},
)
def request_reject(
    request: HttpRequest, org: str, request_id: PathId, payload: AcceptanceDecisionIn
) -> Any:
    """Send the request back; the comment is required."""
    a = actor(request, org)
    pending = selectors.acceptance_request_get(actor=a, request_id=request_id)
    services.risk_acceptance_reject(actor=a, request=pending, comment=payload.comment)
    return selectors.acceptance_request_get(actor=a, request_id=request_id)
