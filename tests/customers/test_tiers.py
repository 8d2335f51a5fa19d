"""Tiers from monthly value and tenure (CUS-10): the rules, the nightly recompute and
its Celery task."""

import calendar
from datetime import date
from decimal import Decimal

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.utils import timezone

from customers import services
from customers.models import Customer, TierRule
from customers.tasks import recompute_customer_tiers

from .factories import company, person

pytestmark = pytest.mark.django_db


def months_before(day: date, months: int) -> date:
    """The same day ``months`` earlier (the month's last day when it is shorter)."""
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def with_value(customer: Customer, value: str, tenure_months: int, today: date) -> Customer:
    Customer.objects.filter(pk=customer.pk).update(
        monthly_value=Decimal(value), customer_since=months_before(today, tenure_months)
    )
    return customer


def tiers(*customers: Customer) -> list[str]:
    by_pk = Customer.objects.in_bulk([c.pk for c in customers])
    return [by_pk[c.pk].tier for c in customers]


# --- tier_for: the rule, at the boundaries -----------------------------------------
@pytest.fixture
def rules():
    return list(TierRule.objects.all())


def test_default_rules_are_loaded(rules):
    table = {r.tier: (r.rank, r.min_monthly_value, r.min_tenure_months) for r in rules}
    assert table == {
        "platinum": (4, Decimal("150.00"), 36),
        "gold": (3, Decimal("80.00"), 24),
        "silver": (2, Decimal("40.00"), 12),
        "bronze": (1, Decimal("0.00"), 0),
    }


@pytest.mark.parametrize(
    ("value", "months", "tier"),
    [
        ("150.00", 36, "platinum"),  # both thresholds met exactly
        ("149.99", 36, "gold"),  # one cent short of platinum
        ("150.00", 35, "gold"),  # one month short of platinum
        ("80.00", 24, "gold"),
        ("79.99", 24, "silver"),
        ("80.00", 23, "silver"),
        ("40.00", 12, "silver"),
        ("39.99", 12, "bronze"),
        ("40.00", 11, "bronze"),
        ("150.00", 6, "bronze"),  # high value but too new: both must be met
        ("5.00", 120, "bronze"),  # loyal but low value
        ("0.00", 0, "bronze"),
        ("1000.00", 240, "platinum"),
    ],
)
def test_tier_for_boundaries(rules, value, months, tier):
    assert services.tier_for(monthly_value=Decimal(value), tenure_months=months, rules=rules) == (
        tier
    )


def test_tier_for_without_rules_is_bronze():
    assert services.tier_for(monthly_value=Decimal("500"), tenure_months=100, rules=[]) == "bronze"


# --- the set-based recompute -----------------------------------------------------
def test_recompute_gives_each_customer_its_tier():
    today = date(2026, 3, 15)
    platinum = with_value(person(), "150.00", 36, today)
    too_new = with_value(person(), "150.00", 6, today)
    gold_by_value = with_value(person(), "149.99", 48, today)
    gold_by_tenure = with_value(company(), "300.00", 35, today)
    silver = with_value(person(), "40.00", 12, today)
    silver_short_value = with_value(person(), "79.99", 30, today)
    bronze = with_value(person(), "39.99", 60, today)

    changed = services.customers_recompute_tiers(today=today)

    assert tiers(
        platinum, too_new, gold_by_value, gold_by_tenure, silver, silver_short_value, bronze
    ) == ["platinum", "bronze", "gold", "gold", "silver", "silver", "bronze"]
    # Everyone starts bronze: only the five who moved up count as changes.
    assert changed == 5
    assert Customer.objects.get(pk=platinum.pk).tier_computed_at is not None


def test_tenure_counts_whole_months_in_sql():
    """The SQL tenure agrees with tier_for: a day short of 36 months is 35 months."""
    today = date(2026, 3, 15)
    exactly = person()
    day_short = person()
    Customer.objects.filter(pk=exactly.pk).update(
        monthly_value=Decimal("150"), customer_since=date(2023, 3, 15)
    )
    Customer.objects.filter(pk=day_short.pk).update(
        monthly_value=Decimal("150"), customer_since=date(2023, 3, 16)
    )
    services.customers_recompute_tiers(today=today)
    assert tiers(exactly, day_short) == ["platinum", "gold"]


def test_recompute_twice_changes_nothing_the_second_time():
    today = date(2026, 3, 15)
    customers = [
        with_value(person(), "200.00", 40, today),
        with_value(person(), "90.00", 25, today),
        with_value(person(), "10.00", 1, today),
    ]
    assert services.customers_recompute_tiers(today=today) == 2
    first = {c.pk: (c.tier, c.tier_computed_at) for c in Customer.objects.all()}
    assert services.customers_recompute_tiers(today=today) == 0
    second = {c.pk: (c.tier, c.tier_computed_at) for c in Customer.objects.all()}
    assert first == second
    assert tiers(*customers) == ["platinum", "gold", "bronze"]


def test_tier_goes_down_when_value_drops():
    today = date(2026, 3, 15)
    customer = with_value(person(), "200.00", 40, today)
    services.customers_recompute_tiers(today=today)
    with_value(customer, "50.00", 40, today)
    assert services.customers_recompute_tiers(today=today) == 1
    assert tiers(customer) == ["silver"]


def test_tenure_grows_with_time():
    customer = with_value(person(), "150.00", 35, date(2026, 3, 15))
    services.customers_recompute_tiers(today=date(2026, 3, 15))
    assert tiers(customer) == ["gold"]
    assert services.customers_recompute_tiers(today=date(2026, 4, 15)) == 1
    assert tiers(customer) == ["platinum"]


def test_editing_a_rule_changes_the_outcome():
    today = date(2026, 3, 15)
    customer = with_value(person(), "120.00", 40, today)
    services.customers_recompute_tiers(today=today)
    assert tiers(customer) == ["gold"]

    TierRule.objects.filter(tier="platinum").update(min_monthly_value=Decimal("100.00"))
    assert services.customers_recompute_tiers(today=today) == 1
    assert tiers(customer) == ["platinum"]

    TierRule.objects.filter(tier="gold").update(min_tenure_months=48)
    TierRule.objects.filter(tier="platinum").update(min_tenure_months=60)
    services.customers_recompute_tiers(today=today)
    assert tiers(customer) == ["silver"]


# --- the nightly task ------------------------------------------------------------
def test_task_recomputes_tiers_eagerly():
    today = timezone.localdate()
    gold = with_value(person(), "100.00", 30, today)
    platinum = with_value(company(), "500.00", 60, today)

    result = recompute_customer_tiers.delay()

    assert result.get() == 2
    assert tiers(gold, platinum) == ["gold", "platinum"]
    assert recompute_customer_tiers.delay().get() == 0


def test_task_is_scheduled_nightly_at_half_past_two():
    entry = settings.CELERY_BEAT_SCHEDULE["customers-recompute-tiers"]
    assert entry["task"] == recompute_customer_tiers.name
    assert entry["task"] == "customers.tasks.recompute_customer_tiers"
    assert entry["schedule"] == crontab(hour=2, minute=30)
    assert settings.CELERY_TIMEZONE == settings.TIME_ZONE
