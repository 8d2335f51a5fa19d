"""The estimate of an account's next cycle invoice (the portal's dashboard), priced by
the billing run's own ``draft_invoices`` so it equals what the run will bill."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone

from subscriptions.charges import billing_period

from .choices import InvoiceKind, InvoiceStatus, RunStatus
from .models import BillingRun, Invoice
from .services.runs import draft_invoices


@dataclass
class InvoiceEstimate:
    """What the next cycle invoice of a paying account will be: its period and total,
    computed by the billing run's own pricing (``is_draft``: a run drafted it already
    and it awaits approval)."""

    account_id: int
    period_start: date
    period_end: date
    total: Decimal
    currency: str
    is_draft: bool = False


def next_invoice_estimates(*, accounts, today=None) -> dict:
    """``InvoiceEstimate`` by account id for the paying, active ``accounts``: the
    first period, from the one containing ``today``, that the account still has to
    be billed for. A period whose draft invoice exists gives that draft's total; a
    period that is posted, or whose run drafted its cycle without the account, is
    skipped; otherwise the charges are priced in memory by
    ``billing.services.runs.draft_invoices`` on an unsaved run of that period, so
    the estimate is what the run will bill unless the services change meanwhile.
    No estimate when the account has nothing to charge. Two queries, plus the
    run's few per period priced, whatever the number of invoices."""
    today = today or timezone.localdate()
    paying = [a for a in accounts if a.is_paying and a.status == "active"]
    periods = {}
    for account in paying:
        start, end = billing_period(bill_cycle_day=account.bill_cycle_day, day=today)
        periods[account.pk] = [
            (start, end),
            billing_period(bill_cycle_day=account.bill_cycle_day, day=end),
        ]
    starts = {p[0] for pair in periods.values() for p in pair}
    drafted = set(
        BillingRun.objects.filter(
            period_start__in=starts,
            status__in=[
                RunStatus.DRAFT_READY,
                RunStatus.APPROVED,
                RunStatus.POSTING,
                RunStatus.POSTED,
            ],
        ).values_list("bill_cycle_day", "period_start")
    )
    invoices = {
        (row["billing_account_id"], row["period_start"]): row
        for row in Invoice.objects.filter(
            billing_account_id__in=list(periods), kind=InvoiceKind.CYCLE, period_start__in=starts
        ).values("billing_account_id", "period_start", "period_end", "status", "total", "currency")
    }
    estimates: dict[int, InvoiceEstimate] = {}
    to_price: dict[tuple, list] = {}
    for account in paying:
        for start, end in periods[account.pk]:
            invoice = invoices.get((account.pk, start))
            if invoice is not None and invoice["status"] == InvoiceStatus.DRAFT:
                estimates[account.pk] = InvoiceEstimate(
                    account.pk, start, end, invoice["total"], invoice["currency"], is_draft=True
                )
                break
            if invoice is not None or (account.bill_cycle_day, start) in drafted:
                continue
            to_price.setdefault((account.bill_cycle_day, start, end), []).append(account)
            break
    for (cycle_day, start, end), group in to_price.items():
        run = BillingRun(bill_cycle_day=cycle_day, period_start=start, period_end=end)
        drafts, _errors = draft_invoices(run=run, accounts=group)
        for draft in drafts:
            invoice = draft.invoice
            estimates[invoice.billing_account_id] = InvoiceEstimate(
                invoice.billing_account_id, start, end, invoice.total, invoice.currency
            )
    return estimates


def next_invoice_estimate(account, *, today=None) -> InvoiceEstimate | None:
    """The estimate of ``account``'s next cycle invoice (``next_invoice_estimates``),
    or None (not paying, nothing to charge)."""
    return next_invoice_estimates(accounts=[account], today=today).get(account.pk)
