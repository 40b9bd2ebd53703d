"""Upgrading an instance made with an earlier schema, with data, through backup and restore.

There is no tagged release yet (the version is still 0.1.0), so "the previous release" is the
schema before the control register and risk acceptance requests: every app migrated back to
the state named in OLD. An instance at that state gets data through the models of that state,
is backed up by this version, and is restored into an empty instance, which migrates to the
archive's state, loads the rows and then applies the newer migrations (the data migrations
that build controls from SoA rows and give organisations their risk method). The upgraded
rows are then read through today's models.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from openisms.controls.models import Control, ControlRequirement
from openisms.risks.models import RiskMethod
from openisms.soa.models import SoaEntry
from tests.test_backup import _connected, _env, _run, _sqlite_url

OLD = [("controls", "0001_initial"), ("risks", "0001_initial"), ("orgs", "0001_initial")]

# Runs in the old instance's own process: migrate back to OLD, then write rows through the
# historical models of that state (today's models would not fit the old tables).
OLD_DATA = """
import datetime as dt, json
import django
django.setup()
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from openisms.core.backup import state

executor = MigrationExecutor(connection)
executor.migrate(%(old)r)
applied = state.applied("default")
apps = state.models_at(applied, "default")
get = apps.get_model
with transaction.atomic():
    user = get("accounts", "User").objects.create(
        email="old@example.com", full_name="Old Owner", password="!",
        date_joined=dt.datetime(2025, 1, 2, 3, 4, 5, 678901, tzinfo=dt.UTC),
    )
    org = get("orgs", "Organization").objects.create(name="Old Org", slug="old")
    get("orgs", "Membership").objects.create(org=org, user=user, role="owner")
    framework = get("catalog", "Framework").objects.get(slug="iso27001-2022")
    requirement = get("catalog", "Requirement").objects.get(framework=framework, ref="A.8.13")
    get("soa", "SoaEntry").objects.create(
        org=org, requirement=requirement, applicable=True, status="implemented",
        owner=user, implementation="Nightly encrypted backups, restore tested monthly.",
    )
print(json.dumps(applied))
"""


@pytest.mark.django_db
def test_an_old_schema_with_data_upgrades_through_backup_and_restore(tmp_path: Path) -> None:
    old_dir, new_dir = tmp_path / "old", tmp_path / "new"
    old_url, new_url = _sqlite_url(old_dir / "db.sqlite3"), _sqlite_url(new_dir / "db.sqlite3")
    assert _run(old_dir, old_url, "migrate").returncode == 0
    script = subprocess.run(
        [sys.executable, "-c", OLD_DATA % {"old": OLD}],
        capture_output=True,
        text=True,
        env=_env(old_dir, old_url),
        check=False,
    )
    assert script.returncode == 0, script.stderr
    applied = json.loads(script.stdout)
    assert applied["controls"] == ["0001_initial"] and applied["risks"] == ["0001_initial"]
    archive = tmp_path / "old.zip"
    backup = _run(old_dir, old_url, "backup", "-o", str(archive))
    assert backup.returncode == 0, backup.stderr

    restored = _run(new_dir, new_url, "restore", str(archive))

    assert restored.returncode == 0, restored.stderr
    assert "Newer migrations were applied" in restored.stdout
    assert "audit trail intact" in restored.stdout  # verified after the data migrations
    with _connected(new_url) as alias:
        entry = SoaEntry.objects.using(alias).get(org__slug="old", requirement__ref="A.8.13")
        assert entry.owner.email == "old@example.com"
        assert entry.owner.date_joined.microsecond == 678901
        link = ControlRequirement.objects.using(alias).get(
            org__slug="old", requirement__ref="A.8.13"
        )
        control = Control.objects.using(alias).get(pk=link.control_id)
        assert (control.ref, control.status, control.owner_id) == (
            "A.8.13",
            "implemented",
            entry.owner_id,
        )
        assert control.implementation.startswith("Nightly encrypted backups")
        method = RiskMethod.objects.using(alias).get(org__slug="old")
        assert method.is_current and method.version == 1
