from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from openisms.assets import io as asset_io
from openisms.audits import exports as audit_exports
from openisms.context import exports as context_exports
from openisms.documents import exports as document_exports
from openisms.nonconformities.exports import export_nonconformities
from openisms.objectives import exports as objective_exports
from openisms.orgs.access import system_actor
from openisms.orgs.models import Organization
from openisms.reviews.exports import export_reviews
from openisms.risks import exports as risk_exports

EXPORTERS = {
    "assets": asset_io.export_assets,
    "risks": risk_exports.export_risks,
    "nonconformities": export_nonconformities,
    "reviews": export_reviews,
    "audits": audit_exports.export_audits,
    "documents": document_exports.export_documents,
    "context": context_exports.export_context,
    "objectives": objective_exports.export_objectives,
}


class Command(BaseCommand):
    help = (
        "Export organisation data: 'export ENTITY --org SLUG --format csv|xlsx|pdf|docx -o "
        "FILE'. assets: csv|xlsx; risks: csv|xlsx|pdf; documents: the register as csv|xlsx, or "
        "pdf|docx as a ZIP with one file per document; audits: csv of findings, or pdf|docx of "
        "the most recently completed audit's report; nonconformities: the register as csv|xlsx; "
        "reviews: the minutes of the most recent held management review as pdf|docx (approved "
        "minutes, else the live review as a draft); context: pdf|docx of the current "
        "approved context (else the live one as a draft); objectives: csv|xlsx."
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
