"""Reads of billing: invoices scoped to what the user may see, and the review of a
draft run against the previous run of its cycle (BIL-1)."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    Func,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)

from alux_crm.core.money import HUNDRED, ZERO, round_money
from alux_crm.core.selectors import is_partner_user

from .choices import InvoiceStatus, RunStatus
from .models import BillingRun, Invoice, InvoiceLine


def invoice_list(*, user) -> QuerySet[Invoice]:
    """Invoices the user may see (a partner: its customers' only)."""
    qs = Invoice.objects.select_related("billing_account__customer", "run")
    if is_partner_user(user):
        return (
            qs.filter(billing_account__customer__partner_id=user.partner_id)
            if user.partner_id
            else qs.none()
        )
    return qs


def previous_run(run: BillingRun) -> BillingRun | None:
    """The last posted run of the same cycle before this one."""
    return (
        BillingRun.objects.filter(
            bill_cycle_day=run.bill_cycle_day,
            status=RunStatus.POSTED,
            period_start__lt=run.period_start,
        )
        .order_by("-period_start")
        .first()
    )


@dataclass
class ReviewRow:
    """A total of the run against the previous run (per product or per segment)."""

    label: str
    total: Decimal
    previous: Decimal

    @property
    def change_percent(self) -> Decimal | None:
        if not self.previous:
            return None
        return round_money((self.total - self.previous) * HUNDRED / self.previous)


@dataclass
class Outlier:
    """A draft invoice finance should look at, and why."""

    invoice: Invoice
    reasons: list[str] = field(default_factory=list)


@dataclass
class RunReview:
    """What finance reviews before approving: totals, by product and segment against
    the previous run, and the outliers."""

    run: BillingRun
    previous: BillingRun | None
    invoices: int
    net: Decimal
    tax: Decimal
    total: Decimal
    by_product: list[ReviewRow]
    by_segment: list[ReviewRow]
    outliers: list[Outlier]


def _totals(run: BillingRun | None, group: str) -> dict[str, Decimal]:
    if run is None:
        return {}
    rows = InvoiceLine.objects.filter(invoice__run=run).values(group).annotate(total=Sum("total"))
    return {str(r[group] or "-"): r["total"] or ZERO for r in rows}


def _rows(current: dict, previous: dict) -> list[ReviewRow]:
    labels = sorted(set(current) | set(previous))
    return [
        ReviewRow(label, current.get(label, ZERO), previous.get(label, ZERO)) for label in labels
    ]


def run_review(*, run: BillingRun, outlier_limit: int = 200) -> RunReview:
    """The review of a draft run (BIL-1): outliers are invoices whose total moved more
    than ``BILLING_OUTLIER_PERCENT`` against the account's previous invoice, zero or
    negative invoices, and first invoices."""
    before = previous_run(run)
    sums = run.invoices.aggregate(net=Sum("net"), tax=Sum("tax"), total=Sum("total"), n=Count("id"))
    limit = Decimal(settings.BILLING_OUTLIER_PERCENT)
    moved = Q(previous_total__gt=0) & Q(
        moved_percent__gt=limit
    )  # against the account's previous invoice
    flagged = (
        run.invoices.annotate(
            moved_percent=Case(
                When(
                    previous_total__gt=0,
                    then=Func(F("total") - F("previous_total"), function="ABS")
                    * HUNDRED
                    / F("previous_total"),
                ),
                default=Value(ZERO),
                output_field=DecimalField(),
            )
        )
        .filter(Q(total__lte=0) | Q(is_first=True) | moved)
        .select_related("billing_account__customer")
        .order_by("-total", "pk")
    )
    outliers = []
    for invoice in flagged[:outlier_limit]:
        reasons = []
        if invoice.total <= 0:
            reasons.append("zero or negative")
        if invoice.is_first:
            reasons.append("first invoice")
        elif invoice.previous_total and invoice.moved_percent > limit:
            reasons.append(
                f"moved {round_money(invoice.moved_percent)} % against {invoice.previous_total}"
            )
        outliers.append(Outlier(invoice, reasons))
    return RunReview(
        run=run,
        previous=before,
        invoices=sums["n"] or 0,
        net=sums["net"] or ZERO,
        tax=sums["tax"] or ZERO,
        total=sums["total"] or ZERO,
        by_product=_rows(_totals(run, "product__code"), _totals(before, "product__code")),
        by_segment=_rows(
            _totals(run, "invoice__billing_account__customer__segment"),
            _totals(before, "invoice__billing_account__customer__segment"),
        ),
        outliers=outliers,
    )


def posted_invoices(*, account) -> QuerySet[Invoice]:
    """An account's posted invoices, newest first."""
    return Invoice.objects.filter(billing_account=account, status=InvoiceStatus.POSTED).order_by(
        "-period_start"
    )


def run_list() -> QuerySet[BillingRun]:
    """Billing runs, newest period first (staff only: the access matrix decides)."""
    return BillingRun.objects.all()


def run_get(*, pk: int) -> BillingRun:
    """One billing run, or 404."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(BillingRun, pk=pk)


def run_errors(*, run: BillingRun, limit: int = 200) -> list:
    """The accounts a run could not bill, with the account's number and customer."""
    return list(run.errors.select_related("billing_account__customer").order_by("id")[:limit])


def invoice_get(*, user, pk: int) -> Invoice:
    """An invoice the user may see, with its lines and their products, or 404 (a
    partner asking for another partner's customer's invoice gets 404)."""
    from django.db.models import Prefetch
    from django.shortcuts import get_object_or_404

    lines = InvoiceLine.objects.select_related("product", "source_account", "subscription")
    return get_object_or_404(
        invoice_list(user=user).prefetch_related(Prefetch("lines", queryset=lines)), pk=pk
    )


# --- payments, ledger, manual transactions (pages) -------------------------------------
STATEMENT_PAGE_SIZE = 50
CUSTOMER_TAB_LIMIT = 50  # newest invoices / payments shown on a customer-360 tab


def _scoped(qs: QuerySet, user, path: str = "billing_account__customer__partner_id"):
    """``qs`` limited to a partner user's customers (staff: unchanged)."""
    if is_partner_user(user):
        return qs.filter(**{path: user.partner_id}) if user.partner_id else qs.none()
    return qs


def _sum_per_invoice(queryset):
    from django.db.models import Subquery
    from django.db.models.functions import Coalesce

    return Coalesce(
        Subquery(queryset.values("invoice").annotate(s=Sum("amount")).values("s")[:1]),
        ZERO,
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )


def with_open_amount(qs: QuerySet[Invoice]) -> QuerySet[Invoice]:
    """Invoices annotated with ``paid`` (payments, credit notes and write-offs that
    settle them, as ``billing.services.payments.open_invoices`` counts) and
    ``open_amount`` (what is left to pay; only meaningful on posted invoices)."""
    from django.db.models import OuterRef

    from .choices import SETTLING_KINDS, TransactionStatus
    from .models import ManualTransaction, PaymentAllocation

    payments = PaymentAllocation.objects.filter(invoice=OuterRef("pk"), is_reversed=False)
    settled = ManualTransaction.objects.filter(
        invoice=OuterRef("pk"), status=TransactionStatus.POSTED, kind__in=SETTLING_KINDS
    )
    return qs.annotate(paid=_sum_per_invoice(payments) + _sum_per_invoice(settled)).annotate(
        open_amount=F("total") - F("paid")
    )


def payment_list(*, user) -> QuerySet:
    """Payments the user may see (a partner: its customers' only), newest first."""
    from .models import Payment

    qs = Payment.objects.select_related("billing_account__customer", "recorded_by")
    return _scoped(qs, user)


def payment_get(*, user, pk: int):
    """A payment the user may see with its allocations (and their invoices) and its
    ledger entries, or 404 (another partner's payment is a 404)."""
    from django.db.models import Prefetch
    from django.shortcuts import get_object_or_404

    from .models import LedgerEntry, PaymentAllocation

    return get_object_or_404(
        payment_list(user=user).prefetch_related(
            Prefetch(
                "allocations",
                queryset=PaymentAllocation.objects.select_related("invoice").order_by("id"),
            ),
            Prefetch(
                "ledger_entries",
                queryset=LedgerEntry.objects.select_related("created_by").order_by("id"),
            ),
        ),
        pk=pk,
    )


def transaction_list(*, user) -> QuerySet:
    """Manual transactions the user may see (a partner: its customers' only)."""
    from .models import ManualTransaction

    qs = ManualTransaction.objects.select_related(
        "billing_account__customer", "invoice", "requested_by", "approved_by"
    )
    return _scoped(qs, user)


def transaction_get(*, user, pk: int):
    """A manual transaction the user may see, with the invoice lines it credits and
    its ledger entry, or 404."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        transaction_list(user=user).prefetch_related("invoice_lines", "ledger_entries"), pk=pk
    )


def invoice_for_transaction(*, user, pk) -> Invoice | None:
    """A posted invoice the user may see, with its lines, to start a credit note
    from; None when ``pk`` names none."""
    if not str(pk or "").isdigit():
        return None
    return (
        invoice_list(user=user)
        .filter(status=InvoiceStatus.POSTED, pk=int(pk))
        .prefetch_related("lines")
        .first()
    )


@dataclass
class InvoiceMoney:
    """What settled an invoice: its open amount, the payments allocated to it and the
    manual transactions (credit notes, write-offs...) naming it."""

    open_amount: Decimal
    allocations: list
    transactions: list


def invoice_money(*, invoice: Invoice) -> InvoiceMoney:
    """The settlement of one invoice (three queries) for its page."""
    from .models import ManualTransaction, PaymentAllocation

    row = with_open_amount(Invoice.objects.filter(pk=invoice.pk)).values("open_amount").first()
    open_amount = row["open_amount"] if row and invoice.status == InvoiceStatus.POSTED else ZERO
    allocations = list(
        PaymentAllocation.objects.filter(invoice=invoice).select_related("payment").order_by("id")
    )
    transactions = list(
        ManualTransaction.objects.filter(invoice=invoice).order_by("-created_at", "-id")
    )
    return InvoiceMoney(max(open_amount, ZERO), allocations, transactions)


@dataclass
class AccountStatement:
    """The ledger of a billing account: a page of entries (newest first) each with the
    running balance after it, the open invoices with what is left on each, and the
    cached balance against the sum of the entries (they differ only on a fault)."""

    page: object
    open_invoices: list
    open_total: Decimal
    cached_balance: Decimal
    ledger_balance: Decimal

    @property
    def balanced(self) -> bool:
        return self.cached_balance == self.ledger_balance


def account_statement(*, account, page_number=None) -> AccountStatement:
    """The statement of ``account`` (a bounded number of queries whatever its
    length): the running balance is a window sum in booking order."""
    from django.core.paginator import Paginator
    from django.db.models import Window

    from .models import LedgerEntry
    from .services.payments import open_invoices

    entries = (
        LedgerEntry.objects.filter(billing_account=account)
        .select_related("invoice", "payment", "transaction")
        .annotate(
            running_balance=Window(Sum("amount"), order_by=[F("booked_on").asc(), F("id").asc()])
        )
        .order_by("-booked_on", "-id")
    )
    page = Paginator(entries, STATEMENT_PAGE_SIZE).get_page(page_number)
    invoices = list(open_invoices(account))
    for invoice in invoices:
        invoice.open_amount = invoice.total - invoice.paid
    total = LedgerEntry.objects.filter(billing_account=account).aggregate(s=Sum("amount"))["s"]
    return AccountStatement(
        page=page,
        open_invoices=invoices,
        open_total=sum((i.open_amount for i in invoices), ZERO),
        cached_balance=account.balance,
        ledger_balance=total or ZERO,
    )


def customer_invoices(*, user, customer, limit: int = CUSTOMER_TAB_LIMIT) -> list[Invoice]:
    """The newest invoices of the customer's billing accounts, with open amounts."""
    qs = invoice_list(user=user).filter(billing_account__customer=customer)
    return list(with_open_amount(qs).order_by("-period_start", "-id")[:limit])


def customer_payments(*, user, customer, limit: int = CUSTOMER_TAB_LIMIT) -> list:
    """The newest payments of the customer's billing accounts."""
    return list(
        payment_list(user=user)
        .filter(billing_account__customer=customer)
        .order_by("-received_on", "-id")[:limit]
    )


@dataclass
class AccountBalance:
    """One billing account of a customer on its Balance tab (and the portal's
    dashboard): what is overdue, the next amount falling due and the last payment."""

    account: object
    overdue: Decimal
    overdue_invoices: int
    last_payment: object | None
    next_due_on: date | None = None
    next_due_amount: Decimal = ZERO


def customer_balances(*, customer, today=None) -> list[AccountBalance]:
    """Per billing account of the customer: balance, what is overdue (open on posted
    invoices past their due date), the earliest due date still to come with what is
    open on the invoices due that day, and the last payment received. Three queries
    (the open invoices are read once for both)."""
    from django.utils import timezone

    from .choices import PaymentStatus
    from .models import Payment

    today = today or timezone.localdate()
    accounts = list(customer.billing_accounts.order_by("number"))
    ids = [a.pk for a in accounts]
    overdue: dict[int, Decimal] = {}
    counts: dict[int, int] = {}
    next_due: dict[int, tuple[date, Decimal]] = {}
    rows = with_open_amount(
        Invoice.objects.filter(billing_account_id__in=ids, status=InvoiceStatus.POSTED)
    ).filter(open_amount__gt=0)
    for account_id, due_on, amount in rows.values_list(
        "billing_account_id", "due_on", "open_amount"
    ):
        if due_on < today:
            overdue[account_id] = overdue.get(account_id, ZERO) + amount
            counts[account_id] = counts.get(account_id, 0) + 1
            continue
        first = next_due.get(account_id)
        if first is None or due_on < first[0]:
            next_due[account_id] = (due_on, amount)
        elif due_on == first[0]:
            next_due[account_id] = (due_on, first[1] + amount)
    last = {
        p.billing_account_id: p
        for p in Payment.objects.filter(billing_account_id__in=ids, status=PaymentStatus.RECEIVED)
        .order_by("billing_account_id", "-received_on", "-id")
        .distinct("billing_account_id")
    }
    return [
        AccountBalance(
            a,
            overdue.get(a.pk, ZERO),
            counts.get(a.pk, 0),
            last.get(a.pk),
            *next_due.get(a.pk, (None, ZERO)),
        )
        for a in accounts
    ]


INVOICE_NUMBER_PATTERN = r"^([A-Z]{2,10})-?((?:19|20)\d{2})-?(\d{1,9})$"


def invoice_search(*, user, text: str) -> list:
    """The invoice, or credit/debit note, the user may see whose number is ``text``
    (``INV-2026-000123``, ``inv 2026 123``: the digits are padded as numbers are
    issued, see ``services.numbering``). One lookup on the unique number."""
    import re

    from .choices import TRANSACTION_SERIES

    upper = re.sub(r"[\s_]+", "-", text.strip().upper())
    match = re.match(INVOICE_NUMBER_PATTERN, upper)
    if not match:
        return []
    series, year, digits = match.groups()
    wanted = f"{series}-{year}-{int(digits):07d}"
    if series in TRANSACTION_SERIES.values():
        return list(transaction_list(user=user).filter(number=wanted).order_by()[:1])
    return list(invoice_list(user=user).filter(number=wanted).order_by()[:1])
