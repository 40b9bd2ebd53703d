from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from openisms.cli import main
from openisms.core import audit
from openisms.core.models import AuditChain, AuditEvent
from openisms.orgs import services
from openisms.orgs.access import actor_for
from tests.conftest import World, login


def _events(world: World) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(org=world.org_a).order_by("seq"))


def test_services_record_before_and_after(world: World) -> None:
    actor = actor_for(world.owner_a, "org-a")
    services.organization_update(actor=actor, scope="Payments platform")
    event = AuditEvent.objects.filter(org=world.org_a, action="organization.update").get()
    assert event.before["scope"] == ""
    assert event.after["scope"] == "Payments platform"
    assert event.actor == world.owner_a
    assert event.object_type == "orgs.organization"
    assert event.request_id


def test_request_id_from_the_request_is_recorded(world: World) -> None:
    client = login(world.owner_a)
    client.post(
        "/o/org-a/settings/",
        {"name": "Org A", "slug": "org-a", "scope": "new", "size": "1-49", "sector": "other"},
        headers={"X-Request-ID": "trace-12345678"},
    )
    event = AuditEvent.objects.filter(org=world.org_a, action="organization.update").get()
    assert event.request_id == "trace-12345678"


def test_no_change_records_no_event(world: World) -> None:
    actor = actor_for(world.owner_a, "org-a")
    before = AuditEvent.objects.count()
    services.organization_update(actor=actor, name=world.org_a.name)
    assert AuditEvent.objects.count() == before


def test_chain_links_each_event_to_the_previous(world: World) -> None:
    events = _events(world)
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert events[0].prev_hash == ""
    for prev, event in itertools.pairwise(events):
        assert event.prev_hash == prev.hash
    assert audit.verify_chain(audit.chain_key(world.org_a)) is None


@pytest.mark.django_db(transaction=True)
def test_record_refuses_to_run_outside_a_transaction() -> None:
    with pytest.raises(RuntimeError):
        audit.record(actor=None, org=None, action="x.y", object_type="x", object_id="1")


def _raw(sql: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        ("edit", "content does not match"),
        ("delete_middle", "event missing"),
        ("delete_last", "missing"),
        ("relink", "link broken"),
    ],
)
def test_verify_detects_direct_database_tampering(world: World, tamper: str, reason: str) -> None:
    events = _events(world)
    target = events[2]
    if tamper == "edit":
        _raw("UPDATE core_auditevent SET object_repr = %s WHERE id = %s", ["forged", target.pk])
    elif tamper == "delete_middle":
        _raw("DELETE FROM core_auditevent WHERE id = %s", [target.pk])
    elif tamper == "delete_last":
        _raw("DELETE FROM core_auditevent WHERE id = %s", [events[-1].pk])
    else:
        # Recompute the hash so only the link to the previous event is wrong.
        target.prev_hash = "0" * 64
        target.hash = audit.canonical_hash(target.content())
        _raw(
            "UPDATE core_auditevent SET prev_hash = %s, hash = %s WHERE id = %s",
            [target.prev_hash, target.hash, target.pk],
        )
    problem = audit.verify_chain(audit.chain_key(world.org_a))
    assert problem is not None
    assert reason in problem.reason
    # Organisation B's chain is unaffected.
    assert audit.verify_chain(audit.chain_key(world.org_b)) is None


def test_cli_verify_exit_codes(world: World, capsys: Any) -> None:
    assert main(["audit", "verify"]) == 0
    assert main(["audit", "verify", "--org", "org-a"]) == 0
    assert "intact" in capsys.readouterr().out
    event = _events(world)[1]
    _raw("UPDATE core_auditevent SET after = %s WHERE id = %s", ['{"forged": true}', event.pk])
    assert main(["audit", "verify", "--org", "org-a"]) != 0
    err = capsys.readouterr().err
    assert f"event #{event.seq}" in err
    assert main(["audit", "verify", "--org", "org-b"]) == 0
    assert main(["audit", "verify", "--org", "no-such-org"]) != 0


def test_verify_command_names_the_first_bad_event(world: World) -> None:
    events = _events(world)
    _raw("UPDATE core_auditevent SET actor_label = %s WHERE id = %s", ["mallory", events[3].pk])
    _raw("UPDATE core_auditevent SET actor_label = %s WHERE id = %s", ["mallory", events[5].pk])
    with pytest.raises(CommandError, match=rf"#{events[3].seq} "):
        call_command("audit", "verify", "--org", "org-a")


def test_appends_after_verification_keep_the_chain_intact(world: World) -> None:
    actor = actor_for(world.owner_a, "org-a")
    for n in range(3):
        services.organization_update(actor=actor, scope=f"v{n}")
    head = AuditChain.objects.get(key=audit.chain_key(world.org_a))
    assert head.last_seq == AuditEvent.objects.filter(org=world.org_a).count()
    assert audit.verify_all() == []


def test_failed_service_leaves_no_event(world: World) -> None:
    actor = actor_for(world.owner_a, "org-a")
    count = AuditEvent.objects.count()
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError), transaction.atomic():
        services.organization_update(actor=actor, slug="Not A Slug!")
    assert AuditEvent.objects.count() == count
