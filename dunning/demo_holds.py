"""Demo holds (seed_demo, holds part): an open promise to pay, a kept one and a broken
one; an active payment plan with its first instalment paid and a broken plan; a
deposit waiting on a subscription pending installation, a paid one and a refunded
one — all through the services, on the demo accounts that owe (the billing demo's
invoices) and the demo subscriptions. Idempotent: nothing is done when the demo's
promises exist."""

import uuid
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from alux_crm.core.models import User
from billing.services.payments import payment_record
from customers.models import BillingAccount
from subscriptions.choices import SubscriptionStatus
from subscriptions.models import Subscription

from .choices import DepositStatus, PaymentPlanStatus, PromiseStatus
from .models import Deposit, PaymentPlan, PromiseToPay
from .services.deposits import deposit_record_payment, deposit_refund, deposit_request
from .services.payment_plans import payment_plan_create, payment_plan_evaluate
from .services.promises import promise_create, promise_evaluate

DEMO_NOTE = "Demo (seed_demo)"
CENT = Decimal("0.01")


def _owing_accounts():
    """Demo accounts that owe, without holds yet, most owed first."""
    held = set(PromiseToPay.objects.values_list("billing_account_id", flat=True)) | set(
        PaymentPlan.objects.values_list("billing_account_id", flat=True)
    )
    return [
        a
        for a in BillingAccount.objects.filter(balance__gte=Decimal("3.00")).order_by(
            "-balance", "pk"
        )
        if a.pk not in held
    ]


def _pay(account, amount, actor) -> None:
    payment_record(
        account=account,
        amount=amount,
        method="cash",
        idempotency_key=f"demo-holds-{uuid.uuid4().hex}",
        reference=DEMO_NOTE,
        actor=actor,
    )
    account.refresh_from_db()


def _promises(accounts, today, agent, finance) -> int:
    made = 0
    if accounts:  # open, due in five days, approved by finance for reconnection
        account = accounts.pop(0)
        promise = promise_create(
            account=account,
            amount=account.balance,
            pay_by=today + timedelta(days=5),
            note=DEMO_NOTE,
            actor=agent,
        )
        if finance is not None:
            from .services.promises import promise_approve_for_reconnection

            promise_approve_for_reconnection(promise=promise, actor=finance)
        made += 1
    if accounts:  # kept: paid in full after it was made
        account = accounts.pop(0)
        promise = promise_create(
            account=account, amount=account.balance, pay_by=today, note=DEMO_NOTE, actor=agent
        )
        _pay(account, promise.amount, agent)
        promise_evaluate(promise=promise, today=today)
        made += 1
    if accounts:  # broken: made ten days ago for five days ago, nothing paid
        account = accounts.pop(0)
        promise = promise_create(
            account=account,
            amount=account.balance,
            pay_by=today - timedelta(days=5),
            note=DEMO_NOTE,
            actor=agent,
            today=today - timedelta(days=10),
        )
        promise_evaluate(promise=promise, today=today)
        made += 1
    return made


def _plans(accounts, today, agent) -> int:
    made = 0
    if accounts:  # active: three instalments from 15 days ago, the first one paid
        account = accounts.pop(0)
        share = (account.balance / 3).quantize(CENT, rounding="ROUND_DOWN")
        rows = [
            (today - timedelta(days=15), share),
            (today + timedelta(days=15), share),
            (today + timedelta(days=45), account.balance - 2 * share),
        ]
        plan = payment_plan_create(
            account=account,
            instalments=rows,
            note=DEMO_NOTE,
            actor=agent,
            today=today - timedelta(days=20),
        )
        _pay(account, share, agent)
        payment_plan_evaluate(plan=plan, today=today)
        made += 1
    if accounts:  # broken: its first instalment missed 20 days ago
        account = accounts.pop(0)
        share = (account.balance / 2).quantize(CENT, rounding="ROUND_DOWN")
        plan = payment_plan_create(
            account=account,
            instalments=[(today - timedelta(days=20), share), (today + timedelta(days=10), share)],
            note=DEMO_NOTE,
            actor=agent,
            today=today - timedelta(days=30),
        )
        payment_plan_evaluate(plan=plan, today=today)
        made += 1
    return made


def _deposits(today, backoffice, finance) -> int:
    made = 0
    pending = (
        Subscription.objects.filter(status=SubscriptionStatus.PENDING_INSTALLATION)
        .exclude(deposits__status=DepositStatus.REQUESTED)
        .order_by("pk")
        .first()
    )
    if pending is not None:  # waiting: the installation waits for it
        deposit_request(
            account=pending.billing_account,
            amount=Decimal("50.00"),
            why=f"{DEMO_NOTE}: 12 SIMs ordered at once",
            subscription=pending,
            actor=backoffice,
        )
        made += 1
    active = (
        Subscription.objects.filter(status=SubscriptionStatus.ACTIVE, deposits__isnull=True)
        .order_by("pk")
        .first()
    )
    if active is not None:  # paid and held
        deposit = deposit_request(
            account=active.billing_account,
            amount=Decimal("80.00"),
            why=f"{DEMO_NOTE}: fraud review",
            subscription=active,
            actor=backoffice,
        )
        deposit_record_payment(deposit=deposit, method="transfer", reference="DEMO", actor=finance)
        made += 1
    ended = (
        Subscription.objects.filter(status=SubscriptionStatus.TERMINATED, deposits__isnull=True)
        .order_by("pk")
        .first()
    )
    if ended is not None:  # refunded at termination, after settling the account
        deposit = deposit_request(
            account=ended.billing_account,
            amount=Decimal("60.00"),
            why=f"{DEMO_NOTE}: fraud review",
            subscription=ended,
            actor=backoffice,
        )
        deposit_record_payment(deposit=deposit, method="cash", actor=finance)
        deposit_refund(deposit=deposit, actor=finance)
        made += 1
    return made


def seed_holds(*, stdout=None) -> int:
    """Create the demo promises, payment plans and deposits once; returns how many."""
    if PromiseToPay.objects.filter(note=DEMO_NOTE).exists():
        return 0
    today = timezone.localdate()
    users = {
        u.username: u for u in User.objects.filter(username__in=["agent", "finance", "backoffice"])
    }
    agent, finance = users.get("agent"), users.get("finance")
    with transaction.atomic():
        accounts = _owing_accounts()
        made = _promises(accounts, today, agent, finance)
        made += _plans(accounts, today, agent)
        made += _deposits(today, users.get("backoffice"), finance)
    if stdout is not None:
        open_promises = PromiseToPay.objects.filter(status=PromiseStatus.OPEN).count()
        active = PaymentPlan.objects.filter(status=PaymentPlanStatus.ACTIVE).count()
        stdout.write(
            f"Holds: {made} made ({open_promises} open promises, {active} active plans, "
            f"{Deposit.objects.count()} deposits)."
        )
    return made
