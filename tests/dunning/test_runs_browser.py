"""A disconnection run on a phone, in a real browser: Back Office previews the run,
excludes an account (htmx swaps the row and the totals follow), executes it after
the confirmation and sees the results by outcome — without the page scrolling
sideways."""

import pytest
from playwright.sync_api import expect

from alux_crm.core import roles as R
from dunning.services import runs
from subscriptions.choices import SubscriptionStatus as S
from subscriptions.models import Subscription
from tests.dunning.runs_world import debtor
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.e2e.test_login import log_in
from tests.products import factories as PF

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


def sideways_overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_back_office_runs_a_disconnection_on_a_phone(page, live_server, make_user):
    cat = PF.catalogue()
    cut, spared = debtor(cat), debtor(cat)
    run = runs.service_run_create(kind="disconnection", name="Phone run")
    user = make_user(R.BACK_OFFICE)
    page.set_viewport_size(PHONE)
    log_in(page, live_server.url, user.username)
    page.goto(f"{live_server.url}{run.get_absolute_url()}")
    page.locator("#run-preview").click()
    expect(page.locator('[data-total="accounts"]')).to_have_text("2")
    assert sideways_overflow(page) <= 0
    item = run.items.get(billing_account=spared)
    page.locator(f"#exclude-{item.pk}").click()
    expect(page.locator(f"#include-{item.pk}")).to_be_visible()
    expect(page.locator('[data-total="accounts"]')).to_have_text("1")
    page.locator("#run-execute").click()
    page.locator("#confirm").click()
    expect(page.locator("#run-status")).to_have_text("Done")
    expect(page.locator('[data-outcome="done"]')).to_contain_text("1")
    expect(page.locator('[data-outcome="excluded"]')).to_contain_text("1")
    assert sideways_overflow(page) <= 0
    page.screenshot(path="var/e2e-disconnection-run-phone.png", full_page=True)
    assert Subscription.objects.get(billing_account=cut).status == S.DISCONNECTED
    assert Subscription.objects.get(billing_account=spared).status == S.ACTIVE
