"""Voucher top-up in the portal (POR-1, SUB-9): the subscriber's own prepaid services
only, billing's refusals in its words, and wrong codes throttled per subscriber."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from billing.choices import VoucherStatus
from billing.models import Voucher
from billing.services import vouchers as V
from products.pricing import BasketItem
from subscriptions import services as subscription_services
from tests.customers import factories as CF
from tests.portal.payments_world import subscriber
from tests.products import factories as PF
from tests.subscriptions import factories as SF

pytestmark = pytest.mark.django_db
D = Decimal
TOP_UP = "/portal/top-up/"


@pytest.fixture(autouse=True)
def _own_cache_keys(settings):
    """Cache keys of this test only (the throttle's counters)."""
    prefix = f"alux-test-top-up-{uuid.uuid4().hex[:8]}"
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": prefix}}


@pytest.fixture
def cat():
    return PF.catalogue()


def prepaid(cat, customer=None, is_prepaid=True):
    """An active subscription (prepaid by default) of a new or given customer."""
    account = SF.account(customer or CF.person())
    subscription = SF.subscription(
        cat, items=[BasketItem(cat.tv)], devices=[], is_prepaid=is_prepaid, billing_account=account
    )
    return subscription_services.subscription_activate(subscription=subscription)


def codes(quantity=3, value="10"):
    today = timezone.localdate()
    _batch, pairs = V.voucher_batch_generate(
        value=D(value),
        currency="EUR",
        valid_from=today - timedelta(days=1),
        valid_until=today + timedelta(days=365),
        quantity=quantity,
    )
    return [code for _serial, code in pairs]


def test_a_voucher_tops_up_the_subscribers_prepaid_service_and_shows_the_balance(cat):
    subscription = prepaid(cat)
    client = subscriber(subscription.customer)
    code = codes(1)[0]
    page = client.get(TOP_UP).content.decode()
    assert 'id="top-up-form"' in page and subscription.number in page
    response = client.post(TOP_UP, {"subscription": subscription.pk, "code": code.lower()})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Your balance is now 10.00 EUR" in page
    assert f'id="prepaid-balance-{subscription.number}">10.00 EUR' in page
    subscription.refresh_from_db()
    assert subscription.prepaid_balance == D("10.00")
    voucher = Voucher.objects.get()
    assert voucher.status == VoucherStatus.REDEEMED and voucher.subscription == subscription


def test_a_used_or_unknown_code_is_refused_in_billings_words(cat):
    subscription = prepaid(cat)
    client = subscriber(subscription.customer)
    code = codes(1)[0]
    client.post(TOP_UP, {"subscription": subscription.pk, "code": code})
    used = client.post(TOP_UP, {"subscription": subscription.pk, "code": code})
    assert used.status_code == 422 and "already been used" in used.content.decode()
    unknown = client.post(TOP_UP, {"subscription": subscription.pk, "code": "AAAA-BBBB-CCCC-DDDD"})
    page = unknown.content.decode()
    assert unknown.status_code == 422 and "This voucher code is not valid." in page
    assert "AAAA-BBBB-CCCC-DDDD" in page  # what was typed stays, to correct it
    subscription.refresh_from_db()
    assert subscription.prepaid_balance == D("10.00")


def test_wrong_codes_are_throttled_per_subscriber(cat):
    subscription = prepaid(cat)
    client = subscriber(subscription.customer)
    good = codes(1)[0]
    for attempt in range(5):
        wrong = client.post(TOP_UP, {"subscription": subscription.pk, "code": f"WRONG{attempt}"})
        assert wrong.status_code == 422
    blocked = client.post(TOP_UP, {"subscription": subscription.pk, "code": good})
    assert blocked.status_code == 429
    assert "Too many wrong voucher codes" in blocked.content.decode()
    assert Voucher.objects.get().status == VoucherStatus.ISSUED  # not even a good code
    # another subscriber is not held back
    other = prepaid(cat)
    ok = subscriber(other.customer).post(TOP_UP, {"subscription": other.pk, "code": good})
    assert ok.status_code == 302
    other.refresh_from_db()
    assert other.prepaid_balance == D("10.00")


def test_another_customers_subscription_cannot_be_topped_up(cat):
    mine, theirs = prepaid(cat), prepaid(cat)
    client = subscriber(mine.customer)
    page = client.get(TOP_UP).content.decode()
    assert mine.number in page and theirs.number not in page
    code = codes(1)[0]
    response = client.post(TOP_UP, {"subscription": theirs.pk, "code": code})
    assert response.status_code == 422 and "Select a valid choice" in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.prepaid_balance == D("0.00")
    assert Voucher.objects.get().status == VoucherStatus.ISSUED


def test_only_prepaid_services_are_offered(cat):
    customer = CF.person()
    postpaid = prepaid(cat, customer=customer, is_prepaid=False)
    client = subscriber(customer)
    page = client.get(TOP_UP).content.decode()
    assert 'id="top-up-none"' in page and 'id="top-up-form"' not in page
    response = client.post(TOP_UP, {"subscription": postpaid.pk, "code": codes(1)[0]})
    assert response.status_code == 422
    assert Voucher.objects.get().status == VoucherStatus.ISSUED
