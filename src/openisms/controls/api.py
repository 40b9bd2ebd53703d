from datetime import date, datetime
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from openisms.controls import selectors, services
from openisms.controls.fields import ControlBulkChanges, ControlChanges
from openisms.controls.models import ControlStatus
from openisms.controls.services import MAX_REQUIREMENTS
from openisms.core.api import Conflict, Error, Pagination, PathId, VersionIn
from openisms.core.changes import changes_of
from openisms.orgs.access import request_actor as actor

router = Router(tags=["controls"])
MAX_BULK = 1000
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


class ControlRequirementOut(Schema):
    framework: str
    ref: str
    title: str

    @staticmethod
    def resolve_framework(obj: Any) -> str:
        return str(obj.framework.slug)


class ControlOut(Schema):
    id: int
    version: int
    ref: str
    name: str
    description: str
    status: str
    owner: str | None
    target_date: date | None
    implementation: str
    requirements: list[ControlRequirementOut]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_owner(obj: Any) -> str | None:
        return obj.owner.email if obj.owner_id else None

    @staticmethod
    def resolve_requirements(obj: Any) -> list[Any]:
        return list(obj.requirements.all())


class ControlFilters(Schema):
    status: ControlStatus | None = None
    owner: str | None = None
    framework: str | None = None
    q: str = ""
    unlinked: bool = False


class ControlIn(Schema):
    ref: str
    name: str
    description: str = ""
    owner: str | None = None
    status: ControlStatus = ControlStatus.NOT_STARTED
    target_date: date | None = None
    implementation: str = ""
    requirements: list[str] = Field(default=[], max_length=MAX_REQUIREMENTS)

    def changes(self) -> ControlChanges:
        return changes_of(ControlChanges, self.dict(exclude={"requirements"}))


class ControlPatch(Schema):
    ref: str | None = None
    name: str | None = None
    description: str | None = None
    owner: str | None = None
    status: ControlStatus | None = None
    target_date: date | None = None
    implementation: str | None = None
    requirements: list[str] | None = Field(default=None, max_length=MAX_REQUIREMENTS)
    version: VersionIn = None

    def changes(self) -> ControlChanges:
        return changes_of(
            ControlChanges, self.dict(exclude_unset=True, exclude={"requirements", "version"})
        )


class ControlBulkIn(Schema):
    ids: list[Id] = Field(max_length=MAX_BULK)
    status: ControlStatus | None = None
    owner: str | None = None
    target_date: date | None = None

    def changes(self) -> ControlBulkChanges:
        """Only the fields sent: ``owner: null`` clears the owner, a missing owner keeps it."""
        return changes_of(ControlBulkChanges, self.dict(exclude_unset=True, exclude={"ids"}))


class ControlBulkOut(Schema):
    selected: int
    changed: int


@router.get("/orgs/{org}/controls", response={200: list[ControlOut], 404: Error})
@paginate(Pagination)
def control_list(request: HttpRequest, org: str, filters: Query[ControlFilters]) -> Any:
    """The control register in reference order. ``owner``: an e-mail or 'none'; ``framework``:
    a framework slug (controls meeting one of its requirements); ``unlinked``: only controls
    that meet no requirement; ``q`` searches reference, name, description and implementation."""
    return selectors.control_list(actor=actor(request, org), **filters.dict())


@router.post("/orgs/{org}/controls", response={201: ControlOut, 403: Error, 404: Error, 422: Error})
def control_create(request: HttpRequest, org: str, payload: ControlIn) -> Any:
    """``requirements`` names what the control helps to meet, of any framework, as
    ``framework:ref`` (``iso27001-2022:A.8.13``, ``nist-csf-2.0:PR.DS-11``). The SoA rows and
    the coverage of those requirements follow the control."""
    a = actor(request, org)
    control = services.control_create(
        actor=a, requirements=payload.requirements, **payload.changes()
    )
    return Status(201, selectors.control_get(actor=a, control_id=control.pk))


@router.post(
    "/orgs/{org}/controls/bulk",
    response={200: ControlBulkOut, 403: Error, 404: Error, 422: Error},
)
def control_bulk(request: HttpRequest, org: str, payload: ControlBulkIn) -> Any:
    """Set the status, owner (``null``: nobody) or target date of the controls ``ids``; fields
    left out are kept. Ids of other organisations are not found and not counted."""
    a = actor(request, org)
    controls = selectors.controls_by_ids(actor=a, ids=payload.ids)
    changed = services.control_bulk_update(actor=a, controls=controls, **payload.changes())
    return {"selected": len(controls), "changed": changed}


@router.get("/orgs/{org}/controls/{control_id}", response={200: ControlOut, 404: Error})
def control_get(request: HttpRequest, org: str, control_id: PathId) -> Any:
    return selectors.control_get(actor=actor(request, org), control_id=control_id)


@router.patch(
    "/orgs/{org}/controls/{control_id}",
    response={200: ControlOut, 403: Error, 404: Error, 409: Conflict, 422: Error},
)
def control_update(
    request: HttpRequest, org: str, control_id: PathId, payload: ControlPatch
) -> Any:
    """``requirements``, when sent, replaces the control's requirements. The control's owner
    with the contributor role may change only ``status`` and ``implementation``."""
    a = actor(request, org)
    control = selectors.control_get(actor=a, control_id=control_id)
    services.control_update(
        actor=a,
        control=control,
        requirements=payload.requirements,
        version=payload.version,
        **payload.changes(),
    )
    return selectors.control_get(actor=a, control_id=control_id)


@router.delete("/orgs/{org}/controls/{control_id}", response={204: None, 403: Error, 404: Error})
def control_delete(request: HttpRequest, org: str, control_id: PathId) -> Any:
    """Its evidence links go with it; its tasks stay, on no control."""
    a = actor(request, org)
    services.control_delete(actor=a, control=selectors.control_get(actor=a, control_id=control_id))
    return Status(204, None)


class ParameterOut(Schema):
    id: str
    label: str
    catalog: str  # what the catalogue (or the baseline) says: a value, choice or assignment
    value: str | None  # the organisation's value, if set


class ParametersOut(Schema):
    framework: str
    ref: str
    parameters: list[ParameterOut]


class ParametersIn(Schema):
    values: dict[Annotated[str, Field(max_length=100)], Annotated[str, Field(max_length=2000)]]


@router.get(
    "/orgs/{org}/frameworks/{framework}/requirements/{ref}/parameters",
    response={200: ParametersOut, 404: Error},
)
def parameter_list(request: HttpRequest, org: str, framework: str, ref: str) -> Any:
    """A requirement's parameters with the organisation's values (SP 800-53's
    organisation-defined parameters)."""
    a = actor(request, org)
    requirement = selectors.requirement_for_parameters(actor=a, framework=framework, ref=ref)
    return _parameters(a, requirement)


@router.put(
    "/orgs/{org}/frameworks/{framework}/requirements/{ref}/parameters",
    response={200: ParametersOut, 403: Error, 404: Error, 422: Error},
)
def parameter_set(
    request: HttpRequest, org: str, framework: str, ref: str, payload: ParametersIn
) -> Any:
    """Set parameter values (an empty string removes the organisation's value)."""
    a = actor(request, org)
    requirement = selectors.requirement_for_parameters(actor=a, framework=framework, ref=ref)
    services.parameter_values_set(actor=a, requirement=requirement, values=payload.values)
    return _parameters(a, requirement)


def _parameters(a: Any, requirement: Any) -> dict[str, Any]:
    parameters = selectors.parameters_of(actor=a, requirement=requirement)
    return {
        "framework": requirement.framework.slug,
        "ref": requirement.ref,
        "parameters": parameters,
    }
