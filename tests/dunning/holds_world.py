"""Test data of the holds (holds part): billing accounts that owe posted invoices,
payments through billing's service, a sale that needs a deposit. Used by
tests/dunning/test_holds_*.py."""

import uuid
from datetime import date, timedelta
from decimal import Decimal
from itertools import count

from django.db import transaction
from django.utils import timezone

from billing import services as billing_services
from billing.models import Invoice
from subscriptions.models import CreditLimit
from tests.customers import factories as CF
from tests.subscriptions import factories as SF

D = Decimal
_period = count(1)


def owing_account(total="100.00", *, due_on: date | None = None, customer=None, partner=None):
    """A billing account that owes one posted invoice of ``total`` due on ``due_on``
    (ten days ago by default: overdue)."""
    account = SF.account(customer or CF.person(partner=partner))
    invoice_for(account, total, due_on=due_on)
    account.refresh_from_db()
    return account


def invoice_for(account, total, *, due_on: date | None = None) -> Invoice:
    """Post an invoice of ``total`` on ``account``."""
    due_on = due_on or timezone.localdate() - timedelta(days=10)
    n = next(_period)
    start = date(2020, 1, 1) + timedelta(days=31 * n)
    invoice = Invoice.objects.create(
        billing_account=account,
        period_start=start,
        period_end=start + timedelta(days=30),
        currency=account.currency,
        net=D(total),
        tax=D("0"),
        total=D(total),
    )
    with transaction.atomic():
        billing_services.invoice_post(
            invoice=invoice, issued_on=due_on - timedelta(days=15), due_on=due_on
        )
    return invoice


def pay(account, amount, *, method="cash"):
    """Record a payment on ``account`` (billing's service); returns the payment."""
    payment, _created = billing_services.payment_record(
        account=account, amount=D(amount), method=method, idempotency_key=uuid.uuid4().hex
    )
    account.refresh_from_db()
    return payment


def strict_credit_limits():
    """Credit limits under which an unchecked customer pays a deposit of two months."""
    CreditLimit.objects.create(credit_class="A", max_monthly_without_deposit=D("100"))
    CreditLimit.objects.create(
        credit_class="D", max_monthly_without_deposit=D("5"), deposit_months=D("2")
    )
