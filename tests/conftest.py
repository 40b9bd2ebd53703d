from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from openisms.accounts import services as account_services
from openisms.accounts.models import User
from openisms.catalog import loader
from openisms.catalog.models import Framework
from openisms.orgs.models import Organization
from tests.factories import PASSWORD, add_member, make_org, make_user

__all__ = ["PASSWORD", "World", "add_member", "login", "make_org", "make_user", "token_client"]
SHARED_DATA = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data")


@pytest.fixture(autouse=True)
def _plain_static(settings: Any) -> None:
    """Tests render templates without a collectstatic manifest."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _evidence_storage(settings: Any, tmp_path: Any) -> None:
    """Uploaded evidence goes to a per-test directory, never to the real data directory."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    """Load the shipped catalogues once into the test database."""
    with django_db_blocker.unblock():
        loader.load_all()


@pytest.fixture
def catalog(db: Any) -> None:
    """Make sure catalogues are present (transactional tests flush the database)."""
    if not Framework.objects.filter(slug="iso27001-2022").exists():
        loader.load_all(force=True)


@dataclass
class World:
    """Two organisations, A and B, with one user per role in A and an owner in B."""

    org_a: Organization
    org_b: Organization
    owner_a: User
    owner_b: User
    users_a: dict[str, User]


@pytest.fixture
def world(db: Any) -> World:
    owner_a = make_user("owner-a@example.com", full_name="Owner A")
    owner_b = make_user("owner-b@example.com", full_name="Owner B")
    org_a = make_org("org-a", owner_a)
    org_b = make_org("org-b", owner_b)
    users = {"owner": owner_a}
    for role in ("admin", "manager", "contributor", "auditor", "viewer"):
        users[role] = add_member(org_a, f"{role}-a@example.com", role)
    return World(org_a, org_b, owner_a, owner_b, users)


def login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def token_client(user: User, scope: str = "write", org_id: int | None = None) -> Client:
    _, raw = account_services.token_create(actor=user, name="test", scope=scope, org_id=org_id)
    return Client(headers={"Authorization": f"Bearer {raw}"})


@pytest.fixture
def chromium_path() -> Iterator[str]:
    for candidate in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if os.path.exists(candidate):
            yield candidate
            return
    pytest.skip("Debian's chromium is not installed (apt-get install chromium); CI installs it")
