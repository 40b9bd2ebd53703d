"""What a document write may set, declared once for the services, the API and the forms."""

from __future__ import annotations

import datetime as dt
from typing import TypedDict

from openisms.accounts.models import User
from openisms.orgs.access import EditRule


class DocumentChanges(TypedDict, total=False):
    title: str
    kind: str
    owner: str | User | None  # a member's e-mail (or the member)
    classification: str
    review_interval_months: int
    next_review_on: dt.date | None
    audience_roles: list[str]  # empty: published to every member
    draft_text: str
    controls: list[str]  # refs of the organisation's controls ("AC-01")
    requirements: list[str]  # ISO/IEC 27001 clause or Annex A refs ("5.1", "A.5.1")


DOCUMENT_FIELDS = tuple(DocumentChanges.__annotations__)

# The owner writes the text and submits it; what the document is, who owns it and who reads it
# is the editors' call.
DOCUMENT_RULE = EditRule(
    noun="document",
    assignee_fields=frozenset({"draft_text"}),
    assignee_attr="owner_id",
    role="owner",
    mine="you own",
    derived=frozenset({"draft_sha256"}),
)
