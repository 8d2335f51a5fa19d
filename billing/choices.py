"""Kinds and states of billing: ledger entries, invoices, billing runs (BIL-1..4)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EntryKind(models.TextChoices):
    """A financial fact on a billing account's ledger. Positive amounts are owed by
    the customer (debits), negative ones are in the customer's favour (credits)."""

    INVOICE = "invoice", _("Invoice")
    PAYMENT = "payment", _("Payment")
    PAYMENT_REVERSAL = "payment_reversal", _("Payment reversal")
    CREDIT_NOTE = "credit_note", _("Credit note")
    DEBIT_NOTE = "debit_note", _("Debit note")
    ADJUSTMENT = "adjustment", _("Adjustment")
    REFUND = "refund", _("Refund")
    DEPOSIT = "deposit", _("Deposit")
    WRITE_OFF = "write_off", _("Write-off")
    VOUCHER_TOP_UP = "voucher_top_up", _("Voucher top-up")


class InvoiceStatus(models.TextChoices):
    """A draft invoice belongs to an unapproved run and may be discarded; a posted one
    has its number and ledger entry and never changes."""

    DRAFT = "draft", _("Draft")
    POSTED = "posted", _("Posted")


class InvoiceKind(models.TextChoices):
    """Why an invoice was issued."""

    CYCLE = "cycle", _("Billing cycle")
    ONE_OFF = "one_off", _("One-off")


class LineKind(models.TextChoices):
    """What an invoice line charges."""

    RECURRING = "recurring", _("Recurring")
    RESTING = "resting", _("Resting fee")
    ONE_TIME = "one_time", _("One-time")
    ADJUSTMENT = "adjustment", _("Adjustment for a change")


class RunStatus(models.TextChoices):
    """A billing run's life (BIL-1)."""

    SCHEDULED = "scheduled", _("Scheduled")
    RUNNING = "running", _("Running")
    DRAFT_READY = "draft_ready", _("Draft ready for review")
    APPROVED = "approved", _("Approved")
    POSTING = "posting", _("Posting")
    POSTED = "posted", _("Posted")
    FAILED = "failed", _("Failed")
    DISCARDED = "discarded", _("Discarded")


RUN_TRANSITIONS: dict[str, set[str]] = {
    RunStatus.SCHEDULED: {RunStatus.RUNNING, RunStatus.DISCARDED},
    RunStatus.RUNNING: {RunStatus.DRAFT_READY, RunStatus.FAILED},
    RunStatus.FAILED: {RunStatus.RUNNING, RunStatus.DISCARDED},
    RunStatus.DRAFT_READY: {RunStatus.APPROVED, RunStatus.DISCARDED},
    RunStatus.APPROVED: {RunStatus.POSTING},
    RunStatus.POSTING: {RunStatus.POSTED, RunStatus.POSTING},
    RunStatus.POSTED: set(),
    RunStatus.DISCARDED: set(),
}


class ChunkStatus(models.TextChoices):
    """A slice of a run's billing accounts, worked by one Celery task."""

    PENDING = "pending", _("Pending")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class PaymentMethod(models.TextChoices):
    """How a payment was made."""

    CASH = "cash", _("Cash")
    CARD = "card", _("Card")
    BANK_TRANSFER = "transfer", _("Bank transfer")
    DIRECT_DEBIT = "direct_debit", _("Direct debit")
    PORTAL_CARD = "portal_card", _("Card in the portal")


class PaymentStatus(models.TextChoices):
    """A payment stands until it is reversed (a bounced transfer, a chargeback)."""

    RECEIVED = "received", _("Received")
    REVERSED = "reversed", _("Reversed")


class TransactionKind(models.TextChoices):
    """Manual financial transactions of Billing & Finance (BIL-4), with the sign of
    their ledger entry: +1 the customer owes more, -1 less."""

    CREDIT_NOTE = "credit_note", _("Credit note")
    DEBIT_NOTE = "debit_note", _("Debit note")
    ADJUSTMENT_DEBIT = "adjustment_debit", _("Adjustment (charge)")
    ADJUSTMENT_CREDIT = "adjustment_credit", _("Adjustment (credit)")
    REFUND = "refund", _("Refund")
    WRITE_OFF = "write_off", _("Write-off")


TRANSACTION_SIGN = {
    TransactionKind.CREDIT_NOTE: -1,
    TransactionKind.DEBIT_NOTE: 1,
    TransactionKind.ADJUSTMENT_DEBIT: 1,
    TransactionKind.ADJUSTMENT_CREDIT: -1,
    TransactionKind.REFUND: 1,
    TransactionKind.WRITE_OFF: -1,
}
TRANSACTION_ENTRY = {
    TransactionKind.CREDIT_NOTE: EntryKind.CREDIT_NOTE,
    TransactionKind.DEBIT_NOTE: EntryKind.DEBIT_NOTE,
    TransactionKind.ADJUSTMENT_DEBIT: EntryKind.ADJUSTMENT,
    TransactionKind.ADJUSTMENT_CREDIT: EntryKind.ADJUSTMENT,
    TransactionKind.REFUND: EntryKind.REFUND,
    TransactionKind.WRITE_OFF: EntryKind.WRITE_OFF,
}
# Credit notes and debit notes are numbered documents.
TRANSACTION_SERIES = {TransactionKind.CREDIT_NOTE: "CN", TransactionKind.DEBIT_NOTE: "DN"}
# Kinds that settle (part of) an invoice.
SETTLING_KINDS = (TransactionKind.CREDIT_NOTE, TransactionKind.WRITE_OFF)


class TransactionStatus(models.TextChoices):
    """Above the approval amount a transaction waits for a second person."""

    PENDING_APPROVAL = "pending", _("Waiting for approval")
    POSTED = "posted", _("Posted")
    REJECTED = "rejected", _("Rejected")


class MandateStatus(models.TextChoices):
    """A SEPA direct-debit mandate is collected while active; a revoked one never."""

    ACTIVE = "active", _("Active")
    REVOKED = "revoked", _("Revoked")


class PaymentRunStatus(models.TextChoices):
    """A direct-debit payment run: a draft selection to review, exported as a SEPA
    file (the payments are recorded then), closed when the bank's rejections are in;
    a draft can be discarded."""

    DRAFT = "draft", _("Draft")
    EXPORTED = "exported", _("Exported")
    CLOSED = "closed", _("Closed")
    DISCARDED = "discarded", _("Discarded")


class CollectionStatus(models.TextChoices):
    """One account's collection in a payment run."""

    PENDING = "pending", _("Pending")
    COLLECTED = "collected", _("Collected")
    REJECTED = "rejected", _("Rejected")


class VoucherStatus(models.TextChoices):
    """A voucher is redeemed once; a voided one (a lost batch) never."""

    ISSUED = "issued", _("Issued")
    REDEEMED = "redeemed", _("Redeemed")
    VOID = "void", _("Void")
