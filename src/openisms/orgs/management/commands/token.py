from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from openisms.accounts import services
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

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email=options["email"].strip().lower(), is_active=True).first()
        if user is None:
            raise CommandError(f"No active user with e-mail {options['email']}.")
        try:
            _, raw = services.token_create(
                actor=user, name=options["name"], expires_in_days=options["expires_days"]
            )
        except ValidationError as exc:
            raise CommandError(messages_of(exc)) from exc
        self.stdout.write(raw)
