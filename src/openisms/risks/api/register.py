"""The register: risks, acceptances, treatment actions and assessments."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Status
from ninja.pagination import paginate

from openisms.core.api import Conflict, Error, Pagination, PathId
from openisms.orgs.access import request_actor as actor
from openisms.risks import selectors, services, simulation
from openisms.risks.api._router import router
from openisms.risks.api.schemas import (
    AcceptanceOut,
    AcceptIn,
    AssessmentIn,
    AssessmentOut,
    CompareRow,
    HeatmapOut,
    RiskDetail,
    RiskFilters,
    RiskIn,
    RiskOut,
    RiskPatch,
    TreatmentActionIn,
    TreatmentActionOut,
)


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
    method = selectors.method_in_use(actor=a)
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
    return simulation.run(actor=actor(request, org), trials=trials, seed=seed)


@router.get("/orgs/{org}/risks/{risk_id}", response={200: RiskDetail, 404: Error})
def risk_get(request: HttpRequest, org: str, risk_id: PathId) -> Any:
    return selectors.risk_get(actor=actor(request, org), risk_id=risk_id)


@router.patch(
    "/orgs/{org}/risks/{risk_id}",
    response={200: RiskDetail, 403: Error, 404: Error, 409: Conflict, 422: Error},
)
def risk_update(request: HttpRequest, org: str, risk_id: PathId, payload: RiskPatch) -> Any:
    a = actor(request, org)
    risk = selectors.risk_get(actor=a, risk_id=risk_id)
    services.risk_update(actor=a, risk=risk, version=payload.version, **payload.changes())
    return selectors.risk_get(actor=a, risk_id=risk_id)


@router.delete("/orgs/{org}/risks/{risk_id}", response={204: None, 403: Error, 404: Error})
def risk_delete(request: HttpRequest, org: str, risk_id: PathId) -> Any:
    a = actor(request, org)
    services.risk_delete(actor=a, risk=selectors.risk_get(actor=a, risk_id=risk_id))
    return Status(204, None)


@router.post(
    "/orgs/{org}/risks/{risk_id}/acceptances",
    response={201: AcceptanceOut, 403: Error, 404: Error, 422: Error},
)
def risk_accept(request: HttpRequest, org: str, risk_id: PathId, payload: AcceptIn) -> Any:
    a = actor(request, org)
    risk = selectors.risk_get(actor=a, risk_id=risk_id)
    return Status(201, services.risk_accept(actor=a, risk=risk, **payload.dict()))


@router.delete(
    "/orgs/{org}/risk-acceptances/{acceptance_id}",
    response={200: AcceptanceOut, 403: Error, 404: Error},
)
def acceptance_revoke(request: HttpRequest, org: str, acceptance_id: PathId) -> Any:
    a = actor(request, org)
    acceptance = selectors.acceptance_get(actor=a, acceptance_id=acceptance_id)
    return services.acceptance_revoke(actor=a, acceptance=acceptance)


@router.get("/orgs/{org}/treatment-actions", response={200: list[TreatmentActionOut], 404: Error})
@paginate(Pagination)
def action_list(
    request: HttpRequest, org: str, status: str | None = None, owner: str | None = None
) -> Any:
    return selectors.action_list(actor=actor(request, org), status=status, owner=owner)


@router.post(
    "/orgs/{org}/risks/{risk_id}/actions",
    response={201: TreatmentActionOut, 403: Error, 404: Error, 422: Error},
)
def action_create(
    request: HttpRequest, org: str, risk_id: PathId, payload: TreatmentActionIn
) -> Any:
    a = actor(request, org)
    risk = selectors.risk_get(actor=a, risk_id=risk_id)
    action = services.action_save(actor=a, risk=risk, **payload.changes())
    return Status(201, selectors.action_get(actor=a, action_id=action.pk))


@router.patch(
    "/orgs/{org}/treatment-actions/{action_id}",
    response={200: TreatmentActionOut, 403: Error, 404: Error, 422: Error},
)
def action_update(
    request: HttpRequest, org: str, action_id: PathId, payload: TreatmentActionIn
) -> Any:
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
def assessment_get(request: HttpRequest, org: str, assessment_id: PathId) -> Any:
    return selectors.assessment_get(actor=actor(request, org), assessment_id=assessment_id)


@router.post(
    "/orgs/{org}/risk-assessments/{assessment_id}/complete",
    response={200: AssessmentOut, 403: Error, 404: Error, 422: Error},
)
def assessment_complete(request: HttpRequest, org: str, assessment_id: PathId) -> Any:
    """Freeze every risk's current scores into this assessment."""
    a = actor(request, org)
    assessment = selectors.assessment_get(actor=a, assessment_id=assessment_id)
    services.assessment_complete(actor=a, assessment=assessment)
    return selectors.assessment_get(actor=a, assessment_id=assessment_id)
