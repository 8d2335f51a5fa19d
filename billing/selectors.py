"""Reads of billing: invoices scoped to what the user may see, and the review of a
draft run against the previous run of its cycle (BIL-1)."""

from dataclasses import dataclass, field
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
