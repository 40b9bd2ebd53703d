from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from openisms.accounts import selectors, services
from openisms.accounts.models import User
from openisms.orgs.management.commands.user import messages_of


class Command(BaseCommand):
    help = "API tokens: 'token create --email E' prints only the new token on stdout."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create")
        create.add_argument("--email", required=True)
        create.add_argument("--name", default="cli")
        create.add_argument("--expires-days", type=int, default=None)
        create.add_argument("--scope", choices=["read", "write"], default="read")
        create.add_argument("--org", default=None, help="bind the token to this organisation")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email=options["email"].strip().lower(), is_active=True).first()
        if user is None:
            raise CommandError(f"No active user with e-mail {options['email']}.")
        try:
            org_id = (
                selectors.member_org_id(user=user, slug=options["org"]) if options["org"] else None
            )
            _, raw = services.token_create(
                actor=user,
                name=options["name"],
                expires_in_days=options["expires_days"],
                scope=options["scope"],
                org_id=org_id,
            )
        except ValidationError as exc:
            raise CommandError(messages_of(exc)) from exc
        self.stdout.write(raw)
