"""One rule for partial edits: an owner or assignee changes only their fields, judged on what
a PATCH changes (not on what it sends), the same way for SoA rows, tasks, evidence and risks."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import models

from openisms.core import audit
from openisms.evidence import services as evidence_services
from openisms.orgs.access import Actor, EditRule, Perm, actor_for
from openisms.risks import services as risk_services
from openisms.soa import services as soa_services
from openisms.soa.models import SoaEntry
from openisms.work import services as work_services
from tests.conftest import World, token_client

CONTRIBUTOR = "contributor-a@example.com"


def _owner(world: World) -> Actor:
    return actor_for(world.owner_a, world.org_a.slug)


def _soa_rows(world: World) -> tuple[models.Model, models.Model]:
    actor = _owner(world)
    soa_services.soa_sync(actor=actor)
    rows = SoaEntry.objects.filter(org=world.org_a, requirement__ref__in=["A.5.15", "A.5.16"])
    mine, other = sorted(rows, key=lambda e: e.requirement.ref)
    soa_services.soa_entry_update(actor=actor, entry=mine, owner=CONTRIBUTOR)
    return mine, other


def _tasks(world: World) -> tuple[models.Model, models.Model]:
    actor = _owner(world)
    mine = work_services.task_create(actor=actor, title="Rotate keys", assignee=CONTRIBUTOR)
    other = work_services.task_create(actor=actor, title="Someone else's")
    return mine, other


def _evidence(world: World) -> tuple[models.Model, models.Model]:
    actor = _owner(world)
    mine = evidence_services.evidence_create_link(
        actor=actor, title="Backup log", url="https://logs.example.com/1", owner=CONTRIBUTOR
    )
    other = evidence_services.evidence_create_link(
        actor=actor, title="Other log", url="https://logs.example.com/2"
    )
    return mine, other


def _risks(world: World) -> tuple[models.Model, models.Model]:
    actor = _owner(world)
    fields: dict[str, Any] = {
        "description": "Backups encrypted by an attacker",
        "inherent_likelihood": 4,
        "inherent_impact": 4,
    }
    mine = risk_services.risk_create(actor=actor, title="Ransomware", owner=CONTRIBUTOR, **fields)
    other = risk_services.risk_create(actor=actor, title="Flood", **fields)
    return mine, other


@dataclass(frozen=True)
class Case:
    path: str
    rows: Callable[[World], tuple[models.Model, models.Model]]
    allowed: dict[str, Any]  # an assignee-editable change
    locked: str  # a field the assignee may not change ...
    locked_value: Any  # ... and a new value for it


CASES = {
    "soa": Case(
        "soa", _soa_rows, {"implementation": "SSO everywhere."}, "justification", "Mine now"
    ),
    "task": Case("tasks", _tasks, {"status": "in_progress"}, "title", "Renamed"),
    "evidence": Case("evidence", _evidence, {"next_review_on": "2027-01-01"}, "title", "Renamed"),
    "risk": Case("risks", _risks, {"existing_controls": "Offline backups"}, "title", "Renamed"),
}


def _stored(obj: models.Model) -> dict[str, Any]:
    return audit.snapshot(type(obj)._default_manager.get(pk=obj.pk))


@pytest.mark.parametrize("name", list(CASES))
def test_an_assignee_changes_only_their_fields(world: World, catalog: None, name: str) -> None:
    case = CASES[name]
    mine, other = case.rows(world)
    client = token_client(world.users_a["contributor"])

    def patch(obj: models.Model, body: dict[str, Any]) -> Any:
        url = f"/api/v1/orgs/{world.org_a.slug}/{case.path}/{obj.pk}"
        return client.patch(url, data=json.dumps(body), content_type="application/json")

    # An assignee-editable field: accepted.
    assert patch(mine, case.allowed).status_code == 200, name
    # A locked field sent with its current value beside an allowed change: nothing locked
    # changes, so it is accepted too (the rule judges changes, not the fields sent).
    current = _stored(mine)[case.locked]
    response = patch(mine, {case.locked: current} | case.allowed)
    assert response.status_code == 200, (name, response.content)
    # Changing a locked field: refused with a message that names it, and nothing is written.
    before = _stored(mine)
    response = patch(mine, case.allowed | {case.locked: case.locked_value})
    assert response.status_code == 403, name
    assert case.locked in response.json()["detail"]
    assert _stored(mine) == before
    # A row that is not theirs: refused, and nothing is written.
    before_other = _stored(other)
    assert patch(other, case.allowed).status_code == 403, name
    assert _stored(other) == before_other


# --- the same mechanism expresses the coming auditor rule ----------------------------------

FINDING_RULE = EditRule(
    noun="finding",
    assignee_fields=frozenset({"title", "description", "severity"}),
    perm=Perm.WRITE_FINDINGS,
    assignee_attr="author_id",
    role="author",
    mine="you wrote",
)


def test_an_auditor_edits_only_the_findings_they_wrote(world: World) -> None:
    auditor = actor_for(world.users_a["auditor"], world.org_a.slug)
    contributor = actor_for(world.users_a["contributor"], world.org_a.slug)
    manager = actor_for(world.users_a["manager"], world.org_a.slug)
    theirs = SimpleNamespace(author_id=world.users_a["auditor"].pk)
    someone_elses = SimpleNamespace(author_id=world.owner_a.pk)

    assert auditor.may_edit(FINDING_RULE, theirs)
    assert not auditor.may_edit(FINDING_RULE, someone_elses)
    auditor.require_change(FINDING_RULE, FINDING_RULE.assignee_of(theirs), ["severity"])
    with pytest.raises(PermissionDenied, match="status"):
        auditor.require_change(FINDING_RULE, FINDING_RULE.assignee_of(theirs), ["status"])
    with pytest.raises(PermissionDenied, match="you wrote"):
        auditor.require_change(FINDING_RULE, FINDING_RULE.assignee_of(someone_elses), ["title"])
    # Editing what is assigned to you is not writing findings: a contributor named as the
    # author still may not edit, and an editor may change any finding.
    with pytest.raises(PermissionDenied):
        contributor.require_edit(FINDING_RULE, world.users_a["contributor"].pk)
    manager.require_change(FINDING_RULE, FINDING_RULE.assignee_of(someone_elses), ["status"])
    with pytest.raises(PermissionDenied, match="adding findings"):
        auditor.require_edit(FINDING_RULE, None, adding=True)
