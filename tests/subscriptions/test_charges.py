"""Charges of a billing period: proration by day, resting fees, one-time items,
promotions granted at the sale (SUB-2, SUB-3)."""

from datetime import date
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta

from products import services as product_services
from products.pricing import BasketItem
from subscriptions import services
from subscriptions.charges import billing_period, period_charges
from subscriptions.models import Subscription
from tests.products import factories as PF
from tests.subscriptions import factories as F

pytestmark = pytest.mark.django_db
D = Decimal
DEC = (date(2026, 12, 1), date(2027, 1, 1))


@pytest.fixture
def cat():
    return PF.catalogue()


def lines(charges):
    return [(line.product.code, line.kind, line.days, line.net, line.tax) for line in charges.lines]


def active(cat, on=date(2026, 11, 20), **kwargs):
    subscription = F.subscription(cat, signed_on=on, **kwargs)
    return services.subscription_activate(subscription=subscription, on=on)


def test_billing_period_follows_the_cycle_day():
    assert billing_period(bill_cycle_day=1, day=date(2026, 12, 31)) == DEC
    assert billing_period(bill_cycle_day=15, day=date(2026, 12, 3)) == (
        date(2026, 11, 15),
        date(2026, 12, 15),
    )
    assert billing_period(bill_cycle_day=15, day=date(2026, 12, 15)) == (
        date(2026, 12, 15),
        date(2027, 1, 15),
    )


def test_a_full_period_is_the_monthly_price(cat):
    charges = period_charges(subscription=active(cat), period_start=DEC[0], period_end=DEC[1])
    assert lines(charges) == [
        ("tv-basic", "recurring", 31, D("10.00"), D("2.10")),
        ("box", "recurring", 31, D("3.00"), D("0.63")),
    ]
    assert charges.total == D("15.73")
    assert "2026-12-01 to 2026-12-31: 31 of 31 days x 10.00 a month" in charges.lines[0].explanation


def test_activation_mid_period_is_prorated_by_day(cat):
    subscription = active(cat, on=date(2026, 12, 11))
    charges = period_charges(subscription=subscription, period_start=DEC[0], period_end=DEC[1])
    # 21 of 31 days: 10.00 x 21 / 31 = 6.774... -> 6.77; 3.00 x 21 / 31 = 2.032... -> 2.03
    assert lines(charges) == [
        ("tv-basic", "recurring", 21, D("6.77"), D("1.42")),
        ("box", "recurring", 21, D("2.03"), D("0.43")),
    ]


def test_resting_days_pay_the_resting_fee(cat):
    F.resting_policy(cat.tv, min_days=30, max_days=90, notice_days=0)
    subscription = active(cat, items=[BasketItem(cat.tv)], devices=[])
    services.resting_request(
        subscription=subscription,
        starts_on=date(2026, 12, 11),
        ends_on=date(2027, 1, 10),
        today=date(2026, 12, 1),
    )
    charges = period_charges(subscription=subscription, period_start=DEC[0], period_end=DEC[1])
    # 10 days at 10.00 a month, 21 days at the 2.00 resting fee.
    assert lines(charges) == [
        ("tv-basic", "recurring", 10, D("3.23"), D("0.68")),
        ("tv-basic", "resting", 21, D("1.35"), D("0.28")),
    ]
    assert charges.lines[1].explanation.startswith("resting fee")


def test_granted_promotion_runs_its_months_even_after_it_stopped_being_sold(cat):
    promotion = PF.promotion(value=50, duration_months=3, products=[cat.tv])
    subscription = active(cat, items=[BasketItem(cat.tv)], devices=[])
    product_services.promotion_expire(promotion=promotion)
    nets = []
    for month in range(4):
        start = date(2026, 12, 1) + relativedelta(months=month)
        end = start + relativedelta(months=1)
        nets.append(
            period_charges(subscription=subscription, period_start=start, period_end=end)
            .lines[0]
            .net
        )
    # Activated on 20 Nov: December is month 1, January 2, February 3, March 4.
    assert nets == [D("5.00"), D("5.00"), D("5.00"), D("10.00")]


def test_one_time_items_are_charged_in_the_period_they_start(cat):
    subscription = active(
        cat, on=date(2026, 12, 3), items=[BasketItem(cat.tv), BasketItem(cat.install)], devices=[]
    )
    december = period_charges(subscription=subscription, period_start=DEC[0], period_end=DEC[1])
    assert ("install", "one_time", 1, D("25.00"), D("5.25")) in lines(december)
    january = period_charges(
        subscription=subscription, period_start=date(2027, 1, 1), period_end=date(2027, 2, 1)
    )
    assert [line[0] for line in lines(january)] == ["tv-basic"]


def test_termination_day_is_the_last_charged_day(cat):
    subscription = active(cat, items=[BasketItem(cat.tv)], devices=[])
    services.subscription_terminate(subscription=subscription, on=date(2026, 12, 15))
    subscription = Subscription.objects.get(pk=subscription.pk)
    charges = period_charges(subscription=subscription, period_start=DEC[0], period_end=DEC[1])
    assert lines(charges) == [("tv-basic", "recurring", 15, D("4.84"), D("1.02"))]


def test_a_product_taken_off_sale_keeps_billing(cat):
    subscription = active(cat, items=[BasketItem(cat.tv)], devices=[])
    cat.tv.is_active = False
    cat.tv.save()
    charges = period_charges(subscription=subscription, period_start=DEC[0], period_end=DEC[1])
    assert charges.lines[0].net == D("10.00")
