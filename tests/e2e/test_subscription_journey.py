"""Issue 5's journey in a real browser: a Sales agent sells Family TV with the Sports
add-on, a rented TV box and the installation fee to a new customer through the
wizard, downloads the contract PDF, then (once installed) books two months of
resting and sees the invoices while resting; on a phone the basket step does not
scroll sideways."""

import re
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from alux_crm.core import roles as R
from alux_crm.core.models import OperatorSettings
from alux_crm.core.selectors import working_calendar
from products import choices as PC
from subscriptions import services
from subscriptions.models import ContractClause, Subscription
from tests.customers.factories import person
from tests.e2e.test_login import log_in
from tests.products import factories as PF
from tests.subscriptions.factories import account, resting_policy

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture(autouse=True)
def _own_cache_and_settings_row(settings):
    """Cache keys of this test only (the Redis cache is shared with other runs), and
    the operator's settings row, which an earlier transactional test may have
    flushed (the working calendar of the installation booking reads it)."""
    prefix = f"alux-e2e-{uuid.uuid4().hex[:8]}"
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": prefix}}
    if not OperatorSettings.objects.exists():
        OperatorSettings.objects.create()


def family_catalogue():
    """Family TV (with a resting fee and policy), the Sports add-on, a TV box for
    sale or rent and the installation fee."""
    tv = PF.product(PC.ProductCategory.TV_PACKAGE, code="family-tv", name_en="Family TV")
    PF.plan(tv, "10.00", resting="2.00")
    sports = PF.product(PC.ProductCategory.TV_ADDON, code="sports", name_en="Sports")
    PF.plan(sports, "5.00")
    PF.requires(sports, category=PC.ProductCategory.TV_PACKAGE)
    box = PF.product(PC.ProductCategory.TV_BOX, code="tv-box", name_en="TV box")
    PF.plan(box, "99.00", acquisition=PC.Acquisition.SALE)
    PF.plan(box, "3.00", acquisition=PC.Acquisition.RENTAL)
    fee = PF.product(PC.ProductCategory.INSTALLATION, code="install", name_en="Installation fee")
    PF.plan(fee, "25.00")
    resting_policy(tv, min_days=30, max_days=90, max_per_year=2, notice_days=0)
    ContractClause.objects.create(
        code="payment", order=1, title_en="Payment", text_en="Invoices are due in 15 days."
    )
    return tv, sports, box, fee


def working_day(after_days: int = 2):
    calendar, day = working_calendar(), timezone.localdate() + timedelta(days=after_days)
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    return day


def periods_touched(start, end) -> int:
    """Billing periods (bill-cycle day 1) that ``[start, end)`` touches."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return months + (1 if end.day > 1 else 0)


def fill_basket(page, tv, sports, box, fee) -> None:
    for row, product in enumerate((tv, sports, box, fee), start=1):
        page.locator(f"#id_product_{row}").select_option(str(product.pk))
    page.locator("#id_acquisition_3").select_option("rental")


def test_agent_sells_downloads_the_contract_and_books_resting(
    page, live_server, make_user, csp_violations
):
    tv, sports, box, fee = family_catalogue()
    customer = person(first_name="Elena", last_name="Marinescu")
    billing = account(customer)
    agent = make_user(R.SALES, first_name="Sorin")
    log_in(page, live_server.url, agent.username)

    # The wizard, from the menu: find the customer as the agent types.
    page.locator("#main-nav").get_by_role("link", name="New subscription").click()
    page.locator("#customer-search").fill("Marinescu")
    expect(page.locator("#customer-choices")).to_contain_text(customer.number)
    expect(page.locator(f"#customer-{customer.pk}")).to_be_checked()
    page.locator("#next").click()
    expect(page.get_by_label(f"{billing.number} · {billing.name}")).to_be_checked()
    page.locator("#next").click()

    # The basket is priced live as the products are chosen.
    fill_basket(page, tv, sports, box, fee)
    quote = page.locator("#basket-quote")
    expect(quote.locator('[data-product="install"]')).to_be_visible()
    expect(quote.locator('[data-product="tv-box"]')).to_contain_text("Rental")
    expect(page.locator("#quote-monthly")).to_have_text("21.78 EUR")  # (10 + 5 + 3) + 21 %
    page.screenshot(path="var/e2e-wizard-basket.png", full_page=True)
    page.locator("#next").click()

    page.get_by_label("Serial number of TV box #1").fill("e2e-box-0001")
    page.get_by_label("Room").fill("Living room")
    page.locator("#next").click()
    day = working_day()
    page.get_by_label("Installation day").fill(day.isoformat())
    page.get_by_label("Time").select_option("morning")
    page.locator("#next").click()
    page.locator("#next").click()  # the standard contract, 24 months
    expect(page.locator("#summary-devices")).to_contain_text("E2E-BOX-0001")
    page.locator("#next").click()

    # The subscription page, on its Documents tab: download the contract.
    expect(page).to_have_url(re.compile(r"/subscriptions/\d+/\?tab=documents$"))
    expect(page.locator("#status-badge")).to_have_text("Pending installation")
    with page.expect_download() as download:
        page.locator('[data-download="pdf"]').first.click()
    with open(download.value.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    assert download.value.suggested_filename.endswith("-C1.pdf")
    page.screenshot(path="var/e2e-subscription-documents.png", full_page=True)
    subscription = Subscription.objects.get()
    assert subscription.devices.get().serial == "E2E-BOX-0001"
    assert subscription.installation_date == day

    # Installed: two months of resting, with the invoices while resting.
    services.subscription_activate(subscription=subscription)
    page.goto(f"{live_server.url}{subscription.get_absolute_url()}")
    page.locator('[data-action="resting_create"]').click()
    expect(page.locator("#resting-policy")).to_contain_text("lasts 30 to 90 days")
    start = timezone.localdate() + timedelta(days=1)
    page.get_by_label("From").fill(start.isoformat())
    page.get_by_label("Service resumes on").fill((start + timedelta(days=61)).isoformat())
    page.get_by_label("Service resumes on").blur()
    invoices = page.locator("#resting-invoices")
    # One invoice per billing period the two months touch (the last preview wins).
    expect(invoices.locator("section")).to_have_count(periods_touched(start, start + timedelta(61)))
    expect(invoices).to_contain_text("resting fee")
    expect(invoices.locator('[data-line="resting"]').first).to_be_visible()
    page.screenshot(path="var/e2e-resting-preview.png", full_page=True)
    page.locator("#submit").click()
    expect(page.locator("#messages")).to_contain_text("Resting booked")
    expect(page.locator("#resting-periods")).to_contain_text("Scheduled")
    assert csp_violations == []


def test_basket_step_fits_a_phone(browser, live_server, make_user):
    tv, sports, box, fee = family_catalogue()
    customer = person()
    account(customer)
    agent = make_user(R.SALES)
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    log_in(page, live_server.url, agent.username)
    page.goto(f"{live_server.url}/subscriptions/new/?customer={customer.pk}")
    page.locator("#next").click()
    expect(page).to_have_url(re.compile(r"/subscriptions/new/basket/$"))
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    fill_basket(page, tv, sports, box, fee)
    expect(page.locator("#basket-quote [data-product='install']")).to_be_visible()
    assert page.evaluate(NO_SIDEWAYS_SCROLL), page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    page.screenshot(path="var/e2e-wizard-basket-phone.png", full_page=True)
    context.close()
