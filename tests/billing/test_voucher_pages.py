"""Prepaid vouchers (SUB-9), the pages: the batch list and page, a new batch answered
with its CSV of codes, voiding a batch, redeeming a code for a subscription (and the
link from a prepaid subscription's page); who may do what, and a retailer never
reaches another partner's subscription."""

import csv
import io
import re
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alux_crm.core import roles as R
from alux_crm.core import selectors as core_selectors
from billing.choices import VoucherStatus
from billing.models import Voucher, VoucherBatch
from billing.services import vouchers as V
from products.pricing import BasketItem
from subscriptions import services as subscription_services
from tests.customers import factories as CF
from tests.products import factories as PF
from tests.subscriptions import factories as SF

pytestmark = pytest.mark.django_db
D = Decimal
CODE_RE = re.compile(r"^[2-9A-HJ-NP-Z]{4}(-[2-9A-HJ-NP-Z]{4}){3}$")


@pytest.fixture(autouse=True)
def _isolated(settings):
    """No two-factor step, and cache keys of this test only."""
    settings.OTP_REQUIRED_ROLES = []
    prefix = f"alux-test-{uuid.uuid4().hex[:8]}"
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": prefix}}
    yield
    core_selectors.operator_settings_forget()


@pytest.fixture
def as_role(make_user):
    """``as_role(role)`` → (a client logged in as a new user of that role, the user)."""

    def do(role: str, **kwargs):
        user = make_user(role, **kwargs)
        client = Client()
        client.force_login(user, backend="alux_crm.core.auth_backends.UserBackend")
        return client, user

    return do


@pytest.fixture
def cat():
    return PF.catalogue()


def prepaid(cat, partner=None, is_prepaid=True):
    account = SF.account(CF.person(partner=partner)) if partner else None
    subscription = SF.subscription(
        cat, items=[BasketItem(cat.tv)], devices=[], is_prepaid=is_prepaid, billing_account=account
    )
    return subscription_services.subscription_activate(subscription=subscription)


def batch(quantity=3, value="10", **kwargs):
    today = timezone.localdate()
    return V.voucher_batch_generate(
        value=D(value),
        currency=kwargs.pop("currency", "EUR"),
        valid_from=today - timedelta(days=1),
        valid_until=today + timedelta(days=365),
        quantity=quantity,
        **kwargs,
    )


# --- batches ------------------------------------------------------------------------------


def test_batch_list_shows_counts_in_bounded_queries(as_role, cat, django_assert_max_num_queries):
    first, pairs = batch(quantity=3, description="Kiosk cards")
    V.voucher_redeem(code=pairs[0][1], subscription=prepaid(cat))
    for _ in range(5):
        batch(quantity=2)
    client, _user = as_role(R.BILLING_FINANCE)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("billing:voucher_batch_list"))
    assert response.status_code == 200
    page = response.content.decode()
    assert first.number in page and "Kiosk cards" in page
    assert reverse("billing:voucher_batch_create") in page  # the "New batch" button


def test_batch_list_csv_export_has_the_counts(as_role, cat):
    first, pairs = batch(quantity=3)
    V.voucher_redeem(code=pairs[0][1], subscription=prepaid(cat))
    client, _user = as_role(R.BACK_OFFICE)
    response = client.get(reverse("billing:voucher_batch_list"), {"_export": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    header, line = rows[0], rows[1]
    assert line[header.index("Batch")] == first.number
    assert line[header.index("Unused")] == "2"
    assert line[header.index("Redeemed")] == "1"
    assert line[header.index("Void")] == "0"
    assert (
        reverse("billing:voucher_batch_create")
        not in client.get(reverse("billing:voucher_batch_list")).content.decode()
    )  # Back Office looks but does not generate


def test_new_batch_form_says_codes_are_shown_once(as_role):
    client, _user = as_role(R.BILLING_FINANCE)
    response = client.get(reverse("billing:voucher_batch_create"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="codes-shown-once"' in page and "shown only once" in page
    assert "<script>" not in page  # CSP: no inline script


def test_new_batch_answers_the_csv_of_its_codes(as_role, cat):
    client, user = as_role(R.BILLING_FINANCE)
    until = timezone.localdate() + timedelta(days=200)
    response = client.post(
        reverse("billing:voucher_batch_create"),
        {
            "value": "15.00",
            "currency": "eur",
            "quantity": "25",
            "valid_from": timezone.localdate().isoformat(),
            "valid_until": until.isoformat(),
            "description": "Summer cards",
        },
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    created = VoucherBatch.objects.get()
    assert f'filename="vouchers-{created.number}.csv"' in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store"
    assert created.created_by == user and created.value == D("15.00")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["serial", "code", "value", "currency", "valid_until"]
    assert len(rows) == 26
    assert {tuple(row[2:]) for row in rows[1:]} == {("15.00", "EUR", until.isoformat())}
    codes = [row[1] for row in rows[1:]]
    assert len(set(codes)) == 25 and all(CODE_RE.match(code) for code in codes)
    # the CSV's codes are the batch's: one of them redeems
    serial = V.voucher_redeem(code=codes[3], subscription=prepaid(cat)).serial
    assert serial == rows[4][0]
    # and the batch page never shows a code
    page = client.get(created.get_absolute_url()).content.decode()
    assert not any(code in page for code in codes)


def test_a_bad_batch_is_refused_on_the_form(as_role):
    client, _user = as_role(R.BILLING_FINANCE)
    today = timezone.localdate()
    response = client.post(
        reverse("billing:voucher_batch_create"),
        {
            "value": "0",
            "currency": "EUR",
            "quantity": "100001",
            "valid_from": today.isoformat(),
            "valid_until": (today - timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 422
    assert not VoucherBatch.objects.exists()
    response = client.post(
        reverse("billing:voucher_batch_create"),
        {
            "value": "5",
            "currency": "EUR",
            "quantity": "10",
            "valid_from": today.isoformat(),
            "valid_until": (today - timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 422
    assert "cannot be before its start" in response.content.decode()


@pytest.mark.parametrize("role", [R.BACK_OFFICE, R.CUSTOMER_SERVICE, R.SALES, R.RETAILER])
def test_only_finance_generates_and_voids(as_role, role):
    made, _pairs = batch(quantity=2)
    client, _user = as_role(role)
    assert client.get(reverse("billing:voucher_batch_create")).status_code == 403
    assert client.post(reverse("billing:voucher_batch_create"), {}).status_code == 403
    void_url = reverse("billing:voucher_batch_void", args=[made.pk])
    assert client.post(void_url).status_code == 403
    assert Voucher.objects.filter(status=VoucherStatus.VOID).count() == 0


@pytest.mark.parametrize("role", [R.CUSTOMER_SERVICE, R.SALES, R.RETAILER, R.MARKETING])
def test_agents_and_partners_do_not_see_batches(as_role, role):
    made, _pairs = batch(quantity=1)
    client, _user = as_role(role)
    assert client.get(reverse("billing:voucher_batch_list")).status_code == 403
    assert client.get(made.get_absolute_url()).status_code == 403


def test_batch_page_lists_redeemed_vouchers_and_voids_the_rest(
    as_role, cat, django_assert_max_num_queries
):
    made, pairs = batch(quantity=4)
    subscriptions = [prepaid(cat), prepaid(cat)]
    for (_serial, code), subscription in zip(pairs, subscriptions, strict=False):
        V.voucher_redeem(code=code, subscription=subscription)
    client, _user = as_role(R.BILLING_FINANCE)
    with django_assert_max_num_queries(15):
        response = client.get(made.get_absolute_url())
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="count-issued">2<' in page and 'id="count-redeemed">2<' in page
    for subscription in subscriptions:
        assert subscription.get_absolute_url() in page and subscription.number in page
    void_url = reverse("billing:voucher_batch_void", args=[made.pk])
    assert void_url in page
    assert client.get(void_url).status_code == 200  # the confirmation page
    response = client.post(void_url)
    assert response.status_code == 302 and response["Location"] == made.get_absolute_url()
    statuses = sorted(Voucher.objects.filter(batch=made).values_list("status", flat=True))
    assert statuses == ["redeemed", "redeemed", "void", "void"]
    page = client.get(made.get_absolute_url()).content.decode()
    assert 'id="count-void">2<' in page and void_url not in page  # nothing left to void


def test_back_office_sees_a_batch_without_the_void_button(as_role):
    made, _pairs = batch(quantity=1)
    client, _user = as_role(R.BACK_OFFICE)
    page = client.get(made.get_absolute_url()).content.decode()
    assert made.number in page
    assert reverse("billing:voucher_batch_void", args=[made.pk]) not in page


# --- redemption -------------------------------------------------------------------------


@pytest.mark.parametrize("role", [R.CUSTOMER_SERVICE, R.BACK_OFFICE, R.SALES])
def test_an_agent_redeems_a_voucher(as_role, cat, role):
    subscription = prepaid(cat)
    _made, pairs = batch(quantity=1, value="12.50")
    client, user = as_role(role)
    url = reverse("billing:voucher_redeem")
    form = client.get(url, {"subscription": subscription.number})
    assert form.status_code == 200
    assert 'id="redeem-balance">0.00 EUR' in form.content.decode()
    response = client.post(
        url, {"code": pairs[0][1].lower().replace("-", " "), "subscription": subscription.number}
    )
    assert response.status_code == 302
    assert response["Location"] == subscription.get_absolute_url()
    subscription.refresh_from_db()
    assert subscription.prepaid_balance == D("12.50")
    voucher = Voucher.objects.get(serial=pairs[0][0])
    assert voucher.status == VoucherStatus.REDEEMED and voucher.redeemed_by == user
    page = client.get(response["Location"]).content.decode()
    assert "redeemed" in page and "12.50" in page  # the message


def test_a_refused_voucher_is_an_error_on_the_form(as_role, cat):
    subscription = prepaid(cat)
    _made, pairs = batch(quantity=1)
    V.voucher_redeem(code=pairs[0][1], subscription=subscription)
    client, _user = as_role(R.CUSTOMER_SERVICE)
    url = reverse("billing:voucher_redeem")
    response = client.post(url, {"code": pairs[0][1], "subscription": subscription.number})
    assert response.status_code == 422
    assert "already been used" in response.content.decode()
    response = client.post(
        url, {"code": "WXYZ-WXYZ-WXYZ-WXYZ", "subscription": subscription.number}
    )
    assert response.status_code == 422
    assert "not valid" in response.content.decode()
    postpaid = prepaid(cat, is_prepaid=False)
    _other, more = batch(quantity=1)
    response = client.post(url, {"code": more[0][1], "subscription": postpaid.number})
    assert response.status_code == 422
    assert "prepaid subscriptions only" in response.content.decode()
    subscription.refresh_from_db()
    assert subscription.prepaid_balance == D("10.00")


def test_a_retailer_redeems_for_its_customers_only(as_role, cat, partner_a, partner_b):
    mine, theirs = prepaid(cat, partner=partner_a), prepaid(cat, partner=partner_b)
    _made, pairs = batch(quantity=2)
    client, _user = as_role(R.RETAILER)  # partner A
    url = reverse("billing:voucher_redeem")
    # another partner's subscription: 404, whether asked for or redeemed on
    assert client.get(url, {"subscription": theirs.number}).status_code == 404
    response = client.post(url, {"code": pairs[0][1], "subscription": theirs.number})
    assert response.status_code == 404
    assert Voucher.objects.get(serial=pairs[0][0]).status == VoucherStatus.ISSUED
    theirs.refresh_from_db()
    assert theirs.prepaid_balance == D("0.00")
    # an unknown number looks the same
    response = client.post(url, {"code": pairs[0][1], "subscription": "SUB-999999"})
    assert response.status_code == 404
    # its own customer's: redeemed
    response = client.post(url, {"code": pairs[0][1], "subscription": mine.number})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.prepaid_balance == D("10.00")


@pytest.mark.parametrize("role", [R.BILLING_FINANCE, R.MARKETING, R.INSTALLER, R.SUBSCRIBER])
def test_other_roles_may_not_redeem(as_role, cat, role):
    subscription = prepaid(cat)
    _made, pairs = batch(quantity=1)
    client, _user = as_role(role)
    url = reverse("billing:voucher_redeem")
    assert client.get(url).status_code == 403
    response = client.post(url, {"code": pairs[0][1], "subscription": subscription.number})
    assert response.status_code == 403
    assert Voucher.objects.get(serial=pairs[0][0]).status == VoucherStatus.ISSUED


def test_a_prepaid_subscription_page_links_to_redemption(as_role, cat):
    subscription, postpaid = prepaid(cat), prepaid(cat, is_prepaid=False)
    link = f"{reverse('billing:voucher_redeem')}?subscription={subscription.number}"
    client, _user = as_role(R.CUSTOMER_SERVICE)
    page = client.get(subscription.get_absolute_url()).content.decode()
    assert 'id="redeem-voucher"' in page and link in page
    page = client.get(postpaid.get_absolute_url()).content.decode()
    assert 'id="redeem-voucher"' not in page
    finance, _user = as_role(R.BILLING_FINANCE)  # sees the subscription, may not redeem
    page = finance.get(subscription.get_absolute_url()).content.decode()
    assert 'id="redeem-voucher"' not in page
