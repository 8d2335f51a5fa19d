"""Payment plans (holds): instalments split evenly (the cent on the last), the rules
of agreeing one, instalments covered in order by later payments, missed after the
grace days (the plan breaks and dunning resumes), completed, cancelled."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from alux_crm.core.errors import DomainError
from dunning.choices import InstalmentStatus, PaymentPlanStatus
from dunning.selectors import held_account_ids
from dunning.services.payment_plans import (
    payment_plan_cancel,
    payment_plan_create,
    payment_plans_evaluate,
    split_evenly,
)
from dunning.tasks.holds import evaluate_holds
from tests.dunning.holds_world import owing_account, pay

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def today():
    return timezone.localdate()


def statuses(plan):
    return [i.status for i in plan.instalments.order_by("number")]


def test_an_even_split_puts_the_cent_remainder_on_the_last_instalment():
    rows = split_evenly(total=D("100.00"), count=3, first_due_on=date(2026, 1, 31))
    assert rows == [
        (date(2026, 1, 31), D("33.33")),
        (date(2026, 2, 28), D("33.33")),
        (date(2026, 3, 31), D("33.34")),
    ]
    assert sum(amount for _day, amount in rows) == D("100.00")


def test_a_plan_from_explicit_instalments_records_what_was_paid_before(today):
    account = owing_account("120.00")
    pay(account, "20")
    plan = payment_plan_create(
        account=account,
        instalments=[(today + timedelta(days=5), D("50")), (today + timedelta(days=35), D("50"))],
        note="Two halves",
    )
    assert plan.total == D("100.00") and plan.paid_before == D("20.00")
    assert [i.number for i in plan.instalments.all()] == [1, 2]
    assert held_account_ids(account_ids=[account.pk], today=today) == {account.pk}


def test_the_total_is_at_most_what_the_account_owes(today):
    account = owing_account("60.00")
    with pytest.raises(ValidationError, match=r"more than the 60\.00"):
        payment_plan_create(account=account, total=D("60.01"), count=2, first_due_on=today)


def test_one_active_plan_per_account(today):
    account = owing_account("60.00")
    payment_plan_create(account=account, total=D("30"), count=2, first_due_on=today)
    with pytest.raises(DomainError, match="already has an active payment plan"):
        payment_plan_create(account=account, total=D("30"), count=2, first_due_on=today)


def test_instalments_follow_in_time_and_are_not_in_the_past(today):
    account = owing_account("60.00")
    with pytest.raises(ValidationError):
        payment_plan_create(
            account=account,
            instalments=[(today + timedelta(days=5), D("10")), (today, D("10"))],
        )
    with pytest.raises(ValidationError):
        payment_plan_create(account=account, instalments=[(today - timedelta(days=1), D("10"))])


def test_payments_after_the_plan_cover_the_instalments_in_order_until_completed(today):
    account = owing_account("90.00")
    pay(account, "15")  # before the plan: not towards it
    plan = payment_plan_create(account=account, total=D("75"), count=3, first_due_on=today)
    pay(account, "30")  # the first (25) and 5 towards the second
    payment_plans_evaluate(today=today)
    assert statuses(plan) == ["paid", "due", "due"]
    assert plan.instalments.get(number=1).paid_on == today
    pay(account, "45")
    later = today + timedelta(days=40)
    assert payment_plans_evaluate(today=later) == {"completed": 1, "broken": 0}
    plan.refresh_from_db()
    assert statuses(plan) == ["paid", "paid", "paid"]
    assert plan.status == PaymentPlanStatus.COMPLETED and plan.ended_on == later
    assert held_account_ids(account_ids=[account.pk], today=later) == set()


def test_a_missed_instalment_after_the_grace_days_breaks_the_plan(today, settings):
    settings.DUNNING_INSTALMENT_GRACE_DAYS = 3
    account = owing_account("90.00")
    plan = payment_plan_create(account=account, total=D("60"), count=2, first_due_on=today)
    pay(account, "29.99")
    payment_plans_evaluate(today=today + timedelta(days=3))  # within the grace days
    plan.refresh_from_db()
    assert plan.status == PaymentPlanStatus.ACTIVE and statuses(plan) == ["due", "due"]
    day = today + timedelta(days=4)
    assert evaluate_holds.delay().get() is not None  # today: nothing to do yet
    assert payment_plans_evaluate(today=day) == {"completed": 0, "broken": 1}
    plan.refresh_from_db()
    assert plan.status == PaymentPlanStatus.BROKEN and plan.ended_on == day
    assert plan.instalments.get(number=1).status == InstalmentStatus.MISSED
    # Dunning resumes: the account is no longer held.
    assert held_account_ids(account_ids=[account.pk], today=day) == set()


def test_cancel_an_active_plan_only(today):
    account = owing_account("90.00")
    plan = payment_plan_create(account=account, total=D("60"), count=2, first_due_on=today)
    payment_plan_cancel(plan=plan)
    plan.refresh_from_db()
    assert plan.status == PaymentPlanStatus.CANCELLED and plan.ended_on == today
    assert held_account_ids(account_ids=[account.pk], today=today) == set()
    with pytest.raises(DomainError):
        payment_plan_cancel(plan=plan)
