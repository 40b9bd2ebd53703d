from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from openisms.accounts import services
from openisms.accounts.models import ApiToken
from tests.conftest import PASSWORD, World, make_user


def test_argon2_is_the_password_hasher() -> None:
    """Tests swap in a fast hasher; the shipped settings must hash with Argon2."""
    from django.contrib.auth.hashers import Argon2PasswordHasher

    from openisms import settings as shipped

    assert shipped.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert Argon2PasswordHasher().encode("secret", "saltsaltsalt").startswith("argon2$argon2id$")


@pytest.mark.parametrize("password", ["short", "password1234", "123456789012345"])
def test_weak_passwords_are_refused(db: None, password: str) -> None:
    with pytest.raises(ValidationError) as exc:
        services.user_create(actor=None, email="a@example.com", password=password)
    assert "password" in exc.value.message_dict


def test_email_is_normalised_and_unique(db: None) -> None:
    user = make_user("Mixed.Case@Example.COM")
    assert user.email == "mixed.case@example.com"
    with pytest.raises(ValidationError):
        make_user("mixed.case@example.com")


def test_login_with_email(db: None) -> None:
    make_user("login@example.com")
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": "LOGIN@example.com", "password": PASSWORD}
    )
    assert response.status_code == 302
    bad = Client().post("/accounts/login/", {"username": "login@example.com", "password": "wrong"})
    assert bad.status_code == 200 and b"correct" in bad.content


def test_token_is_stored_hashed_and_shown_once(world: World) -> None:
    token, raw = services.token_create(actor=world.owner_a, name="ci")
    assert raw.startswith("oism_")
    assert raw not in token.key_hash and token.key_hash == services.hash_token(raw)
    assert not ApiToken.objects.filter(key_hash=raw).exists()
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    assert client.get("/api/v1/me").json()["email"] == world.owner_a.email


def test_revoked_and_expired_tokens_fail(world: World) -> None:
    token, raw = services.token_create(actor=world.owner_a, name="ci")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    services.token_revoke(actor=world.owner_a, token=token)
    assert client.get("/api/v1/me").status_code == 401
    token2, raw2 = services.token_create(actor=world.owner_a, name="ci2", expires_in_days=1)
    ApiToken.objects.filter(pk=token2.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert Client(headers={"Authorization": f"Bearer {raw2}"}).get("/api/v1/me").status_code == 401
    assert (
        Client(headers={"Authorization": "Bearer oism_forged"}).get("/api/v1/me").status_code == 401
    )


def test_inactive_user_token_fails(world: World) -> None:
    _, raw = services.token_create(actor=world.owner_a, name="ci")
    world.owner_a.is_active = False
    world.owner_a.save()
    assert Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/me").status_code == 401


def test_session_api_requires_csrf(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.owner_a)
    assert client.get("/api/v1/orgs").status_code == 200
    response = client.post("/api/v1/tokens", data={"name": "x"}, content_type="application/json")
    assert response.status_code == 403


def test_token_page_shows_secret_once(world: World) -> None:
    client = Client()
    client.force_login(world.owner_a)
    response = client.post("/accounts/tokens/", {"name": "nightly", "scope": "read"})
    body = response.content.decode()
    assert "will not be shown again" in body
    token = ApiToken.objects.get(name="nightly")
    assert token.prefix in body
    again = client.get("/accounts/tokens/").content.decode()
    assert "will not be shown again" not in again


def test_api_validation_errors_are_json_and_change_nothing(world: World) -> None:
    _, raw = services.token_create(actor=world.owner_a, name="ci", scope="write")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    response = client.post(
        "/api/v1/orgs", data={"name": "X", "slug": "Bad Slug"}, content_type="application/json"
    )
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert any(item["loc"][-1] == "slug" for item in detail)
    response = client.post("/api/v1/orgs", data={"name": "X"}, content_type="application/json")
    assert response.status_code == 422
    session = Client()
    session.force_login(world.owner_a)
    response = session.patch(
        "/api/v1/orgs/org-a/members/999999",
        data={"role": "viewer"},
        content_type="application/json",
    )
    assert response.status_code == 404 and response.json() == {"detail": "Not Found"}
