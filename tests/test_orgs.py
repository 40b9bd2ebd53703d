from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from openisms.orgs import selectors, services
from openisms.orgs.access import Perm, actor_for
from openisms.orgs.models import Invitation, Membership
from tests.conftest import PASSWORD, World, login, make_user


def test_creator_becomes_owner(world: World) -> None:
    m = Membership.objects.get(org=world.org_a, user=world.owner_a)
    assert m.role == "owner"


@pytest.mark.parametrize("slug", ["", "under_score", "-x", "x-", "a b", "api", "new", "x" * 51])
def test_invalid_or_reserved_slugs_are_refused(world: World, slug: str) -> None:
    with pytest.raises(ValidationError) as exc:
        services.organization_create(actor=world.owner_a, name="N", slug=slug)
    assert "slug" in exc.value.message_dict


def test_duplicate_slug_names_the_field(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        services.organization_create(actor=world.owner_a, name="N", slug="org-b")
    assert "slug" in exc.value.message_dict


def test_non_member_gets_404_member_gets_actor(world: World) -> None:
    with pytest.raises(Http404):
        actor_for(world.owner_b, "org-a")
    with pytest.raises(Http404):
        actor_for(world.owner_a, "does-not-exist")
    assert actor_for(world.users_a["auditor"], "org-a").role == "auditor"


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (
            "owner",
            {
                "view",
                "manage_org",
                "edit_isms",
                "edit_assigned",
                "write_findings",
                "approve",
                "view_audit_trail",
            },
        ),
        (
            "admin",
            {
                "view",
                "manage_org",
                "edit_isms",
                "edit_assigned",
                "write_findings",
                "approve",
                "view_audit_trail",
            },
        ),
        ("manager", {"view", "edit_isms", "edit_assigned", "write_findings", "view_audit_trail"}),
        ("contributor", {"view", "edit_assigned"}),
        ("auditor", {"view", "write_findings", "view_audit_trail"}),
        ("viewer", {"view"}),
    ],
)
def test_role_permissions(world: World, role: str, allowed: set[str]) -> None:
    actor = actor_for(world.users_a[role], "org-a")
    assert {p.value for p in Perm if actor.can(p)} == allowed


def test_only_owner_grants_owner_and_last_owner_stays(world: World) -> None:
    admin = actor_for(world.users_a["admin"], "org-a")
    owner = actor_for(world.owner_a, "org-a")
    viewer_m = Membership.objects.get(user=world.users_a["viewer"])
    with pytest.raises(PermissionDenied):
        services.membership_change_role(actor=admin, membership=viewer_m, role="owner")
    owner_m = Membership.objects.get(user=world.owner_a, org=world.org_a)
    with pytest.raises(ValidationError):
        services.membership_change_role(actor=owner, membership=owner_m, role="viewer")
    with pytest.raises(ValidationError):
        services.membership_remove(actor=owner, membership=owner_m)
    with pytest.raises(PermissionDenied):
        services.membership_remove(actor=admin, membership=owner_m)
    services.membership_change_role(actor=owner, membership=viewer_m, role="owner")
    services.membership_change_role(actor=owner, membership=owner_m, role="manager")
    assert Membership.objects.get(pk=owner_m.pk).role == "manager"


def test_manager_cannot_manage_members(world: World) -> None:
    manager = actor_for(world.users_a["manager"], "org-a")
    with pytest.raises(PermissionDenied):
        services.invitation_create(actor=manager, email="x@example.com", role="viewer")
    with pytest.raises(PermissionDenied):
        services.organization_update(actor=manager, name="Hijacked")


def _invite(
    world: World, email: str = "new@example.com", role: str = "contributor"
) -> tuple[Invitation, str]:
    actor = actor_for(world.owner_a, "org-a")
    return services.invitation_create(actor=actor, email=email, role=role)


def test_invitation_email_is_sent_once_with_the_link(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invitation, raw = _invite(world)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new@example.com"]
    assert f"/invite/{raw}/" in mail.outbox[0].body
    assert raw not in invitation.token_hash


def test_invitation_is_single_use(world: World) -> None:
    _, raw = _invite(world)
    user = make_user("new@example.com")
    membership = services.invitation_accept(user=user, raw_token=raw)
    assert membership.role == "contributor"
    assert membership.org == world.org_a
    with pytest.raises(ValidationError):
        services.invitation_accept(user=user, raw_token=raw)


def test_invitation_expires(world: World) -> None:
    invitation, raw = _invite(world)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    with pytest.raises(ValidationError):
        services.invitation_accept(user=make_user("new@example.com"), raw_token=raw)


def test_invitation_for_someone_else_is_refused(world: World) -> None:
    _, raw = _invite(world)
    with pytest.raises(ValidationError) as exc:
        services.invitation_accept(user=make_user("intruder@example.com"), raw_token=raw)
    assert "email" in exc.value.message_dict
    assert not Membership.objects.filter(user__email="intruder@example.com").exists()


def test_revoked_invitation_cannot_be_used(world: World) -> None:
    invitation, raw = _invite(world)
    services.invitation_revoke(actor=actor_for(world.owner_a, "org-a"), invitation=invitation)
    assert services.invitation_by_token(raw) is None
    with pytest.raises(ValidationError):
        services.invitation_revoke(actor=actor_for(world.owner_a, "org-a"), invitation=invitation)


def test_new_user_accepts_invitation_in_the_browser_flow(world: World) -> None:
    from django.test import Client

    _, raw = _invite(world, email="fresh@example.com", role="auditor")
    client = Client()
    page = client.get(f"/invite/{raw}/")
    assert page.status_code == 200
    assert b"Accept invitation" in page.content
    bad = client.post(f"/invite/{raw}/", {"password": "short", "password_again": "short"})
    assert bad.status_code == 200
    assert not Membership.objects.filter(user__email="fresh@example.com").exists()
    response = client.post(
        f"/invite/{raw}/", {"full_name": "Fresh", "password": PASSWORD, "password_again": PASSWORD}
    )
    assert response.status_code == 302
    assert Membership.objects.get(user__email="fresh@example.com").role == "auditor"
    assert client.get("/o/org-a/").status_code == 200
    assert client.get(f"/invite/{raw}/").status_code == 404


def test_switcher_lists_only_my_organisations(world: World) -> None:
    from openisms.orgs import services as s

    s.membership_add(actor=None, org=world.org_b, user=world.users_a["manager"], role="viewer")
    page = login(world.users_a["manager"]).get("/o/org-a/").content.decode()
    assert "/o/org-b/" in page and "/o/org-a/" in page
    page = login(world.users_a["viewer"]).get("/o/org-a/").content.decode()
    assert "/o/org-b/" not in page


def test_activity_filters(world: World) -> None:
    actor = actor_for(world.owner_a, "org-a")
    services.organization_update(actor=actor, scope="x")
    events = selectors.audit_event_list(actor=actor, action="organization.update")
    assert [e.action for e in events] == ["organization.update"]
    assert selectors.audit_event_list(actor=actor, actor_email="nobody").count() == 0
    page = login(world.owner_a).get("/o/org-a/activity/?action=organization.update")
    assert page.status_code == 200
    assert b"organization.update" in page.content
    partial = login(world.owner_a).get(
        "/o/org-a/activity/?action=membership.create", headers={"HX-Request": "true"}
    )
    assert b"<html" not in partial.content and b"membership.create" in partial.content


def test_settings_form_shows_field_errors_and_changes_nothing(world: World) -> None:
    client = login(world.owner_a)
    response = client.post(
        "/o/org-a/settings/",
        {"name": "Org A", "slug": "org-b", "scope": "", "size": "1-49", "sector": "other"},
    )
    assert response.status_code == 200
    assert b"already exists" in response.content
    world.org_a.refresh_from_db()
    assert world.org_a.slug == "org-a"


def test_home_opens_the_organisation_this_login_last_showed(world: World) -> None:
    """Remembered in a cookie bound to the login, not in the session: no GET saves it."""
    services.membership_add(actor=None, org=world.org_b, user=world.owner_a, role="viewer")
    client = login(world.owner_a)
    assert client.get("/")["Location"] == "/o/org-a/"  # the first membership
    assert client.get("/o/org-b/").status_code == 200
    assert client.get("/")["Location"] == "/o/org-b/"
    assert client.get("/o/org-a/").status_code == 200
    assert client.get("/")["Location"] == "/o/org-a/"
    client.get("/o/org-b/")
    other_login = login(world.owner_a)
    other_login.cookies["openisms_last_org"] = client.cookies["openisms_last_org"].value
    assert other_login.get("/")["Location"] == "/o/org-a/"  # another login's cookie is ignored
