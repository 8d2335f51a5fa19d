"""Manual financial transactions (BIL-4): credit and debit notes, adjustments,
refunds and write-offs by Billing & Finance, each with a reason; above
``BILLING_APPROVAL_AMOUNT`` a second person approves before anything reaches the
ledger. Bill disputes flag an invoice (collections pause on it)."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alux_crm.core.errors import DomainError
from alux_crm.core.money import round_money
from customers.models import BillingAccount

from ..choices import (
    SETTLING_KINDS,
    TRANSACTION_ENTRY,
    TRANSACTION_SERIES,
    TRANSACTION_SIGN,
    InvoiceStatus,
    TransactionKind,
    TransactionStatus,
)
from ..models import Invoice, InvoiceLine, ManualTransaction
from .ledger import ledger_post
from .numbering import next_invoice_number
from .payments import invoice_open_amount


@transaction.atomic
def transaction_request(
    *,
    account: BillingAccount,
    kind: str,
    amount: Decimal,
    reason: str,
    actor,
    invoice: Invoice | None = None,
    lines: list[InvoiceLine] | None = None,
) -> ManualTransaction:
    """Ask for a manual transaction; small ones are posted at once, larger ones wait
    for another person's approval.

    A credit note may name ``lines`` of its invoice (what the customer is credited
    for, kept in ``invoice_lines``): without an ``amount`` it credits their totals,
    but never more than is open on the invoice; an amount given is at most their
    totals."""
    lines = list(lines or [])
    errors = {}
    if lines:
        amount, line_errors = _amount_for_lines(
            kind=kind, amount=amount, invoice=invoice, lines=lines
        )
        errors.update(line_errors)
    if "amount" not in errors and (amount is None or amount <= 0):
        errors["amount"] = _("The amount is more than zero.")
    if not reason.strip():
        errors["reason"] = _("Say why.")
    if invoice is not None and "invoice" not in errors:
        if invoice.billing_account_id != account.pk or invoice.status != InvoiceStatus.POSTED:
            errors["invoice"] = _("Choose a posted invoice of this account.")
        elif (
            kind in SETTLING_KINDS
            and amount
            and "amount" not in errors
            and amount > invoice_open_amount(invoice)
        ):
            errors["amount"] = _("At most %(open)s is open on invoice %(number)s.") % {
                "open": invoice_open_amount(invoice),
                "number": invoice.number,
            }
    if errors:
        raise ValidationError(errors)
    row = ManualTransaction.objects.create(
        billing_account=account,
        kind=kind,
        amount=round_money(amount),
        invoice=invoice,
        reason=reason,
        requested_by=actor,
    )
    if lines:
        row.invoice_lines.set(lines)
    if row.amount <= Decimal(settings.BILLING_APPROVAL_AMOUNT):
        _post(row, actor=actor)
    return row


def _amount_for_lines(
    *, kind: str, amount: Decimal | None, invoice: Invoice | None, lines: list[InvoiceLine]
) -> tuple[Decimal | None, dict]:
    """The amount of a credit note for ``lines`` of ``invoice`` and the errors found:
    the lines' totals when no amount is given, capped at what is open on the invoice
    (when something is); a given amount may not exceed the lines' totals."""
    if kind != TransactionKind.CREDIT_NOTE:
        return amount, {"invoice_lines": _("Only a credit note names invoice lines.")}
    if invoice is None:
        return amount, {"invoice": _("Choose the invoice whose lines are credited.")}
    if any(line.invoice_id != invoice.pk for line in lines):
        return amount, {
            "invoice_lines": _("Choose lines of invoice %(number)s.")
            % {"number": invoice.number or invoice.pk}
        }
    lines_total = round_money(sum((line.total for line in lines), Decimal("0")))
    if amount is None:
        is_open = invoice_open_amount(invoice) if invoice.status == InvoiceStatus.POSTED else 0
        return (min(lines_total, is_open) if is_open > 0 else lines_total), {}
    if amount > lines_total:
        return amount, {
            "amount": _("At most %(total)s: the total of the chosen lines.")
            % {"total": lines_total}
        }
    return amount, {}


@transaction.atomic
def transaction_approve(*, row: ManualTransaction, actor) -> ManualTransaction:
    """A second person approves a transaction above the approval amount; it posts."""
    row = ManualTransaction.objects.select_for_update().get(pk=row.pk)
    if row.status != TransactionStatus.PENDING_APPROVAL:
        raise DomainError(_("This transaction has already been decided."))
    if row.requested_by_id == actor.pk:
        raise DomainError(_("Someone other than the requester approves it."))
    if row.invoice and row.kind in SETTLING_KINDS and row.amount > invoice_open_amount(row.invoice):
        raise DomainError(_("The invoice has less left open than this transaction now."))
    row.approved_by = actor
    return _post(row, actor=actor)


@transaction.atomic
def transaction_reject(*, row: ManualTransaction, actor, reason: str) -> ManualTransaction:
    """Refuse a transaction waiting for approval."""
    row = ManualTransaction.objects.select_for_update().get(pk=row.pk)
    if row.status != TransactionStatus.PENDING_APPROVAL:
        raise DomainError(_("This transaction has already been decided."))
    row.status = TransactionStatus.REJECTED
    row.approved_by = actor
    row.decided_at = timezone.now()
    row.reason = f"{row.reason}\n{_('Rejected')}: {reason}"
    row.save(update_fields=["status", "approved_by", "decided_at", "reason", "updated_at"])
    return row


def _post(row: ManualTransaction, *, actor) -> ManualTransaction:
    today = timezone.localdate()
    series = TRANSACTION_SERIES.get(row.kind)
    if series:
        row.number = next_invoice_number(series=series, year=today.year)
    row.status = TransactionStatus.POSTED
    row.decided_at = timezone.now()
    row.posted_on = today
    row.save(
        update_fields=["number", "status", "decided_at", "posted_on", "approved_by", "updated_at"]
    )
    ledger_post(
        account=row.billing_account,
        kind=TRANSACTION_ENTRY[row.kind],
        amount=row.amount * TRANSACTION_SIGN[row.kind],
        idempotency_key=f"manual-{row.pk}",
        booked_on=today,
        invoice=row.invoice,
        transaction=row,
        description=(row.number or row.get_kind_display()) + f": {row.reason}"[:150],
        actor=actor,
    )
    return row


@transaction.atomic
def invoice_dispute(*, invoice: Invoice, reason: str, actor=None) -> Invoice:
    """Flag a posted invoice as disputed (collections pause on it)."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say what the customer disputes.")})
    Invoice.objects.filter(pk=invoice.pk).update(disputed=True, dispute_reason=reason)
    invoice.refresh_from_db()
    return invoice


@transaction.atomic
def invoice_dispute_resolve(*, invoice: Invoice, actor=None) -> Invoice:
    """The dispute is settled (with a credit note or without): collections resume."""
    Invoice.objects.filter(pk=invoice.pk).update(disputed=False)
    invoice.refresh_from_db()
    return invoice
