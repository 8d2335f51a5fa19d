"""Writes of billing. Views, the API, tasks and the demo call these."""

from .documents import invoice_pdf_render
from .ledger import ledger_balance, ledger_post, ledger_reconcile
from .numbering import next_invoice_number
from .payments import (
    IdempotencyConflict,
    allocate_open_payments,
    fingerprint,
    invoice_open_amount,
    open_invoices,
    payment_record,
    payment_reverse,
    unallocated,
)
from .runs import (
    RunProgress,
    bill_account,
    billing_run_approve,
    billing_run_chunk,
    billing_run_create,
    billing_run_discard,
    billing_run_post,
    billing_run_progress,
    billing_run_resume,
    billing_run_start,
    billing_runs_start_due,
    invoice_post,
    post_invoices,
    rolled_up_account_ids,
)
from .transactions import (
    invoice_dispute,
    invoice_dispute_resolve,
    transaction_approve,
    transaction_reject,
    transaction_request,
)

__all__ = [
    "IdempotencyConflict",
    "RunProgress",
    "allocate_open_payments",
    "bill_account",
    "billing_run_approve",
    "billing_run_chunk",
    "billing_run_create",
    "billing_run_discard",
    "billing_run_post",
    "billing_run_progress",
    "billing_run_resume",
    "billing_run_start",
    "billing_runs_start_due",
    "fingerprint",
    "invoice_dispute",
    "invoice_dispute_resolve",
    "invoice_open_amount",
    "invoice_pdf_render",
    "invoice_post",
    "ledger_balance",
    "ledger_post",
    "ledger_reconcile",
    "next_invoice_number",
    "open_invoices",
    "payment_record",
    "payment_reverse",
    "post_invoices",
    "rolled_up_account_ids",
    "transaction_approve",
    "transaction_reject",
    "transaction_request",
    "unallocated",
]
