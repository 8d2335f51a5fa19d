"""Promises to pay (holds): the rules of recording one, the hold it puts on dunning,
kept or broken by the evaluation, cancel and approve for reconnection (four eyes)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from alux_crm.core import roles as R
from alux_crm.core.errors import DomainError
from billing import services as billing_services
from dunning.choices import PromiseStatus
from dunning.selectors import held_account_ids
from dunning.services.promises import (
    promise_approve_for_reconnection,
    promise_cancel,
    promise_create,
    promises_evaluate,
)
from dunning.tasks.holds import evaluate_holds
from tests.dunning.holds_world import owing_account, pay
from tests.subscriptions import factories as SF

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def agent(make_user):
    return make_user(R.CUSTOMER_SERVICE)


def test_a_promise_records_the_balance_and_holds_the_account_until_its_day(agent, today):
    account = owing_account("80.00")
    promise = promise_create(
        account=account, amount=D("50"), pay_by=today + timedelta(days=5), actor=agent
    )
    assert promise.status == PromiseStatus.OPEN
    assert promise.balance_when_made == D("80.00")
    assert promise.created_by == agent
    ids = [account.pk]
    assert held_account_ids(account_ids=ids, today=today + timedelta(days=5)) == {account.pk}
    # The day after pay_by, dunning no longer waits (even before the evaluation runs).
    assert held_account_ids(account_ids=ids, today=today + timedelta(days=6)) == set()


def test_an_account_that_owes_nothing_cannot_promise(agent, today):
    account = SF.account()
    with pytest.raises(ValidationError) as error:
        promise_create(account=account, amount=D("10"), pay_by=today, actor=agent)
    assert "owes nothing" in str(error.value)


def test_a_promise_for_more_than_owed_is_refused(agent, today):
    account = owing_account("30.00")
    with pytest.raises(ValidationError) as error:
        promise_create(account=account, amount=D("31"), pay_by=today, actor=agent)
    assert "amount" in error.value.message_dict


def test_pay_by_is_within_the_configured_days(agent, today, settings):
    account = owing_account("30.00")
    settings.DUNNING_PROMISE_MAX_DAYS = 5
    with pytest.raises(ValidationError) as error:
        promise_create(account=account, amount=D("10"), pay_by=today + timedelta(days=6))
    assert "within 5 days" in error.value.message_dict["pay_by"][0]
    with pytest.raises(ValidationError):
        promise_create(account=account, amount=D("10"), pay_by=today - timedelta(days=1))
    assert promise_create(account=account, amount=D("10"), pay_by=today + timedelta(days=5))


def test_one_open_promise_per_account(agent, today):
    account = owing_account("30.00")
    promise_create(account=account, amount=D("10"), pay_by=today, actor=agent)
    with pytest.raises(DomainError, match="already has an open promise"):
        promise_create(account=account, amount=D("5"), pay_by=today, actor=agent)


def test_kept_as_soon_as_the_payments_since_reach_the_amount(agent, today):
    account = owing_account("80.00")
    promise = promise_create(
        account=account, amount=D("50"), pay_by=today + timedelta(days=7), actor=agent
    )
    pay(account, "20")
    promises_evaluate(today=today)
    promise.refresh_from_db()
    assert promise.status == PromiseStatus.OPEN  # 20 of 50, and still in time
    pay(account, "30")
    assert promises_evaluate(today=today) == {"kept": 1, "broken": 0}
    promise.refresh_from_db()
    assert promise.status == PromiseStatus.KEPT and promise.resolved_on == today
    assert held_account_ids(account_ids=[account.pk], today=today) == set()


def test_broken_when_the_day_passes_without_the_money(agent, today):
    account = owing_account("80.00")
    promise = promise_create(account=account, amount=D("50"), pay_by=today, actor=agent)
    pay(account, "49.99")
    promises_evaluate(today=today)  # its last day: still open
    promise.refresh_from_db()
    assert promise.status == PromiseStatus.OPEN
    tomorrow = today + timedelta(days=1)
    assert promises_evaluate(today=tomorrow) == {"kept": 0, "broken": 1}
    promise.refresh_from_db()
    assert promise.status == PromiseStatus.BROKEN and promise.resolved_on == tomorrow


def test_a_payment_before_the_promise_or_reversed_does_not_keep_it(agent, today):
    account = owing_account("80.00")
    pay(account, "30")  # before the promise: part of the balance it was made on
    promise = promise_create(account=account, amount=D("40"), pay_by=today, actor=agent)
    payment = pay(account, "40")
    billing_services.payment_reverse(payment=payment, reason="bounced")
    promises_evaluate(today=today + timedelta(days=1))
    promise.refresh_from_db()
    assert promise.status == PromiseStatus.BROKEN


def test_the_hourly_task_evaluates_and_a_second_run_changes_nothing(agent, today):
    account = owing_account("80.00")
    promise = promise_create(account=account, amount=D("50"), pay_by=today, actor=agent)
    pay(account, "50")
    result = evaluate_holds.delay().get()
    assert result["promises"] == {"kept": 1, "broken": 0}
    assert evaluate_holds.delay().get()["promises"] == {"kept": 0, "broken": 0}
    promise.refresh_from_db()
    assert promise.status == PromiseStatus.KEPT


def test_approval_for_reconnection_needs_a_second_person(agent, make_user, today):
    account = owing_account("80.00")
    finance = make_user(R.BILLING_FINANCE)
    own = promise_create(account=account, amount=D("50"), pay_by=today, actor=finance)
    with pytest.raises(DomainError, match="someone other"):
        promise_approve_for_reconnection(promise=own, actor=finance)
    approved = promise_approve_for_reconnection(promise=own, actor=make_user(R.BILLING_FINANCE))
    assert approved.approved_for_reconnection and approved.approved_by is not None
    with pytest.raises(DomainError, match="already approved"):
        promise_approve_for_reconnection(promise=own, actor=agent)


def test_cancel_ends_the_hold_and_a_cancelled_promise_cannot_be_approved(agent, make_user, today):
    account = owing_account("80.00")
    promise = promise_create(account=account, amount=D("50"), pay_by=today, actor=agent)
    promise_cancel(promise=promise, actor=agent)
    promise.refresh_from_db()
    assert promise.status == PromiseStatus.CANCELLED and promise.resolved_on == today
    assert held_account_ids(account_ids=[account.pk], today=today) == set()
    with pytest.raises(DomainError):
        promise_approve_for_reconnection(promise=promise, actor=make_user(R.BILLING_FINANCE))
    with pytest.raises(DomainError):
        promise_cancel(promise=promise, actor=agent)
    # A new promise may be made once the first is no longer open.
    assert promise_create(account=account, amount=D("10"), pay_by=today, actor=agent)
