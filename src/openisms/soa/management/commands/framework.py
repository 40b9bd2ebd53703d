from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from openisms.orgs.access import system_actor
from openisms.orgs.models import Organization
from openisms.soa import tracking


class Command(BaseCommand):
    help = (
        "The frameworks an organisation tracks: 'framework list --org SLUG', "
        "'framework track --org SLUG FRAMEWORK', 'framework untrack --org SLUG FRAMEWORK'."
    )

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="the frameworks the organisation tracks")
        listing.add_argument("--org", required=True)
        for name in ("track", "untrack"):
            action = sub.add_parser(name, help=f"{name} a framework")
            action.add_argument("--org", required=True)
            action.add_argument("framework")

    def handle(self, *args: Any, **options: Any) -> None:
        org = Organization.objects.filter(slug=options["org"]).first()
        if org is None:
            raise CommandError(f"No organisation with slug '{options['org']}'.")
        actor = system_actor(org)
        try:
            if options["action"] == "track":
                tracking.framework_track(actor=actor, framework_slug=options["framework"])
                self.stdout.write(f"{org.slug} now tracks {options['framework']}.")
            elif options["action"] == "untrack":
                tracking.framework_untrack(actor=actor, framework_slug=options["framework"])
                self.stdout.write(f"{org.slug} no longer tracks {options['framework']}.")
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        if options["action"] == "list":
            for framework in tracking.tracked_frameworks(actor=actor):
                self.stdout.write(f"{framework.slug}\t{framework.name}")
