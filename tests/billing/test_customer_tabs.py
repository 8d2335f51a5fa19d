"""Billing on the customer-360 page (invoices, payments, balance tabs with bounded
queries) and invoice numbers in the global search (scoped to a partner's
customers)."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from alux_crm.core import roles as R
from billing import services
from billing.services.transactions import invoice_dispute
from customers import services as customer_services
from tests.billing.test_payments import posted_invoice
from tests.customers import factories as CF

pytestmark = pytest.mark.django_db
D = Decimal
HTMX_SEARCH = {"HX-Request": "true", "HX-Target": "search-results"}


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


def customer_with_billing(partner=None, accounts=1, months=(9, 10)):
    """A customer with ``accounts`` billing accounts, each with posted invoices of
    30.00 for ``months`` and a payment of 40.00 (so one invoice is paid, one open)."""
    customer = CF.person(partner=partner)
    made = []
    for n in range(accounts):
        account = customer_services.billing_account_create(customer=customer, actor=None)
        invoices = [posted_invoice(account, D("30"), month) for month in months]
        payment, _ = services.payment_record(
            account=account,
            amount=D("40"),
            method=("cash", "card", "transfer")[n % 3],
            idempotency_key=f"tab-{account.pk}",
            received_on=date(2026, 10, 20),
        )
        made.append((account, invoices, payment))
    return customer, made


def tab(client, customer, name) -> str:
    return client.get(reverse("customers:customer_tab", args=[customer.pk, name])).content.decode()


def test_invoices_tab_lists_invoices_with_open_amount_and_dispute(as_role):
    customer, [(_account, (september, october), _payment)] = customer_with_billing()
    invoice_dispute(invoice=october, reason="Wrong package")
    client, _ = as_role(R.CUSTOMER_SERVICE)
    html = tab(client, customer, "invoices")
    assert september.get_absolute_url() in html and october.get_absolute_url() in html
    cards = dict(re.findall(r'data-invoice="([^"]+)"(.*?)</article>', html, re.S))
    assert "data-paid" in cards[september.number] and "data-disputed" not in cards[september.number]
    assert "data-disputed" in cards[october.number]
    assert re.search(r"data-open-amount>20\.00<", cards[october.number])
    assert "2026-10-01 \N{EN DASH} 2026-11-01" in cards[october.number]


def test_payments_tab_shows_method_and_status(as_role):
    customer, [(_account, _invoices, payment)] = customer_with_billing()
    services.payment_reverse(payment=payment, reason="Card charged back")
    client, _ = as_role(R.CUSTOMER_SERVICE)
    html = tab(client, customer, "payments")
    assert 'data-method="cash"' in html and 'data-status="reversed"' in html
    assert "Card charged back" in html
    assert reverse("billing:payment_detail", args=[payment.pk]) in html
    # Marketing sees the customer but may not open payments: no link.
    marketing, _ = as_role(R.MARKETING)
    assert reverse("billing:payment_detail", args=[payment.pk]) not in tab(
        marketing, customer, "payments"
    )


def test_balance_tab_per_account(as_role):
    customer, rows = customer_with_billing(accounts=2)
    client, _ = as_role(R.CUSTOMER_SERVICE)
    html = tab(client, customer, "balance")
    for account, _invoices, _payment in rows:
        card = re.search(rf'data-account="{account.number}"(.*?)</article>', html, re.S).group(1)
        assert re.search(r"data-balance>20\.00 EUR<", card)
        # Both invoices were due in 2026-09/10 (in the past when the tests run later
        # than that): what is open on them is overdue.
        assert re.search(r"data-overdue-amount>20\.00 EUR<", card)
        assert "40.00 EUR · 2026-10-20" in card


def test_empty_tabs_still_say_so(as_role):
    customer = CF.person()
    client, _ = as_role(R.CUSTOMER_SERVICE)
    assert "No invoices yet." in tab(client, customer, "invoices")
    assert "No payments yet." in tab(client, customer, "payments")
    assert 'id="empty-balance"' in tab(client, customer, "balance")


def test_billing_tabs_make_a_bounded_number_of_queries(as_role, django_assert_max_num_queries):
    small, _ = customer_with_billing(accounts=1, months=(10,))
    big, _ = customer_with_billing(accounts=4, months=(8, 9, 10))
    client, _ = as_role(R.CUSTOMER_SERVICE)
    tab(client, small, "invoices")  # warm caches
    for name in ("invoices", "payments", "balance"):
        with django_assert_max_num_queries(12) as one:
            tab(client, small, name)
        with django_assert_max_num_queries(12) as many:
            tab(client, big, name)
        assert len(many.captured_queries) == len(one.captured_queries), name
    # The 360 page loads the tabs by htmx: it offers them without their content.
    page = client.get(big.get_absolute_url()).content.decode()
    for name in ("invoices", "payments", "balance"):
        assert f'data-tab="{name}"' in page


def test_search_finds_an_invoice_by_number(as_role):
    _customer, [(_account, (september, _october), _payment)] = customer_with_billing()
    series, year, digits = september.number.split("-")
    typed = f"{series}-{year}-{int(digits):06d}"  # as the customer reads it out
    client, _ = as_role(R.CUSTOMER_SERVICE)
    dropdown = client.get("/search/", {"q": typed}, headers=HTMX_SEARCH).content.decode()
    assert september.get_absolute_url() in dropdown
    page = client.get("/search/", {"q": september.number.lower()}).content.decode()
    assert september.get_absolute_url() in page and "Invoice" in page


def test_search_of_invoices_is_scoped_to_the_partner(as_role, partner_a, partner_b):
    _customer, [(_account, (invoice, _october), _payment)] = customer_with_billing(
        partner=partner_a
    )
    own, _ = as_role(R.RETAILER)
    assert invoice.get_absolute_url() in own.get("/search/", {"q": invoice.number}).content.decode()
    intruder, _ = as_role(R.RETAILER, partner=partner_b)
    html = intruder.get("/search/", {"q": invoice.number}).content.decode()
    assert invoice.get_absolute_url() not in html and 'id="search-empty"' in html


def test_search_finds_a_credit_note_for_finance_only(as_role, make_user):
    from billing.services.transactions import transaction_request

    _customer, [(account, (_september, october), _payment)] = customer_with_billing()
    note = transaction_request(
        account=account,
        kind="credit_note",
        amount=D("5"),
        reason="Goodwill",
        actor=make_user(R.BILLING_FINANCE),
        invoice=october,
    )
    url = reverse("billing:transaction_detail", args=[note.pk])
    finance, _ = as_role(R.BILLING_FINANCE)
    assert url in finance.get("/search/", {"q": note.number}).content.decode()
    agent, _ = as_role(R.CUSTOMER_SERVICE)
    assert url not in agent.get("/search/", {"q": note.number}).content.decode()
