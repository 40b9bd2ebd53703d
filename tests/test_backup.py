"""openisms backup / restore: a whole instance round-trips between processes and databases.

One module-scoped source (the demo organisation, an OSCAL import for binary columns, stored
evidence files) is backed up once. Each restore runs the real console command in another
process with its own data directory and database; the restored database is then read through
a second connection and compared table by table with the source.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dj_database_url
import psycopg
import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.db.utils import load_backend
from django.test import override_settings

from openisms import __version__
from openisms.core.backup import RestoreRefused, restore
from openisms.core.backup.archive import MANIFEST

FIXTURES = Path(__file__).parent / "fixtures" / "oscal"


@dataclass
class Source:
    archive: Path
    media: Path
    soa_csv: bytes


@dataclass
class Target:
    data_dir: Path
    url: str
    result: subprocess.CompletedProcess[str]


def _env(data_dir: Path, url: str) -> dict[str, str]:
    """Another instance's environment: its own data directory and database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENISMS_", "DATABASE_"))}
    return env | {"OPENISMS_DATA_DIR": str(data_dir), "DATABASE_URL": url}


def _run(data_dir: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """The console command in a fresh process of that instance."""
    return subprocess.run(
        [sys.executable, "-m", "openisms.cli", *args],
        capture_output=True,
        text=True,
        env=_env(data_dir, url),
        check=False,
        timeout=600,
    )


def _sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def _quiet() -> Any:
    return open(os.devnull, "w")


@pytest.fixture(scope="module")
def source(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[Source]:
    """The demo organisation, backed up once; its rows stay (in a transaction) to compare."""
    tmp = tmp_path_factory.mktemp("backup-source")
    media = tmp / "media"
    storages = {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(media)},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(STORAGES=storages, MEDIA_ROOT=str(media), PASSWORD_HASHERS=hashers),
        transaction.atomic(),
    ):
        call_command("demo", stdout=_quiet())
        mini = str(FIXTURES / "mini-catalog.json")
        call_command("oscal", "import", mini, "--slug", "mini", stdout=_quiet())
        soa = tmp / "soa.csv"
        call_command("soa", "export", "--org", "demo", "--format", "csv", "-o", str(soa))
        archive = tmp / "instance.zip"
        call_command("backup", "-o", str(archive), stdout=_quiet())
        yield Source(archive, media, soa.read_bytes())
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def restored_sqlite(source: Source, tmp_path_factory: Any) -> Target:
    data_dir = tmp_path_factory.mktemp("restored-sqlite")
    url = _sqlite_url(data_dir / "restored.sqlite3")
    return Target(data_dir, url, _run(data_dir, url, "restore", str(source.archive)))


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """A new, empty PostgreSQL database beside the test database (or on a reachable server)."""
    if connection.vendor == "postgresql":
        params = connection.settings_dict
        server = {
            "host": params["HOST"] or "127.0.0.1",
            "port": params["PORT"] or 5432,
            "user": params["USER"] or "postgres",
            "password": params["PASSWORD"] or "",
        }
        name = f"{params['NAME']}_restore"
    else:
        url = os.environ.get("OPENISMS_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/")
        parsed = dj_database_url.parse(url)
        server = {
            "host": parsed.get("HOST") or "127.0.0.1",
            "port": parsed.get("PORT") or 5432,
            "user": parsed.get("USER") or "postgres",
            "password": parsed.get("PASSWORD") or "",
        }
        name = f"openisms_restore_{os.getpid()}"
    try:
        admin = psycopg.connect(dbname="postgres", autocommit=True, connect_timeout=3, **server)
    except psycopg.OperationalError as exc:
        pytest.skip(f"no PostgreSQL reachable for the cross-database restore: {exc}")
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield (
                f"postgres://{server['user']}:{server['password']}@{server['host']}:"
                f"{server['port']}/{name}"
            )
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def _connected(url: str) -> Iterator[str]:
    """A second connection to the restored instance, read through the same models.

    Made by hand rather than declared in settings: the test case allows such a dynamic
    connection, and it never becomes part of the test run's own databases."""
    alias = "restored"
    params = {
        **connection.settings_dict,
        **dj_database_url.parse(url),
        "OPTIONS": {},
        "CONN_MAX_AGE": 0,
        "TEST": {},
    }
    connections[alias] = load_backend(params["ENGINE"]).DatabaseWrapper(params, alias)
    try:
        yield alias
    finally:
        connections[alias].close()
        del connections[alias]


def _tables_differ(alias: str) -> list[str]:
    """The models whose rows (every column, in primary-key order) differ between databases."""
    differ = []
    for model in apps.get_models(include_auto_created=True):
        if not model._meta.managed or model._meta.proxy:
            continue
        names = [f.attname for f in model._meta.concrete_fields]
        mine = list(model._base_manager.using("default").order_by("pk").values_list(*names))
        theirs = list(model._base_manager.using(alias).order_by("pk").values_list(*names))
        if mine != theirs:
            differ.append(f"{model._meta.label_lower}: {len(mine)} rows vs {len(theirs)}")
    return differ


def _files(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _check_restored(source: Source, target: Target) -> None:
    assert target.result.returncode == 0, target.result.stderr
    assert "audit trail intact" in target.result.stdout
    with _connected(target.url) as alias:
        assert _tables_differ(alias) == []
    assert _files(target.data_dir / "media") == _files(source.media) != {}
    verify = _run(target.data_dir, target.url, "audit", "verify")
    assert verify.returncode == 0 and "intact" in verify.stdout, verify.stderr
    soa = target.data_dir / "soa.csv"
    args = ["soa", "export", "--org", "demo", "--format", "csv", "-o", str(soa)]
    exported = _run(target.data_dir, target.url, *args)
    assert exported.returncode == 0, exported.stderr
    assert soa.read_bytes() == source.soa_csv
    # A backup of the restored instance, outside any transaction (the snapshot of its own
    # database kind), holds the same tables: row for row on SQLite, where JSON keeps its key
    # order; the same counts on PostgreSQL, which stores JSON with its keys reordered.
    again = target.data_dir / "again.zip"
    backup = _run(target.data_dir, target.url, "backup", "-o", str(again))
    assert backup.returncode == 0, backup.stderr
    first, second = _manifest(source.archive), _manifest(again)
    assert [t["rows"] for t in second["tables"]] == [t["rows"] for t in first["tables"]]
    assert second["files"] == first["files"]
    if target.url.startswith("sqlite"):
        assert {m: h for m, h in second["sha256"].items() if m.startswith("db/")} == {
            m: h for m, h in first["sha256"].items() if m.startswith("db/")
        }


def _manifest(path: Path) -> dict[str, Any]:
    with zipfile.ZipFile(path) as archive:
        manifest: dict[str, Any] = json.loads(archive.read(MANIFEST))
        return manifest


@pytest.mark.django_db
def test_manifest_lists_versions_migrations_counts_and_hashes(source: Source) -> None:
    with zipfile.ZipFile(source.archive) as archive:
        manifest = json.loads(archive.read(MANIFEST))
        assert manifest["format_version"] == 1 and manifest["app_version"] == __version__
        assert "0001_initial" in manifest["migrations"]["core"]
        assert manifest["database"] == connection.vendor
        for member, digest in manifest["sha256"].items():
            assert hashlib.sha256(archive.read(member)).hexdigest() == digest
        assert set(manifest["sha256"]) == set(archive.namelist()) - {MANIFEST}
    counts = {t["model"]: t["rows"] for t in manifest["tables"]}
    assert counts["core.auditevent"] == apps.get_model("core", "AuditEvent").objects.count()
    assert counts["oscal.sourcedocument"] == 1
    assert manifest["files"] and all(f["member"].startswith("files/") for f in manifest["files"])
    order = [t["model"] for t in manifest["tables"]]
    assert order.index("orgs.organization") < order.index("risks.risk")


@pytest.mark.django_db
def test_round_trip_restores_every_row_file_and_the_soa(
    source: Source, restored_sqlite: Target
) -> None:
    _check_restored(source, restored_sqlite)


@pytest.mark.django_db
def test_restore_across_databases_into_postgresql(
    source: Source, postgres_url: str, tmp_path: Path
) -> None:
    target = Target(
        tmp_path, postgres_url, _run(tmp_path, postgres_url, "restore", str(source.archive))
    )
    _check_restored(source, target)


@pytest.mark.django_db
def test_restore_refuses_a_database_that_holds_data(
    source: Source, restored_sqlite: Target
) -> None:
    again = _run(restored_sqlite.data_dir, restored_sqlite.url, "restore", str(source.archive))
    assert again.returncode == 1
    assert "already holds data" in again.stderr and "empty database" in again.stderr
    with _connected(restored_sqlite.url) as alias:
        assert _tables_differ(alias) == []
    with pytest.raises(RestoreRefused, match="already holds data"):
        restore(source.archive)  # the test database, holding the source's rows


def _rewritten(source: Path, target: Path, change: Any) -> Path:
    """A copy of the archive with ``change(name, bytes)`` applied to each member."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w") as out:
        for name in src.namelist():
            data = change(name, src.read(name))
            if data is not None:
                out.writestr(name, data)
    return target


def _flip_evidence(name: str, data: bytes) -> bytes:
    return data[:-1] + bytes([data[-1] ^ 1]) if name.startswith("files/") else data


def _drop_a_table(name: str, data: bytes) -> bytes | None:
    return None if name.endswith("risks.risk.jsonl") else data


def _edit_a_row(name: str, data: bytes) -> bytes:
    return data.replace(b'"seq":1,', b'"seq":7,', 1) if name.endswith("auditevent.jsonl") else data


def _escape_storage(name: str, data: bytes) -> bytes:
    if name != MANIFEST:
        return data
    manifest = json.loads(data)
    manifest["files"][0]["name"] = "../../outside"
    return json.dumps(manifest).encode()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_escape_storage, "is not a storage name"),
        (_flip_evidence, "does not match its SHA-256"),
        (_edit_a_row, "does not match its SHA-256"),
        (_drop_a_table, "is missing"),
        (None, "not a readable backup archive"),
    ],
)
@pytest.mark.django_db
def test_a_corrupt_archive_is_refused_before_anything_is_written(
    source: Source, tmp_path: Path, settings: Any, change: Any, message: str
) -> None:
    bad = tmp_path / "bad.zip"
    if change is None:  # cut short, as by a failed copy
        bad.write_bytes(source.archive.read_bytes()[: source.archive.stat().st_size // 2])
    else:
        _rewritten(source.archive, bad, change)
    tables = connection.introspection.table_names()
    with pytest.raises(RestoreRefused, match=message):
        restore(bad)  # checked before the target: this database is not empty
    assert connection.introspection.table_names() == tables
    assert not Path(settings.MEDIA_ROOT).exists() or _files(Path(settings.MEDIA_ROOT)) == {}


@pytest.mark.django_db
def test_a_corrupt_archive_leaves_an_empty_instance_empty(source: Source, tmp_path: Path) -> None:
    bad = _rewritten(source.archive, tmp_path / "bad.zip", _flip_evidence)
    data_dir = tmp_path / "instance"
    database = data_dir / "db.sqlite3"
    result = _run(data_dir, _sqlite_url(database), "restore", str(bad))
    assert result.returncode == 1 and "does not match its SHA-256" in result.stderr
    assert "nothing was restored" in result.stderr and "Traceback" not in result.stderr
    if database.exists():
        with contextlib.closing(sqlite3.connect(database)) as db:
            tables = db.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall()
        assert tables in ([], [("django_migrations",)])
    assert _files(data_dir / "media") == {} if (data_dir / "media").exists() else True


def test_backup_refuses_an_unmigrated_database_and_a_missing_folder(tmp_path: Path) -> None:
    url = _sqlite_url(tmp_path / "empty.sqlite3")
    empty = _run(tmp_path, url, "backup", "-o", str(tmp_path / "x.zip"))
    assert empty.returncode == 1 and "nothing to back up" in empty.stderr
    nowhere = _run(tmp_path, url, "backup", "-o", str(tmp_path / "missing" / "x.zip"))
    assert nowhere.returncode == 1 and "No backup written" in nowhere.stderr
    assert "Traceback" not in empty.stderr + nowhere.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix in {".zip", ".partial"}) == []
