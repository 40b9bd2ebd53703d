from __future__ import annotations

import secrets
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from openisms.accounts import services as account_services
from openisms.accounts.models import User
from openisms.assets import io as asset_io
from openisms.assets.demo import DEMO_ASSETS
from openisms.audits.demo import load_demo_audits
from openisms.context.demo import load_demo_context
from openisms.documents.demo import load_demo_documents
from openisms.evidence.demo import load_demo_evidence
from openisms.nonconformities.demo import load_demo_nonconformities
from openisms.objectives.demo import load_demo_objectives
from openisms.orgs import services as org_services
from openisms.orgs.access import Actor, system_actor
from openisms.orgs.models import Organization, Role
from openisms.reports.tables import write_csv
from openisms.reviews.demo import load_demo_reviews
from openisms.risks.demo import load_demo_risks
from openisms.soa.demo import load_demo_citations, load_demo_soa
from openisms.web.demo_frameworks import load_demo_frameworks
from openisms.work.demo import load_demo_tasks

DEMO_SLUG = "demo"
DEMO_ADMIN = "admin@demo.openisms.example"
DEMO_SCOPE = (
    "The design, development, operation and support of the CareLoop patient-engagement SaaS "
    "platform, delivered from AWS us-east-1 and us-west-2, including the engineering, "
    "operations, customer support and security teams in Austin, TX and remote staff in the "
    "United States."
)
DEMO_TEAM = (
    ("maria.lopez@demo.openisms.example", "Maria Lopez", Role.MANAGER),
    ("dev.patel@demo.openisms.example", "Dev Patel", Role.CONTRIBUTOR),
    ("sam.okafor@demo.openisms.example", "Sam Okafor", Role.AUDITOR),
    ("lee.chen@demo.openisms.example", "Lee Chen", Role.VIEWER),
)


def _password() -> str:
    return secrets.token_urlsafe(12)


OWNERS = {
    "information": "maria.lopez@demo.openisms.example",
    "software": "dev.patel@demo.openisms.example",
    "hardware": "dev.patel@demo.openisms.example",
    "service": "dev.patel@demo.openisms.example",
    "supplier": "maria.lopez@demo.openisms.example",
    "people": DEMO_ADMIN,
    "site": DEMO_ADMIN,
}


def _demo_assets(org: Organization) -> None:
    """Load the demo inventory through the real import path (all or nothing)."""
    rows = [
        ["", name, kind, "", OWNERS[kind], "", location, cls, c, i, a, tags, depends]
        for name, kind, cls, c, i, a, location, tags, depends in DEMO_ASSETS
    ]
    result = asset_io.import_assets(
        actor=system_actor(org), data=write_csv(asset_io.COLUMNS, rows), filename="demo.csv"
    )
    if not result.ok:
        raise CommandError("Demo assets are invalid: " + "; ".join(map(str, result.issues)))


class Command(BaseCommand):
    help = "Create the demo organisation (slug 'demo') and print its admin login once."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--reset-password", action="store_true", help="Give the demo admin a new password."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if Organization.objects.filter(slug=DEMO_SLUG).exists():
            admin = User.objects.filter(email=DEMO_ADMIN).first()
            if options["reset_password"] and admin is not None:
                password = _password()
                account_services.user_set_password(actor=None, user=admin, password=password)
                self._print_login(password)
            else:
                self.stdout.write(
                    f"The demo organisation exists. Log in as {DEMO_ADMIN} with the password "
                    "printed when it was created (or run 'openisms demo --reset-password')."
                )
            return
        password = _password()
        with transaction.atomic():
            admin = account_services.user_create(
                actor=None, email=DEMO_ADMIN, password=password, full_name="Demo Admin"
            )
            org = org_services.organization_create(
                actor=admin,
                name="CareLoop Health (demo)",
                slug=DEMO_SLUG,
                scope=DEMO_SCOPE,
                size="50-249",
                sector="healthcare",
            )
            team: dict[str, Actor] = {}
            for email, name, role in DEMO_TEAM:
                user = account_services.user_create(
                    actor=None, email=email, password=secrets.token_urlsafe(24), full_name=name
                )
                org_services.membership_add(actor=None, org=org, user=user, role=role)
                team[email] = Actor(user=user, org=org, role=role)
            _demo_assets(org)
            load_demo_risks(system_actor(org))
            manager = team[DEMO_TEAM[0][0]]
            owner = Actor(user=admin, org=org, role=Role.OWNER)
            load_demo_soa(author=manager, approver=owner)
            load_demo_evidence(actor=owner)
            load_demo_documents(author=manager, approver=owner, readers=list(team.values()))
            load_demo_tasks(actor=owner)
            load_demo_frameworks(actor=owner)
            requirements = load_demo_context(author=manager, approver=owner)
            load_demo_citations(actor=manager, requirements=requirements)
            load_demo_objectives(actor=owner)
            raised = load_demo_audits(
                manager=manager, auditor=team[DEMO_TEAM[2][0]], approver=owner
            )
            load_demo_nonconformities(actor=owner, from_audit=raised)
            load_demo_reviews(author=manager, approver=owner)
            org_services.organization_create(
                actor=admin,
                name="Sandbox client (demo)",
                slug="demo-sandbox",
                scope="A second organisation to try switching between clients.",
                size="1-49",
                sector="professional",
            )
        self._print_login(password)

    def _print_login(self, password: str) -> None:
        self.stdout.write(
            "\n".join(
                [
                    "",
                    "=" * 64,
                    " Demo organisation ready. Log in with:",
                    f"   e-mail:   {DEMO_ADMIN}",
                    f"   password: {password}",
                    " This password is shown only now.",
                    "=" * 64,
                    "",
                ]
            )
        )
