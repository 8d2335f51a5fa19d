"""Property-based test of the ledger and the GL journal (hypothesis, BIL-3..5).

Each example plays a random sequence of invoices, payments, payment reversals,
credit and debit notes, adjustments, refunds and write-offs on one or two billing
accounts through the real services, inside a savepoint that is rolled back, and
checks: every account's cached balance equals ``ledger_balance`` and the sum of its
entries (and ``ledger_reconcile`` finds nothing); the GL journal of the period has
debits equal to credits, and its receivables account moves by the sum of the
entries.
"""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alux_crm.core import roles as R
from alux_crm.core.money import round_money
from billing import services
from billing.choices import InvoiceKind, PaymentStatus
from billing.models import Invoice, InvoiceLine, LedgerEntry, Payment
from billing.services.gl import gl_journal
from tests.products import factories as PF
from tests.subscriptions import factories as SF

pytestmark = pytest.mark.django_db

SETTINGS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
D = Decimal
CATEGORIES = ["tv_package", "broadband", "installation", "early_termination"]

amounts = st.decimals(min_value=D("0.01"), max_value=D("500.00"), places=2)
who = st.integers(min_value=0, max_value=1)
days_ago = st.integers(min_value=0, max_value=60)
operations = st.lists(
    st.one_of(
        st.tuples(
            st.just("invoice"),
            who,
            st.lists(
                st.tuples(st.sampled_from(CATEGORIES), amounts, st.sampled_from(["0", "0.21"])),
                min_size=1,
                max_size=3,
            ),
            days_ago,
        ),
        st.tuples(
            st.just("payment"),
            who,
            amounts,
            st.sampled_from(["cash", "card", "transfer", "direct_debit"]),
            days_ago,
        ),
        st.tuples(st.just("reverse"), who, st.integers(min_value=0, max_value=5)),
        st.tuples(st.sampled_from(["credit_note", "write_off"]), who, amounts, st.booleans()),
        st.tuples(
            st.sampled_from(["refund", "debit_note", "adjustment_debit", "adjustment_credit"]),
            who,
            amounts,
        ),
    ),
    min_size=1,
    max_size=12,
)


@pytest.fixture
def world(make_user, settings):
    """Two accounts, a product of each category, and a clerk whose manual
    transactions post at once."""
    settings.BILLING_APPROVAL_AMOUNT = 1_000_000
    products = {category: PF.product(category) for category in CATEGORIES}
    return [SF.account(), SF.account()], products, make_user(R.BILLING_FINANCE)


def _invoice(account, products, lines, issued_on) -> Invoice:
    priced = [
        (products[category], net, round_money(net * D(rate)), D(rate))
        for category, net, rate in lines
    ]
    net = sum((p[1] for p in priced), D("0.00"))
    tax = sum((p[2] for p in priced), D("0.00"))
    invoice = Invoice.objects.create(
        billing_account=account,
        kind=InvoiceKind.ONE_OFF,
        period_start=issued_on,
        period_end=issued_on + timedelta(days=30),
        currency=account.currency,
        net=net,
        tax=tax,
        total=net + tax,
    )
    for product, line_net, line_tax, rate in priced:
        InvoiceLine.objects.create(
            invoice=invoice,
            source_account=account,
            product=product,
            kind="one_time",
            description=product.code,
            starts_on=issued_on,
            ends_on=issued_on,
            net=line_net,
            tax_rate=rate,
            tax=line_tax,
            total=line_net + line_tax,
            explanation="property test",
        )
    return services.invoice_post(
        invoice=invoice, issued_on=issued_on, due_on=issued_on + timedelta(days=15)
    )


def _play(operation, accounts, products, clerk, today) -> None:
    name, account = operation[0], accounts[operation[1]]
    account.refresh_from_db()
    if name == "invoice":
        _invoice(account, products, operation[2], today - timedelta(days=operation[3]))
    elif name == "payment":
        services.payment_record(
            account=account,
            amount=operation[2],
            method=operation[3],
            idempotency_key=uuid.uuid4().hex,
            received_on=today - timedelta(days=operation[4]),
        )
    elif name == "reverse":
        standing = list(
            Payment.objects.filter(billing_account=account, status=PaymentStatus.RECEIVED)
        )
        if standing:
            services.payment_reverse(
                payment=standing[operation[2] % len(standing)], reason="bounced"
            )
    elif name in ("credit_note", "write_off"):
        amount, invoice = operation[2], None
        if operation[3]:  # against the oldest open invoice, never beyond what is open
            invoice = services.open_invoices(account).first()
            if invoice is not None:
                amount = min(amount, invoice.total - invoice.paid)
        services.transaction_request(
            account=account, kind=name, amount=amount, reason="r", actor=clerk, invoice=invoice
        )
    else:
        services.transaction_request(
            account=account, kind=name, amount=operation[2], reason="r", actor=clerk
        )


@SETTINGS
@given(ops=operations)
def test_balance_is_the_sum_of_entries_and_the_journal_balances(world, ops):
    accounts, products, clerk = world
    today = timezone.localdate()
    with transaction.atomic():
        for operation in ops:
            _play(operation, accounts, products, clerk, today)

        for account in accounts:
            account.refresh_from_db()
            entries = list(LedgerEntry.objects.filter(billing_account=account))
            assert account.balance == services.ledger_balance(account=account)
            assert account.balance == sum((e.amount for e in entries), D("0.00"))
        assert services.ledger_reconcile() == []

        journal = gl_journal(start=today - timedelta(days=90), end=today + timedelta(days=1))
        assert journal.balanced, journal.totals
        debit, credit = journal.totals.get("EUR", (D("0"), D("0")))
        assert debit == credit
        assert journal.receivables_movement("EUR") == sum((a.balance for a in accounts), D("0.00"))
        transaction.set_rollback(True)
