"""The payment pages (BIL-3) as agents use them: recording a payment (the balance
drops, the invoice shows paid, a double submit records one payment), the payment
page, its reversal by Billing & Finance only, the list (filters, CSV), a partner's
scoping, and the Ledger tab of a billing account (running balance, open invoices,
cached balance against the ledger)."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from alux_crm.core import roles as R
from billing import services
from billing.models import LedgerEntry, Payment
from tests.billing.test_payments import posted_invoice
from tests.customers import factories as CF
from tests.subscriptions import factories as SF

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture(autouse=True)
def _no_otp(settings):
    settings.OTP_REQUIRED_ROLES = []


@pytest.fixture
def as_role(make_user):
    """``as_role(role)`` → (a client logged in as a new user of that role, the user)."""
    from django.test import Client

    def do(role: str, **kwargs):
        user = make_user(role, **kwargs)
        client = Client()
        client.force_login(user, backend="alux_crm.core.auth_backends.UserBackend")
        return client, user

    return do


@pytest.fixture
def account(partner_a):
    """A billing account of partner A's customer."""
    return SF.account(CF.person(partner=partner_a))


def form_key(client, url) -> str:
    """The idempotency key the payment form was rendered with."""
    html = client.get(url).content.decode()
    return re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)


def payment_data(account, key, **extra) -> dict:
    return {
        "account_number": account.number,
        "amount": "30.00",
        "method": "cash",
        "received_on": timezone.localdate().isoformat(),
        "reference": "Desk 1",
        "idempotency_key": key,
        **extra,
    }


def test_recording_a_payment_lowers_the_balance_and_the_invoice_shows_paid(as_role, account):
    # Given an open invoice of 30.00
    invoice = posted_invoice(account, D("30"), 10)
    client, agent = as_role(R.CUSTOMER_SERVICE)
    url = reverse("billing:payment_create") + f"?account={account.pk}"
    form = client.get(url).content.decode()
    assert account.number in form  # pre-filled from the account page's link
    key = re.search(r'name="idempotency_key" value="([^"]+)"', form).group(1)
    # When the agent records 30.00 in cash
    response = client.post(url, payment_data(account, key))
    # Then the payment page shows it settling the invoice, and the balance is zero
    payment = Payment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("billing:payment_detail", args=[payment.pk])
    assert payment.recorded_by == agent and payment.method == "cash"
    account.refresh_from_db()
    assert account.balance == D("0.00")
    page = client.get(response["Location"]).content.decode()
    assert invoice.number in page and "30.00 EUR" in page
    assert 'id="action-reverse"' not in page  # agents do not reverse
    invoice_page = client.get(invoice.get_absolute_url()).content.decode()
    assert 'id="invoice-paid"' in invoice_page
    assert re.search(r'id="invoice-open">0\.00 EUR', invoice_page)


def test_a_double_submit_records_one_payment(as_role, account):
    posted_invoice(account, D("50"), 10)
    client, _ = as_role(R.CUSTOMER_SERVICE)
    url = reverse("billing:payment_create")
    data = payment_data(account, form_key(client, url))
    first = client.post(url, data)
    second = client.post(url, data, follow=True)
    assert Payment.objects.count() == 1
    assert LedgerEntry.objects.filter(kind="payment").count() == 1
    assert second.redirect_chain[-1][0] == first["Location"]
    assert "already recorded" in second.content.decode()
    account.refresh_from_db()
    assert account.balance == D("20.00")
    # The same form sent with another amount is refused, not booked.
    other = client.post(url, {**data, "amount": "31.00"})
    assert other.status_code == 422 and Payment.objects.count() == 1
    # A freshly rendered form has a new key: a second real payment.
    assert form_key(client, url) != data["idempotency_key"]
    client.post(url, payment_data(account, form_key(client, url), amount="5.00"))
    assert Payment.objects.count() == 2


def test_the_form_refuses_bad_input(as_role, account):
    client, _ = as_role(R.CUSTOMER_SERVICE)
    url = reverse("billing:payment_create")
    key = form_key(client, url)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    for bad in (
        {"amount": "0"},
        {"amount": "-5"},
        {"method": "direct_debit"},  # not taken at a desk
        {"received_on": tomorrow},
        {"account_number": "BA-999999"},
    ):
        response = client.post(url, payment_data(account, key, **bad))
        assert response.status_code == 422, bad
    assert not Payment.objects.exists()


def test_reversal_needs_billing_and_finance_and_reopens_the_invoice(as_role, account):
    invoice = posted_invoice(account, D("30"), 10)
    payment, _ = services.payment_record(
        account=account, amount=D("30"), method="transfer", idempotency_key="t1"
    )
    url = reverse("billing:payment_reverse", args=[payment.pk])
    for role in (R.CUSTOMER_SERVICE, R.BACK_OFFICE, R.RETAILER):
        client, _ = as_role(role)
        assert client.get(url).status_code == 403, role
        assert client.post(url, {"reason": "x"}).status_code == 403, role
    client, _ = as_role(R.BILLING_FINANCE)
    page = client.get(reverse("billing:payment_detail", args=[payment.pk])).content.decode()
    assert 'id="action-reverse"' in page
    assert client.post(url, {"reason": ""}).status_code == 422  # a reason is required
    response = client.post(url, {"reason": "Bounced transfer"}, follow=True)
    assert response.status_code == 200 and "Bounced transfer" in response.content.decode()
    payment.refresh_from_db()
    account.refresh_from_db()
    assert payment.status == "reversed" and account.balance == D("30.00")
    assert services.invoice_open_amount(invoice) == D("30.00")
    again = client.post(url, {"reason": "again"})
    assert again.status_code == 422 and "already reversed" in again.content.decode()


def test_payment_list_filters_and_csv(as_role, account):
    other = SF.account()
    services.payment_record(
        account=account,
        amount=D("10"),
        method="cash",
        idempotency_key="a",
        received_on=date(2026, 10, 5),
    )
    services.payment_record(
        account=other,
        amount=D("20"),
        method="card",
        idempotency_key="b",
        received_on=date(2026, 11, 5),
    )
    client, _ = as_role(R.BILLING_FINANCE)
    url = reverse("billing:payment_list")
    response = client.get(url)
    assert response.status_code == 200 and len(response.context["table"].rows) == 2
    assert reverse("billing:payment_create") in response.content.decode()

    def rows(**query):
        return len(client.get(url, query).context["table"].rows)

    assert rows(method="card") == 1
    assert rows(account=account.number) == 1
    assert rows(account=account.number.replace("BA-", "ba ")) == 1
    assert rows(received_from="2026-11-01") == 1
    assert rows(received_from="2026-10-01", received_until="2026-10-31") == 1
    assert rows(status="reversed") == 0
    csv_response = client.get(url, {"_export": "csv", "method": "cash"})
    text = b"".join(csv_response.streaming_content).decode()
    assert csv_response["Content-Type"].startswith("text/csv")
    assert account.number in text and other.number not in text


def test_payments_are_scoped_to_the_partner(as_role, account, partner_b):
    own, _ = services.payment_record(
        account=account, amount=D("10"), method="cash", idempotency_key="o"
    )
    foreign, _ = services.payment_record(
        account=SF.account(CF.person(partner=partner_b)),
        amount=D("15"),
        method="cash",
        idempotency_key="f",
    )
    retailer_a, _ = as_role(R.RETAILER)
    listing = retailer_a.get(reverse("billing:payment_list"))
    assert [row.record.pk for row in listing.context["table"].rows] == [own.pk]
    assert retailer_a.get(reverse("billing:payment_detail", args=[own.pk])).status_code == 200
    assert retailer_a.get(reverse("billing:payment_detail", args=[foreign.pk])).status_code == 404
    retailer_b, _ = as_role(R.RETAILER, partner=partner_b)
    assert retailer_b.get(reverse("billing:payment_detail", args=[own.pk])).status_code == 404
    # Nor can partner B record a payment on partner A's account (it is "not found").
    url = reverse("billing:payment_create")
    response = retailer_b.post(url, payment_data(account, form_key(retailer_b, url)))
    assert response.status_code == 422 and "No billing account" in response.content.decode()
    assert Payment.objects.count() == 2


@pytest.mark.parametrize("role", [R.MARKETING, R.INVENTORY, R.INSTALLER, R.SUBSCRIBER])
def test_roles_without_money_work_are_refused(as_role, role):
    client, _ = as_role(role)
    assert client.get(reverse("billing:payment_list")).status_code == 403
    assert client.get(reverse("billing:payment_create")).status_code == 403


def test_sales_see_payments_but_do_not_record_them(as_role):
    client, _ = as_role(R.SALES)
    assert client.get(reverse("billing:payment_list")).status_code == 200
    assert client.get(reverse("billing:payment_create")).status_code == 403


def test_ledger_tab_shows_running_balance_open_invoices_and_reconciliation(
    as_role, account, django_assert_max_num_queries
):
    october = posted_invoice(account, D("30"), 10)
    november = posted_invoice(account, D("40"), 11)
    services.payment_record(
        account=account,
        amount=D("45"),
        method="card",
        idempotency_key="p",
        received_on=date(2026, 11, 20),
    )
    client, _ = as_role(R.CUSTOMER_SERVICE)
    url = reverse("customers:billing_account_tab", args=[account.pk, "ledger"])
    with django_assert_max_num_queries(15):
        html = client.get(url).content.decode()
    running = re.findall(r"<td[^>]*data-running>([-\d.]+)</td>", html)
    assert running == ["25.00", "70.00", "30.00"]  # newest first: after payment, Nov, Oct
    assert november.number in html and 'data-invoice="' + october.number not in html
    assert re.search(r'id="statement-open">25\.00 EUR', html)
    assert 'id="statement-balanced"' in html
    # The page itself offers the tab and the payment button.
    page = client.get(account.get_absolute_url() + "?tab=ledger").content.decode()
    assert 'data-tab="ledger"' in page and 'id="statement-record-payment"' in page
