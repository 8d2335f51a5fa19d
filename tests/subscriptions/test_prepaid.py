"""Prepaid services (SUB-9): the balance, daily charges, suspension when empty,
reconnection on top-up, nothing counted twice, entries that cannot be edited."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import DatabaseError, transaction

from alux_crm.core.errors import DomainError
from products.pricing import BasketItem
from subscriptions import services
from subscriptions.choices import SubscriptionStatus as S
from subscriptions.models import PrepaidEntry
from tests.products import factories as PF
from tests.subscriptions import factories as F

pytestmark = pytest.mark.django_db
D = Decimal
DAY = date(2026, 12, 1)  # December: 31 days


@pytest.fixture
def prepaid():
    cat = PF.catalogue()
    subscription = F.subscription(cat, items=[BasketItem(cat.tv)], devices=[], is_prepaid=True)
    return services.subscription_activate(subscription=subscription)


def test_top_up_is_counted_once(prepaid):
    services.prepaid_top_up(subscription=prepaid, amount=D("10"), idempotency_key="voucher-123")
    services.prepaid_top_up(subscription=prepaid, amount=D("10"), idempotency_key="voucher-123")
    prepaid.refresh_from_db()
    assert prepaid.prepaid_balance == D("10.00")
    assert PrepaidEntry.objects.filter(subscription=prepaid).count() == 1


def test_daily_charge_then_suspension_then_reconnection(prepaid):
    # 12.10 a month with VAT / 31 days = 0.390... -> 0.39 a day
    assert services.daily_fee(prepaid, DAY) == D("0.39")
    services.prepaid_top_up(subscription=prepaid, amount=D("0.80"), idempotency_key="k1")
    assert services.prepaid_run(today=DAY) == {"charged": 1, "suspended": 0}
    assert services.prepaid_run(today=DAY) == {"charged": 0, "suspended": 0}  # same day: nothing
    services.prepaid_run(today=date(2026, 12, 2))
    prepaid.refresh_from_db()
    assert prepaid.prepaid_balance == D("0.02")
    assert services.prepaid_run(today=date(2026, 12, 3)) == {"charged": 0, "suspended": 1}
    prepaid.refresh_from_db()
    assert prepaid.status == S.SUSPENDED
    services.prepaid_top_up(subscription=prepaid, amount=D("5"), idempotency_key="k2")
    prepaid.refresh_from_db()
    assert prepaid.status == S.ACTIVE
    balances = list(prepaid.prepaid_entries.values_list("balance_after", flat=True))
    assert balances == [D("0.80"), D("0.41"), D("0.02"), D("5.02")]
    assert prepaid.prepaid_balance == sum(e.amount for e in prepaid.prepaid_entries.all())


def test_entries_are_append_only_in_the_database(prepaid):
    entry = services.prepaid_top_up(subscription=prepaid, amount=D("3"), idempotency_key="k")
    with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic():
        PrepaidEntry.objects.filter(pk=entry.pk).update(amount=D("300"))
    with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic():
        PrepaidEntry.objects.filter(pk=entry.pk).delete()


def test_postpaid_subscriptions_take_no_top_up_and_bad_amounts_are_refused(prepaid):
    with pytest.raises(Exception, match="more than zero"):
        services.prepaid_top_up(subscription=prepaid, amount=D("0"), idempotency_key="z")
    prepaid.is_prepaid = False
    with pytest.raises(DomainError, match="not prepaid"):
        services.prepaid_top_up(subscription=prepaid, amount=D("1"), idempotency_key="y")


def test_daily_fee_follows_the_month_of_the_contract():
    cat = PF.catalogue()
    PF.promotion(value=50, duration_months=1, products=[cat.tv])
    subscription = F.subscription(
        cat, items=[BasketItem(cat.tv)], devices=[], is_prepaid=True, signed_on=date(2026, 11, 1)
    )
    subscription = services.subscription_activate(subscription=subscription, on=date(2026, 11, 1))
    # November: 6.05 / 30 = 0.2016 -> 0.20 (half price); December: 12.10 / 31 -> 0.39.
    assert services.daily_fee(subscription, date(2026, 11, 15)) == D("0.20")
    assert services.daily_fee(subscription, DAY) == D("0.39")
