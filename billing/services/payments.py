"""Payments (BIL-3): recorded by agents, through the API (with an Idempotency-Key)
or the portal; allocated to the oldest open invoices; an overpayment stays as credit
and settles the next invoices; a reversal is a new ledger entry.

Idempotency: one payment per key (a unique constraint). The same key with the same
request returns the first payment; the same key with a different request is
refused (``IdempotencyConflict``, 422 in the API) — also under concurrency, where
the losers of the insert race read the winner's row.
"""

import hashlib
import json
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from alux_crm.core.errors import DomainError
from alux_crm.core.money import ZERO, round_money
from customers.models import BillingAccount

from ..choices import EntryKind, InvoiceStatus, PaymentStatus
from ..models import Invoice, Payment, PaymentAllocation
from ..signals import payment_reversed
from .ledger import ledger_post


class IdempotencyConflict(DomainError):
    """The idempotency key was used for a different request."""

    code = "idempotency_conflict"


def fingerprint(data: dict) -> str:
    """A stable digest of a request body, to tell a replay from a different request."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def open_invoices(account: BillingAccount):
    """Posted invoices of the account with something left to pay, oldest first, each
    annotated with ``paid`` (payments, credit notes and write-offs settling it, as
    ``billing.selectors.with_open_amount`` counts)."""
    from ..selectors import with_open_amount

    posted = Invoice.objects.filter(billing_account=account, status=InvoiceStatus.POSTED)
    return (
        with_open_amount(posted).filter(total__gt=F("paid")).order_by("due_on", "issued_on", "pk")
    )


def invoice_open_amount(invoice: Invoice) -> Decimal:
    """What is left to pay on one posted invoice."""
    row = open_invoices(invoice.billing_account).filter(pk=invoice.pk).first()
    return row.total - row.paid if row else ZERO


def unallocated(payment: Payment) -> Decimal:
    """What of a payment is not settling an invoice yet (credit)."""
    used = payment.allocations.filter(is_reversed=False).aggregate(s=Sum("amount"))["s"] or ZERO
    return payment.amount - used


def allocate_open_payments(*, account: BillingAccount) -> int:
    """Settle the account's open invoices, oldest first, with what its payments have
    not yet settled (oldest payment first), but never beyond the credit the ledger
    shows (what the open invoices ask less the balance): money refunded, or taken back
    by an adjustment, settles nothing. Returns the allocations made."""
    made = 0
    payments = [
        p
        for p in Payment.objects.filter(
            billing_account=account, status=PaymentStatus.RECEIVED, held_as_deposit=False
        ).order_by("received_on", "pk")
        if unallocated(p) > 0
    ]
    if not payments:
        return 0
    invoices = list(open_invoices(account))
    balance = BillingAccount.objects.values_list("balance", flat=True).get(pk=account.pk)
    credit = sum((i.total - i.paid for i in invoices), ZERO) - balance
    for payment in payments:
        left = unallocated(payment)
        for invoice in invoices:
            due = invoice.total - invoice.paid
            if left <= 0 or due <= 0 or credit <= 0:
                continue
            amount = min(left, due, credit)
            credit -= amount
            allocation, created = PaymentAllocation.objects.get_or_create(
                payment=payment, invoice=invoice, defaults={"amount": amount}
            )
            if not created:
                allocation.amount += amount
                allocation.save(update_fields=["amount"])
            invoice.paid += amount
            left -= amount
            made += 1
    return made


def payment_record(
    *,
    account: BillingAccount,
    amount: Decimal,
    method: str,
    idempotency_key: str,
    received_on: date | None = None,
    reference: str = "",
    actor=None,
    request_fingerprint: str = "",
    held_as_deposit: bool = False,
) -> tuple[Payment, bool]:
    """Record a payment and allocate it; returns (payment, created). A replay of the
    same request returns the first payment with ``created`` False. Money
    ``held_as_deposit`` (collections' deposits) settles nothing until
    ``payment_release_deposit``."""
    if amount is None or amount <= 0:
        raise ValidationError({"amount": _("A payment is more than zero.")})
    amount = round_money(amount)
    existing = Payment.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return _replay(existing, request_fingerprint), False
    try:
        with transaction.atomic():
            locked = BillingAccount.objects.select_for_update().get(pk=account.pk)
            payment = Payment.objects.create(
                billing_account=locked,
                amount=amount,
                currency=locked.currency,
                method=method,
                received_on=received_on or timezone.localdate(),
                reference=reference,
                idempotency_key=idempotency_key,
                request_fingerprint=request_fingerprint,
                recorded_by=actor,
                held_as_deposit=held_as_deposit,
            )
            ledger_post(
                account=locked,
                kind=EntryKind.PAYMENT,
                amount=-amount,
                idempotency_key=f"payment-{payment.pk}",
                booked_on=payment.received_on,
                payment=payment,
                description=reference or payment.get_method_display(),
                actor=actor,
            )
            allocate_open_payments(account=locked)
    except IntegrityError:  # the same key won by a concurrent request
        existing = Payment.objects.filter(idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        return _replay(existing, request_fingerprint), False
    return payment, True


@transaction.atomic
def payment_release_deposit(*, payment: Payment) -> int:
    """A payment held as a deposit is released (the deposit is given back): from now
    on it settles the account's open invoices like any payment, within the credit
    the ledger shows. Returns the allocations made."""
    locked = BillingAccount.objects.select_for_update().get(pk=payment.billing_account_id)
    Payment.objects.filter(pk=payment.pk).update(held_as_deposit=False)
    return allocate_open_payments(account=locked)


def _replay(payment: Payment, request_fingerprint: str) -> Payment:
    if (
        request_fingerprint
        and payment.request_fingerprint
        and payment.request_fingerprint != request_fingerprint
    ):
        raise IdempotencyConflict(_("This Idempotency-Key was used for a different payment."))
    return payment


@transaction.atomic
def payment_reverse(*, payment: Payment, reason: str, actor=None) -> Payment:
    """Take a payment back (bounced, charged back, collection rejected): a new ledger
    entry; the invoices it settled are open again; ``signals.payment_reversed`` tells
    the apps that hold something on it (a deposit it paid)."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the payment is reversed.")})
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.status == PaymentStatus.REVERSED:
        raise DomainError(_("This payment is already reversed."))
    payment.status = PaymentStatus.REVERSED
    payment.reversed_reason = reason[:200]
    payment.save(update_fields=["status", "reversed_reason", "updated_at"])
    payment.allocations.update(is_reversed=True)
    ledger_post(
        account=payment.billing_account,
        kind=EntryKind.PAYMENT_REVERSAL,
        amount=payment.amount,
        idempotency_key=f"payment-reversal-{payment.pk}",
        payment=payment,
        description=reason,
        actor=actor,
    )
    allocate_open_payments(account=payment.billing_account)
    payment_reversed.send(sender=Payment, payment=payment, actor=actor)
    return payment
