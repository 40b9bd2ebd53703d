from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from openisms.core.backup import RestoreRefused, restore


class Command(BaseCommand):
    help = (
        "Restore a backup archive into an empty instance: checks every SHA-256 first, migrates"
        " to the backup's state, loads the rows and files, then applies newer migrations."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("archive", help="a file written by 'openisms backup'")
        parser.add_argument(
            "--no-upgrade",
            action="store_true",
            help="leave the database at the backup's migration state",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = restore(
                Path(options["archive"]),
                upgrade=not options["no_upgrade"],
                say=self.stdout.write,
            )
        except RestoreRefused as exc:
            raise CommandError(str(exc)) from exc
        except OSError as exc:  # e.g. the storage is not writable
            raise CommandError(f"Restore stopped: {exc}") from exc
        self.stdout.write(
            f"Restored {summary.rows} rows and {summary.files} files; audit trail intact"
            f" ({summary.chains} chains)."
            + (" Newer migrations were applied." if summary.upgraded else "")
        )
