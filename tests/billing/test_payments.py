"""Payments (BIL-3): oldest invoices first, overpayment as credit, reversal,
idempotency (replay, conflict, 50 concurrent requests)."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, transaction

from alux_crm.core.errors import DomainError
from billing import services
from billing.models import Invoice, LedgerEntry, Payment
from tests.subscriptions import factories as SF

pytestmark = pytest.mark.django_db
D = Decimal


def posted_invoice(account, total, month):
    invoice = Invoice.objects.create(
        billing_account=account,
        period_start=date(2026, month, 1),
        period_end=date(2026, month + 1, 1),
        currency="EUR",
        net=total,
        tax=D("0"),
        total=total,
    )
    with transaction.atomic():
        services.invoice_post(
            invoice=invoice, issued_on=date(2026, month, 1), due_on=date(2026, month, 15)
        )
    return invoice


def paid(invoice):
    return sum(a.amount for a in invoice.allocations.filter(is_reversed=False))


@pytest.fixture
def account():
    return SF.account()


def test_payment_settles_the_oldest_invoices_first(account):
    october, november = posted_invoice(account, D("30"), 10), posted_invoice(account, D("30"), 11)
    _payment, created = services.payment_record(
        account=account, amount=D("45"), method="cash", idempotency_key="p1"
    )
    assert created
    assert (paid(october), paid(november)) == (D("30"), D("15"))
    account.refresh_from_db()
    assert account.balance == D("15.00")
    assert [i.pk for i in services.open_invoices(account)] == [november.pk]


def test_overpayment_stays_as_credit_and_settles_the_next_invoice(account):
    posted_invoice(account, D("30"), 10)
    payment, _ = services.payment_record(
        account=account, amount=D("50"), method="card", idempotency_key="p"
    )
    assert services.unallocated(payment) == D("20.00")
    account.refresh_from_db()
    assert account.balance == D("-20.00")
    november = posted_invoice(account, D("30"), 11)
    assert paid(november) == D("20.00")
    assert services.unallocated(payment) == D("0.00")


def test_reversal_reopens_the_invoices(account):
    invoice = posted_invoice(account, D("30"), 10)
    payment, _ = services.payment_record(
        account=account, amount=D("30"), method="transfer", idempotency_key="p"
    )
    services.payment_reverse(payment=payment, reason="Bounced transfer")
    account.refresh_from_db()
    assert account.balance == D("30.00") and paid(invoice) == 0
    assert [e.kind for e in LedgerEntry.objects.filter(billing_account=account)] == [
        "invoice",
        "payment",
        "payment_reversal",
    ]
    with pytest.raises(DomainError, match="already reversed"):
        services.payment_reverse(payment=payment, reason="again")


def test_same_key_same_request_replays_and_different_request_conflicts(account):
    body = {"amount": "10.00", "method": "card"}
    first, created = services.payment_record(
        account=account,
        amount=D("10"),
        method="card",
        idempotency_key="k",
        request_fingerprint=services.fingerprint(body),
    )
    again, created_again = services.payment_record(
        account=account,
        amount=D("10"),
        method="card",
        idempotency_key="k",
        request_fingerprint=services.fingerprint(body),
    )
    assert created and not created_again and again.pk == first.pk
    with pytest.raises(services.IdempotencyConflict):
        services.payment_record(
            account=account,
            amount=D("11"),
            method="card",
            idempotency_key="k",
            request_fingerprint=services.fingerprint({**body, "amount": "11.00"}),
        )


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_requests_with_one_key_make_one_payment():
    account = SF.account()
    barrier = threading.Barrier(50)
    results, errors = [], []

    def pay():
        try:
            barrier.wait()
            payment, _created = services.payment_record(
                account=account,
                amount=D("25"),
                method="card",
                idempotency_key="same-key",
                request_fingerprint="f",
            )
            results.append(payment.pk)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=pay) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(results)) == 1 and len(results) == 50
    assert Payment.objects.count() == 1
    assert LedgerEntry.objects.filter(kind="payment").count() == 1
    account.refresh_from_db()
    assert account.balance == D("-25.00")


def test_a_refunded_overpayment_settles_no_later_invoice(account, make_user):
    from alux_crm.core import roles as R

    finance = make_user(R.BILLING_FINANCE)
    services.payment_record(account=account, amount=D("50"), method="cash", idempotency_key="o")
    services.transaction_request(
        account=account, kind="refund", amount=D("50"), reason="Paid twice", actor=finance
    )
    account.refresh_from_db()
    assert account.balance == D("0.00")
    invoice = posted_invoice(account, D("30"), 10)
    services.payment_record(account=account, amount=D("10"), method="cash", idempotency_key="n")

    account.refresh_from_db()
    assert account.balance == D("20.00")
    assert paid(invoice) == D("10")  # not 30: the refunded 50 is gone
    assert services.invoice_open_amount(invoice) == D("20.00")
