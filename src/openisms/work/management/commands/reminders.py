from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from openisms.orgs.models import Organization
from openisms.work.reminders import reminders_send


class Command(BaseCommand):
    help = (
        "Reminder e-mails. 'reminders send [--org SLUG] [--date YYYY-MM-DD] [--dry-run]' sends "
        "every reminder not sent before, one digest per person."
    )

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        send = sub.add_parser("send", help="Send new reminders now (each reminder only once).")
        send.add_argument("--org", help="Only this organisation (slug); default: every active one.")
        send.add_argument("--date", help="Pretend today is YYYY-MM-DD (default: today, UTC).")
        send.add_argument(
            "--dry-run", action="store_true", help="Show what would be sent; send nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        day = timezone.localdate()
        if options.get("date"):
            try:
                day = dt.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(f"--date must be YYYY-MM-DD, not '{options['date']}'.") from exc
        orgs = Organization.objects.filter(is_active=True).order_by("slug")
        if options.get("org"):
            orgs = orgs.filter(slug=options["org"])
            if not orgs.exists():
                raise CommandError(f"No active organisation with slug '{options['org']}'.")
        failed = 0
        for org in orgs:
            summary = reminders_send(org=org, today=day, dry_run=options["dry_run"])
            failed += summary.failed
            self.stdout.write(summary.line())
            if options["dry_run"]:
                for key in summary.keys:
                    self.stdout.write(f"  {key}")
        if failed:
            raise CommandError(f"{failed} digest(s) could not be sent; they are retried next run.")
