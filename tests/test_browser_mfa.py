"""Multi-factor authentication in a real browser: enrol with the key read from the page, log
out, and log in again with a code computed the way an authenticator app does."""

from __future__ import annotations

import base64
import time
from typing import Any

import pytest
from django_otp.oath import TOTP

from tests.conftest import make_org, make_user
from tests.test_browser import _login, page  # noqa: F401 - the Chromium fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def away_from_a_period_edge() -> None:
    """Codes change every 30 s: a code typed as the period turns is accepted one period late,
    and django-otp then shifts the device's clock (drift). Start away from the edge."""
    left = 30 - time.time() % 30
    if left < 5:
        time.sleep(left + 0.2)


def app_code(secret: str, steps_ahead: int = 0) -> str:
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    totp = TOTP(key, step=30, t0=0, digits=6, drift=0)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def test_enrol_totp_log_out_and_log_in_with_a_code(page: Any) -> None:  # noqa: F811
    from playwright.sync_api import expect

    make_org("acme", make_user("careful@example.com"))
    _login(page, "careful@example.com")
    page.wait_for_url("**/o/acme/")
    page.get_by_role("link", name="careful@example.com").click()
    page.wait_for_url("**/accounts/security/")
    page.get_by_role("button", name="Set up multi-factor authentication").click()
    page.wait_for_url("**/accounts/mfa/setup/")
    expect(page.locator(".qr svg")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    away_from_a_period_edge()
    page.get_by_label("Code from the app").fill(app_code(secret))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    assert page.locator("#recovery-codes li").count() == 10

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/accounts/login/")
    _login(page, "careful@example.com")
    page.wait_for_url("**/accounts/login/code/")
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text("That code is not valid")).to_be_visible()
    time.sleep(1.1)  # django-otp's back-off after one wrong code is one second
    # The code that confirmed the app cannot be replayed; the next period's is accepted.
    page.get_by_label("Code").fill(app_code(secret, steps_ahead=1))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url("**/o/acme/")
    page.goto("/accounts/security/")
    expect(page.get_by_text("On: logging in asks for a code")).to_be_visible()
