"""What nonconformity and corrective-action writes may set, declared once for the services,
the API and the forms."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TypedDict

from openisms.accounts.models import User
from openisms.orgs.access import EditRule
from openisms.orgs.actions import ACTION_FIELDS, ActionChanges  # noqa: F401 - named here too


class NonconformityChanges(TypedDict, total=False):
    title: str
    description: str
    source: str
    source_ref: str
    severity: str
    raised_on: dt.date
    owner: str | User | None  # a member's e-mail (or the member)
    requirements: Sequence[str]  # refs such as "A.5.15" or "9.2"
    correction: str
    correction_on: dt.date | None
    root_cause: str
    root_cause_method: str


NONCONFORMITY_FIELDS = tuple(NonconformityChanges.__annotations__)

# The owner analyses and contains it; what it is and how bad is the editors' call.
NONCONFORMITY_RULE = EditRule(
    noun="nonconformity",
    assignee_fields=frozenset({"correction", "correction_on", "root_cause", "root_cause_method"}),
)


# The owner reports progress; what the action is, who does it and by when, the editors decide.
ACTION_RULE = EditRule(
    noun="corrective action",
    assignee_fields=frozenset({"status", "notes"}),
    derived=frozenset({"completed_on"}),
)
