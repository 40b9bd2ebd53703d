"""What context writes may set, declared once for the services, the API and the forms."""

from __future__ import annotations

from typing import TypedDict

from openisms.accounts.models import User
from openisms.orgs.access import EditRule


class ContextChanges(TypedDict, total=False):
    scope: str  # Organization.scope (owners and admins change it)
    boundaries: str
    interfaces: str
    exclusions: str


class IssueChanges(TypedDict, total=False):
    kind: str
    category: str
    title: str
    description: str
    effect: str
    owner: str | User | None  # a member's e-mail
    status: str


class PartyChanges(TypedDict, total=False):
    name: str
    kind: str
    needs: str
    status: str


class PartyRequirementChanges(TypedDict, total=False):
    party: int  # the interested party's id
    title: str
    kind: str
    reference: str
    description: str
    addressed: bool
    how: str
    status: str


CONTEXT_FIELDS = tuple(ContextChanges.__annotations__)
ISSUE_FIELDS = tuple(IssueChanges.__annotations__)
PARTY_FIELDS = tuple(PartyChanges.__annotations__)
REQUIREMENT_FIELDS = tuple(PartyRequirementChanges.__annotations__)

# An issue's owner keeps its description and effect current; what it is stays the editors' call.
ISSUE_RULE = EditRule(
    noun="issue",
    assignee_fields=frozenset({"description", "effect"}),
    derived=frozenset({"retired_at"}),
)
