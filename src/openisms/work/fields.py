"""What a task write may set, declared once for the services, the API and the forms."""

from __future__ import annotations

import datetime as dt
from typing import TypedDict

from openisms.accounts.models import User
from openisms.catalog.models import Requirement
from openisms.controls.models import Control
from openisms.orgs.access import EditRule
from openisms.risks.models import Risk


class TaskChanges(TypedDict, total=False):
    title: str
    description: str
    assignee: str | User | None  # a member's e-mail (or the member)
    due_on: dt.date | None
    status: str
    priority: str
    requirement: str | Requirement | None  # a ref such as "A.5.15" or "9.2"
    risk: str | int | Risk | None  # a ref such as "R-003", or an id
    control: str | Control | None  # a control of the register by ref, such as "AC-01"


TASK_FIELDS = tuple(TaskChanges.__annotations__)

# The assignee reports progress; what the task is and who does it is the editors' call.
TASK_RULE = EditRule(
    noun="task",
    assignee_fields=frozenset({"status"}),
    assignee_attr="assignee_id",
    role="assignee",
    mine="assigned to you",
    derived=frozenset({"completed_at"}),
)
