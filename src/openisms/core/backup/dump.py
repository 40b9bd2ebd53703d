"""Writing a backup: every table from one database snapshot, then the stored files."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.files.storage import Storage, default_storage
from django.db import connections, transaction

import openisms
from openisms.core.backup import rows, state
from openisms.core.backup.archive import FORMAT, FORMAT_VERSION, Writer


class BackupRefused(Exception):
    """There is nothing to back up (an empty, unmigrated database)."""


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    tables: int
    rows: int
    files: int


@contextlib.contextmanager
def snapshot(using: str) -> Iterator[None]:
    """One read transaction that sees a single consistent state of the whole database.

    PostgreSQL: REPEATABLE READ, READ ONLY, so every table is read as of the first query.
    SQLite: a deferred (read) transaction; in WAL mode it reads one snapshot while writers go
    on (the app's own IMMEDIATE transactions would take the write lock for the whole backup).
    Called inside a transaction already (tests), it reads in that one.
    """
    connection = connections[using]
    if connection.in_atomic_block:
        yield
        return
    if connection.vendor == "postgresql":
        with transaction.atomic(using=using):
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
        return
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("BEGIN DEFERRED" if connection.vendor == "sqlite" else "BEGIN")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ROLLBACK")


def stored_files(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file in ``storage`` under ``folder``, sorted (empty when the folder is missing)."""
    try:
        dirs, files = storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for sub in sorted(dirs):
        yield from stored_files(storage, f"{folder}/{sub}" if folder else sub)


def backup_write(
    path: Path, *, using: str = "default", storage: Storage | None = None
) -> BackupSummary:
    """Write the whole instance to ``path``; a failure leaves no partial archive behind."""
    storage = storage or default_storage
    path = Path(path)
    tmp = path.with_name(path.name + ".partial")
    writer = Writer(tmp)
    try:
        manifest, total = _write(writer, using, storage)
        writer.finish(manifest)
    except BaseException:
        writer.abort()
        tmp.unlink(missing_ok=True)
        raise
    tmp.replace(path)
    return BackupSummary(path, len(manifest["tables"]), total, len(manifest["files"]))


def _write(writer: Writer, using: str, storage: Storage) -> tuple[dict[str, Any], int]:
    connection = connections[using]
    tables: list[dict[str, Any]] = []
    with snapshot(using):
        migrations = state.applied(using)
        if not migrations:
            raise BackupRefused("The database has no migrations applied: nothing to back up.")
        historical = state.models_at(migrations, using)
        for index, model in enumerate(rows.concrete_models(historical), start=1):
            label = model._meta.label_lower
            member = f"db/{index:03d}-{label}.jsonl"
            count = writer.write_lines(member, iter(rows.dump_rows(model, using)))
            tables.append(
                {
                    "model": label,
                    "table": model._meta.db_table,
                    "member": member,
                    "rows": count,
                    "columns": [f.attname for f in rows.columns(model)],
                }
            )
    # Files after the rows: a stored file is written before the row that names it commits and
    # is never overwritten, so every file the snapshot refers to is here.
    files: list[dict[str, Any]] = []
    for name in stored_files(storage):
        member = f"files/{name}"
        with storage.open(name, "rb") as source:
            size = writer.write_stream(member, source)
        files.append({"name": name, "member": member, "size": size})
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "app_version": openisms.__version__,
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "database": connection.vendor,
        "migrations": migrations,
        "tables": tables,
        "files": files,
    }
    return manifest, sum(t["rows"] for t in tables)
