"""Deposits (BIL-3, LEA-8): asked by the credit class at a sale or by a fraud review;
while unpaid the subscriptions they are for stay pending installation, and unpaid
``DUNNING_DEPOSIT_WAIT_DAYS`` after they were asked those subscriptions are
cancelled. A paid deposit is refunded when the services it is for are terminated:
it first settles what the account owes, the rest goes back to the customer.

Ledger (decision 33): a deposit asked books nothing (it is not owed for a service).
Paid, it books two entries that net to zero on the account's balance — the money
received (kind ``payment``, without a billing payment, so nothing allocates it to
invoices) and the deposit held (kind ``deposit``, +amount: the GL journal credits
the ``deposits`` liability) — so the cached balance stays the sum of entries, the
deposit pays no invoice and overdue invoices stay overdue. Refunded, the deposit is
released (kind ``deposit``, -amount: the liability is debited) and what is left
after settling the balance is paid out (kind ``refund``, +rest). Its payment
reversed while held, the deposit is released the same way and asked again
(``deposit_payment_reversed``)."""

import re
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from alux_crm.core.errors import DomainError
from alux_crm.core.money import ZERO, round_money
from billing.choices import EntryKind, PaymentMethod, PaymentStatus
from billing.models import Payment
from billing.services.ledger import ledger_post
from billing.services.payments import payment_record, payment_release_deposit
from customers.models import BillingAccount
from subscriptions.choices import SubscriptionStatus
from subscriptions.models import Subscription
from subscriptions.services.lifecycle import subscription_transition

from ..choices import DepositReason, DepositStatus
from ..models import Deposit

ENDED = (SubscriptionStatus.TERMINATED, SubscriptionStatus.CANCELLED)


def deposit_wait_days() -> int:
    """Days a deposit may stay unpaid before its order is cancelled."""
    return int(getattr(settings, "DUNNING_DEPOSIT_WAIT_DAYS", 30))


@transaction.atomic
def deposit_request(
    *,
    account: BillingAccount,
    amount: Decimal,
    reason: str = DepositReason.FRAUD_REVIEW,
    why: str = "",
    subscription: Subscription | None = None,
    actor=None,
    today: date | None = None,
) -> Deposit:
    """Ask ``account`` for a deposit (for one subscription, or for the account's
    pending ones); it is due within ``DUNNING_DEPOSIT_WAIT_DAYS``."""
    today = today or timezone.localdate()
    if amount is None or amount <= 0:
        raise ValidationError({"amount": _("A deposit is more than zero.")})
    if reason == DepositReason.FRAUD_REVIEW and not why.strip():
        raise ValidationError({"why": _("Say what the fraud review found.")})
    if subscription is not None and subscription.billing_account_id != account.pk:
        raise ValidationError({"subscription": _("Not a subscription of this account.")})
    return Deposit.objects.create(
        billing_account=account,
        subscription=subscription,
        amount=round_money(amount),
        currency=account.currency,
        reason=reason,
        why=why[:250],
        pay_by=today + timedelta(days=deposit_wait_days()),
        created_by=actor,
    )


def deposit_for_sale(
    *, subscription: Subscription, actor=None, today: date | None = None
) -> Deposit | None:
    """The deposit the credit class asks of a sale (``deposit_required``), once per
    subscription, asked on the signing day (so due ``DUNNING_DEPOSIT_WAIT_DAYS``
    after it). None when the sale needs none, or when it is recorded after its
    deposit's day has passed (a backdated or imported contract: nothing to hold)."""
    today = today or timezone.localdate()
    if subscription.deposit_required <= 0:
        return None
    if subscription.signed_on + timedelta(days=deposit_wait_days()) < today:
        return None
    existing = Deposit.objects.filter(subscription=subscription).first()
    if existing is not None:
        return existing
    return deposit_request(
        account=subscription.billing_account,
        amount=subscription.deposit_required,
        reason=DepositReason.CREDIT_CLASS,
        why=_("Credit class at the sale of %(number)s.") % {"number": subscription.number},
        subscription=subscription,
        actor=actor,
        today=subscription.signed_on,
    )


def deposits_holding(*, subscription: Subscription):
    """Unpaid deposits that keep ``subscription`` pending: its own, and those asked
    of its account for no subscription in particular."""
    return Deposit.objects.filter(
        Q(subscription=subscription)
        | Q(billing_account_id=subscription.billing_account_id, subscription__isnull=True),
        status=DepositStatus.REQUESTED,
    )


def deposit_check_activation(*, subscription: Subscription) -> None:
    """Refuse the first activation of a subscription while a deposit for it is unpaid
    (called by the ``subscription_activating`` signal)."""
    if subscription.status != SubscriptionStatus.PENDING_INSTALLATION:
        return
    deposit = deposits_holding(subscription=subscription).order_by("pay_by").first()
    if deposit is not None:
        raise DomainError(
            _(
                "A deposit of %(amount)s %(currency)s is not paid yet (due by %(day)s): the "
                "subscription stays pending installation until it is."
            )
            % {"amount": deposit.amount, "currency": deposit.currency, "day": deposit.pay_by},
            code="deposit_unpaid",
        )


def _locked(deposit: Deposit, expected: str) -> Deposit:
    locked = Deposit.objects.select_for_update().get(pk=deposit.pk)
    if locked.status != expected:
        raise DomainError(
            _("This deposit is %(status)s.") % {"status": locked.get_status_display().lower()},
            code="invalid_transition",
        )
    return locked


@transaction.atomic
def deposit_record_payment(
    *,
    deposit: Deposit,
    received_on: date | None = None,
    method: str = PaymentMethod.CASH,
    reference: str = "",
    actor=None,
) -> Deposit:
    """The customer paid the deposit: the deposit held and the money received (a
    billing payment held as a deposit: it settles nothing until released) are booked,
    netting to zero on the balance, and the subscription may be installed."""
    locked = _locked(deposit, DepositStatus.REQUESTED)
    received_on = received_on or timezone.localdate()
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": _("The money cannot arrive in the future.")})
    account = locked.billing_account
    attempt = _attempt(locked)
    # Held first, then the money received: the payment is recorded as held, so it
    # settles no invoice, and the balance does not move.
    ledger_post(
        account=account,
        kind=EntryKind.DEPOSIT,
        amount=locked.amount,
        idempotency_key=f"deposit-{locked.pk}-held{_attempt_suffix(attempt)}",
        booked_on=received_on,
        description=_("Deposit #%(pk)s held") % {"pk": locked.pk},
        actor=actor,
    )
    payment_record(
        account=account,
        amount=locked.amount,
        method=method,
        idempotency_key=_payment_key(locked, attempt),
        received_on=received_on,
        reference=(_("Deposit #%(pk)s") % {"pk": locked.pk} + f" {reference}").strip()[:80],
        actor=actor,
        held_as_deposit=True,
    )
    locked.status, locked.paid_on = DepositStatus.PAID, received_on
    locked.save(update_fields=["status", "paid_on", "updated_at"])
    return locked


def _payment_keys(deposit: Deposit) -> Q:
    """The idempotency keys of the payments that brought the deposit, one per attempt:
    ``deposit-<pk>`` the first, ``deposit-<pk>-<n>`` after ``n - 1`` were reversed."""
    return Q(idempotency_key=f"deposit-{deposit.pk}") | Q(
        idempotency_key__regex=rf"^deposit-{deposit.pk}-[0-9]+$"
    )


def _attempt(deposit: Deposit) -> int:
    """Which payment of the deposit the next (or the current) one is: 1 + those reversed."""
    reversed_payments = Payment.objects.filter(
        _payment_keys(deposit), status=PaymentStatus.REVERSED
    )
    return 1 + reversed_payments.count()


def _attempt_suffix(attempt: int) -> str:
    """What the keys of the deposit's ``attempt``-th payment end with: nothing for
    the first (the keys it always had), ``-<n>`` from the second on."""
    return f"-{attempt}" if attempt > 1 else ""


def _payment_key(deposit: Deposit, attempt: int | None = None) -> str:
    """The idempotency key of the payment that brings (or brought) the deposit now
    (``attempt`` when the caller already knows it)."""
    attempt = _attempt(deposit) if attempt is None else attempt
    return f"deposit-{deposit.pk}{_attempt_suffix(attempt)}"


PAYMENT_KEY = re.compile(r"deposit-(\d+)(?:-\d+)?")


@transaction.atomic
def deposit_payment_reversed(*, payment: Payment, actor=None, today: date | None = None):
    """The payment that brought a held deposit was reversed (bounced, charged back):
    the deposit is unpaid again. Its held entry is released (the reversal took the
    money back, so the balance is as before it was paid), it is asked again with at
    least ``DUNNING_DEPOSIT_WAIT_DAYS`` to pay, and a subscription still pending
    installation waits for it again; paid again, it is held under new keys. Called by
    ``billing.signals.payment_reversed``; any other payment (an ordinary one, a
    deposit's already released at its refund) changes nothing. Returns the deposit."""
    match = PAYMENT_KEY.fullmatch(payment.idempotency_key or "")
    if not payment.held_as_deposit or match is None:
        return None
    deposit = Deposit.objects.filter(
        pk=int(match.group(1)), billing_account_id=payment.billing_account_id
    ).first()
    if deposit is None or deposit.status != DepositStatus.PAID:
        return None
    locked = _locked(deposit, DepositStatus.PAID)
    today = today or timezone.localdate()
    ledger_post(
        account=locked.billing_account,
        kind=EntryKind.DEPOSIT,
        amount=-locked.amount,
        idempotency_key=f"deposit-{locked.pk}-unheld-{payment.pk}",
        booked_on=today,
        description=_("Deposit #%(pk)s no longer held: its payment was reversed")
        % {"pk": locked.pk},
        actor=actor,
    )
    locked.status, locked.paid_on = DepositStatus.REQUESTED, None
    locked.pay_by = max(locked.pay_by, today + timedelta(days=deposit_wait_days()))
    locked.save(update_fields=["status", "paid_on", "pay_by", "updated_at"])
    return locked


def _pending_subscriptions(deposit: Deposit):
    if deposit.subscription_id:
        return Subscription.objects.filter(
            pk=deposit.subscription_id, status=SubscriptionStatus.PENDING_INSTALLATION
        )
    return Subscription.objects.filter(
        billing_account_id=deposit.billing_account_id,
        status=SubscriptionStatus.PENDING_INSTALLATION,
    )


@transaction.atomic
def deposit_cancel_unpaid(*, deposit: Deposit, actor=None, today: date | None = None) -> Deposit:
    """The deposit was not paid in time: it is cancelled, and so are the subscriptions
    still pending installation that it held (their provisioning is told)."""
    today = today or timezone.localdate()
    locked = _locked(deposit, DepositStatus.REQUESTED)
    if locked.pay_by >= today:
        raise DomainError(
            _("The deposit may be paid until %(day)s.") % {"day": locked.pay_by},
            code="invalid_transition",
        )
    reason = _("Deposit #%(pk)s not paid by %(day)s") % {"pk": locked.pk, "day": locked.pay_by}
    for subscription in _pending_subscriptions(locked).order_by("pk"):
        subscription = subscription_transition(
            subscription,
            SubscriptionStatus.CANCELLED,
            actor=actor,
            reason=reason,
            effective_on=today,
        )
        subscription.ended_on = today
        subscription.save(update_fields=["ended_on", "updated_at"])
        subscription.items.filter(valid_to__isnull=True).update(valid_to=today + timedelta(days=1))
    locked.status, locked.cancelled_on = DepositStatus.CANCELLED, today
    locked.save(update_fields=["status", "cancelled_on", "updated_at"])
    return locked


@transaction.atomic
def deposit_withdraw(*, deposit: Deposit, actor=None, today: date | None = None) -> Deposit:
    """Cancel an unpaid deposit whose subscription ended before it was paid (nothing
    is booked, nothing else changes)."""
    locked = _locked(deposit, DepositStatus.REQUESTED)
    locked.status, locked.cancelled_on = DepositStatus.CANCELLED, today or timezone.localdate()
    locked.save(update_fields=["status", "cancelled_on", "updated_at"])
    return locked


def deposit_refundable(deposit: Deposit) -> bool:
    """A paid deposit is refundable when the services it is for have ended: its
    subscription, or (for the account) every subscription of the account."""
    if deposit.status != DepositStatus.PAID:
        return False
    if deposit.subscription_id:
        return Subscription.objects.filter(pk=deposit.subscription_id, status__in=ENDED).exists()
    subscriptions = Subscription.objects.filter(billing_account_id=deposit.billing_account_id)
    return subscriptions.exists() and not subscriptions.exclude(status__in=ENDED).exists()


@transaction.atomic
def deposit_refund(*, deposit: Deposit, actor=None, today: date | None = None) -> Decimal:
    """Give a paid deposit back once its services are terminated: released, it first
    settles what the account owes; the rest is refunded. Returns what is paid out."""
    today = today or timezone.localdate()
    locked = _locked(deposit, DepositStatus.PAID)
    if not deposit_refundable(locked):
        raise DomainError(
            _("The deposit is refunded when the services it is for are terminated."),
            code="invalid_transition",
        )
    account = BillingAccount.objects.select_for_update().get(pk=locked.billing_account_id)
    owed = max(account.balance, ZERO)
    settles = min(owed, locked.amount)
    rest = locked.amount - settles
    ledger_post(
        account=account,
        kind=EntryKind.DEPOSIT,
        amount=-locked.amount,
        idempotency_key=f"deposit-{locked.pk}-released",
        booked_on=today,
        description=_("Deposit #%(pk)s released (settles %(settles)s)")
        % {"pk": locked.pk, "settles": settles},
        actor=actor,
    )
    payment = Payment.objects.filter(idempotency_key=_payment_key(locked)).first()
    if payment is not None:  # it now settles the open invoices, as far as the credit goes
        payment_release_deposit(payment=payment)
    if rest > 0:
        ledger_post(
            account=account,
            kind=EntryKind.REFUND,
            amount=rest,
            idempotency_key=f"deposit-{locked.pk}-refund",
            booked_on=today,
            description=_("Deposit #%(pk)s refunded") % {"pk": locked.pk},
            actor=actor,
        )
    locked.status, locked.refunded_on = DepositStatus.REFUNDED, today
    locked.save(update_fields=["status", "refunded_on", "updated_at"])
    return rest


def deposits_evaluate(*, today: date | None = None) -> dict[str, int]:
    """The daily work on deposits: cancel those unpaid past their day (with their
    pending subscriptions) and refund those whose services have ended."""
    today = today or timezone.localdate()
    counts = {"cancelled": 0, "refunded": 0}
    overdue = Deposit.objects.filter(status=DepositStatus.REQUESTED, pay_by__lt=today)
    for deposit in overdue.order_by("pk"):
        deposit_cancel_unpaid(deposit=deposit, today=today)
        counts["cancelled"] += 1
    # A deposit asked for a subscription that ended meanwhile (a regret) holds nothing.
    moot = Deposit.objects.filter(
        status=DepositStatus.REQUESTED, subscription__status__in=ENDED
    ).order_by("pk")
    for deposit in moot:
        deposit_withdraw(deposit=deposit, today=today)
        counts["cancelled"] += 1
    for deposit in Deposit.objects.filter(status=DepositStatus.PAID).order_by("pk"):
        if deposit_refundable(deposit):
            deposit_refund(deposit=deposit, today=today)
            counts["refunded"] += 1
    return counts
