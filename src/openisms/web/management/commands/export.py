from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from openisms.assets import io as asset_io
from openisms.context import exports as context_exports
from openisms.objectives import exports as objective_exports
from openisms.orgs.access import system_actor
from openisms.orgs.models import Organization
from openisms.risks import exports as risk_exports

EXPORTERS = {
    "assets": asset_io.export_assets,
    "risks": risk_exports.export_risks,
    "context": context_exports.export_context,
    "objectives": objective_exports.export_objectives,
}


class Command(BaseCommand):
    help = (
        "Export organisation data: 'export assets|risks|objectives|context --org SLUG --format "
        "csv|xlsx|pdf|docx -o FILE' (PDF for risks and the context, DOCX for the context only)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("entity", choices=sorted(EXPORTERS))
        parser.add_argument("--org", required=True)
        parser.add_argument("--format", choices=["csv", "xlsx", "pdf", "docx"], default="csv")
        parser.add_argument("-o", "--output", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        org = Organization.objects.filter(slug=options["org"]).first()
        if org is None:
            raise CommandError(f"No organisation with slug '{options['org']}'.")
        try:
            content, _, _ = EXPORTERS[options["entity"]](
                actor=system_actor(org), fmt=options["format"]
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        Path(options["output"]).write_bytes(content)
        self.stderr.write(f"Wrote {options['output']}.")
