from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from openisms.orgs.access import system_actor
from openisms.orgs.models import Organization
from openisms.risks import simulation


class Command(BaseCommand):
    help = "Risk tools: 'risk simulate --org SLUG [--trials N] [--seed S] --format json'."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sim = sub.add_parser("simulate", help="Monte Carlo annual loss of the quantified risks.")
        sim.add_argument("--org", required=True)
        sim.add_argument("--trials", type=int, default=100_000)
        sim.add_argument("--seed", type=int, default=0)
        sim.add_argument("--format", choices=["json"], default="json")

    def handle(self, *args: Any, **options: Any) -> None:
        org = Organization.objects.filter(slug=options["org"]).first()
        if org is None:
            raise CommandError(f"No organisation with slug '{options['org']}'.")
        try:
            result = simulation.run(
                actor=system_actor(org), trials=options["trials"], seed=options["seed"]
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(json.dumps(result, indent=2))
