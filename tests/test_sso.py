"""OpenID Connect single sign-on against a small provider that the test runs itself.

The provider is a standard-library HTTP server on a thread: its token endpoint hands out ID
tokens signed with an RSA key made for the test, and its JWKS endpoint publishes the public
half. The browser side of the authorization-code flow is driven through Django's test client.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client, override_settings
from jwt.algorithms import RSAAlgorithm

from openisms.accounts.models import User
from openisms.orgs.models import Membership, SsoDomain
from tests.conftest import World, login

CLIENT_ID = "openisms-test"
CLIENT_SECRET = "s3cret-for-tests"


@dataclass
class Provider:
    base: str
    key: Any
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    token_requests: list[dict[str, list[str]]] = field(default_factory=list)

    def id_token(self, claims: dict[str, Any], key: Any = None) -> str:
        now = int(time.time())
        body = {"iss": self.base, "aud": CLIENT_ID, "iat": now, "exp": now + 300, **claims}
        return jwt.encode(body, key or self.key, algorithm="RS256", headers={"kid": "test-key"})


def _handler(provider: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _json(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            if self.path == "/jwks":
                jwk = RSAAlgorithm.to_jwk(provider.key.public_key(), as_dict=True)
                self._json(200, {"keys": [{**jwk, "kid": "test-key", "alg": "RS256"}]})
            else:
                self._json(404, {"error": "not_found"})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = parse_qs(self.rfile.read(length).decode())
            provider.token_requests.append(form)
            grant = provider.codes.pop(form.get("code", [""])[0], None)
            ok_client = form.get("client_id") == [CLIENT_ID] and form.get("client_secret") == [
                CLIENT_SECRET
            ]
            if self.path != "/token" or grant is None or not ok_client:
                self._json(400, {"error": "invalid_grant"})
                return
            verifier = form.get("code_verifier", [""])[0].encode()
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=")
            if challenge.decode() != grant["code_challenge"]:
                self._json(400, {"error": "invalid_grant"})
                return
            self._json(
                200, {"access_token": "at", "token_type": "Bearer", "id_token": grant["id_token"]}
            )

    return Handler


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    state = Provider(base=base, key=key)
    server.RequestHandlerClass = _handler(state)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def sso(provider: Provider, monkeypatch: pytest.MonkeyPatch) -> Iterator[Provider]:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    with override_settings(
        OPENISMS_OIDC_ENABLED=True,
        AUTHENTICATION_BACKENDS=[
            "django.contrib.auth.backends.ModelBackend",
            "openisms.orgs.sso.SsoBackend",
        ],
        OIDC_RP_CLIENT_ID=CLIENT_ID,
        OIDC_RP_CLIENT_SECRET=CLIENT_SECRET,
        OIDC_OP_ISSUER=provider.base,
        OIDC_OP_AUTHORIZATION_ENDPOINT=f"{provider.base}/authorize",
        OIDC_OP_TOKEN_ENDPOINT=f"{provider.base}/token",
        OIDC_OP_JWKS_ENDPOINT=f"{provider.base}/jwks",
    ):
        yield provider


def _sign_in(provider: Provider, claims: dict[str, Any], key: Any = None) -> tuple[Client, Any]:
    """Run the authorization-code flow: start, 'approve' at the provider, come back."""
    client = Client()
    start = client.get("/accounts/sso/start/")
    assert start.status_code == 302
    location = urlparse(start["Location"])
    assert location.path == "/authorize"
    query = {k: v[0] for k, v in parse_qs(location.query).items()}
    assert query["client_id"] == CLIENT_ID and query["code_challenge_method"] == "S256"
    code = secrets.token_urlsafe(16)
    provider.codes[code] = {
        "code_challenge": query["code_challenge"],
        "id_token": provider.id_token({"nonce": query["nonce"], **claims}, key=key),
    }
    response = client.get("/accounts/sso/callback/", {"code": code, "state": query["state"]})
    return client, response


def _claims(email: str, **extra: Any) -> dict[str, Any]:
    return {"sub": email, "email": email, "email_verified": True, "name": "Sam SSO", **extra}


def _messages(client: Client, response: Any) -> str:
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    return client.get("/accounts/login/").content.decode()


def _claim_domain(world: World, domain: str, role: str) -> None:
    """The organisation's admin sets the domain on the settings page."""
    admin = login(world.users_a["admin"])
    response = admin.post(
        f"/o/{world.org_a.slug}/settings/sso/", {"domains": f"{domain}\n", "role": role}
    )
    assert response.status_code == 302
    assert SsoDomain.objects.filter(org=world.org_a, domain=domain, role=role).exists()


def test_sso_creates_the_account_and_membership_for_a_claimed_domain(
    world: World, sso: Provider
) -> None:
    _claim_domain(world, "corp.example", "auditor")
    client, response = _sign_in(sso, _claims("Sam@Corp.example"))
    assert response.status_code == 302 and response["Location"] == "/"
    user = User.objects.get(email="sam@corp.example")
    assert not user.has_usable_password() and user.full_name == "Sam SSO"
    assert Membership.objects.get(user=user).role == "auditor"
    assert client.get("/api/v1/me").json()["memberships"][0]["org"] == world.org_a.slug
    # The second sign-in finds the same account.
    _, again = _sign_in(sso, _claims("sam@corp.example"))
    assert again["Location"] == "/" and User.objects.filter(email="sam@corp.example").count() == 1
    # The token request carried the client's credentials and the PKCE verifier.
    assert sso.token_requests[-1]["grant_type"] == ["authorization_code"]


def test_sso_refuses_an_unclaimed_domain_without_creating_an_account(
    world: World, sso: Provider
) -> None:
    client, response = _sign_in(sso, _claims("eve@elsewhere.example"))
    assert "No organisation here accepts single sign-on" in _messages(client, response)
    assert not User.objects.filter(email="eve@elsewhere.example").exists()
    assert "_auth_user_id" not in client.session


def test_sso_refuses_a_token_with_a_bad_signature(world: World, sso: Provider) -> None:
    _claim_domain(world, "corp.example", "viewer")
    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    client, response = _sign_in(sso, _claims("mallory@corp.example"), key=forger)
    assert "Single sign-on did not succeed" in _messages(client, response)
    assert not User.objects.filter(email="mallory@corp.example").exists()


def test_sso_refuses_an_unverified_email(world: World, sso: Provider) -> None:
    _claim_domain(world, "corp.example", "viewer")
    client, response = _sign_in(sso, _claims("pat@corp.example", email_verified=False))
    assert "has not verified your e-mail address" in _messages(client, response)
    assert not User.objects.filter(email="pat@corp.example").exists()


def test_sso_refuses_a_token_for_another_client(world: World, sso: Provider) -> None:
    _claim_domain(world, "corp.example", "viewer")
    client, response = _sign_in(sso, _claims("kim@corp.example", aud="someone-else"))
    assert "Single sign-on did not succeed" in _messages(client, response)
    assert not User.objects.filter(email="kim@corp.example").exists()


def test_a_domain_belongs_to_one_organisation_and_newcomers_are_never_owners(
    world: World,
) -> None:
    _claim_domain(world, "corp.example", "viewer")
    other = login(world.owner_b)
    other.post(
        f"/o/{world.org_b.slug}/settings/sso/", {"domains": "corp.example", "role": "viewer"}
    )
    assert not SsoDomain.objects.filter(org=world.org_b).exists()
    owner = login(world.owner_a)
    owner.post(f"/o/{world.org_a.slug}/settings/sso/", {"domains": "x.example", "role": "owner"})
    assert not SsoDomain.objects.filter(domain="x.example").exists()
    viewer = login(world.users_a["viewer"])
    response = viewer.post(
        f"/o/{world.org_a.slug}/settings/sso/", {"domains": "y.example", "role": "viewer"}
    )
    assert response.status_code == 403
    assert not SsoDomain.objects.filter(domain="y.example").exists()


def test_sso_is_off_unless_configured(world: World, sso: Provider) -> None:
    page = Client().get("/accounts/login/").content.decode()
    assert "Sign in with SSO" in page
    with override_settings(OPENISMS_OIDC_ENABLED=False):
        assert "Sign in with SSO" not in Client().get("/accounts/login/").content.decode()
        assert Client().get("/accounts/sso/start/").status_code == 404
        assert Client().get("/accounts/sso/callback/").status_code == 404
