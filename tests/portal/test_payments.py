"""Card payments in the portal (POR-1): the pay page, the provider adapter's outcomes,
one payment per form whatever the clicks, retries and races, and another customer's
objects are a 404."""

import copy
import logging
import threading
import time
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from billing.choices import EntryKind, PaymentMethod
from billing.models import Invoice, LedgerEntry, Payment
from billing.selectors import with_open_amount
from portal.choices import CardPaymentStatus
from portal.models import CardPayment
from portal.providers import Card, TestCardProvider
from portal.services_payments import card_payment_pay, card_payment_retry
from tests.dunning.engine_world import debtor
from tests.portal.payments_world import (
    DECLINED_CARD,
    TIMEOUT_CARD,
    card_payment_of,
    pay_form,
    subscriber,
)
from tests.products import factories as PF

pytestmark = pytest.mark.django_db
D = Decimal
PAY = "/portal/payments/pay/"


@pytest.fixture(autouse=True)
def _own_cache_keys(settings):
    """Cache keys of this test only (the test provider's memory, throttles)."""
    prefix = f"alux-test-pay-{uuid.uuid4().hex[:8]}"
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": prefix}}


def open_amount(invoice) -> Decimal:
    return with_open_amount(Invoice.objects.filter(pk=invoice.pk)).get().open_amount


def portal_card_payments(account):
    return Payment.objects.filter(billing_account=account, method=PaymentMethod.PORTAL_CARD)


def test_pay_page_offers_the_invoice_open_amount_with_a_one_time_key():
    account = debtor(PF.catalogue())
    invoice = account.invoices.get()
    client = subscriber(account.customer)
    page = client.get(f"{PAY}?invoice={invoice.pk}").content.decode()
    assert invoice.number in page and 'value="40.00"' in page
    assert 'id="pay-button"' in page and 'name="card_number"' in page
    assert 'name="idempotency_key"' in page
    again = client.get(f"{PAY}?invoice={invoice.pk}").content.decode()
    key = page.split('name="idempotency_key" value="')[1][:32]
    assert key not in again  # every rendering is a new payment
    # the invoice pages lead to it
    assert f"{PAY}?invoice={invoice.pk}" in client.get("/portal/invoices/").content.decode()
    assert 'id="invoice-pay"' in client.get(f"/portal/invoices/{invoice.pk}/").content.decode()


def test_a_successful_card_payment_is_recorded_once_in_billing_and_settles_the_invoice(caplog):
    account = debtor(PF.catalogue())
    invoice = account.invoices.get()
    client = subscriber(account.customer)
    caplog.set_level(logging.DEBUG)
    response = client.post(f"{PAY}?invoice={invoice.pk}", pay_form("40.00"))
    card_payment = CardPayment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/portal/payments/{card_payment.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert 'data-status="succeeded"' in page and "your payment was received" in page
    assert "Visa ending in 4242" in page
    payment = portal_card_payments(account).get()
    assert payment.amount == D("40.00") and card_payment.payment == payment
    assert LedgerEntry.objects.filter(payment=payment, kind=EntryKind.PAYMENT).count() == 1
    assert open_amount(invoice) == D("0.00")
    account.refresh_from_db()
    assert account.balance == D("0.00")
    assert (card_payment.card_brand, card_payment.card_last4) == ("Visa", "4242")
    assert card_payment.invoice == invoice and card_payment.status == CardPaymentStatus.SUCCEEDED
    # the card number and the security code are kept nowhere, logged nowhere
    stored = " ".join(str(v) for v in CardPayment.objects.values().get().values())
    assert "4242424242424242" not in stored and "4242 4242 4242 4242" not in stored
    assert "4242424242424242" not in caplog.text and "4242 4242" not in caplog.text
    # the invoice now shows the attempt, and is paid
    detail = client.get(f"/portal/invoices/{invoice.pk}/").content.decode()
    assert 'id="card-payments"' in detail and 'id="invoice-pay"' not in detail


def test_a_double_click_or_a_resubmission_pays_once():
    account = debtor(PF.catalogue())
    invoice = account.invoices.get()
    client = subscriber(account.customer)
    form = pay_form("40.00")
    first = client.post(f"{PAY}?invoice={invoice.pk}", form)
    second = client.post(f"{PAY}?invoice={invoice.pk}", form)  # nothing is owed any more
    third = client.post(f"{PAY}?invoice={invoice.pk}", {**form, "cvc": ""})  # back + submit
    assert first["Location"] == second["Location"] == third["Location"]
    assert portal_card_payments(account).count() == 1
    assert CardPayment.objects.count() == 1
    # a new form (a new key) with nothing left to pay is refused
    fresh = client.post(f"{PAY}?invoice={invoice.pk}", pay_form("40.00"))
    assert fresh.status_code == 422 and "nothing left to pay" in fresh.content.decode()


def test_a_declined_card_records_nothing_and_says_so(caplog):
    account = debtor(PF.catalogue())
    invoice = account.invoices.get()
    client = subscriber(account.customer)
    caplog.set_level(logging.INFO, logger="alux.security")
    response = client.post(f"{PAY}?invoice={invoice.pk}", pay_form("40.00", DECLINED_CARD))
    page = client.get(response["Location"]).content.decode()
    assert 'data-status="declined"' in page and "Nothing was charged" in page
    assert 'id="payment-again"' in page and f"{PAY}?invoice={invoice.pk}" in page
    assert CardPayment.objects.get().status == CardPaymentStatus.DECLINED
    assert not portal_card_payments(account).exists()
    assert open_amount(invoice) == D("40.00")
    assert "declined" in caplog.text and "0002" in caplog.text
    assert "4000000000000002" not in caplog.text


def test_after_five_declined_cards_in_an_hour_new_attempts_are_refused():
    """Card testing: stolen numbers tried one after another stop at the fifth decline."""
    account = debtor(PF.catalogue())
    invoice = account.invoices.get()
    client = subscriber(account.customer)
    url = f"{PAY}?invoice={invoice.pk}"
    for _attempt in range(5):
        client.post(url, pay_form("40.00", DECLINED_CARD))
    page = client.post(url, pay_form("40.00"), follow=True).content.decode()
    assert "Several cards were declined in the last hour" in page
    assert CardPayment.objects.count() == 5 and not portal_card_payments(account).exists()
    CardPayment.objects.update(created_at=timezone.now() - timedelta(minutes=61))
    response = client.post(url, pay_form("40.00"))
    assert portal_card_payments(account).count() == 1, response.content.decode()[:300]


def test_a_timeout_records_nothing_until_asked_again_and_then_pays_once():
    account = debtor(PF.catalogue())
    invoice = account.invoices.get()
    client = subscriber(account.customer)
    form = pay_form("25.00", TIMEOUT_CARD)
    response = client.post(f"{PAY}?invoice={invoice.pk}", form)
    card_payment = CardPayment.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert response.status_code == 302 and 'data-status="timed_out"' in page
    assert 'id="payment-retry"' in page and "never charged twice" in page
    assert not portal_card_payments(account).exists()
    # asked again (the result page's button), twice: paid once
    retry = reverse("portal:payment_retry", args=[card_payment.pk])
    assert client.post(retry)["Location"] == f"/portal/payments/{card_payment.pk}/"
    client.post(retry)
    client.post(f"{PAY}?invoice={invoice.pk}", form)  # and the same form sent again
    card_payment.refresh_from_db()
    assert card_payment.status == CardPaymentStatus.SUCCEEDED
    assert portal_card_payments(account).get().amount == D("25.00")
    assert open_amount(invoice) == D("15.00")
    page = client.get(f"/portal/payments/{card_payment.pk}/").content.decode()
    assert 'data-status="succeeded"' in page and "15.00 left to pay" in page


class BrokenProvider(TestCardProvider):
    """A provider whose every call fails (network down)."""

    def charge(self, **kwargs):
        raise ConnectionError("provider unreachable")

    def lookup(self, **kwargs):
        raise ConnectionError("provider unreachable")


def test_a_provider_that_fails_is_a_timeout_never_an_error_page(settings):
    settings.PORTAL_CARD_PROVIDER = "tests.portal.test_payments.BrokenProvider"
    account = debtor(PF.catalogue())
    client = subscriber(account.customer)
    response = client.post(f"{PAY}?account={account.pk}", pay_form("40.00"))
    assert response.status_code == 302
    card_payment = CardPayment.objects.get()
    assert card_payment.status == CardPaymentStatus.TIMED_OUT
    assert client.post(f"/portal/payments/{card_payment.pk}/retry/").status_code == 302
    page = client.get(f"/portal/payments/{card_payment.pk}/").content.decode()
    assert 'data-status="timed_out"' in page
    assert not portal_card_payments(account).exists()


def test_a_retry_of_a_payment_the_provider_never_received_charges_nothing():
    account = debtor(PF.catalogue())
    attempt = card_payment_of({"account": account})
    type(attempt).objects.filter(pk=attempt.pk).update(status=CardPaymentStatus.TIMED_OUT)
    attempt.refresh_from_db()
    result = card_payment_retry(card_payment=attempt, provider=TestCardProvider())
    assert result.status == CardPaymentStatus.DECLINED and "nothing was charged" in result.message
    assert not portal_card_payments(account).exists()


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "more than zero"),
        ("-5", "more than zero"),
        ("40.01", "You owe 40.00 EUR; you cannot pay more than that."),
        ("abc", "Enter a number."),
    ],
)
def test_the_amount_must_be_more_than_zero_and_at_most_what_is_owed(amount, message):
    account = debtor(PF.catalogue())
    client = subscriber(account.customer)
    response = client.post(f"{PAY}?account={account.pk}", pay_form(amount))
    page = response.content.decode()
    assert response.status_code == 422 and message in page
    assert "4242 4242 4242 4242" in page  # nothing lost but the security code
    assert not CardPayment.objects.exists()


def test_the_amount_on_an_invoice_is_at_most_what_is_left_on_it():
    account = debtor(PF.catalogue())
    invoice = account.invoices.get()
    client = subscriber(account.customer)
    client.post(f"{PAY}?invoice={invoice.pk}", pay_form("30.00"))
    page = client.get(f"{PAY}?invoice={invoice.pk}").content.decode()
    assert 'value="10.00"' in page
    response = client.post(f"{PAY}?invoice={invoice.pk}", pay_form("10.50"))
    assert response.status_code == 422 and "You owe 10.00 EUR" in response.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("card_number", "4242 4242 4242 4241", "not a valid card number"),
        ("card_number", "4242", "not a valid card number"),
        ("expiry", "01/20", "This card has expired."),
        ("expiry", "13/30", "Enter the expiry as MM/YY"),
        ("cvc", "12", "3 or 4 digits"),
    ],
)
def test_card_details_are_checked_before_the_provider_is_asked(field, value, message):
    account = debtor(PF.catalogue())
    client = subscriber(account.customer)
    response = client.post(f"{PAY}?account={account.pk}", pay_form(**{field: value}))
    assert response.status_code == 422 and message in response.content.decode()
    assert not CardPayment.objects.exists()


def test_another_customers_invoice_account_and_card_payment_are_404():
    cat = PF.catalogue()
    a, b = debtor(cat), debtor(cat)
    invoice_of_a = a.invoices.get()
    client_a, client_b = subscriber(a.customer), subscriber(b.customer)
    client_a.post(f"{PAY}?invoice={invoice_of_a.pk}", pay_form("10.00", DECLINED_CARD))
    attempt_of_a = CardPayment.objects.get()
    for url in (
        f"{PAY}?invoice={invoice_of_a.pk}",
        f"{PAY}?account={a.pk}",
        f"{PAY}?account=not-a-number",
        reverse("portal:payment_detail", args=[attempt_of_a.pk]),
    ):
        assert client_b.get(url).status_code == 404, url
    assert client_b.post(f"{PAY}?invoice={invoice_of_a.pk}", pay_form("10.00")).status_code == 404
    assert client_b.post(reverse("portal:payment_retry", args=[attempt_of_a.pk])).status_code == 404
    # B's own form carrying A's key pays nothing for A and reveals nothing
    response = client_b.post(
        f"{PAY}?account={b.pk}", pay_form("10.00", idempotency_key=attempt_of_a.idempotency_key)
    )
    assert response.status_code == 302 and CardPayment.objects.count() == 1
    assert not Payment.objects.filter(method=PaymentMethod.PORTAL_CARD).exists()
    # and A does see it
    assert client_a.get(f"/portal/payments/{attempt_of_a.pk}/").status_code == 200


def test_without_a_target_the_page_pays_the_account_that_owes():
    account = debtor(PF.catalogue())
    client = subscriber(account.customer)
    page = client.get(PAY).content.decode()
    assert account.number in page and 'value="40.00"' in page


class SlowProvider(TestCardProvider):
    """The test provider, answering after a while (so that two requests overlap),
    counting the charges it was asked for."""

    calls: list[str] = []

    def charge(self, **kwargs):
        SlowProvider.calls.append(kwargs["idempotency_key"])
        time.sleep(0.4)
        return super().charge(**kwargs)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_posts_of_the_same_form_pay_once(settings):
    settings.PORTAL_CARD_PROVIDER = "tests.portal.test_payments.SlowProvider"
    SlowProvider.calls = []
    account = debtor(PF.catalogue())
    session = subscriber(account.customer).cookies
    form = pay_form("40.00")
    start, answers = threading.Barrier(2), []

    def post():
        client = Client()
        client.cookies = copy.deepcopy(session)
        try:
            start.wait()
            answers.append(client.post(f"{PAY}?account={account.pk}", form)["Location"])
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    card_payment = CardPayment.objects.get()
    assert answers == [f"/portal/payments/{card_payment.pk}/"] * 2
    assert card_payment.status == CardPaymentStatus.SUCCEEDED
    assert portal_card_payments(account).count() == 1
    assert LedgerEntry.objects.filter(billing_account=account, kind=EntryKind.PAYMENT).count() == 1
    assert len(SlowProvider.calls) == 1  # the second waited for the first's answer


def test_the_service_refuses_an_amount_beyond_what_is_owed_whatever_the_form():
    from django.core.exceptions import ValidationError

    account = debtor(PF.catalogue())
    with pytest.raises(ValidationError) as refused:
        card_payment_pay(
            customer=account.customer,
            account=account,
            amount=D("41.00"),
            card=Card("4242424242424242", 12, 2039, "123"),
            idempotency_key=uuid.uuid4().hex,
        )
    assert "amount" in refused.value.message_dict
    assert not CardPayment.objects.exists()


def test_the_demo_shows_a_paid_and_a_declined_card_payment_and_a_prepaid_service():
    from portal.demo_payments import seed_payments
    from portal.models import PortalAccount
    from tests.dunning.engine_world import posted_invoice

    account = debtor(PF.catalogue())
    posted_invoice(account, D("20.00"))  # a newer invoice
    client = subscriber(account.customer)
    portal_account = PortalAccount.objects.get(customer=account.customer)
    seed_payments(portal_account)
    seed_payments(portal_account)  # idempotent
    statuses = sorted(CardPayment.objects.values_list("status", flat=True))
    assert statuses == [CardPaymentStatus.DECLINED, CardPaymentStatus.SUCCEEDED]
    assert portal_card_payments(account).get().amount == D("40.00")  # the oldest invoice
    page = client.get("/portal/top-up/").content.decode()
    prepaid = account.customer.subscriptions.get(is_prepaid=True)
    assert f'id="prepaid-balance-{prepaid.number}">10.00 EUR' in page
    paid = CardPayment.objects.get(status=CardPaymentStatus.SUCCEEDED)
    assert 'data-status="succeeded"' in client.get(f"/portal/payments/{paid.pk}/").content.decode()
