"""Journeys in a real browser: Debian's Chromium driven by Playwright (skipped without it)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from openisms.orgs import services as org_services
from tests.conftest import PASSWORD, add_member, make_org, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test body
# are synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def page(chromium_path: str, live_server: Any, catalog: None) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium_path,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        context = browser.new_context(base_url=live_server.url)
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        yield page
        browser.close()
        assert not errors, f"browser console errors: {errors}"


def _login(page: Any, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_login_switch_organisation_and_dashboard(page: Any) -> None:
    consultant = make_user("consultant@example.com", full_name="Casey Consultant")
    make_org("client-one", consultant)
    two = make_org("client-two", make_user("other@example.com"))
    org_services.membership_add(actor=None, org=two, user=consultant, role="manager")
    add_member(two, "someone@example.com", "viewer")

    _login(page, "consultant@example.com")
    page.wait_for_url("**/o/client-one/")
    assert page.get_by_role("heading", level=1).inner_text() == "Client-One"
    page.locator("#org-switcher summary").click()
    page.get_by_role("link", name="Client-Two Manager").click()
    page.wait_for_url("**/o/client-two/")
    assert page.get_by_role("heading", level=1).inner_text() == "Client-Two"
    assert page.get_by_text("Next steps").is_visible()
    # The navigation marks where we are and keeps planned areas visibly disabled.
    assert page.locator(".sidenav a[aria-current=page]").inner_text() == "Dashboard"
    # Another client's page is simply not there for someone who is not a member.
    assert page.request.get("/o/client-three/").status == 404


def test_catalogue_facets_and_search_update_in_place(page: Any) -> None:
    from playwright.sync_api import expect

    make_org("acme", make_user("lead@example.com"))
    _login(page, "lead@example.com")
    page.wait_for_url("**/o/acme/")
    page.goto("/o/acme/catalog/iso27001-2022/")
    assert "93 results" in page.locator("#result-count").inner_text()
    page.get_by_label("Corrective", exact=False).first.check()
    # Auto-waiting assertions (no page-side eval: our CSP forbids it).
    expect(page.locator("#result-count")).not_to_contain_text("93 results")
    page.wait_for_url("**control_type=Corrective**")
    page.locator("#q").fill("backup")
    page.wait_for_selector("text=Information backup")
    page.get_by_role("link", name="8.13 Information backup").click()
    assert page.get_by_role("heading", name="How to implement").is_visible()


def test_keyboard_user_can_skip_to_content(page: Any) -> None:
    make_org("acme", make_user("lead@example.com"))
    _login(page, "lead@example.com")
    page.wait_for_url("**/o/acme/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Skip to content"


def test_risk_assessment_journey(page: Any) -> None:
    """ISMS manager: record a risk planned to be treated by 8.13, see it on the heatmap, then
    find the control proposed in the SoA with the risk as its reason."""
    from playwright.sync_api import expect

    make_org("acme", make_user("lead@example.com"))
    _login(page, "lead@example.com")
    page.wait_for_url("**/o/acme/")
    page.goto("/o/acme/risks/new/")
    page.get_by_label("Title").fill("Backups fail silently")
    page.get_by_label("Description").fill("Nightly backup jobs stop without anyone noticing.")
    page.get_by_label("Likelihood", exact=True).select_option("4")
    page.get_by_label("Impact", exact=True).select_option("5")
    page.locator("#id_planned_controls").fill("A.8.13")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Backups fail silently")
    page.goto("/o/acme/risks/dashboard/")
    expect(page.locator("text=risk above the threshold")).to_be_visible()
    page.goto("/o/acme/soa/?q=backup")
    row = page.locator("tr", has_text="Information backup")
    expect(row).to_contain_text("R-001")
