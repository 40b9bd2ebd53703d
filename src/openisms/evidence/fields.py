"""What an evidence write may set, declared once for the services, the API and the forms."""

from __future__ import annotations

import datetime as dt
from typing import TypedDict

from openisms.accounts.models import User
from openisms.orgs.access import EditRule


class EvidenceDates(TypedDict, total=False):
    """The dates an item's owner keeps current (and that a new version may renew)."""

    collected_on: dt.date | None
    valid_until: dt.date | None
    validity_days: int | str | None  # sets valid_until from collected_on
    next_review_on: dt.date | None


class EvidenceChanges(EvidenceDates, total=False):
    title: str
    description: str
    url: str
    owner: str | User | None  # a member's e-mail (or the member)


DATE_FIELDS = tuple(EvidenceDates.__annotations__)
ITEM_FIELDS = tuple(EvidenceChanges.__annotations__)

# The owner keeps the evidence fresh; what it is and where it points is the editors' call.
EVIDENCE_RULE = EditRule(noun="evidence item", assignee_fields=frozenset(DATE_FIELDS))
