"""What a change to an SoA row may set, declared once for services, selectors, API and forms."""

from __future__ import annotations

import datetime as dt
from typing import TypedDict

from openisms.accounts.models import User
from openisms.orgs.access import EditRule


class SoaEntryChanges(TypedDict, total=False):
    applicable: bool
    legal_regulatory: bool
    contractual: bool
    business: bool
    justification: str
    status: str
    owner: str | User | None  # a member's e-mail (or the member)
    target_date: dt.date | None
    implementation: str


class SoaBulkChanges(TypedDict, total=False):
    status: str
    owner: str | User | None
    target_date: dt.date | None


ENTRY_FIELDS = tuple(SoaEntryChanges.__annotations__)
BULK_FIELDS = tuple(SoaBulkChanges.__annotations__)

# The owner of a row reports how it is implemented; scope and reasons are the editors' call.
SOA_ENTRY_RULE = EditRule(noun="SoA row", assignee_fields=frozenset({"status", "implementation"}))
