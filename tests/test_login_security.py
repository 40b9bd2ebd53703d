"""Login hardening: throttling, password reset, sessions and multi-factor authentication,
all through real HTTP requests against the real database."""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_otp import devices_for_user
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from openisms.accounts import services as account_services
from openisms.accounts.models import LoginFailure, User, UserSession
from openisms.core.models import AuditEvent
from tests.conftest import PASSWORD, World, add_member, login, make_org, make_user, token_client
from tests.test_browser_mfa import away_from_a_period_edge

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def _post_login(client: Client, email: str, password: str, **extra: Any) -> Any:
    return client.post(LOGIN, {"username": email, "password": password}, **extra)


def _logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """What an authenticator app shows now (or ``steps_ahead`` periods later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def _unthrottle(user: User) -> None:
    """Clear django-otp's own per-device back-off (seconds after a wrong code)."""
    for device in devices_for_user(user, confirmed=None):
        device.throttle_reset()


def _age_failures() -> None:
    """Let the throttling window pass (the rows carry their time; move it back)."""
    LoginFailure.objects.update(created_at=timezone.now() - dt.timedelta(minutes=16))


# --- throttling -----------------------------------------------------------------------------


def test_25_failed_logins_in_a_row_are_throttled(django_capture_on_commit_callbacks: Any) -> None:
    user = make_user("target@example.com")
    client = Client()
    for _ in range(25):
        with django_capture_on_commit_callbacks(execute=True):
            response = _post_login(client, user.email, "wrong password, again")
        assert response.status_code == 200
    assert "Too many failed attempts" in response.content.decode()
    # The right password is refused too while the window lasts.
    response = _post_login(client, user.email, PASSWORD)
    assert response.status_code == 200 and not _logged_in(client)
    assert "Too many failed attempts" in response.content.decode()
    # Refused attempts are not counted: the lock began at the fifth failure.
    assert LoginFailure.objects.filter(email=user.email).count() == 5
    # One audit event and one e-mail to the owner, however many attempts followed.
    assert AuditEvent.objects.filter(action="user.login_throttled").count() == 1
    assert [m.to for m in mail.outbox] == [[user.email]]
    assert "paused" in mail.outbox[0].subject
    _age_failures()
    response = _post_login(client, user.email, PASSWORD)
    assert response.status_code == 302 and _logged_in(client)
    assert not LoginFailure.objects.filter(email=user.email).exists()


def test_unknown_accounts_are_throttled_like_real_ones_and_nobody_is_mailed() -> None:
    client = Client()
    for _ in range(6):
        response = _post_login(client, "nobody@example.com", "guess guess guess")
    assert "Too many failed attempts" in response.content.decode()
    assert mail.outbox == []


def test_one_address_is_throttled_across_accounts() -> None:
    victim = make_user("victim@example.com")
    client = Client(REMOTE_ADDR="203.0.113.9")
    for n in range(20):
        _post_login(client, f"spray{n}@example.com", "Winter2026!")
    assert AuditEvent.objects.filter(action="login.address_throttled").count() == 1
    response = _post_login(client, victim.email, PASSWORD)
    assert not _logged_in(client) and "Too many failed attempts" in response.content.decode()
    # Another address is not affected.
    other = Client(REMOTE_ADDR="198.51.100.7")
    assert _post_login(other, victim.email, PASSWORD).status_code == 302


# --- password reset -------------------------------------------------------------------------


def test_password_reset_does_not_reveal_accounts_and_ends_sessions() -> None:
    user = make_user("forgetful@example.com")
    elsewhere = login(user)
    assert elsewhere.get("/accounts/security/").status_code == 200
    page = Client().get(LOGIN)
    assert b"/accounts/password-reset/" in page.content
    unknown = Client().post("/accounts/password-reset/", {"email": "ghost@example.com"})
    known = Client().post("/accounts/password-reset/", {"email": user.email})
    assert unknown.status_code == known.status_code == 302
    assert unknown["Location"] == known["Location"] == "/accounts/password-reset/sent/"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [user.email]
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body)
    assert link is not None
    client = Client()
    form_page = client.get(link.group(1), follow=True)
    assert b"Choose a new password" in form_page.content
    new = "a brand new passphrase 77"
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
    )
    assert done.status_code == 302 and done["Location"] == "/accounts/reset/done/"
    user.refresh_from_db()
    assert user.check_password(new)
    # The session opened before the reset is gone.
    assert elsewhere.get("/accounts/security/").status_code == 302
    assert AuditEvent.objects.filter(action="user.password_reset", object_id=str(user.pk)).exists()


def test_a_bad_reset_link_is_refused() -> None:
    response = Client().get("/accounts/reset/MQ/bad-token/", follow=True)
    assert b"This link no longer works" in response.content


# --- sessions -------------------------------------------------------------------------------


def test_sessions_are_listed_and_can_be_ended() -> None:
    user = make_user("traveller@example.com")
    laptop = Client(HTTP_USER_AGENT="Laptop browser", REMOTE_ADDR="192.0.2.1")
    phone = Client(HTTP_USER_AGENT="Phone browser", REMOTE_ADDR="192.0.2.2")
    tablet = Client(HTTP_USER_AGENT="Tablet browser", REMOTE_ADDR="192.0.2.3")
    for c in (laptop, phone, tablet):
        assert _post_login(c, user.email, PASSWORD).status_code == 302
    page = laptop.get("/accounts/security/")
    text = page.content.decode()
    assert "Phone browser" in text and "192.0.2.2" in text and "this session" in text
    assert page["Cache-Control"] == "no-store, private"
    phone_row = UserSession.objects.get(user=user, user_agent="Phone browser")
    assert laptop.post(f"/accounts/sessions/{phone_row.pk}/end/").status_code == 302
    assert phone.get("/accounts/security/").status_code == 302  # signed out
    assert tablet.get("/accounts/security/").status_code == 200
    # Someone else's session id is not found.
    stranger = login(make_user("stranger@example.com"))
    tablet_row = UserSession.objects.get(user=user, user_agent="Tablet browser")
    assert stranger.post(f"/accounts/sessions/{tablet_row.pk}/end/").status_code == 404
    assert laptop.post("/accounts/sessions/end-others/").status_code == 302
    assert tablet.get("/accounts/security/").status_code == 302
    assert laptop.get("/accounts/security/").status_code == 200
    assert list(UserSession.objects.filter(user=user).values_list("user_agent", flat=True)) == [
        "Laptop browser"
    ]
    laptop.post("/accounts/logout/")
    assert not UserSession.objects.filter(user=user).exists()


def test_changing_the_password_ends_other_sessions() -> None:
    user = make_user("changer@example.com")
    here, there = login(user), login(user)
    new = "another long passphrase 88"
    response = here.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert here.get("/accounts/security/").status_code == 200
    assert there.get("/accounts/security/").status_code == 302
    assert UserSession.objects.filter(user=user).count() == 1


def test_the_service_password_change_ends_sessions() -> None:
    user = make_user("cli@example.com")
    client = login(user)
    account_services.user_set_password(actor=None, user=user, password="set by the admin 123")
    assert client.get("/accounts/security/").status_code == 302
    assert not UserSession.objects.filter(user=user).exists()


# --- multi-factor ---------------------------------------------------------------------------


def enrol(client: Client, user: User) -> tuple[TOTPDevice, list[str]]:
    assert client.post("/accounts/mfa/enrol/").status_code == 302
    page = client.get("/accounts/mfa/setup/")
    assert b"<svg" in page.content and b'id="totp-secret"' in page.content
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    wrong = client.post("/accounts/mfa/setup/", {"code": "000000"})
    assert b"That code is not valid" in wrong.content
    _unthrottle(user)
    device.refresh_from_db()
    away_from_a_period_edge()
    done = client.post("/accounts/mfa/setup/", {"code": code_for(device)})
    assert done.status_code == 200
    codes = re.findall(r"<li>([a-z2-7]+)</li>", done.content.decode())
    assert len(codes) == 10
    device.refresh_from_db()
    assert device.confirmed
    return device, codes


def test_totp_enrolment_login_with_code_recovery_codes_and_disable() -> None:
    user = make_user("careful@example.com")
    device, codes = enrol(login(user), user)
    assert AuditEvent.objects.filter(action="user.mfa_enable").count() == 1

    client = Client()
    response = _post_login(client, user.email, PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/accounts/login/code/"
    assert not _logged_in(client)
    assert client.get("/accounts/security/").status_code == 302  # not logged in yet
    wrong = client.post("/accounts/login/code/", {"code": "123456"})
    assert b"That code is not valid" in wrong.content and not _logged_in(client)
    assert LoginFailure.objects.filter(email=user.email, kind="code").count() == 1
    _unthrottle(user)
    device.refresh_from_db()
    # The code used to confirm cannot be replayed; the next period's code is accepted.
    right = client.post("/accounts/login/code/", {"code": code_for(device, steps_ahead=1)})
    assert right.status_code == 302 and _logged_in(client)
    assert not LoginFailure.objects.filter(email=user.email).exists()

    # A recovery code works once.
    second = Client()
    _post_login(second, user.email, PASSWORD)
    assert second.post("/accounts/login/code/", {"code": codes[0]}).status_code == 302
    third = Client()
    _post_login(third, user.email, PASSWORD)
    _unthrottle(user)
    third.post("/accounts/login/code/", {"code": codes[0]})
    assert not _logged_in(third)
    _unthrottle(user)

    # New recovery codes need an app code; turning off needs a code too.
    security = client.get("/accounts/security/")
    assert b"Recovery codes left: 9" in security.content
    refused = client.post("/accounts/mfa/disable/", {"code": "999999"}, follow=True)
    assert b"stays on" in refused.content
    _unthrottle(user)
    device.refresh_from_db()  # the login synchronised the device one period ahead (drift)
    fresh = client.post("/accounts/mfa/recovery-codes/", {"code": code_for(device, 1)})
    assert fresh.status_code == 200
    new_codes = re.findall(r"<li>([a-z2-7]+)</li>", fresh.content.decode())
    assert len(new_codes) == 10 and codes[1] not in new_codes
    assert client.post("/accounts/mfa/disable/", {"code": new_codes[0]}).status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert AuditEvent.objects.filter(action="user.mfa_disable").count() == 1
    plain = Client()
    assert _post_login(plain, user.email, PASSWORD)["Location"] == "/"


def test_wrong_codes_are_throttled_per_account() -> None:
    user = make_user("guessed@example.com")
    device, _ = enrol(login(user), user)
    client = Client()
    _post_login(client, user.email, PASSWORD)
    for n in range(4):
        client.post("/accounts/login/code/", {"code": f"{n:06d}"})
    # The right password again does not wipe the wrong codes.
    _post_login(client, user.email, PASSWORD)
    client.post("/accounts/login/code/", {"code": "999999"})
    assert LoginFailure.objects.filter(email=user.email, kind="code").count() == 5
    _unthrottle(user)
    device.refresh_from_db()
    response = client.post("/accounts/login/code/", {"code": code_for(device, 1)})
    assert "Too many failed attempts" in response.content.decode() and not _logged_in(client)


def test_the_code_step_needs_the_password_step_first() -> None:
    response = Client().get("/accounts/login/code/")
    assert response.status_code == 302 and response["Location"] == LOGIN


def test_an_organisation_can_require_multi_factor(world: World) -> None:
    owner = login(world.owner_a)
    page = owner.get("/o/org-a/settings/")
    assert b"Require multi-factor" in page.content
    form = {
        "name": "Org-A",
        "slug": "org-a",
        "size": "1-49",
        "sector": "other",
        "separate_approval": "on",
        "require_mfa": "on",
    }
    assert owner.post("/o/org-a/settings/", form).status_code == 302
    world.org_a.refresh_from_db()
    assert world.org_a.require_mfa
    assert AuditEvent.objects.filter(action="organization.update", org=world.org_a).exists()
    viewer = world.users_a["viewer"]
    client = login(viewer)
    blocked = client.get("/o/org-a/")
    assert blocked.status_code == 302 and blocked["Location"] == "/accounts/security/"
    # Other organisations of the same person are not affected.
    other = make_org("elsewhere", viewer)
    assert client.get(f"/o/{other.slug}/").status_code == 200
    # API tokens are not affected; the browser session is refused in the API as on pages.
    assert token_client(viewer).get("/api/v1/orgs/org-a/assets").status_code == 200
    assert client.get("/api/v1/orgs/org-a/assets").status_code == 403
    assert client.get("/api/v1/orgs/elsewhere/assets").status_code == 200
    enrol(client, viewer)
    assert client.get("/o/org-a/").status_code == 200


def test_member_added_later_is_sent_to_enrol(world: World) -> None:
    world.org_a.require_mfa = True
    world.org_a.save(update_fields=["require_mfa"])
    newcomer = add_member(world.org_a, "newcomer@example.com", "contributor")
    response = login(newcomer).get("/o/org-a/", follow=True)
    assert b"requires multi-factor authentication" in response.content
    assert b"Set up multi-factor authentication" in response.content
