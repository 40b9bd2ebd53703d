from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from openisms.core.api import Error, Pagination, PathId
from openisms.core.changes import changes_of
from openisms.objectives import selectors, services
from openisms.objectives.fields import ObjectiveChanges
from openisms.objectives.models import Direction, Frequency, ObjectiveStatus
from openisms.orgs.access import request_actor as actor

router = Router(tags=["objectives"])
P = "/orgs/{org}/objectives"


class ObjectiveOut(Schema):
    id: int
    ref: str
    title: str
    description: str
    owner: str | None
    measure: str
    unit: str
    direction: str
    baseline: float | None
    target: float
    due_on: date | None
    frequency: str
    status: str
    controls: list[str]
    latest_value: float | None
    latest_on: date | None
    progress: float | None  # 0 to 1, from the baseline to the target
    standing: str  # on_track, off_track, no_data
    next_due: date
    measurement_overdue: bool

    @staticmethod
    def resolve_owner(obj: Any) -> str | None:
        return obj.owner.email if obj.owner_id else None

    @staticmethod
    def resolve_controls(obj: Any) -> list[str]:
        return [c.ref for c in obj.controls.all()]

    @staticmethod
    def resolve_latest_value(obj: Any) -> float | None:
        return selectors.standing_of(obj).latest

    @staticmethod
    def resolve_latest_on(obj: Any) -> date | None:
        return selectors.standing_of(obj).latest_on

    @staticmethod
    def resolve_progress(obj: Any) -> float | None:
        return selectors.standing_of(obj).progress

    @staticmethod
    def resolve_standing(obj: Any) -> str:
        return selectors.standing_of(obj).track

    @staticmethod
    def resolve_next_due(obj: Any) -> date:
        return selectors.standing_of(obj).next_due

    @staticmethod
    def resolve_measurement_overdue(obj: Any) -> bool:
        return selectors.standing_of(obj).overdue


class ObjectiveIn(Schema):
    title: str
    description: str = ""
    owner: str | None = None
    measure: str
    unit: str = ""
    direction: Direction = Direction.HIGHER
    baseline: float | None = None
    target: float
    due_on: date | None = None
    frequency: Frequency = Frequency.MONTHLY
    controls: list[str] = []
    status: ObjectiveStatus = ObjectiveStatus.ACTIVE

    def changes(self) -> ObjectiveChanges:
        return changes_of(ObjectiveChanges, self.dict())


class ObjectivePatch(Schema):
    title: str | None = None
    description: str | None = None
    owner: str | None = None
    measure: str | None = None
    unit: str | None = None
    direction: Direction | None = None
    baseline: float | None = None
    target: float | None = None
    due_on: date | None = None
    frequency: Frequency | None = None
    controls: list[str] | None = None
    status: ObjectiveStatus | None = None

    def changes(self) -> ObjectiveChanges:
        data = self.dict(exclude_unset=True)
        for name in ("title", "measure", "target", "direction", "frequency", "status"):
            if data.get(name, "") is None:
                data.pop(name)
        return changes_of(ObjectiveChanges, data)


class ObjectiveFilters(Schema):
    status: ObjectiveStatus | None = None
    owner: str | None = None
    q: str = ""


class MeasurementOut(Schema):
    id: int
    measured_on: date
    value: float
    note: str
    recorded_by: str | None
    created_at: datetime

    @staticmethod
    def resolve_recorded_by(obj: Any) -> str | None:
        return obj.recorded_by.email if obj.recorded_by_id else None


class MeasurementIn(Schema):
    measured_on: date
    value: float
    note: str = ""


@router.get(P, response={200: list[ObjectiveOut], 404: Error})
@paginate(Pagination)
def objective_list(request: HttpRequest, org: str, filters: Query[ObjectiveFilters]) -> Any:
    """Objectives with their computed standing. ``owner``: an e-mail or 'me'."""
    return selectors.objective_list(actor=actor(request, org), **filters.dict())


@router.post(P, response={201: ObjectiveOut, 403: Error, 404: Error, 422: Error})
def objective_create(request: HttpRequest, org: str, payload: ObjectiveIn) -> Any:
    """``controls``: refs of the register's controls ("AC-01"); ``owner``: a member's e-mail."""
    a = actor(request, org)
    objective = services.objective_create(actor=a, **payload.changes())
    return Status(201, selectors.objective_get(actor=a, objective_id=objective.pk))


@router.get(P + "/{objective_id}", response={200: ObjectiveOut, 404: Error})
def objective_get(request: HttpRequest, org: str, objective_id: PathId) -> Any:
    return selectors.objective_get(actor=actor(request, org), objective_id=objective_id)


@router.patch(
    P + "/{objective_id}", response={200: ObjectiveOut, 403: Error, 404: Error, 422: Error}
)
def objective_update(
    request: HttpRequest, org: str, objective_id: PathId, payload: ObjectivePatch
) -> Any:
    """The owner (contributor role) may change only ``status``."""
    a = actor(request, org)
    objective = selectors.objective_get(actor=a, objective_id=objective_id)
    services.objective_update(actor=a, objective=objective, **payload.changes())
    return selectors.objective_get(actor=a, objective_id=objective_id)


@router.delete(P + "/{objective_id}", response={204: None, 403: Error, 404: Error})
def objective_delete(request: HttpRequest, org: str, objective_id: PathId) -> Any:
    a = actor(request, org)
    objective = selectors.objective_get(actor=a, objective_id=objective_id)
    services.objective_delete(actor=a, objective=objective)
    return Status(204, None)


@router.get(P + "/{objective_id}/measurements", response={200: list[MeasurementOut], 404: Error})
@paginate(Pagination)
def measurement_list(request: HttpRequest, org: str, objective_id: PathId) -> Any:
    """Newest first."""
    a = actor(request, org)
    objective = selectors.objective_get(actor=a, objective_id=objective_id)
    return selectors.measurement_list(actor=a, objective=objective)


@router.post(
    P + "/{objective_id}/measurements",
    response={201: MeasurementOut, 403: Error, 404: Error, 422: Error},
)
def measurement_record(
    request: HttpRequest, org: str, objective_id: PathId, payload: MeasurementIn
) -> Any:
    """Editors and the objective's owner record measurements."""
    a = actor(request, org)
    objective = selectors.objective_get(actor=a, objective_id=objective_id)
    return Status(201, services.measurement_record(actor=a, objective=objective, **payload.dict()))


@router.delete(
    P + "/{objective_id}/measurements/{measurement_id}",
    response={204: None, 403: Error, 404: Error},
)
def measurement_delete(
    request: HttpRequest, org: str, objective_id: PathId, measurement_id: PathId
) -> Any:
    a = actor(request, org)
    objective = selectors.objective_get(actor=a, objective_id=objective_id)
    m = selectors.measurement_get(actor=a, objective=objective, measurement_id=measurement_id)
    services.measurement_delete(actor=a, measurement=m)
    return Status(204, None)
