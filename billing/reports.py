"""Financial reports of billing (BIL-5): revenue by product and month, receivables
ageing on a day, and the summary of billing runs. Each is a few aggregate queries
(the database sums hundreds of thousands of invoices; Python sees one row per
product and month, segment and bucket, or run).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db import connection
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alux_crm.core.money import ZERO
from customers.models import BillingAccount, Customer
from products.models import Product

from .choices import SETTLING_KINDS, InvoiceStatus, TransactionStatus
from .models import BillingRun, Invoice, InvoiceLine, ManualTransaction, Payment, PaymentAllocation

REPORT_MONTHS = (6, 12, 24)


def month_window(*, months: int, today: date) -> tuple[date, date]:
    """The first day of the month ``months - 1`` before ``today``'s and the first day
    after ``today``'s month: the last ``months`` calendar months, this one included."""
    this_month = today.replace(day=1)
    return this_month - relativedelta(months=months - 1), this_month + relativedelta(months=1)


# --- revenue by product and month ----------------------------------------------------


@dataclass
class ProductRevenue:
    """One product's net revenue per month of the window."""

    code: str
    label: str
    amounts: list[Decimal]

    @property
    def total(self) -> Decimal:
        return sum(self.amounts, ZERO)


@dataclass
class RevenueReport:
    """Net of the posted invoice lines by product and month of issue, in one currency."""

    currency: str
    months: list[date]
    products: list[ProductRevenue]

    @property
    def month_totals(self) -> list[Decimal]:
        return [sum((p.amounts[i] for p in self.products), ZERO) for i in range(len(self.months))]

    @property
    def total(self) -> Decimal:
        return sum(self.month_totals, ZERO)


def revenue_by_product_month(*, currency: str, months: int, today: date) -> RevenueReport:
    """Net revenue of posted invoice lines per product and month of issue over the
    last ``months`` months (this one included); lines with no product are "Other"."""
    start, end = month_window(months=months, today=today)
    rows = (
        InvoiceLine.objects.filter(
            invoice__status=InvoiceStatus.POSTED,
            invoice__currency=currency,
            invoice__issued_on__gte=start,
            invoice__issued_on__lt=end,
        )
        .annotate(month=TruncMonth("invoice__issued_on"))
        .values("month", "product_id")
        .annotate(net=Sum("net"))
        .order_by()
    )
    month_list = [start + relativedelta(months=i) for i in range(months)]
    index = {month: i for i, month in enumerate(month_list)}
    amounts: dict[int | None, list[Decimal]] = defaultdict(lambda: [ZERO] * months)
    for row in rows:
        amounts[row["product_id"]][index[row["month"]]] += row["net"] or ZERO
    products = {
        p.pk: p
        for p in Product.objects.filter(pk__in=[pk for pk in amounts if pk]).only(
            "code", "name_en", "name_ro"
        )
    }
    series = [
        ProductRevenue(
            code=products[pk].code if pk else "-",
            label=products[pk].name if pk else _("Other (no product)"),
            amounts=values,
        )
        for pk, values in amounts.items()
    ]
    series.sort(key=lambda p: (-p.total, p.code))
    return RevenueReport(currency=currency, months=month_list, products=series)


# --- receivables ageing --------------------------------------------------------------

# (key, label, first day past due, last day past due); None is open-ended.
AGEING_BUCKETS = (
    ("current", gettext_lazy("Current"), None, 0),
    ("1_30", gettext_lazy("1-30 days"), 1, 30),
    ("31_60", gettext_lazy("31-60 days"), 31, 60),
    ("61_90", gettext_lazy("61-90 days"), 61, 90),
    ("91_120", gettext_lazy("91-120 days"), 91, 120),
    ("120_plus", gettext_lazy("Over 120 days"), 121, None),
)


@dataclass
class AgeingRow:
    """Open amounts of one customer segment (or the total) per bucket."""

    key: str
    label: str
    amounts: list[Decimal] = field(default_factory=lambda: [ZERO] * len(AGEING_BUCKETS))
    invoices: int = 0

    @property
    def total(self) -> Decimal:
        return sum(self.amounts, ZERO)


@dataclass
class AgeingReport:
    """Open invoice amounts on ``as_of`` by days past due, per segment."""

    as_of: date
    currency: str
    rows: list[AgeingRow]
    total: AgeingRow

    @property
    def buckets(self) -> list[tuple[str, str]]:
        return [(key, str(label)) for key, label, _first, _last in AGEING_BUCKETS]


def _bucket_sql() -> str:
    """A CASE giving the bucket index of ``days`` (days past due)."""
    whens = " ".join(
        f"WHEN days <= {last} THEN {index}"
        for index, (_key, _label, _first, last) in enumerate(AGEING_BUCKETS)
        if last is not None
    )
    return f"CASE {whens} ELSE {len(AGEING_BUCKETS) - 1} END"


def receivables_ageing(*, as_of: date, currency: str) -> AgeingReport:
    """Open amounts of the posted invoices issued by ``as_of``, by days past due on
    that day and customer segment. Open is the total less what payments received by
    then settle (not reversed) and less the credit notes and write-offs posted on it
    by then — ``billing.services.payments.open_invoices`` in one aggregate query."""
    sql = f"""
        WITH paid AS (
            SELECT a.invoice_id, SUM(a.amount) AS amount
            FROM {PaymentAllocation._meta.db_table} a
            JOIN {Payment._meta.db_table} p ON p.id = a.payment_id
            WHERE NOT a.is_reversed AND p.received_on <= %(as_of)s
            GROUP BY a.invoice_id
        ), settled AS (
            SELECT t.invoice_id, SUM(t.amount) AS amount
            FROM {ManualTransaction._meta.db_table} t
            WHERE t.invoice_id IS NOT NULL AND t.status = %(posted_tx)s
              AND t.kind = ANY(%(settling)s) AND t.posted_on <= %(as_of)s
            GROUP BY t.invoice_id
        ), open_invoices AS (
            SELECT c.segment,
                   i.total - COALESCE(paid.amount, 0) - COALESCE(settled.amount, 0) AS open,
                   COALESCE(%(as_of)s::date - i.due_on, 0) AS days
            FROM {Invoice._meta.db_table} i
            JOIN {BillingAccount._meta.db_table} ba ON ba.id = i.billing_account_id
            JOIN {Customer._meta.db_table} c ON c.id = ba.customer_id
            LEFT JOIN paid ON paid.invoice_id = i.id
            LEFT JOIN settled ON settled.invoice_id = i.id
            WHERE i.status = %(posted)s AND i.currency = %(currency)s
              AND i.issued_on <= %(as_of)s
        )
        SELECT segment, {_bucket_sql()} AS bucket, SUM(open), COUNT(*)
        FROM open_invoices
        WHERE open > 0
        GROUP BY 1, 2
    """  # noqa: S608 - table names come from the models, values are parameters
    params = {
        "as_of": as_of,
        "currency": currency,
        "posted": InvoiceStatus.POSTED,
        "posted_tx": TransactionStatus.POSTED,
        "settling": [str(kind) for kind in SETTLING_KINDS],
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        results = cursor.fetchall()
    segments = dict(Customer._meta.get_field("segment").flatchoices)
    rows: dict[str, AgeingRow] = {}
    total = AgeingRow("total", _("Total"))
    for segment, bucket, amount, count in results:
        row = rows.setdefault(segment, AgeingRow(segment, str(segments.get(segment, segment))))
        row.amounts[bucket] += amount
        row.invoices += count
        total.amounts[bucket] += amount
        total.invoices += count
    ordered = sorted(rows.values(), key=lambda r: r.label)
    return AgeingReport(as_of=as_of, currency=currency, rows=ordered, total=total)


# --- billing runs ----------------------------------------------------------------------


@dataclass
class RunSummary:
    """A billing run with its invoices' count and sums (in one currency)."""

    run: BillingRun
    invoices: int
    net: Decimal
    tax: Decimal
    total: Decimal

    @property
    def duration(self) -> timedelta | None:
        """From start to the draft being ready (or failing)."""
        if self.run.started_at and self.run.finished_at:
            return self.run.finished_at - self.run.started_at
        return None

    @property
    def duration_text(self) -> str:
        """The duration as h:mm:ss ("" when the run has not finished)."""
        if self.duration is None:
            return ""
        seconds = int(self.duration.total_seconds())
        return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def billing_run_summary(*, currency: str, months: int, today: date) -> list[RunSummary]:
    """The runs of the last ``months`` months (by period start), newest first, with
    their invoices counted and summed (two queries)."""
    start, end = month_window(months=months, today=today)
    runs = list(
        BillingRun.objects.filter(period_start__gte=start, period_start__lt=end)
        .select_related("approved_by")
        .order_by("-period_start", "-id")
    )
    in_currency = Q(currency=currency)
    sums = {
        row["run_id"]: row
        for row in Invoice.objects.filter(run_id__in=[run.pk for run in runs])
        .values("run_id")
        .annotate(
            n=Count("id"),
            net=Sum("net", filter=in_currency),
            tax=Sum("tax", filter=in_currency),
            total=Sum("total", filter=in_currency),
        )
        .order_by()
    }
    empty = {"n": 0, "net": None, "tax": None, "total": None}
    return [
        RunSummary(
            run=run,
            invoices=sums.get(run.pk, empty)["n"],
            net=sums.get(run.pk, empty)["net"] or ZERO,
            tax=sums.get(run.pk, empty)["tax"] or ZERO,
            total=sums.get(run.pk, empty)["total"] or ZERO,
        )
        for run in runs
    ]
