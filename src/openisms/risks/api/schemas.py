"""The risk module's API schemas: what goes in and what comes out."""

import datetime as dt
from typing import Annotated, Any

from ninja import Field, Schema

from openisms.core.api import DbId, Email, Ids, Shorts, Text, VersionIn
from openisms.core.changes import changes_of
from openisms.core.limits import MAX_SHORT
from openisms.risks.fields import (
    ActionChanges,
    LibraryItemChanges,
    RiskChanges,
    RiskMethodChanges,
)
from openisms.risks.models import Treatment, TreatmentAction

# Scale values, levels and thresholds are small numbers (a 5x5 method scores at most 25).
Small = Annotated[int, Field(ge=0, le=32_767)]
MAX_LEVELS = 10


class ScaleLevel(Schema):
    value: Small
    label: str = Field(..., max_length=MAX_SHORT)
    description: Text = ""


class Band(Schema):
    name: str = Field(..., max_length=40)
    min: Small
    max: Small
    colour: str = Field(..., max_length=40)


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
    name: str | None = Field(None, max_length=120)
    likelihood_scale: list[ScaleLevel] | None = Field(None, max_length=MAX_LEVELS)
    impact_scale: list[ScaleLevel] | None = Field(None, max_length=MAX_LEVELS)
    scoring: str | None = Field(None, max_length=10)
    bands: list[Band] | None = Field(None, max_length=MAX_LEVELS * MAX_LEVELS)
    acceptance_threshold: Small | None = None
    acceptors: Shorts | None = None
    notes: Text | None = None

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
    key: str | None = Field(None, max_length=80)
    group: str | None = Field(None, max_length=80)
    name: str | None = Field(None, max_length=200)
    description: Text | None = None
    asset_types: Shorts | None = None
    affects: Shorts | None = None
    suggested_controls: Shorts | None = None

    def changes(self) -> LibraryItemChanges:
        return changes_of(LibraryItemChanges, self.dict(exclude_unset=True))


class RangeIn(Schema):
    low: float
    mode: float
    high: float
    distribution: str = Field("pert", max_length=20)


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


class TreatmentActionOut(Schema):
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
    actions: list[TreatmentActionOut]

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
    title: str = Field(..., max_length=250)
    description: Text = ""
    assets: Ids = []
    threat: DbId | None = None
    vulnerability: DbId | None = None
    owner: Email | None = None
    inherent_likelihood: Small
    inherent_impact: Small
    existing_controls: Text = ""
    treatment: Treatment = Treatment.MODIFY
    planned_controls: Shorts = []
    controls: Shorts = []
    residual_likelihood: Small | None = None
    residual_impact: Small | None = None
    review_date: dt.date | None = None
    quant: QuantIn | None = None

    def changes(self) -> RiskChanges:
        return changes_of(RiskChanges, self.dict())


class RiskPatch(Schema):
    title: str | None = Field(None, max_length=250)
    description: Text | None = None
    assets: Ids | None = None
    threat: DbId | None = None
    vulnerability: DbId | None = None
    owner: Email | None = None
    inherent_likelihood: Small | None = None
    inherent_impact: Small | None = None
    existing_controls: Text | None = None
    treatment: Treatment | None = None
    planned_controls: Shorts | None = None
    controls: Shorts | None = None
    residual_likelihood: Small | None = None
    residual_impact: Small | None = None
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
    asset: DbId | None = None
    control: str | None = None
    acceptance: str | None = None
    sort: str = "ref"


class AcceptIn(Schema):
    rationale: Text
    expires_on: dt.date


class TreatmentActionIn(Schema):
    title: str | None = Field(None, max_length=250)
    owner: Email | None = None
    due_date: dt.date | None = None
    status: TreatmentAction.Status | None = None
    notes: Text | None = None

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
    name: str = Field(..., max_length=200)
    performed_on: dt.date
    notes: Text = ""


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


class AcceptanceDecisionIn(Schema):
    comment: Text = ""
