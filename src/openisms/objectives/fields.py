"""What objective and measurement writes may set, declared once."""

from __future__ import annotations

import datetime as dt
from typing import TypedDict

from openisms.accounts.models import User
from openisms.orgs.access import EditRule


class ObjectiveChanges(TypedDict, total=False):
    title: str
    description: str
    owner: str | User | None  # a member's e-mail
    measure: str
    unit: str
    direction: str
    baseline: float | None
    target: float
    due_on: dt.date | None
    frequency: str
    controls: list[str]  # refs of the register's controls ("AC-01")
    status: str


class MeasurementFields(TypedDict, total=False):
    measured_on: dt.date
    value: float
    note: str


OBJECTIVE_FIELDS = tuple(ObjectiveChanges.__annotations__)

# The owner records measurements (and may say an objective is achieved or missed); what the
# objective is and its target stay the editors' call.
OBJECTIVE_RULE = EditRule(noun="objective", assignee_fields=frozenset({"status"}))
