"""What each internal-audit write may set, declared once for the services, the API and the forms."""

from __future__ import annotations

import datetime as dt
from typing import TypedDict

from openisms.accounts.models import User
from openisms.orgs.access import EditRule, Perm


class ProgrammeChanges(TypedDict, total=False):
    title: str
    first_year: int
    last_year: int
    objectives: str
    criteria: str
    owner: str | User | None  # a member's e-mail


class AuditChanges(TypedDict, total=False):
    programme: int  # the programme's id
    title: str
    criteria: str
    planned_start: dt.date
    planned_end: dt.date
    actual_start: dt.date | None
    actual_end: dt.date | None
    status: str
    lead_auditor: str | User | None  # a member's e-mail
    auditors: list[str]  # members' e-mails
    scope: list[str]  # requirement refs: "9.2", "A.5.15" ("5.1" is the clause)


class ChecklistChanges(TypedDict, total=False):
    result: str
    notes: str
    evidence: list[int]  # evidence item ids of the organisation


class FindingChanges(TypedDict, total=False):
    type: str
    title: str
    description: str
    evidence_seen: str
    checklist_item: int | None  # a checklist item of the same audit
    requirement: str | None  # a requirement ref


PROGRAMME_FIELDS = tuple(ProgrammeChanges.__annotations__)
AUDIT_FIELDS = tuple(AuditChanges.__annotations__)
CHECKLIST_FIELDS = tuple(ChecklistChanges.__annotations__)
FINDING_FIELDS = tuple(FindingChanges.__annotations__)

# An auditor (Perm.WRITE_FINDINGS) changes every field of the findings they wrote, and nothing
# of anyone else's; editors change any finding.
FINDING_RULE = EditRule(
    noun="finding",
    assignee_fields=frozenset(FINDING_FIELDS),
    perm=Perm.WRITE_FINDINGS,
    assignee_attr="author_id",
    role="author",
    mine="you wrote",
)
