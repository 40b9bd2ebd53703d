from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from openisms.orgs.access import system_actor
from openisms.orgs.models import Organization
from openisms.soa import exports, selectors, services


class Command(BaseCommand):
    help = (
        "Statement of Applicability tools: 'soa export --org SLUG --format csv|xlsx|pdf|docx "
        "[--version N] -o FILE' (without --version: the working SoA, marked as a draft)."
    )

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="write the SoA to a file")
        export.add_argument("--org", required=True)
        export.add_argument("--format", choices=exports.FORMATS, default="xlsx")
        export.add_argument("--version", type=int, default=None, help="a version number")
        export.add_argument("-o", "--output", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        org = Organization.objects.filter(slug=options["org"]).first()
        if org is None:
            raise CommandError(f"No organisation with slug '{options['org']}'.")
        actor = system_actor(org)
        services.soa_sync(actor=actor)
        version = None
        if options["version"] is not None:
            try:
                version = selectors.version_by_number(actor=actor, number=options["version"])
            except Http404 as exc:
                raise CommandError(f"{org.slug} has no SoA version {options['version']}.") from exc
        try:
            content, _, _ = exports.export_soa(actor=actor, fmt=options["format"], version=version)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        Path(options["output"]).write_bytes(content)
        label = f"version {version.number}" if version else "the working SoA (draft)"
        self.stderr.write(f"Wrote {label} to {options['output']}.")
