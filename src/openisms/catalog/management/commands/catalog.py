from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from openisms.catalog import export
from openisms.catalog.models import Framework


class Command(BaseCommand):
    help = "Catalogue tools: 'catalog export FRAMEWORK --format json|csv [-o FILE]'."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        exp = sub.add_parser("export", help="Export a framework's requirements.")
        exp.add_argument("framework")
        exp.add_argument("--format", choices=["json", "csv"], default="json")
        exp.add_argument("-o", "--output", help="File to write (default: standard output).")
        sub.add_parser("list", help="List the loaded frameworks.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            for fw in Framework.objects.order_by("slug"):
                self.stdout.write(f"{fw.slug}\t{fw.name}\t{fw.status}")
            return
        framework = Framework.objects.filter(slug=options["framework"]).first()
        if framework is None:
            known = ", ".join(Framework.objects.order_by("slug").values_list("slug", flat=True))
            raise CommandError(
                f"Unknown framework '{options['framework']}'. Loaded: {known or 'none'}."
            )
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8", newline="") as fh:
                export.write(framework, options["format"], fh)
            self.stderr.write(f"Wrote {options['output']}.")
        else:
            export.write(framework, options["format"], sys.stdout)
