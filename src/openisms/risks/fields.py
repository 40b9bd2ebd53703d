"""What risk writes may set, declared once for the services, the API, the forms and the exports.

``RISK_FIELDS`` is the one list of a risk's editable fields; the register exports and imports
should take their editable columns from it rather than keeping a copy.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypedDict

from openisms.accounts.models import User
from openisms.orgs.access import EditRule


class RiskChanges(TypedDict, total=False):
    title: str
    description: str
    assets: list[int] | list[str]  # asset ids
    threat: int | str | None  # a library threat id
    vulnerability: int | str | None
    owner: str | User | None  # a member's e-mail (or the member)
    inherent_likelihood: int
    inherent_impact: int
    existing_controls: str
    treatment: str
    planned_controls: list[str]  # Annex A refs ("A.8.13" or "8.13")
    controls: list[str]  # controls of the organisation's register, by ref ("BK-01")
    residual_likelihood: int | None
    residual_impact: int | None
    review_date: dt.date | None
    quant: dict[str, Any] | None  # see validate_quant


class RiskMethodChanges(TypedDict, total=False):
    name: str
    likelihood_scale: list[Any]
    impact_scale: list[Any]
    scoring: str
    bands: list[Any]
    acceptance_threshold: int
    acceptors: list[str]
    notes: str


class LibraryItemChanges(TypedDict, total=False):
    key: str
    group: str
    name: str
    description: str
    asset_types: list[str]
    affects: list[str]  # threats only: confidentiality, integrity, availability
    suggested_controls: list[str]  # Annex A refs


class ActionChanges(TypedDict, total=False):
    title: str
    owner: str | User | None
    due_date: dt.date | None
    status: str
    notes: str


RISK_FIELDS = tuple(RiskChanges.__annotations__)
METHOD_FIELDS = tuple(RiskMethodChanges.__annotations__)
LIBRARY_FIELDS = tuple(LibraryItemChanges.__annotations__)
ACTION_FIELDS = tuple(ActionChanges.__annotations__)
RANGE_KEYS = ("frequency", "magnitude", "residual_frequency", "residual_magnitude")

# A risk's owner keeps its treatment current; what the risk is, how bad it is before
# treatment and who owns it is the editors' call. Residual scores follow the residual levels.
RISK_RULE = EditRule(
    noun="risk",
    assignee_fields=frozenset(
        {
            "existing_controls",
            "treatment",
            "planned_controls",
            "controls",
            "residual_likelihood",
            "residual_impact",
            "review_date",
        }
    ),
    derived=frozenset({"residual_score", "residual_level"}),
)
# Whoever owns a treatment action runs it, so every field of the action is theirs.
ACTION_RULE = EditRule(noun="treatment action", assignee_fields=frozenset(ACTION_FIELDS))
