from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from openisms.core.backup import BackupRefused, backup_write


class Command(BaseCommand):
    help = (
        "Write the whole instance (every table from one consistent snapshot, the stored files and"
        " a SHA-256 manifest) to one ZIP archive. Safe while the app runs."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("-o", "--output", required=True, help="the archive to write (.zip)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = backup_write(Path(options["output"]))
        except (OSError, BackupRefused) as exc:
            raise CommandError(f"No backup written: {exc}") from exc
        self.stdout.write(
            f"Backup written to {summary.path}: {summary.rows} rows in {summary.tables} tables,"
            f" {summary.files} files."
        )
