from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from openisms.catalog import loader


class Command(BaseCommand):
    help = "Load or upgrade the framework catalogues shipped with OpenISMS (idempotent)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--force", action="store_true", help="Reload unchanged files too.")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        try:
            results = loader.load_all(force=options["force"])
        except loader.CatalogError as exc:
            raise CommandError(str(exc)) from exc
        for result in results:
            self.stdout.write(str(result))
        self.stdout.write(f"Catalogues ready in {time.perf_counter() - started:.2f} s.")
