from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from openisms.core.api import Error, Pagination, PathId
from openisms.core.changes import changes_of
from openisms.nonconformities import selectors, services
from openisms.nonconformities.fields import NonconformityChanges
from openisms.nonconformities.models import (
    Effectiveness,
    NcSource,
    RootCauseMethod,
    Severity,
)
from openisms.orgs.access import request_actor as actor
from openisms.orgs.actions import ActionIn, ActionPatch

router = Router(tags=["nonconformities"])


def _email(user: Any) -> str | None:
    return user.email if user is not None else None


class CorrectiveActionOut(Schema):
    id: int
    nonconformity: str
    title: str
    owner: str | None
    due_on: date | None
    status: str
    completed_on: date | None
    notes: str

    @staticmethod
    def resolve_nonconformity(obj: Any) -> str:
        return str(obj.nonconformity.ref)

    @staticmethod
    def resolve_owner(obj: Any) -> str | None:
        return _email(obj.owner)


class NonconformityOut(Schema):
    id: int
    ref: str
    title: str
    description: str
    source: str
    source_ref: str
    severity: str
    status: str
    raised_on: date
    raised_by: str | None
    owner: str | None
    correction: str
    correction_on: date | None
    root_cause: str
    root_cause_method: str
    effectiveness: str
    effectiveness_checked_by: str | None
    effectiveness_checked_on: date | None
    effectiveness_notes: str
    closed_on: date | None
    closed_by: str | None
    action_count: int
    open_action_count: int
    overdue_action_count: int
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_raised_by(obj: Any) -> str | None:
        return _email(obj.raised_by)

    @staticmethod
    def resolve_owner(obj: Any) -> str | None:
        return _email(obj.owner)

    @staticmethod
    def resolve_effectiveness_checked_by(obj: Any) -> str | None:
        return _email(obj.effectiveness_checked_by)

    @staticmethod
    def resolve_closed_by(obj: Any) -> str | None:
        return _email(obj.closed_by)


class NonconformityDetailOut(NonconformityOut):
    requirements: list[str]
    actions: list[CorrectiveActionOut]

    @staticmethod
    def resolve_requirements(obj: Any) -> list[str]:
        return [r.ref for r in obj.requirements.all()]

    @staticmethod
    def resolve_actions(obj: Any) -> list[Any]:
        return list(obj.actions.all())


class NonconformityFilters(Schema):
    status: str | None = None
    severity: str | None = None
    source: str | None = None
    owner: str | None = None
    q: str = ""


class NonconformityIn(Schema):
    title: str
    description: str = ""
    source: NcSource = NcSource.OTHER
    source_ref: str = ""
    severity: Severity = Severity.MINOR
    owner: str | None = None
    requirements: list[str] = []
    raised_on: date | None = None
    correction: str = ""
    correction_on: date | None = None


class NonconformityPatch(Schema):
    title: str | None = None
    description: str | None = None
    source: NcSource | None = None
    source_ref: str | None = None
    severity: Severity | None = None
    raised_on: date | None = None
    owner: str | None = None
    requirements: list[str] | None = None
    correction: str | None = None
    correction_on: date | None = None
    root_cause: str | None = None
    root_cause_method: RootCauseMethod | None = None

    def changes(self) -> NonconformityChanges:
        return changes_of(NonconformityChanges, self.dict(exclude_unset=True))


class CheckIn(Schema):
    result: Effectiveness
    notes: str = ""
    checked_on: date | None = None


class CloseIn(Schema):
    closed_on: date | None = None


NC = "/orgs/{org}/nonconformities"


@router.get(NC, response={200: list[NonconformityOut], 404: Error})
@paginate(Pagination)
def nonconformity_list(request: HttpRequest, org: str, filters: Query[NonconformityFilters]) -> Any:
    """Newest first. ``status``: a status or 'active' (not closed); ``owner``: e-mail or 'me'."""
    return selectors.nonconformity_list(actor=actor(request, org), **filters.dict())


@router.post(NC, response={201: NonconformityDetailOut, 403: Error, 404: Error, 422: Error})
def nonconformity_create(request: HttpRequest, org: str, payload: NonconformityIn) -> Any:
    """Editors and auditors raise nonconformities; the service assigns the ref (NC-001)."""
    a = actor(request, org)
    nc = services.nonconformity_create(actor=a, **payload.dict())
    return Status(201, selectors.nonconformity_get(actor=a, nc_id=nc.pk))


@router.get(NC + "/{nc_id}", response={200: NonconformityDetailOut, 404: Error})
def nonconformity_get(request: HttpRequest, org: str, nc_id: PathId) -> Any:
    return selectors.nonconformity_get(actor=actor(request, org), nc_id=nc_id)


@router.patch(
    NC + "/{nc_id}", response={200: NonconformityDetailOut, 403: Error, 404: Error, 422: Error}
)
def nonconformity_update(
    request: HttpRequest, org: str, nc_id: PathId, payload: NonconformityPatch
) -> Any:
    """The owner (contributor role) may change the correction and the root cause only."""
    a = actor(request, org)
    nc = selectors.nonconformity_get(actor=a, nc_id=nc_id)
    services.nonconformity_update(actor=a, nc=nc, **payload.changes())
    return selectors.nonconformity_get(actor=a, nc_id=nc_id)


@router.delete(NC + "/{nc_id}", response={204: None, 403: Error, 404: Error})
def nonconformity_delete(request: HttpRequest, org: str, nc_id: PathId) -> Any:
    a = actor(request, org)
    services.nonconformity_delete(actor=a, nc=selectors.nonconformity_get(actor=a, nc_id=nc_id))
    return Status(204, None)


@router.post(
    NC + "/{nc_id}/verify",
    response={200: NonconformityDetailOut, 403: Error, 404: Error, 422: Error},
)
def nonconformity_verify(request: HttpRequest, org: str, nc_id: PathId) -> Any:
    """Start verifying effectiveness: needs a root cause and every action done or cancelled."""
    a = actor(request, org)
    nc = selectors.nonconformity_get(actor=a, nc_id=nc_id)
    services.nonconformity_start_verification(actor=a, nc=nc)
    return selectors.nonconformity_get(actor=a, nc_id=nc_id)


@router.post(
    NC + "/{nc_id}/effectiveness",
    response={200: NonconformityDetailOut, 403: Error, 404: Error, 422: Error},
)
def nonconformity_check(request: HttpRequest, org: str, nc_id: PathId, payload: CheckIn) -> Any:
    """Record the effectiveness check; "not_effective" (with notes) reopens planning."""
    a = actor(request, org)
    nc = selectors.nonconformity_get(actor=a, nc_id=nc_id)
    services.nonconformity_check(actor=a, nc=nc, **payload.dict())
    return selectors.nonconformity_get(actor=a, nc_id=nc_id)


@router.post(
    NC + "/{nc_id}/close",
    response={200: NonconformityDetailOut, 403: Error, 404: Error, 422: Error},
)
def nonconformity_close(request: HttpRequest, org: str, nc_id: PathId, payload: CloseIn) -> Any:
    """Close: needs a root cause, no open action and an effective check."""
    a = actor(request, org)
    nc = selectors.nonconformity_get(actor=a, nc_id=nc_id)
    services.nonconformity_close(actor=a, nc=nc, closed_on=payload.closed_on)
    return selectors.nonconformity_get(actor=a, nc_id=nc_id)


@router.get(NC + "/{nc_id}/actions", response={200: list[CorrectiveActionOut], 404: Error})
@paginate(Pagination)
def action_list(request: HttpRequest, org: str, nc_id: PathId) -> Any:
    a = actor(request, org)
    return selectors.action_list(actor=a, nc=selectors.nonconformity_get(actor=a, nc_id=nc_id))


@router.post(
    NC + "/{nc_id}/actions", response={201: CorrectiveActionOut, 403: Error, 404: Error, 422: Error}
)
def action_create(request: HttpRequest, org: str, nc_id: PathId, payload: ActionIn) -> Any:
    a = actor(request, org)
    nc = selectors.nonconformity_get(actor=a, nc_id=nc_id)
    action = services.action_create(actor=a, nc=nc, **payload.changes())
    return Status(201, selectors.action_get(actor=a, action_id=action.pk))


CA = "/orgs/{org}/corrective-actions"


@router.get(CA, response={200: list[CorrectiveActionOut], 404: Error})
@paginate(Pagination)
def action_all(
    request: HttpRequest,
    org: str,
    status: str | None = None,
    owner: str | None = None,
    overdue: bool | None = None,
) -> Any:
    """Every corrective action, by due date. ``status``: a status or 'active'."""
    return selectors.action_list(
        actor=actor(request, org), status=status, owner=owner, overdue=overdue
    )


@router.patch(
    CA + "/{action_id}", response={200: CorrectiveActionOut, 403: Error, 404: Error, 422: Error}
)
def action_update(request: HttpRequest, org: str, action_id: PathId, payload: ActionPatch) -> Any:
    """The action's owner (contributor role) may change ``status`` and ``notes``."""
    a = actor(request, org)
    action = selectors.action_get(actor=a, action_id=action_id)
    services.action_update(actor=a, action=action, **payload.changes())
    return selectors.action_get(actor=a, action_id=action_id)


@router.delete(CA + "/{action_id}", response={204: None, 403: Error, 404: Error, 422: Error})
def action_delete(request: HttpRequest, org: str, action_id: PathId) -> Any:
    a = actor(request, org)
    services.action_delete(actor=a, action=selectors.action_get(actor=a, action_id=action_id))
    return Status(204, None)
