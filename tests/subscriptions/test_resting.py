"""Resting periods (SUB-3): the policy's rules, automatic start and resumption, early
return, contract extension."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from alux_crm.core.errors import DomainError, InvalidTransition
from subscriptions import services
from subscriptions.choices import RestingStatus
from subscriptions.choices import SubscriptionStatus as S
from tests.products import factories as PF
from tests.subscriptions import factories as F

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 23)


@pytest.fixture
def cat():
    return PF.catalogue()


@pytest.fixture
def active(cat):
    F.resting_policy(cat.tv, min_days=30, max_days=90, max_per_year=2, notice_days=2)
    subscription = F.subscription(cat, signed_on=date(2026, 1, 10))
    return services.subscription_activate(subscription=subscription, on=date(2026, 1, 10))


def book(subscription, start, days):
    return services.resting_request(
        subscription=subscription,
        starts_on=start,
        ends_on=start + timedelta(days=days),
        today=TODAY,
    )


def test_length_must_be_within_the_policy(active):
    for days in (29, 91):
        with pytest.raises(ValidationError) as excinfo:
            book(active, TODAY + timedelta(days=5), days)
        assert "lasts 30 to 90 days" in excinfo.value.message_dict["ends_on"][0]
    assert book(active, TODAY + timedelta(days=5), 30).status == RestingStatus.SCHEDULED


def test_notice_is_required(active):
    with pytest.raises(ValidationError) as excinfo:
        book(active, TODAY + timedelta(days=1), 30)
    assert "2 days' notice" in excinfo.value.message_dict["starts_on"][0]


def test_count_per_year(active):
    book(active, date(2027, 1, 1), 30)
    book(active, date(2027, 3, 1), 30)
    with pytest.raises(ValidationError) as excinfo:
        book(active, date(2027, 6, 1), 30)
    assert (
        "At most 2 resting periods a year; 2027 has 2" in excinfo.value.message_dict["starts_on"][0]
    )
    book(active, date(2028, 1, 10), 30)  # a new year


def test_overlapping_periods_are_refused(active):
    book(active, date(2027, 1, 1), 60)
    with pytest.raises(ValidationError, match="overlaps"):
        book(active, date(2027, 2, 1), 30)


def test_products_without_a_policy_cannot_rest(cat):
    subscription = services.subscription_activate(subscription=F.subscription(cat))
    with pytest.raises(DomainError, match="cannot rest"):
        book(subscription, TODAY + timedelta(days=5), 30)


def test_only_active_subscriptions_rest(cat):
    F.resting_policy(cat.tv)
    with pytest.raises(InvalidTransition):
        book(F.subscription(cat), TODAY + timedelta(days=5), 30)


def test_daily_task_starts_and_resumes_and_extends_the_contract(active):
    end_before = active.contract_end
    period = book(active, date(2026, 12, 1), 61)
    assert services.resting_periods_run(today=date(2026, 11, 30)) == {"started": 0, "resumed": 0}
    assert services.resting_periods_run(today=date(2026, 12, 1)) == {"started": 1, "resumed": 0}
    assert services.resting_periods_run(today=date(2026, 12, 1)) == {"started": 0, "resumed": 0}
    active.refresh_from_db()
    assert active.status == S.RESTING
    assert services.resting_periods_run(today=date(2027, 1, 31)) == {"started": 0, "resumed": 1}
    active.refresh_from_db()
    period.refresh_from_db()
    assert active.status == S.ACTIVE
    assert period.status == RestingStatus.ENDED and period.ended_on is None
    assert period.extended_contract_days == 61
    assert active.contract_end == end_before + timedelta(days=61)
    topics = list(active.timeline.order_by("id").values_list("command", flat=True))
    assert topics == ["", "activate", "suspend", "resume"]


def test_early_return_extends_by_the_days_actually_rested(active):
    end_before = active.contract_end
    period = book(active, date(2026, 12, 1), 60)
    services.resting_periods_run(today=date(2026, 12, 1))
    services.resting_end(period=period, today=date(2026, 12, 11))
    active.refresh_from_db()
    period.refresh_from_db()
    assert period.ended_on == date(2026, 12, 11) and period.extended_contract_days == 10
    assert active.contract_end == end_before + timedelta(days=10)


def test_policy_without_extension_keeps_the_end_date(cat):
    F.resting_policy(cat.tv, min_days=30, max_days=90, notice_days=0, extends_contract=False)
    subscription = services.subscription_activate(subscription=F.subscription(cat))
    end = subscription.contract_end
    period = services.resting_request(
        subscription=subscription, starts_on=TODAY, ends_on=TODAY + timedelta(days=30), today=TODAY
    )
    assert period.status == RestingStatus.RESTING  # starting today: at once
    services.resting_periods_run(today=TODAY + timedelta(days=30))
    subscription.refresh_from_db()
    assert subscription.contract_end == end and subscription.status == S.ACTIVE


def test_cancelling_a_scheduled_period_sends_nothing(active):
    period = book(active, date(2027, 1, 1), 30)
    services.resting_end(period=period, today=TODAY)
    period.refresh_from_db()
    assert period.status == RestingStatus.CANCELLED
    assert active.timeline.count() == 2  # signed, activated


def test_a_period_ending_on_a_suspended_subscription_leaves_it_suspended(active):
    book(active, date(2026, 12, 1), 40)
    services.resting_periods_run(today=date(2026, 12, 1))
    services.subscription_suspend(subscription=active, reason="Unpaid invoice")
    services.resting_periods_run(today=date(2027, 1, 10))
    active.refresh_from_db()
    assert active.status == S.SUSPENDED
    assert active.resting_periods.get().status == RestingStatus.ENDED
    commands = list(active.timeline.order_by("id").values_list("command", flat=True))
    assert commands[-1] == "suspend"  # no "resume" was sent
