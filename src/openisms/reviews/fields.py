"""What management review writes may set, declared once for the services, API and forms."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TypedDict

from openisms.accounts.models import User
from openisms.orgs.access import EditRule
from openisms.orgs.actions import ACTION_FIELDS, ActionChanges


class ReviewChanges(TypedDict, total=False):
    title: str
    meeting_on: dt.date
    period_start: dt.date | None  # None: from the previous review's meeting
    chair: str | User | None
    attendees: Sequence[str]  # members' e-mails
    guests: str
    status: str
    interested_parties: str
    other_notes: str


REVIEW_FIELDS = tuple(ReviewChanges.__annotations__)


ReviewActionChanges = ActionChanges
REVIEW_ACTION_FIELDS = ACTION_FIELDS

# Like a corrective action: the owner reports progress, editors decide the rest.
REVIEW_ACTION_RULE = EditRule(
    noun="review action",
    assignee_fields=frozenset({"status", "notes"}),
    derived=frozenset({"completed_on"}),
)
