"""The risk module's API schemas: what goes in and what comes out."""

import datetime as dt
from typing import Any

from ninja import Schema

from openisms.core.api import VersionIn
from openisms.core.changes import changes_of
from openisms.risks.fields import (
    ActionChanges,
    LibraryItemChanges,
    RiskChanges,
    RiskMethodChanges,
)
from openisms.risks.models import Treatment, TreatmentAction


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
    version: int
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
    controls: list[str]
    acceptances: list[AcceptanceOut]
    actions: list[ActionOut]

    @staticmethod
    def resolve_assets(obj: Any) -> list[int]:
        return [a.pk for a in obj.assets.all()]

    @staticmethod
    def resolve_planned_controls(obj: Any) -> list[str]:
        return [c.ref for c in obj.planned_controls.all()]

    @staticmethod
    def resolve_controls(obj: Any) -> list[str]:
        return [c.ref for c in obj.controls.all()]


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
    controls: list[str] = []
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
    controls: list[str] | None = None
    residual_likelihood: int | None = None
    residual_impact: int | None = None
    review_date: dt.date | None = None
    quant: QuantIn | None = None
    version: VersionIn = None

    def changes(self) -> RiskChanges:
        return changes_of(RiskChanges, self.dict(exclude_unset=True, exclude={"version"}))


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


class AcceptanceRequestOut(Schema):
    id: int
    risk_id: int
    number: int
    state: str
    rationale: str
    expires_on: dt.date
    acceptance_id: int | None
    snapshot: dict[str, Any]
    submitted_by: str | None
    submitted_at: dt.datetime
    approved_by: str | None
    approved_at: dt.datetime | None
    rejected_by: str | None
    rejected_at: dt.datetime | None
    decision_comment: str

    @staticmethod
    def resolve_submitted_by(obj: Any) -> str | None:
        return obj.submitted_by.email if obj.submitted_by_id else None

    @staticmethod
    def resolve_approved_by(obj: Any) -> str | None:
        return obj.approved_by.email if obj.approved_by_id else None

    @staticmethod
    def resolve_rejected_by(obj: Any) -> str | None:
        return obj.rejected_by.email if obj.rejected_by_id else None


class DecisionIn(Schema):
    comment: str = ""
