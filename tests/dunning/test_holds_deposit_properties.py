"""Property-based test of the deposits' money rules (hypothesis): random sequences of
invoices, payments, deposits asked, paid and refunded (their subscription terminated
first) keep every account's cached balance equal to the sum of its entries, the GL
journal balanced, and no deposit money allocated to an invoice."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing import services as billing_services
from billing.models import LedgerEntry, Payment, PaymentAllocation
from billing.services.gl import gl_journal
from dunning.choices import DepositStatus
from dunning.models import Deposit
from dunning.services.deposits import deposit_record_payment, deposit_refund, deposit_request
from subscriptions import services as subscription_services
from tests.dunning.holds_world import invoice_for
from tests.products import factories as PF
from tests.subscriptions import factories as SF

pytestmark = pytest.mark.django_db
D = Decimal
SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
amounts = st.decimals(min_value=D("0.01"), max_value=D("300.00"), places=2)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("invoice"), amounts),
        st.tuples(st.just("payment"), amounts),
        st.tuples(st.just("deposit"), amounts),
        st.tuples(st.just("pay_deposit"), st.integers(min_value=0, max_value=3)),
        st.tuples(st.just("refund"), st.integers(min_value=0, max_value=3)),
    ),
    min_size=1,
    max_size=10,
)


@pytest.fixture
def world():
    cat = PF.catalogue()
    return cat, SF.account()


def _play(operation, cat, account) -> None:
    name, value = operation
    account.refresh_from_db()
    if name == "invoice":
        invoice_for(account, value)
    elif name == "payment":
        billing_services.payment_record(
            account=account, amount=value, method="cash", idempotency_key=uuid.uuid4().hex
        )
    elif name == "deposit":
        subscription = SF.subscription(cat, billing_account=account)
        deposit_request(account=account, amount=value, why="fraud", subscription=subscription)
    elif name == "pay_deposit":
        asked = list(Deposit.objects.filter(status=DepositStatus.REQUESTED).order_by("pk"))
        if asked:
            deposit_record_payment(deposit=asked[value % len(asked)], method="transfer")
    else:
        paid = list(Deposit.objects.filter(status=DepositStatus.PAID).order_by("pk"))
        if paid:
            deposit = paid[value % len(paid)]
            subscription = subscription_services.subscription_activate(
                subscription=deposit.subscription
            )
            subscription_services.subscription_terminate(subscription=subscription, reason="r")
            deposit_refund(deposit=deposit)


@SETTINGS
@given(ops=operations)
def test_deposits_keep_the_balance_the_sum_of_entries_and_the_journal_balanced(world, ops):
    cat, account = world
    today = timezone.localdate()
    with transaction.atomic():
        for operation in ops:
            _play(operation, cat, account)
        account.refresh_from_db()
        entries = LedgerEntry.objects.filter(billing_account=account)
        assert account.balance == sum((e.amount for e in entries), D("0.00"))
        assert billing_services.ledger_reconcile() == []
        # Deposit money never pays an invoice: allocations come from payments only,
        # and never exceed what the payments brought.
        allocated = sum(
            (a.amount for a in PaymentAllocation.objects.filter(is_reversed=False)), D("0")
        )
        assert allocated <= sum((p.amount for p in Payment.objects.all()), D("0"))
        journal = gl_journal(start=today - timedelta(days=90), end=today + timedelta(days=1))
        assert journal.balanced, journal.totals
        held = sum((d.amount for d in Deposit.objects.filter(status=DepositStatus.PAID)), D("0.00"))
        liability = sum((r.balance for r in journal.by_account if r.account == "419"), D("0"))
        assert -liability == held  # the deposits account holds exactly the paid deposits
        transaction.set_rollback(True)
