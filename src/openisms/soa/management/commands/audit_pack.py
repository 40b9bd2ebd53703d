from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from openisms.orgs.access import system_actor
from openisms.orgs.models import Organization
from openisms.soa.pack import build_audit_pack


class Command(BaseCommand):
    help = (
        "Write the audit pack: 'audit-pack --org SLUG -o FILE.zip' (the approved SoA as XLSX "
        "and PDF, the risk register, the evidence files and a SHA-256 manifest)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--org", required=True)
        parser.add_argument("-o", "--output", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        org = Organization.objects.filter(slug=options["org"]).first()
        if org is None:
            raise CommandError(f"No organisation with slug '{options['org']}'.")
        try:
            result = build_audit_pack(actor=system_actor(org), out=options["output"])
        except (ValidationError, OSError) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            raise CommandError("; ".join(messages)) from exc
        self.stderr.write(
            f"Wrote {options['output']}: SoA version {result.version}, "
            f"{len(result.files)} files listed in manifest.json and SHA256SUMS."
        )
