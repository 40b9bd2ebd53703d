"""Restoring a backup into an empty instance: check everything, then load in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.storage import Storage, default_storage
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import DatabaseError, connections, models, transaction
from django.db.migrations.executor import MigrationExecutor

from openisms.core import audit
from openisms.core.backup import hooks, rows, state
from openisms.core.backup.archive import ArchiveError, Reader
from openisms.core.backup.dump import stored_files

# Rows Django itself creates in a migrated, otherwise empty database.
BOOKKEEPING = frozenset({"django_migrations", "django_content_type", "auth_permission"})
BATCH = 500


class RestoreRefused(Exception):
    """The restore would not start: the archive or the target is not what it must be."""


@dataclass(frozen=True)
class RestoreSummary:
    rows: int
    files: int
    chains: int
    upgraded: bool


def _occupied(using: str) -> list[str]:
    """Tables of this instance that hold rows (Django's own bookkeeping left aside)."""
    connection = connections[using]
    existing = set(connection.introspection.table_names())
    busy = []
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.django_table_names(only_existing=True)):
            if table in BOOKKEEPING or table not in existing:
                continue
            cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")  # noqa: S608
            if cursor.fetchone():
                busy.append(table)
    return busy


def restore(
    path: Path,
    *,
    using: str = "default",
    storage: Storage | None = None,
    upgrade: bool = True,
    say: Callable[[str], None] = lambda _: None,
) -> RestoreSummary:
    storage = storage or default_storage
    try:
        reader = Reader(Path(path))
    except ArchiveError as exc:
        raise RestoreRefused(str(exc)) from exc
    try:
        return _restore(reader, using, storage, upgrade, say)
    finally:
        reader.close()


def _restore(
    reader: Reader, using: str, storage: Storage, upgrade: bool, say: Callable[[str], None]
) -> RestoreSummary:
    manifest = reader.manifest
    say("Checking every member of the archive against its SHA-256 ...")
    try:
        reader.verify()
    except ArchiveError as exc:
        raise RestoreRefused(f"{exc}; nothing was restored.") from exc
    migrations: dict[str, list[str]] = manifest["migrations"]
    if missing := state.unknown(migrations, using):
        raise RestoreRefused(
            f"The backup was made by a newer version of OpenISMS ({manifest.get('app_version')}):"
            f" this version does not have migration {missing[0]}. Install that version or later."
        )
    if busy := _occupied(using):
        raise RestoreRefused(
            f"The database already holds data ({', '.join(busy[:5])}"
            f"{', ...' if len(busy) > 5 else ''}). Restore only into an empty database: create a"
            " new one and restore before running 'openisms migrate' or 'openisms demo'."
        )
    if any(True for _ in stored_files(storage)):
        raise RestoreRefused(
            "The file storage already holds files; restore into an empty storage location."
        )

    say(f"Migrating the empty database to the backup's state ({manifest.get('app_version')}) ...")
    connection = connections[using]
    executor = MigrationExecutor(connection)
    executor.loader.check_consistent_history(connection)
    executor.migrate(state.leaves(migrations))

    historical = state.models_at(migrations, using)
    try:
        loaded = _load_rows(reader, manifest["tables"], historical, using, say)
    except (ValueError, TypeError, KeyError, ValidationError, DatabaseError) as exc:
        raise RestoreRefused(
            f"The archive's rows do not load ({exc}); the tables were left empty."
        ) from exc

    say(f"Restoring {len(manifest['files'])} stored files ...")
    for item in manifest["files"]:
        with reader.open(item["member"]) as source:
            saved = storage.save(item["name"], source)
        if saved != item["name"]:
            raise RestoreRefused(f"The storage saved {item['name']} as {saved}.")

    upgraded = False
    current = state.applied(using) == _all_migrations(using)
    if upgrade and not current:
        say("Applying this version's newer migrations to the restored data ...")
        call_command("migrate", database=using, interactive=False, verbosity=0)
        upgraded = current = True
    if current:  # the apps' own code fits the schema only once it is this version's
        for name, rebuild in sorted(hooks.after_restore().items()):
            say(f"Updating {name} ...")
            rebuild(using)
    else:
        say("The database is left at the backup's state: run 'openisms migrate' to upgrade it.")
    problems = audit.verify_all()
    if problems:
        raise RestoreRefused(f"Restored, but the audit trail does not verify: {problems[0]}")
    chains = len(set(_chain_keys(using)))
    return RestoreSummary(loaded, len(manifest["files"]), chains, upgraded)


def _chain_keys(using: str) -> list[str]:
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT DISTINCT chain FROM core_auditevent")
        return [row[0] for row in cursor.fetchall()]


def _all_migrations(using: str) -> dict[str, list[str]]:
    executor = MigrationExecutor(connections[using])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes(), clean_start=True)
    result: dict[str, list[str]] = {}
    for migration, _ in plan:
        result.setdefault(migration.app_label, []).append(migration.name)
    return dict(sorted(result.items()))


def _load_rows(
    reader: Reader,
    tables: list[dict[str, Any]],
    historical: Any,
    using: str,
    say: Callable[[str], None],
) -> int:
    by_label = {m._meta.label_lower: m for m in rows.concrete_models(historical)}
    unknown = [t["model"] for t in tables if t["model"] not in by_label]
    if unknown:
        raise RestoreRefused(
            f"The archive's table {unknown[0]} has no model at its migration state."
        )
    for model in by_label.values():  # keep the recorded timestamps, do not stamp "now"
        for field in model._meta.concrete_fields:
            if isinstance(field, models.DateField):  # DateTimeField too
                field.auto_now = field.auto_now_add = False
    connection = connections[using]
    total = 0
    say(f"Loading {sum(t['rows'] for t in tables)} rows into {len(tables)} tables ...")
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:  # Django's own rows from migrate make way
            for table in reversed(tables):
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(table['table'])}")  # noqa: S608
        for table in tables:
            model = by_label[table["model"]]
            batch: list[Any] = []
            count = 0
            for row in reader.lines(table["member"]):
                batch.append(rows.build(model, row))
                count += 1
                if len(batch) >= BATCH:
                    model._default_manager.using(using).bulk_create(batch)
                    batch = []
            if batch:
                model._default_manager.using(using).bulk_create(batch)
            if count != table["rows"]:
                raise RestoreRefused(
                    f"{table['member']}: {count} rows, the manifest says {table['rows']}"
                )
            total += count
        statements = connection.ops.sequence_reset_sql(no_style(), list(by_label.values()))
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
        if connection.vendor == "sqlite":
            connection.check_constraints()
    return total
