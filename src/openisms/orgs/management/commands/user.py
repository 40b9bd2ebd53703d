from __future__ import annotations

import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from openisms.accounts import services as account_services
from openisms.orgs import services as org_services
from openisms.orgs.models import Organization, Role


def messages_of(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
    return "; ".join(exc.messages)


class Command(BaseCommand):
    help = "User administration: 'user create --email E --password-stdin [...]'."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a user (password read from stdin).")
        create.add_argument("--email", required=True)
        create.add_argument("--password-stdin", action="store_true", required=True)
        create.add_argument("--name", default="")
        create.add_argument("--superuser", action="store_true")
        create.add_argument("--org", help="Also make the user a member of this organisation.")
        create.add_argument("--role", choices=Role.values, help="Role in --org.")

    def handle(self, *args: Any, **options: Any) -> None:
        if bool(options["org"]) != bool(options["role"]):
            raise CommandError("--org and --role go together.")
        password = sys.stdin.readline().rstrip("\n")
        if not password:
            raise CommandError("No password on standard input.")
        org = None
        if options["org"]:
            org = Organization.objects.filter(slug=options["org"]).first()
            if org is None:
                raise CommandError(f"No organisation with slug '{options['org']}'.")
        try:
            with transaction.atomic():
                user = account_services.user_create(
                    actor=None,
                    email=options["email"],
                    password=password,
                    full_name=options["name"],
                    is_superuser=options["superuser"],
                )
                if org is not None:
                    org_services.membership_add(
                        actor=None, org=org, user=user, role=options["role"]
                    )
        except ValidationError as exc:
            raise CommandError(messages_of(exc)) from exc
        where = f" as {options['role']} of {org.slug}" if org else ""
        self.stdout.write(f"Created {user.email}{where}.")
