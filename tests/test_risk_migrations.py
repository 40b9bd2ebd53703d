"""The data migration that gives organisations created before the starters their risk method."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from openisms.core import audit
from openisms.core.models import AuditEvent
from openisms.orgs import starters
from openisms.orgs.access import actor_for
from openisms.risks import services
from openisms.risks.models import RiskMethod, Threat, Vulnerability
from openisms.risks.services import LIBRARY
from tests.conftest import make_org, make_user

BEFORE = [("risks", "0001_initial")]
AFTER = [("risks", "0002_risk_method_for_every_organisation")]


def _migrate(targets: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_existing_organisations_get_the_default_method_and_library(
    catalog: None, monkeypatch: Any
) -> None:
    _migrate(BEFORE)
    old_owner = make_user("old@example.com")
    with monkeypatch.context() as m:
        m.setattr(starters, "_STARTERS", {})  # organisations as they were created before
        old = make_org("old", old_owner)
    assert not RiskMethod.objects.filter(org=old).exists()
    current_owner = make_user("current@example.com")
    current = make_org("current", current_owner)
    services.risk_method_update(actor=actor_for(current_owner, "current"), acceptance_threshold=12)
    events_before = AuditEvent.objects.filter(org=current).count()

    _migrate(AFTER)

    method = RiskMethod.objects.get(org=old)
    assert (method.version, method.is_current, method.acceptance_threshold) == (1, True, 9)
    data = json.loads(LIBRARY.read_text())
    assert Threat.objects.filter(org=old).count() == len(data["threats"])
    assert Vulnerability.objects.filter(org=old).count() == len(data["vulnerabilities"])
    ransomware = Threat.objects.get(org=old, key="ransomware")
    assert "A.8.13" in {c.ref for c in ransomware.suggested_controls.all()}
    created = AuditEvent.objects.filter(org=old).exclude(
        action__in=["organization.create", "membership.create"]
    )
    assert created.count() == 1 + len(data["threats"]) + len(data["vulnerabilities"])
    assert set(created.values_list("actor_label", flat=True)) == {"system"}
    event = created.get(action="risk_method.create")
    assert event.object_id == str(method.pk) and event.after["acceptance_threshold"] == 9
    assert "created_at" not in event.after
    assert audit.verify_all() == []
    # An organisation that has its method keeps it, and its trail is unchanged.
    assert list(RiskMethod.objects.filter(org=current).values_list("version", flat=True)) == [2, 1]
    assert AuditEvent.objects.filter(org=current).count() == events_before
    # The migration leaves nothing for the runtime setup to do.
    assert services.risk_module_setup(actor=actor_for(old_owner, "old")).pk == method.pk
