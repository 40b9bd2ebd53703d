"""What a control write may set, declared once for the services, the API and the forms."""

from __future__ import annotations

import datetime as dt
from typing import TypedDict

from openisms.accounts.models import User
from openisms.orgs.access import EditRule


class ControlChanges(TypedDict, total=False):
    ref: str
    name: str
    description: str
    owner: str | User | None  # a member's e-mail (or the member)
    status: str
    target_date: dt.date | None
    implementation: str


class ControlBulkChanges(TypedDict, total=False):
    status: str
    owner: str | User | None
    target_date: dt.date | None


CONTROL_FIELDS = tuple(ControlChanges.__annotations__)
BULK_FIELDS = tuple(ControlBulkChanges.__annotations__)

# The owner reports how the control is implemented; what it is and who owns it is the
# editors' call (the same rule as an SoA row's owner).
CONTROL_RULE = EditRule(noun="control", assignee_fields=frozenset({"status", "implementation"}))
