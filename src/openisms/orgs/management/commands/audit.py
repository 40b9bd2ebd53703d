from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from openisms.core import audit
from openisms.orgs.models import Organization


class Command(BaseCommand):
    help = "Audit trail tools. 'audit verify [--org SLUG]' checks the hash chains."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="Verify hash chains; exit 1 at the first break.")
        verify.add_argument("--org", help="Only this organisation's chain (slug).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["org"]:
            org = Organization.objects.filter(slug=options["org"]).first()
            if org is None:
                raise CommandError(f"No organisation with slug '{options['org']}'.")
            keys = [audit.chain_key(org)]
        else:
            keys = None
        problems = audit.verify_all(keys)
        if problems:
            for problem in problems:
                self.stderr.write(f"TAMPERED {problem}")
            raise CommandError(f"Audit trail verification failed: {problems[0]}")
        checked = keys or "all chains"
        self.stdout.write(f"Audit trail intact ({checked}).")
