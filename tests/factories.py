"""Test data made through the real services, so every object carries its audit events."""

from __future__ import annotations

from typing import Any

from openisms.accounts import services as account_services
from openisms.accounts.models import User
from openisms.orgs import services as org_services
from openisms.orgs.models import Organization

PASSWORD = "correct horse battery staple 42"


def make_user(email: str, **extra: Any) -> User:
    return account_services.user_create(actor=None, email=email, password=PASSWORD, **extra)


def make_org(slug: str, owner: User) -> Organization:
    return org_services.organization_create(actor=owner, name=slug.title(), slug=slug)


def add_member(org: Organization, email: str, role: str) -> User:
    user = make_user(email)
    org_services.membership_add(actor=None, org=org, user=user, role=role)
    return user
