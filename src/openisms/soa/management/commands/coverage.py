from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from openisms.orgs.access import system_actor
from openisms.orgs.models import Organization
from openisms.soa.coverage_exports import FORMATS, export_coverage


class Command(BaseCommand):
    help = (
        "Coverage of a framework for an organisation: 'coverage --org SLUG --framework SLUG "
        "--format json|xlsx|pdf [-o FILE]' (JSON to standard output when no file is given)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--org", required=True)
        parser.add_argument("--framework", required=True)
        parser.add_argument("--format", choices=FORMATS, default="json")
        parser.add_argument("-o", "--output", default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        org = Organization.objects.filter(slug=options["org"]).first()
        if org is None:
            raise CommandError(f"No organisation with slug '{options['org']}'.")
        fmt = options["format"]
        try:
            content, _, _ = export_coverage(
                actor=system_actor(org), framework_slug=options["framework"], fmt=fmt
            )
        except Http404 as exc:
            raise CommandError(f"No framework '{options['framework']}' in the catalogue.") from exc
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        if options["output"]:
            Path(options["output"]).write_bytes(content)
            self.stderr.write(f"Wrote {fmt} coverage to {options['output']}.")
        elif fmt == "json":
            sys.stdout.write(content.decode("utf-8"))
        else:
            raise CommandError(f"Give -o FILE for {fmt}.")
