"""The shared approval workflow: separation of duties, its setting, and version differences."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from openisms.core.models import AuditEvent
from openisms.orgs import services as org_services
from openisms.orgs.access import Actor, actor_for
from openisms.orgs.approvals import fields_diff, items_diff, may_decide
from openisms.risks import services as risk_services
from openisms.soa import services as soa_services
from openisms.soa.services import SOA_FLOW
from tests.conftest import World, login


def _as(world: World, role: str) -> Actor:
    return actor_for(world.users_a[role], world.org_a.slug)


def _separate(world: World, on: bool) -> None:
    org_services.organization_update(actor=_as(world, "owner"), separate_approval=on)


def test_a_submitter_cannot_approve_or_reject_their_own_soa_version(world: World) -> None:
    owner, admin = _as(world, "owner"), _as(world, "admin")
    version = soa_services.soa_submit(actor=owner, comment="For the board")
    assert world.org_a.separate_approval  # on by default
    assert not may_decide(owner, SOA_FLOW, version) and may_decide(admin, SOA_FLOW, version)
    with pytest.raises(PermissionDenied, match="another member must approve"):
        soa_services.soa_approve(actor=owner, version=version)
    with pytest.raises(PermissionDenied):
        soa_services.soa_reject(actor=owner, version=version, comment="Not yet")
    approved = soa_services.soa_approve(actor=admin, version=version)
    assert approved.approved_by == world.users_a["admin"]
    assert approved.submitted_by == world.owner_a


def test_turning_separation_off_lets_the_submitter_decide_and_is_audited(world: World) -> None:
    owner = _as(world, "owner")
    _separate(world, False)
    event = AuditEvent.objects.filter(action="organization.update").latest("id")
    assert event.before["separate_approval"] is True and event.after["separate_approval"] is False
    owner = _as(world, "owner")  # the actor carries the organisation as it is now
    version = soa_services.soa_submit(actor=owner)
    assert may_decide(owner, SOA_FLOW, version)
    assert soa_services.soa_approve(actor=owner, version=version).state == "approved"


def test_the_page_hides_the_decision_from_the_submitter(world: World) -> None:
    owner = _as(world, "owner")
    version = soa_services.soa_submit(actor=owner)
    page = login(world.owner_a).get(f"/o/org-a/soa/versions/{version.pk}/").content.decode()
    assert "Approve version" not in page and "another member" in page
    page = login(world.users_a["admin"]).get(f"/o/org-a/soa/versions/{version.pk}/")
    assert "Approve version" in page.content.decode()


def test_the_setting_is_on_the_settings_page(world: World) -> None:
    client = login(world.owner_a)
    assert 'name="separate_approval"' in client.get("/o/org-a/settings/").content.decode()
    data = {"name": "Org A", "slug": "org-a", "scope": "", "size": "1-49", "sector": "other"}
    assert client.post("/o/org-a/settings/", data).status_code == 302
    world.org_a.refresh_from_db()
    assert world.org_a.separate_approval is False  # an unticked box turns it off
    client.post("/o/org-a/settings/", data | {"separate_approval": "on"})
    world.org_a.refresh_from_db()
    assert world.org_a.separate_approval is True


def test_nobody_accepts_a_risk_they_own(world: World) -> None:
    owner = _as(world, "owner")
    risk = risk_services.risk_create(
        actor=owner,
        title="Ransomware",
        description="Encrypts production",
        inherent_likelihood=4,
        inherent_impact=5,
        owner=world.owner_a.email,
    )
    later = dt.date.today() + dt.timedelta(days=90)
    with pytest.raises(PermissionDenied, match="You own"):
        risk_services.risk_accept(actor=owner, risk=risk, rationale="Budget", expires_on=later)
    accepted = risk_services.risk_accept(
        actor=_as(world, "admin"), risk=risk, rationale="Budget", expires_on=later
    )
    assert accepted.accepted_by == world.users_a["admin"]


def test_differences_between_snapshots() -> None:
    assert fields_diff({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": 4}) == [
        fields_diff({"b": 2}, {"b": 3})[0],
        fields_diff({}, {"c": 4})[0],
    ]
    changes = items_diff(
        [{"key": "I-1", "title": "Old", "x": 1}, {"key": "I-2", "title": "Gone", "x": 1}],
        [{"key": "I-3", "title": "New", "x": 1}, {"key": "I-1", "title": "Old", "x": 2}],
    )
    assert [(c.key, c.change) for c in changes] == [
        ("I-3", "added"),
        ("I-1", "changed"),
        ("I-2", "removed"),
    ]
    assert [(f.field, f.before, f.after) for f in changes[1].fields] == [("x", 1, 2)]
