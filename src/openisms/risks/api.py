import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from openisms.core.api import Error, Pagination, actor
from openisms.core.changes import changes_of
from openisms.risks import selectors, services
from openisms.risks.fields import (
    ActionChanges,
    LibraryItemChanges,
    RiskChanges,
    RiskMethodChanges,
)
from openisms.risks.models import Threat, Treatment, TreatmentAction, Vulnerability

router = Router(tags=["risks"])


class ScaleLevel(Schema):
    value: int
    label: str
    description: str = ""


class Band(Schema):
    name: str
    min: int
    max: int
    colour: str


class MethodOut(Schema):
    id: int
    name: str
    version: int
    is_current: bool
    likelihood_scale: list[ScaleLevel]
    impact_scale: list[ScaleLevel]
    scoring: str
    bands: list[Band]
    acceptance_threshold: int
    acceptors: list[str]
    notes: str
    risk_count: int = 0


class MethodIn(Schema):
    name: str | None = None
    likelihood_scale: list[ScaleLevel] | None = None
    impact_scale: list[ScaleLevel] | None = None
    scoring: str | None = None
    bands: list[Band] | None = None
    acceptance_threshold: int | None = None
    acceptors: list[str] | None = None
    notes: str | None = None

    def changes(self) -> RiskMethodChanges:
        return changes_of(RiskMethodChanges, self.dict(exclude_unset=True))


class LibraryOut(Schema):
    id: int
    key: str
    group: str
    name: str
    description: str
    asset_types: list[str]
    suggested_controls: list[str]

    @staticmethod
    def resolve_suggested_controls(obj: Any) -> list[str]:
        return [c.ref for c in obj.suggested_controls.all()]


class ThreatOut(LibraryOut):
    affects: list[str]


class LibraryIn(Schema):
    key: str | None = None
    group: str | None = None
    name: str | None = None
    description: str | None = None
    asset_types: list[str] | None = None
    affects: list[str] | None = None
    suggested_controls: list[str] | None = None

    def changes(self) -> LibraryItemChanges:
        return changes_of(LibraryItemChanges, self.dict(exclude_unset=True))


class RangeIn(Schema):
    low: float
    mode: float
    high: float
    distribution: str = "pert"


class QuantIn(Schema):
    frequency: RangeIn
    magnitude: RangeIn
    residual_frequency: RangeIn | None = None
    residual_magnitude: RangeIn | None = None
    treatment_cost: float = 0


class AcceptanceOut(Schema):
    id: int
    accepted_by: str | None
    rationale: str
    residual_score: int
    expires_on: dt.date
    revoked_at: dt.datetime | None
    created_at: dt.datetime

    @staticmethod
    def resolve_accepted_by(obj: Any) -> str | None:
        return obj.accepted_by.email if obj.accepted_by_id else None


class ActionOut(Schema):
    id: int
    risk: str
    title: str
    owner: str | None
    due_date: dt.date | None
    status: str
    notes: str

    @staticmethod
    def resolve_risk(obj: Any) -> str:
        return str(obj.risk.ref)

    @staticmethod
    def resolve_owner(obj: Any) -> str | None:
        return obj.owner.email if obj.owner_id else None


class RiskOut(Schema):
    id: int
    ref: str
    title: str
    description: str
    owner: str | None
    threat: int | None
    vulnerability: int | None
    method_version: int
    inherent_likelihood: int
    inherent_impact: int
    inherent_score: int
    inherent_level: str
    existing_controls: str
    treatment: str
    residual_likelihood: int | None
    residual_impact: int | None
    residual_score: int | None
    residual_level: str
    review_date: dt.date | None
    quant: dict[str, Any] | None
    updated_at: dt.datetime

    @staticmethod
    def resolve_owner(obj: Any) -> str | None:
        return obj.owner.email if obj.owner_id else None

    @staticmethod
    def resolve_threat(obj: Any) -> int | None:
        return int(obj.threat_id) if obj.threat_id else None

    @staticmethod
    def resolve_vulnerability(obj: Any) -> int | None:
        return int(obj.vulnerability_id) if obj.vulnerability_id else None

    @staticmethod
    def resolve_method_version(obj: Any) -> int:
        return int(obj.method.version)


class RiskDetail(RiskOut):
    assets: list[int]
    planned_controls: list[str]
    acceptances: list[AcceptanceOut]
    actions: list[ActionOut]

    @staticmethod
    def resolve_assets(obj: Any) -> list[int]:
        return [a.pk for a in obj.assets.all()]

    @staticmethod
    def resolve_planned_controls(obj: Any) -> list[str]:
        return [c.ref for c in obj.planned_controls.all()]


class RiskIn(Schema):
    title: str
    description: str = ""
    assets: list[int] = []
    threat: int | None = None
    vulnerability: int | None = None
    owner: str | None = None
    inherent_likelihood: int
    inherent_impact: int
    existing_controls: str = ""
    treatment: Treatment = Treatment.MODIFY
    planned_controls: list[str] = []
    residual_likelihood: int | None = None
    residual_impact: int | None = None
    review_date: dt.date | None = None
    quant: QuantIn | None = None

    def changes(self) -> RiskChanges:
        return changes_of(RiskChanges, self.dict())


class RiskPatch(Schema):
    title: str | None = None
    description: str | None = None
    assets: list[int] | None = None
    threat: int | None = None
    vulnerability: int | None = None
    owner: str | None = None
    inherent_likelihood: int | None = None
    inherent_impact: int | None = None
    existing_controls: str | None = None
    treatment: Treatment | None = None
    planned_controls: list[str] | None = None
    residual_likelihood: int | None = None
    residual_impact: int | None = None
    review_date: dt.date | None = None
    quant: QuantIn | None = None

    def changes(self) -> RiskChanges:
        return changes_of(RiskChanges, self.dict(exclude_unset=True))


class RiskFilters(Schema):
    q: str = ""
    level: str | None = None
    residual_level: str | None = None
    treatment: str | None = None
    owner: str | None = None
    asset: int | None = None
    control: str | None = None
    acceptance: str | None = None
    sort: str = "ref"


class AcceptIn(Schema):
    rationale: str
    expires_on: dt.date


class ActionIn(Schema):
    title: str | None = None
    owner: str | None = None
    due_date: dt.date | None = None
    status: TreatmentAction.Status | None = None
    notes: str | None = None

    def changes(self) -> ActionChanges:
        return changes_of(ActionChanges, self.dict(exclude_unset=True))


class AssessmentOut(Schema):
    id: int
    name: str
    performed_on: dt.date
    status: str
    notes: str
    completed_at: dt.datetime | None
    entry_count: int = 0


class AssessmentIn(Schema):
    name: str
    performed_on: dt.date
    notes: str = ""


class EntryOut(Schema):
    ref: str
    title: str
    inherent_score: int
    inherent_level: str
    residual_score: int | None
    residual_level: str
    treatment: str


class CompareRow(Schema):
    ref: str
    title: str
    change: str
    before: EntryOut | None
    after: EntryOut | None


class HeatmapOut(Schema):
    method_version: int
    which: str
    likelihood_levels: int
    impact_levels: int
    cells: list[list[int]]  # [likelihood][impact] counts, 1-based levels at index 0
    risks_on_other_versions: int


# --- methods ---------------------------------------------------------------------------------


@router.get("/orgs/{org}/risk-methods", response={200: list[MethodOut], 404: Error})
@paginate(Pagination)
def method_list(request: HttpRequest, org: str) -> Any:
    a = actor(request, org)
    services.risk_module_setup(actor=a)
    return selectors.method_list(actor=a)


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
def method_get(request: HttpRequest, org: str, method_id: int) -> Any:
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
        services.risk_module_setup(actor=a)
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
    def item_get(request: HttpRequest, org: str, item_id: int) -> Any:
        return selectors.library_get(actor=actor(request, org), model=model, item_id=item_id)

    @router.patch(
        f"/orgs/{{org}}/{path}/{{item_id}}",
        response={200: out, 403: Error, 404: Error, 422: Error},
        operation_id=f"{name}_update",
    )
    def item_update(request: HttpRequest, org: str, item_id: int, payload: LibraryIn) -> Any:
        a = actor(request, org)
        item = selectors.library_get(actor=a, model=model, item_id=item_id)
        services.library_item_save(actor=a, model=model, item=item, **payload.changes())
        return selectors.library_get(actor=a, model=model, item_id=item_id)

    @router.delete(
        f"/orgs/{{org}}/{path}/{{item_id}}",
        response={204: None, 403: Error, 404: Error},
        operation_id=f"{name}_delete",
    )
    def item_delete(request: HttpRequest, org: str, item_id: int) -> Any:
        a = actor(request, org)
        services.library_item_delete(
            actor=a, item=selectors.library_get(actor=a, model=model, item_id=item_id)
        )
        return Status(204, None)


_library_routes("threats", Threat, ThreatOut)
_library_routes("vulnerabilities", Vulnerability, LibraryOut)


# --- risks -----------------------------------------------------------------------------------


@router.get("/orgs/{org}/risks", response={200: list[RiskOut], 404: Error})
@paginate(Pagination)
def risk_list(request: HttpRequest, org: str, filters: Query[RiskFilters]) -> Any:
    return selectors.risk_list(actor=actor(request, org), **filters.dict())


@router.post("/orgs/{org}/risks", response={201: RiskDetail, 403: Error, 404: Error, 422: Error})
def risk_create(request: HttpRequest, org: str, payload: RiskIn) -> Any:
    a = actor(request, org)
    risk = services.risk_create(actor=a, **payload.changes())
    return Status(201, selectors.risk_get(actor=a, risk_id=risk.pk))


@router.get("/orgs/{org}/risks/heatmap", response={200: HeatmapOut, 404: Error})
def risk_heatmap(request: HttpRequest, org: str, which: str = "inherent") -> Any:
    """Counts per likelihood and impact for risks on the current method version."""
    a = actor(request, org)
    method = services.risk_module_setup(actor=a)
    heat = selectors.heatmap(
        actor=a, method=method, which="residual" if which == "residual" else "inherent"
    )
    n_l, n_i = len(method.likelihood_scale), len(method.impact_scale)
    return {
        "method_version": method.version,
        "which": heat.which,
        "likelihood_levels": n_l,
        "impact_levels": n_i,
        "cells": [
            [heat.cells.get((lik, imp), 0) for imp in range(1, n_i + 1)]
            for lik in range(1, n_l + 1)
        ],
        "risks_on_other_versions": heat.other_versions,
    }


@router.get("/orgs/{org}/risks/simulation", response={200: dict[str, Any], 404: Error, 422: Error})
def risk_simulation(request: HttpRequest, org: str, trials: int = 20_000, seed: int = 0) -> Any:
    """Monte Carlo annual loss of the quantified risks, before and after treatment (seeded)."""
    from openisms.risks import simulation

    return simulation.run(actor=actor(request, org), trials=trials, seed=seed)


@router.get("/orgs/{org}/risks/{risk_id}", response={200: RiskDetail, 404: Error})
def risk_get(request: HttpRequest, org: str, risk_id: int) -> Any:
    return selectors.risk_get(actor=actor(request, org), risk_id=risk_id)


@router.patch(
    "/orgs/{org}/risks/{risk_id}", response={200: RiskDetail, 403: Error, 404: Error, 422: Error}
)
def risk_update(request: HttpRequest, org: str, risk_id: int, payload: RiskPatch) -> Any:
    a = actor(request, org)
    risk = selectors.risk_get(actor=a, risk_id=risk_id)
    services.risk_update(actor=a, risk=risk, **payload.changes())
    return selectors.risk_get(actor=a, risk_id=risk_id)


@router.delete("/orgs/{org}/risks/{risk_id}", response={204: None, 403: Error, 404: Error})
def risk_delete(request: HttpRequest, org: str, risk_id: int) -> Any:
    a = actor(request, org)
    services.risk_delete(actor=a, risk=selectors.risk_get(actor=a, risk_id=risk_id))
    return Status(204, None)


@router.post(
    "/orgs/{org}/risks/{risk_id}/acceptances",
    response={201: AcceptanceOut, 403: Error, 404: Error, 422: Error},
)
def risk_accept(request: HttpRequest, org: str, risk_id: int, payload: AcceptIn) -> Any:
    a = actor(request, org)
    risk = selectors.risk_get(actor=a, risk_id=risk_id)
    return Status(201, services.risk_accept(actor=a, risk=risk, **payload.dict()))


@router.delete(
    "/orgs/{org}/risk-acceptances/{acceptance_id}",
    response={200: AcceptanceOut, 403: Error, 404: Error},
)
def acceptance_revoke(request: HttpRequest, org: str, acceptance_id: int) -> Any:
    a = actor(request, org)
    acceptance = selectors.acceptance_get(actor=a, acceptance_id=acceptance_id)
    return services.acceptance_revoke(actor=a, acceptance=acceptance)


@router.get("/orgs/{org}/treatment-actions", response={200: list[ActionOut], 404: Error})
@paginate(Pagination)
def action_list(
    request: HttpRequest, org: str, status: str | None = None, owner: str | None = None
) -> Any:
    return selectors.action_list(actor=actor(request, org), status=status, owner=owner)


@router.post(
    "/orgs/{org}/risks/{risk_id}/actions",
    response={201: ActionOut, 403: Error, 404: Error, 422: Error},
)
def action_create(request: HttpRequest, org: str, risk_id: int, payload: ActionIn) -> Any:
    a = actor(request, org)
    risk = selectors.risk_get(actor=a, risk_id=risk_id)
    action = services.action_save(actor=a, risk=risk, **payload.changes())
    return Status(201, selectors.action_get(actor=a, action_id=action.pk))


@router.patch(
    "/orgs/{org}/treatment-actions/{action_id}",
    response={200: ActionOut, 403: Error, 404: Error, 422: Error},
)
def action_update(request: HttpRequest, org: str, action_id: int, payload: ActionIn) -> Any:
    a = actor(request, org)
    action = selectors.action_get(actor=a, action_id=action_id)
    services.action_save(actor=a, risk=action.risk, action=action, **payload.changes())
    return selectors.action_get(actor=a, action_id=action_id)


# --- assessments -----------------------------------------------------------------------------


@router.get("/orgs/{org}/risk-assessments", response={200: list[AssessmentOut], 404: Error})
@paginate(Pagination)
def assessment_list(request: HttpRequest, org: str) -> Any:
    return selectors.assessment_list(actor=actor(request, org))


@router.post(
    "/orgs/{org}/risk-assessments",
    response={201: AssessmentOut, 403: Error, 404: Error, 422: Error},
)
def assessment_create(request: HttpRequest, org: str, payload: AssessmentIn) -> Any:
    a = actor(request, org)
    assessment = services.assessment_create(actor=a, **payload.dict())
    return Status(201, selectors.assessment_get(actor=a, assessment_id=assessment.pk))


@router.get("/orgs/{org}/risk-assessments/compare", response={200: list[CompareRow], 404: Error})
@paginate(Pagination)
def assessment_compare(request: HttpRequest, org: str, first: int, second: int) -> Any:
    """Risk by risk: how scores changed between two completed assessments."""
    a = actor(request, org)
    one = selectors.assessment_get(actor=a, assessment_id=first)
    two = selectors.assessment_get(actor=a, assessment_id=second)
    return [
        {"ref": c.ref, "title": c.title, "change": c.change, "before": c.before, "after": c.after}
        for c in selectors.assessment_compare(actor=a, first=one, second=two)
    ]


@router.get(
    "/orgs/{org}/risk-assessments/{assessment_id}", response={200: AssessmentOut, 404: Error}
)
def assessment_get(request: HttpRequest, org: str, assessment_id: int) -> Any:
    return selectors.assessment_get(actor=actor(request, org), assessment_id=assessment_id)


@router.post(
    "/orgs/{org}/risk-assessments/{assessment_id}/complete",
    response={200: AssessmentOut, 403: Error, 404: Error, 422: Error},
)
def assessment_complete(request: HttpRequest, org: str, assessment_id: int) -> Any:
    """Freeze every risk's current scores into this assessment."""
    a = actor(request, org)
    assessment = selectors.assessment_get(actor=a, assessment_id=assessment_id)
    services.assessment_complete(actor=a, assessment=assessment)
    return selectors.assessment_get(actor=a, assessment_id=assessment_id)
