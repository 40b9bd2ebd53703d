"""Scoped API tokens: read or read-write, one organisation or all, always expiring, and never
able to manage tokens, memberships or the organisation (those need a browser session)."""

from __future__ import annotations

import datetime as dt
import json

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from openisms.accounts import services
from openisms.accounts.models import ApiToken
from openisms.orgs.access import actor_for
from openisms.orgs.models import Invitation, Membership, Organization
from openisms.orgs.services import membership_remove
from tests.conftest import World, login, token_client


def _bearer(raw: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {raw}"})


def test_read_token_reads_but_cannot_write(world: World) -> None:
    client = token_client(world.owner_a, scope="read")
    assert client.get(f"/api/v1/orgs/{world.org_a.slug}/members").status_code == 200
    response = client.post(
        "/api/v1/orgs", data={"name": "New", "slug": "new-org"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert "read-only" in response.json()["detail"]
    assert not Organization.objects.filter(slug="new-org").exists()


def test_org_bound_token_reaches_only_its_organisation(world: World) -> None:
    add_b = Membership.objects.create(org=world.org_b, user=world.owner_a, role="viewer")
    client = token_client(world.owner_a, scope="write", org_id=world.org_a.pk)
    assert client.get(f"/api/v1/orgs/{world.org_a.slug}").status_code == 200
    response = client.get(f"/api/v1/orgs/{world.org_b.slug}/members")
    assert response.status_code == 404
    assert [o["slug"] for o in client.get("/api/v1/orgs").json()["items"]] == [world.org_a.slug]
    assert [m["org"] for m in client.get("/api/v1/me").json()["memberships"]] == ["org-a"]
    response = client.post(
        "/api/v1/orgs", data={"name": "New", "slug": "new-org"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert not Organization.objects.filter(slug="new-org").exists()
    # A token for all organisations reaches the second one.
    assert token_client(world.owner_a).get(f"/api/v1/orgs/{add_b.org.slug}").status_code == 200


def test_token_cannot_create_or_revoke_tokens(world: World) -> None:
    """Found on main: a token minted a new token that outlived the first one's revocation."""
    token, raw = services.token_create(actor=world.owner_a, name="ci", scope="write")
    client = _bearer(raw)
    response = client.post("/api/v1/tokens", data={"name": "x"}, content_type="application/json")
    assert response.status_code == 403
    assert "browser session" in response.json()["detail"]
    assert client.delete(f"/api/v1/tokens/{token.pk}").status_code == 403
    assert ApiToken.objects.filter(user=world.owner_a).count() == 1
    token.refresh_from_db()
    assert token.revoked_at is None
    # The browser session does both.
    session = login(world.owner_a)
    created = session.post(
        "/api/v1/tokens",
        data={"name": "x", "scope": "write", "org": world.org_a.slug, "expires_in_days": 30},
        content_type="application/json",
    )
    assert created.status_code == 201
    body = created.json()
    assert body["scope"] == "write" and body["org"] == world.org_a.slug
    assert session.delete(f"/api/v1/tokens/{token.pk}").status_code == 200
    assert client.get("/api/v1/me").status_code == 401


def test_admin_token_cannot_manage_members_or_the_organisation(world: World) -> None:
    """Found on main: an admin's token removed that admin's membership and renamed the org."""
    admin = world.users_a["admin"]
    client = token_client(admin, scope="write")
    org = world.org_a.slug
    own = Membership.objects.get(org=world.org_a, user=admin)
    viewer = Membership.objects.get(org=world.org_a, user=world.users_a["viewer"])
    calls = [
        ("patch", f"/api/v1/orgs/{org}", {"name": "Renamed"}),
        ("delete", f"/api/v1/orgs/{org}/members/{own.pk}", None),
        ("patch", f"/api/v1/orgs/{org}/members/{viewer.pk}", {"role": "admin"}),
        ("post", f"/api/v1/orgs/{org}/invitations", {"email": "x@example.com", "role": "owner"}),
    ]
    for method, url, body in calls:
        response = client.generic(
            method.upper(),
            url,
            data="" if body is None else json.dumps(body),
            content_type="application/json",
        )
        assert response.status_code == 403, (method, url, response.content)
        assert "browser session" in response.json()["detail"]
    world.org_a.refresh_from_db()
    assert world.org_a.name != "Renamed"
    assert Membership.objects.filter(pk=own.pk).exists()
    viewer.refresh_from_db()
    assert viewer.role == "viewer"
    assert not Invitation.objects.filter(org=world.org_a).exists()
    # The same admin in a browser session may rename the organisation.
    response = login(admin).patch(
        f"/api/v1/orgs/{org}", data={"name": "Renamed"}, content_type="application/json"
    )
    assert response.status_code == 200


def test_removing_a_member_revokes_their_tokens_for_that_organisation(world: World) -> None:
    manager = world.users_a["manager"]
    Membership.objects.create(org=world.org_b, user=manager, role="viewer")
    bound, bound_raw = services.token_create(
        actor=manager, name="a", scope="write", org_id=world.org_a.pk
    )
    other, other_raw = services.token_create(actor=manager, name="b", org_id=world.org_b.pk)
    _, all_raw = services.token_create(actor=manager, name="all")
    membership = Membership.objects.get(org=world.org_a, user=manager)
    membership_remove(actor=actor_for(world.owner_a, world.org_a.slug), membership=membership)
    bound.refresh_from_db()
    other.refresh_from_db()
    assert bound.revoked_at is not None and other.revoked_at is None
    assert _bearer(bound_raw).get("/api/v1/me").status_code == 401
    # The all-organisations token loses organisation A but keeps B.
    everywhere = _bearer(all_raw)
    assert everywhere.get(f"/api/v1/orgs/{world.org_a.slug}").status_code == 404
    assert everywhere.get(f"/api/v1/orgs/{world.org_b.slug}").status_code == 200
    assert _bearer(other_raw).get(f"/api/v1/orgs/{world.org_b.slug}").status_code == 200


def test_tokens_always_expire_within_a_year(world: World) -> None:
    token, _ = services.token_create(actor=world.owner_a, name="d")
    assert token.expires_at is not None
    days = (token.expires_at - timezone.now()).days
    assert 89 <= days <= 90 and token.scope == "read" and token.org_id is None
    session = login(world.owner_a)
    for payload in (
        {"name": "x", "expires_in_days": 366},
        {"name": "x", "expires_in_days": 0},
        {"name": "x", "org": world.org_b.slug},
        {"name": "x", "scope": "admin"},
    ):
        response = session.post("/api/v1/tokens", data=payload, content_type="application/json")
        assert response.status_code == 422, (payload, response.content)
    assert ApiToken.objects.filter(user=world.owner_a).count() == 1


def test_last_use_is_recorded_at_most_once_a_minute(world: World) -> None:
    token, raw = services.token_create(actor=world.owner_a, name="u")
    client = _bearer(raw)
    client.get("/api/v1/me")
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    with CaptureQueriesContext(connection) as captured:
        client.get("/api/v1/me")
    assert not any(q["sql"].startswith("UPDATE") for q in captured.captured_queries)
    token.refresh_from_db()
    assert token.last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - dt.timedelta(minutes=2))
    client.get("/api/v1/me")
    token.refresh_from_db()
    assert token.last_used_at is not None and token.last_used_at > first - dt.timedelta(minutes=1)


def test_token_page_binds_to_an_organisation_and_shows_last_use(world: World) -> None:
    session = login(world.owner_a)
    page = session.get("/accounts/tokens/").content.decode()
    assert world.org_a.name in page and "All my organisations" in page
    response = session.post(
        "/accounts/tokens/",
        {"name": "bound", "scope": "write", "org_id": world.org_a.pk, "expires_in_days": 7},
    )
    assert "will not be shown again" in response.content.decode()
    token = ApiToken.objects.get(name="bound")
    assert token.org_id == world.org_a.pk and token.scope == "write"
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    page = session.get("/accounts/tokens/").content.decode()
    assert "Read and write" in page and "never" not in page.split("bound")[1].split("</tr>")[0]
    # An organisation the user is not in cannot be chosen.
    response = session.post(
        "/accounts/tokens/", {"name": "stray", "scope": "read", "org_id": world.org_b.pk}
    )
    assert not ApiToken.objects.filter(name="stray").exists()
