"""Deposits (holds): asked at a sale by the credit class (the ``subscription_sold``
signal) or by a fraud review, keeping the subscription pending until paid
(``subscription_activating``), cancelled with its subscriptions when unpaid in time,
and refunded at termination after settling the account. The money rules: the cached
balance stays the sum of entries, a paid deposit pays no invoice and hides nothing
from dunning, the GL journal balances and shows the deposit as a liability."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from alux_crm.core.errors import DomainError
from alux_crm.core.models import OutboxMessage
from billing import services as billing_services
from billing.choices import EntryKind
from billing.models import LedgerEntry, PaymentAllocation
from billing.services.gl import gl_journal
from dunning.choices import DepositReason, DepositStatus
from dunning.models import Deposit
from dunning.selectors import overdue_accounts
from dunning.services.deposits import (
    deposit_cancel_unpaid,
    deposit_record_payment,
    deposit_refund,
    deposit_request,
    deposits_evaluate,
)
from dunning.tasks.holds import evaluate_holds
from subscriptions import services as subscription_services
from subscriptions.choices import SubscriptionStatus
from subscriptions.models import SubscriptionEvent
from tests.dunning.holds_world import invoice_for, owing_account, strict_credit_limits
from tests.products import factories as PF
from tests.subscriptions import factories as SF

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def cat():
    return PF.catalogue()


def ledger_is_consistent(account) -> bool:
    account.refresh_from_db()
    entries = LedgerEntry.objects.filter(billing_account=account)
    return account.balance == sum((e.amount for e in entries), D("0.00"))


def journal(today):
    return gl_journal(start=today - timedelta(days=60), end=today + timedelta(days=1))


def test_a_sale_with_a_deposit_asks_it_and_waits_for_it_before_installation(cat, today):
    strict_credit_limits()
    subscription = SF.subscription(cat)
    deposit = Deposit.objects.get(subscription=subscription)
    assert deposit.status == DepositStatus.REQUESTED
    assert deposit.reason == DepositReason.CREDIT_CLASS
    assert deposit.amount == subscription.deposit_required > 0
    assert deposit.pay_by == today + timedelta(days=30)
    with pytest.raises(DomainError, match=r"deposit of .* is not paid yet"):
        subscription_services.subscription_activate(subscription=subscription)
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.PENDING_INSTALLATION

    deposit_record_payment(deposit=deposit, method="card", reference="R-1")
    activated = subscription_services.subscription_activate(subscription=subscription)
    assert activated.status == SubscriptionStatus.ACTIVE


def test_a_sale_without_a_deposit_asks_none(cat):
    subscription = SF.subscription(cat)  # no credit limits: no deposit
    assert not Deposit.objects.filter(subscription=subscription).exists()
    assert subscription_services.subscription_activate(subscription=subscription).status == (
        SubscriptionStatus.ACTIVE
    )


def test_a_fraud_review_deposit_holds_every_pending_subscription_of_the_account(cat, today):
    subscription = SF.subscription(cat)
    with pytest.raises(ValidationError):
        deposit_request(account=subscription.billing_account, amount=D("50"), why="  ")
    deposit = deposit_request(
        account=subscription.billing_account, amount=D("50"), why="More than 10 SIMs", today=today
    )
    with pytest.raises(DomainError):
        subscription_services.subscription_activate(subscription=subscription)
    assert deposit.pay_by == today + timedelta(days=30)


def test_unpaid_in_time_the_deposit_and_its_pending_subscription_are_cancelled(
    cat, today, settings
):
    settings.DUNNING_DEPOSIT_WAIT_DAYS = 30
    strict_credit_limits()
    subscription = SF.subscription(cat)
    deposit = Deposit.objects.get(subscription=subscription)
    with pytest.raises(DomainError):  # not before its day has passed
        deposit_cancel_unpaid(deposit=deposit, today=deposit.pay_by)
    assert deposits_evaluate(today=deposit.pay_by)["cancelled"] == 0
    day = deposit.pay_by + timedelta(days=1)
    assert deposits_evaluate(today=day) == {"cancelled": 1, "refunded": 0}
    deposit.refresh_from_db()
    subscription.refresh_from_db()
    assert deposit.status == DepositStatus.CANCELLED and deposit.cancelled_on == day
    assert subscription.status == SubscriptionStatus.CANCELLED and subscription.ended_on == day
    event = SubscriptionEvent.objects.filter(subscription=subscription).latest("pk")
    assert "not paid by" in event.reason and event.outbox_message is not None
    assert OutboxMessage.objects.filter(pk=event.outbox_message_id).exists()
    assert not LedgerEntry.objects.filter(billing_account=subscription.billing_account).exists()


def test_a_paid_deposit_moves_no_balance_pays_no_invoice_and_hides_nothing(today):
    account = owing_account("40.00", due_on=today - timedelta(days=20))
    before = account.balance
    deposit = deposit_request(account=account, amount=D("100"), why="fraud review")
    deposit_record_payment(deposit=deposit, received_on=today, method="transfer", reference="T9")
    account.refresh_from_db()
    assert account.balance == before == D("40.00")
    assert ledger_is_consistent(account)
    kinds = sorted((e.kind, e.amount) for e in LedgerEntry.objects.filter(billing_account=account))
    assert (EntryKind.DEPOSIT, D("100.00")) in kinds and (EntryKind.PAYMENT, D("-100.00")) in kinds
    assert not PaymentAllocation.objects.filter(invoice__billing_account=account).exists()
    assert billing_services.open_invoices(account).count() == 1
    held = account.payments.get(held_as_deposit=True)  # the cash is on the payments list
    assert (held.amount, held.method, held.reference) == (
        D("100.00"),
        "transfer",
        f"Deposit #{deposit.pk} T9",
    )
    overdue = overdue_accounts(today=today, account_ids=[account.pk])
    assert overdue[account.pk].amount == D("40.00")
    # A later payment still allocates to the invoice, untouched by the deposit.
    billing_services.payment_record(
        account=account, amount=D("40"), method="cash", idempotency_key="later"
    )
    assert billing_services.open_invoices(account).count() == 0
    book = journal(today)
    assert book.balanced
    deposits = [row for row in book.by_account if row.account == "419"]
    assert deposits and deposits[0].credit == D("100.00") and deposits[0].debit == 0
    with pytest.raises(DomainError):
        deposit_record_payment(deposit=deposit)  # paid once


def test_refund_at_termination_first_settles_what_is_owed(cat, today):
    subscription = SF.subscription(cat)
    account = subscription.billing_account
    deposit = deposit_request(
        account=account, amount=D("100"), why="fraud", subscription=subscription
    )
    deposit_record_payment(deposit=deposit, method="cash")
    subscription = subscription_services.subscription_activate(subscription=subscription)
    with pytest.raises(DomainError, match="terminated"):
        deposit_refund(deposit=deposit)
    invoice = invoice_for(account, "30.00")
    subscription_services.subscription_terminate(subscription=subscription, reason="Moving")
    paid_back = deposit_refund(deposit=deposit, today=today)
    assert paid_back == D("70.00")
    # The released deposit settled the invoice: nothing is shown open any more.
    assert billing_services.open_invoices(account).count() == 0
    assert billing_services.invoice_open_amount(invoice) == D("0.00")
    account.refresh_from_db()
    assert account.balance == D("0.00")
    assert ledger_is_consistent(account)
    assert overdue_accounts(today=today, account_ids=[account.pk]) == {}
    deposit.refresh_from_db()
    assert deposit.status == DepositStatus.REFUNDED and deposit.refunded_on == today
    refund = LedgerEntry.objects.get(idempotency_key=f"deposit-{deposit.pk}-refund")
    assert refund.kind == EntryKind.REFUND and refund.amount == D("70.00")
    book = journal(today)
    assert book.balanced
    deposits = next(row for row in book.by_account if row.account == "419")
    assert deposits.balance == 0  # held, then released: no liability left
    with pytest.raises(DomainError):
        deposit_refund(deposit=deposit)


def test_a_reversed_deposit_payment_makes_the_deposit_unpaid_until_paid_again(cat, today):
    subscription = SF.subscription(cat)
    account = subscription.billing_account
    deposit = deposit_request(
        account=account, amount=D("100"), why="fraud", subscription=subscription
    )
    account.refresh_from_db()
    before = account.balance
    deposit_record_payment(deposit=deposit, method="transfer", reference="T1")
    bounced = account.payments.get(held_as_deposit=True)
    # the transfer bounces: the money is gone, so the deposit is not held any more
    billing_services.payment_reverse(payment=bounced, reason="Bounced")
    deposit.refresh_from_db()
    account.refresh_from_db()
    assert (deposit.status, deposit.paid_on) == (DepositStatus.REQUESTED, None)
    assert deposit.pay_by >= today + timedelta(days=30)
    assert account.balance == before and ledger_is_consistent(account)
    with pytest.raises(DomainError, match=r"deposit of .* is not paid yet"):
        subscription_services.subscription_activate(subscription=subscription)
    # paid again: held once more, under keys of its own
    deposit_record_payment(deposit=deposit, method="cash")
    deposit.refresh_from_db()
    account.refresh_from_db()
    assert deposit.status == DepositStatus.PAID and account.balance == before
    assert ledger_is_consistent(account)
    held = account.payments.filter(held_as_deposit=True, status="received")
    assert [p.idempotency_key for p in held] == [f"deposit-{deposit.pk}-2"]
    subscription = subscription_services.subscription_activate(subscription=subscription)
    # refunded at termination from the payment that counts, the liability back to 0
    subscription_services.subscription_terminate(subscription=subscription, reason="Moving")
    assert deposit_refund(deposit=deposit, today=today) == D("100.00")
    account.refresh_from_db()
    assert ledger_is_consistent(account)
    book = journal(today)
    assert book.balanced
    assert next(row for row in book.by_account if row.account == "419").balance == 0


def test_reversing_an_ordinary_payment_leaves_the_deposits_alone(today):
    account = owing_account("40.00", due_on=today - timedelta(days=20))
    deposit = deposit_request(account=account, amount=D("50"), why="fraud review")
    deposit_record_payment(deposit=deposit)
    payment, _ = billing_services.payment_record(
        account=account, amount=D("40"), method="cash", idempotency_key="ordinary"
    )
    billing_services.payment_reverse(payment=payment, reason="Counterfeit")
    deposit.refresh_from_db()
    assert deposit.status == DepositStatus.PAID
    assert ledger_is_consistent(account)


def test_the_daily_task_refunds_a_deposit_whose_services_ended(cat, today):
    subscription = SF.subscription(cat)
    account = subscription.billing_account
    deposit = deposit_request(account=account, amount=D("25"), why="fraud")
    deposit_record_payment(deposit=deposit)
    subscription = subscription_services.subscription_activate(subscription=subscription)
    assert evaluate_holds.delay().get()["deposits"] == {"cancelled": 0, "refunded": 0}
    subscription_services.subscription_terminate(subscription=subscription, reason="End")
    assert evaluate_holds.delay().get()["deposits"] == {"cancelled": 0, "refunded": 1}
    deposit.refresh_from_db()
    account.refresh_from_db()
    assert deposit.status == DepositStatus.REFUNDED
    assert account.balance == D("0.00") and ledger_is_consistent(account)


def test_a_sale_recorded_after_its_deposit_day_asks_none(cat, today):
    strict_credit_limits()
    old = SF.subscription(cat, signed_on=today - timedelta(days=31))
    assert old.deposit_required > 0
    assert not Deposit.objects.filter(subscription=old).exists()
    recent = SF.subscription(cat, signed_on=today - timedelta(days=10))
    deposit = Deposit.objects.get(subscription=recent)
    assert deposit.pay_by == today + timedelta(days=20)  # asked on the signing day


def test_a_deposit_of_a_subscription_cancelled_in_regret_is_withdrawn(cat, today):
    strict_credit_limits()
    subscription = SF.subscription(cat)
    subscription_services.subscription_cancel_in_regret_window(
        subscription=subscription, reason="Changed mind"
    )
    assert deposits_evaluate(today=today) == {"cancelled": 1, "refunded": 0}
    deposit = Deposit.objects.get(subscription=subscription)
    assert deposit.status == DepositStatus.CANCELLED and deposit.cancelled_on == today


def test_the_deposit_payment_shows_held_on_the_payments_list(today, make_user, client):
    from alux_crm.core import roles as R

    account = owing_account("40.00", due_on=today - timedelta(days=20))
    deposit = deposit_request(account=account, amount=D("100"), why="fraud review")
    deposit_record_payment(deposit=deposit, received_on=today, method="transfer")
    client.force_login(make_user(R.BILLING_FINANCE))
    page = client.get("/billing/payments/").content.decode()
    assert f"Deposit #{deposit.pk}" in page and "held as a deposit" in page
