from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from openisms.assets import io as asset_io
from openisms.orgs.access import system_actor
from openisms.orgs.models import Organization
from openisms.risks import io as risk_io

IMPORTERS: dict[str, Any] = {
    "assets": asset_io.import_assets,
    "risks": risk_io.import_risks,
}


class Command(BaseCommand):
    help = (
        "Import organisation data, all or nothing: "
        "'import assets|risks --org SLUG FILE [--dry-run]'. "
        "Any bad row: nothing is written, every problem is listed, exit status 1."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("entity", choices=sorted(IMPORTERS))
        parser.add_argument("file")
        parser.add_argument("--org", required=True)
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        org = Organization.objects.filter(slug=options["org"]).first()
        if org is None:
            raise CommandError(f"No organisation with slug '{options['org']}'.")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        result = IMPORTERS[options["entity"]](
            actor=system_actor(org),
            data=path.read_bytes(),
            filename=path.name,
            dry_run=options["dry_run"],
        )
        if not result.ok:
            for issue in result.issues:
                self.stderr.write(f"{path.name}: {issue}")
            raise CommandError(
                f"{len(result.issues)} problem(s); nothing was imported. Fix the file and retry."
            )
        self.stdout.write(result.summary())
