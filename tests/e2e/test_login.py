"""An agent logs in, sees the dashboard and logs out — in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from alux_crm.core import roles as R
from tests.core.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def log_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_agent_logs_in_sees_dashboard_and_logs_out(page, live_server, make_user, csp_violations):
    agent = make_user(R.CUSTOMER_SERVICE, first_name="Ioana")
    log_in(page, live_server.url, agent.username)

    expect(page.get_by_role("heading", name="Good day, Ioana")).to_be_visible()
    expect(page.locator("#main-nav")).to_contain_text("Partners")
    expect(page.locator("#main-nav")).not_to_contain_text("Outbox")
    page.screenshot(path="var/e2e-dashboard.png", full_page=True)

    page.locator("#user-menu").click()
    page.locator("#logout").click()
    expect(page).to_have_url(re.compile(r"/login/"))
    page.goto(f"{live_server.url}/partners/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/partners/"))
    assert csp_violations == []


def test_wrong_password_shows_an_error(page, live_server, make_user):
    agent = make_user(R.CUSTOMER_SERVICE)
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(agent.username)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#login-form")).to_contain_text("correct username and password")


def test_phone_layout_menu_tabs_and_bell(browser, live_server, make_user, partner_a):
    """On a phone the menu is behind a button; htmx tabs and the bell work."""
    from alux_crm.core.services import notification_send

    sysadmin = make_user(R.SYSTEM_ADMINISTRATOR)
    notification_send(recipient=sysadmin, title="Billing run 2026-11 is ready for review")
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    violations: list[str] = []
    page.on(
        "console", lambda m: violations.append(m.text) if "Content Security" in m.text else None
    )
    log_in(page, live_server.url, sysadmin.username)

    nav = page.locator("#main-nav")
    expect(nav).to_be_hidden()
    page.get_by_role("button", name="Menu").click()
    expect(nav).to_be_visible()
    nav.get_by_role("link", name="Partners").click()

    page.get_by_role("link", name=partner_a.name).click()
    expect(page.locator("#status-badge")).to_have_text("Active")
    page.locator('[data-tab="history"]').click()
    expect(page.locator("#history")).to_contain_text("insert")
    expect(page).to_have_url(re.compile(r"\?tab=history$"))

    page.locator("#bell").click()
    expect(page.locator("#bell-menu")).to_contain_text("Billing run 2026-11 is ready for review")
    page.screenshot(path="var/e2e-phone.png", full_page=True)
    assert violations == []
    context.close()
