"""The subscriber's journey on a phone (POR-1, issue 8), in a real browser: an agent
invites the customer; from the link of the invitation e-mail the subscriber sets a
password, sees the balance, downloads an invoice's PDF, pays it by card with the test
adapter double-clicking Pay (one payment), tops up a prepaid service with a voucher,
and opens an information request. Every page fits the phone's width."""

import re
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from alux_crm.core.models import OutboxMessage
from billing.models import LedgerEntry, Payment
from billing.services import vouchers as V
from cases.models import Case
from portal.services import portal_invite
from products.pricing import BasketItem
from subscriptions import services as subscription_services
from tests.dunning.engine_world import OWES, debtor
from tests.portal.payments_world import OK_CARD
from tests.products import factories as PF
from tests.subscriptions import factories as SF

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
}
NEW_PASSWORD = "Vara-la-mare-2026"


@pytest.fixture
def phone(browser):
    """A phone-sized browser page; console errors of the Content-Security-Policy kept."""
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.csp_errors = []
    page.on(
        "console",
        lambda msg: (
            page.csp_errors.append(msg.text)
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )
    yield page
    context.close()


def fits_the_phone(page) -> None:
    """No sideways scrolling on the page."""
    width = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert width <= 0, f"{page.url} is {width}px wider than the phone"


def test_subscriber_activates_pays_once_tops_up_and_asks(phone, live_server, settings):
    settings.PORTAL_BASE_URL = live_server.url
    settings.CACHES = {  # the test adapter's memory and throttles: keys of this test only
        "default": {**settings.CACHES["default"], "KEY_PREFIX": f"e2e-{uuid.uuid4().hex[:8]}"}
    }
    cat = PF.catalogue()
    account = debtor(cat)
    customer = account.customer
    customer.language = "en"
    customer.save(update_fields=["language"])
    invoice = account.invoices.get()
    prepaid = subscription_services.subscription_activate(
        subscription=SF.subscription(
            cat,
            items=[BasketItem(cat.tv)],
            devices=[],
            is_prepaid=True,
            billing_account=SF.account(customer),
        )
    )
    today = invoice.issued_on
    _batch, pairs = V.voucher_batch_generate(
        value=Decimal("10.00"),
        currency="EUR",
        valid_from=today - timedelta(days=400),
        valid_until=today + timedelta(days=400),
        quantity=1,
    )
    code = pairs[0][1]

    # the agent's invitation: an e-mail with a one-time link, through the outbox
    portal_invite(customer=customer)
    mail = OutboxMessage.objects.get(topic="email", payload__to=[customer.email])
    link = re.search(r"http\S+/portal/activate/\S+/", mail.payload["body"]).group(0)

    page = phone
    page.goto(link)
    page.locator("input[name=new_password1]").fill(NEW_PASSWORD)
    page.locator("input[name=new_password2]").fill(NEW_PASSWORD)
    page.locator("#portal-activate-submit").click()
    expect(page).to_have_url(re.compile(r"/portal/dashboard/$"))

    # the balance, and the invoice with its PDF
    expect(page.locator(f"#balance-{account.number}")).to_contain_text(f"{OWES} EUR")
    fits_the_phone(page)
    page.locator("#nav-invoices").click()
    page.locator("#invoices").get_by_role("link", name=invoice.number, exact=True).click()
    expect(page.locator("#invoice-lines")).to_be_visible()
    fits_the_phone(page)
    pdf = page.request.get(live_server.url + page.locator("#invoice-pdf").get_attribute("href"))
    assert pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")

    # pay it by card, double-clicking Pay: one payment
    page.locator("#invoice-pay").click()
    expect(page.locator("#pay-form")).to_be_visible()
    expect(page.locator("input[name=amount]")).to_have_value(str(OWES))
    page.locator("input[name=card_number]").fill(OK_CARD)
    page.locator("input[name=expiry]").fill("12/39")
    page.locator("input[name=cvc]").fill("123")
    fits_the_phone(page)
    page.locator("#pay-button").dblclick()
    expect(page.locator("#payment-result")).to_have_attribute("data-status", "succeeded")
    expect(page.locator("#payment-result-text")).to_contain_text("ending in 4242")
    assert Payment.objects.filter(billing_account=account).count() == 1
    assert LedgerEntry.objects.filter(billing_account=account, kind="payment").count() == 1
    page.locator("#nav-invoices").click()
    expect(page.locator("#payments li")).to_have_count(1)
    expect(page.locator("#payments")).to_contain_text(f"{OWES} EUR")
    page.locator("#nav-home").click()
    expect(page.locator(f"#balance-{account.number}")).to_contain_text("0.00 EUR")

    # top up the prepaid service with a voucher
    page.locator(f"#top-up-{prepaid.number}").click()
    page.locator("input[name=code]").fill(code)
    page.locator("#top-up-button").click()
    expect(page.locator("#messages")).to_contain_text("Voucher accepted")
    expect(page.locator(f"#prepaid-balance-{prepaid.number}")).to_contain_text("10.00")
    fits_the_phone(page)

    # open an information request
    page.locator("#nav-requests").click()
    page.locator("#new-request").click()
    page.locator("#id_kind").select_option("information")
    page.locator("#id_subject").fill("Which channels are in HD?")
    page.locator("#id_description").fill("I would like the list of HD channels, please.")
    fits_the_phone(page)
    page.locator("#request-submit").click()
    case = Case.objects.get(customer=customer)
    expect(page.locator("#request-number")).to_contain_text(case.number)
    assert case.channel == "portal" and case.subject == "Which channels are in HD?"
    page.locator("#nav-home").click()
    expect(page.locator("#open-requests-count")).to_have_attribute("data-count", "1")
    assert page.csp_errors == []
