"""Manual transactions (BIL-4): credit and debit notes, adjustments, refunds,
write-offs, approval above the amount, and bill disputes."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from alux_crm.core.errors import DomainError
from billing import services
from billing.choices import TransactionStatus
from tests.billing.test_payments import posted_invoice
from tests.subscriptions import factories as SF

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def account():
    return SF.account()


@pytest.fixture
def clerk(make_user):
    return make_user("Billing & Finance")


def test_small_credit_note_posts_at_once_numbered_and_settles_the_invoice(account, clerk, settings):
    settings.BILLING_APPROVAL_AMOUNT = 100
    invoice = posted_invoice(account, D("30"), 10)
    note = services.transaction_request(
        account=account,
        kind="credit_note",
        amount=D("10"),
        reason="Outage 3 days",
        actor=clerk,
        invoice=invoice,
    )
    assert note.status == TransactionStatus.POSTED and note.number.startswith("CN-")
    account.refresh_from_db()
    assert account.balance == D("20.00")
    assert services.invoice_open_amount(invoice) == D("20.00")


def test_large_amounts_wait_for_another_person(account, clerk, make_user, settings):
    settings.BILLING_APPROVAL_AMOUNT = 50
    adjustment = services.transaction_request(
        account=account,
        kind="adjustment_debit",
        amount=D("80"),
        reason="Equipment not returned",
        actor=clerk,
    )
    assert adjustment.status == TransactionStatus.PENDING_APPROVAL
    account.refresh_from_db()
    assert account.balance == D("0.00")
    with pytest.raises(DomainError, match="other than the requester"):
        services.transaction_approve(row=adjustment, actor=clerk)
    services.transaction_approve(row=adjustment, actor=make_user("Billing & Finance"))
    account.refresh_from_db()
    assert account.balance == D("80.00")


@pytest.mark.parametrize(
    ("kind", "sign"),
    [("debit_note", 1), ("adjustment_credit", -1), ("refund", 1), ("write_off", -1)],
)
def test_each_kind_moves_the_balance_its_way(account, clerk, kind, sign):
    services.transaction_request(account=account, kind=kind, amount=D("5"), reason="r", actor=clerk)
    account.refresh_from_db()
    assert account.balance == D("5") * sign


def test_a_credit_note_cannot_exceed_what_is_open(account, clerk):
    invoice = posted_invoice(account, D("30"), 10)
    services.payment_record(account=account, amount=D("25"), method="cash", idempotency_key="p")
    with pytest.raises(ValidationError) as excinfo:
        services.transaction_request(
            account=account,
            kind="credit_note",
            amount=D("6"),
            reason="x",
            actor=clerk,
            invoice=invoice,
        )
    assert "At most 5.00 is open" in excinfo.value.message_dict["amount"][0]


def test_reason_and_amount_are_required(account, clerk):
    with pytest.raises(ValidationError) as excinfo:
        services.transaction_request(
            account=account, kind="refund", amount=D("0"), reason=" ", actor=clerk
        )
    assert set(excinfo.value.message_dict) == {"amount", "reason"}


def test_rejected_transactions_book_nothing(account, clerk, make_user, settings):
    settings.BILLING_APPROVAL_AMOUNT = 1
    row = services.transaction_request(
        account=account, kind="refund", amount=D("9"), reason="r", actor=clerk
    )
    services.transaction_reject(row=row, actor=make_user("Billing & Finance"), reason="No proof")
    account.refresh_from_db()
    assert account.balance == 0 and row.ledger_entries.count() == 0


def test_dispute_flags_a_posted_invoice_without_changing_it(account):
    invoice = posted_invoice(account, D("30"), 10)
    invoice = services.invoice_dispute(invoice=invoice, reason="Never ordered the movie")
    assert invoice.disputed and invoice.total == D("30")
    assert not services.invoice_dispute_resolve(invoice=invoice).disputed
    assert invoice.period_start == date(2026, 10, 1)
