from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from openisms.controls.selectors import control_list
from openisms.orgs.access import system_actor
from openisms.orgs.models import Organization
from openisms.reports.tables import write_csv

HEADER = ["ref", "name", "status", "owner", "target_date", "requirements", "implementation"]


class Command(BaseCommand):
    help = "The control register: 'control list --org SLUG [--format csv|json] [-o FILE]'."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="every control with its requirements")
        listing.add_argument("--org", required=True)
        listing.add_argument("--format", choices=("csv", "json"), default="csv")
        listing.add_argument("-o", "--output", default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        org = Organization.objects.filter(slug=options["org"]).first()
        if org is None:
            raise CommandError(f"No organisation with slug '{options['org']}'.")
        rows = [
            [
                c.ref,
                c.name,
                c.status,
                c.owner.email if c.owner else "",
                c.target_date.isoformat() if c.target_date else "",
                " ".join(f"{r.framework.slug}:{r.ref}" for r in c.requirements.all()),
                c.implementation,
            ]
            for c in control_list(actor=system_actor(org))
        ]
        if options["format"] == "json":
            content = (
                json.dumps([dict(zip(HEADER, row, strict=True)) for row in rows], indent=2) + "\n"
            ).encode()
        else:
            content = write_csv(HEADER, rows)
        if options["output"]:
            Path(options["output"]).write_bytes(content)
            self.stderr.write(f"Wrote {len(rows)} controls to {options['output']}.")
        else:
            sys.stdout.write(content.decode("utf-8"))
