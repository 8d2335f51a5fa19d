"""Financial reports (BIL-5): revenue by product and month, receivables ageing at
its bucket boundaries and per segment, the billing-run summary; their pages, CSV
downloads and who may open them."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alux_crm.core import roles as R
from billing import reports, services
from billing.choices import InvoiceKind
from billing.models import BillingRun, Invoice, InvoiceLine
from tests.billing.test_gl import invoice_with_lines
from tests.customers import factories as CF
from tests.products import factories as PF
from tests.subscriptions import factories as SF

pytestmark = pytest.mark.django_db
D = Decimal


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


@pytest.fixture
def finance(make_user):
    client = Client()
    client.force_login(make_user(R.BILLING_FINANCE))
    return client


# --- revenue -----------------------------------------------------------------------------


@pytest.fixture
def revenue_world():
    """Posted invoices this month and two months ago, one 12 months ago (outside the
    12-month window), a draft and one in another currency (never counted)."""
    account = SF.account()
    tv = PF.product("tv_package", name_en="Digital TV")
    installation = PF.product("installation", name_en="Installation")
    this_month = timezone.localdate().replace(day=1)
    invoice_with_lines(
        account,
        [(tv, D("10.00"), D("2.10")), (installation, D("5.00"), D("1.05"))],
        issued_on=this_month,
    )
    invoice_with_lines(
        account, [(tv, D("20.00"), D("4.20"))], issued_on=this_month - relativedelta(months=2)
    )
    invoice_with_lines(
        account, [(tv, D("7.00"), D("0"))], issued_on=this_month - relativedelta(months=12)
    )
    invoice_with_lines(account, [(tv, D("3.00"), D("0"))], issued_on=this_month, currency="RON")
    draft = Invoice.objects.create(
        billing_account=account,
        kind=InvoiceKind.ONE_OFF,
        period_start=this_month,
        period_end=this_month + relativedelta(months=1),
        currency="EUR",
        net=D("99.00"),
        total=D("99.00"),
    )
    InvoiceLine.objects.create(
        invoice=draft,
        source_account=account,
        product=tv,
        kind="one_time",
        description="draft",
        starts_on=this_month,
        ends_on=this_month,
        net=D("99.00"),
        tax_rate=D("0"),
        tax=D("0"),
        total=D("99.00"),
        explanation="x",
    )
    return tv, installation, this_month


def test_revenue_by_product_and_month(revenue_world):
    tv, installation, this_month = revenue_world

    report = reports.revenue_by_product_month(currency="EUR", months=12, today=timezone.localdate())

    assert report.months[0] == this_month - relativedelta(months=11)
    assert report.months[-1] == this_month and len(report.months) == 12
    by_code = {p.code: p.amounts for p in report.products}
    assert list(by_code) == [tv.code, installation.code]  # largest first
    assert by_code[tv.code][11] == D("10.00") and by_code[tv.code][9] == D("20.00")
    assert sum(by_code[tv.code]) == D("30.00")
    assert by_code[installation.code][11] == D("5.00")
    assert report.month_totals[11] == D("15.00") and report.total == D("35.00")
    # The 13th month back counts in a 24-month window.
    longer = reports.revenue_by_product_month(currency="EUR", months=24, today=timezone.localdate())
    assert longer.total == D("42.00")
    ron = reports.revenue_by_product_month(currency="RON", months=12, today=timezone.localdate())
    assert ron.total == D("3.00")


def test_revenue_page_and_csv(revenue_world, finance):
    tv, _installation, this_month = revenue_world
    url = reverse("billing:report_revenue")

    page = finance.get(url)
    assert page.status_code == 200
    content = page.content.decode()
    assert "Digital TV" in content and 'id="revenue-chart-data"' in content
    assert page.context["chart"]["stacked"] is True
    assert page.context["chart"]["datasets"][0]["label"] == "Digital TV"

    rows = _csv(finance.get(url, {"format": "csv", "months": "12"}))
    assert rows[0] == ["month", "product_code", "product", "net", "currency"]
    assert [f"{this_month:%Y-%m}", tv.code, "Digital TV", "10.00", "EUR"] in rows
    assert len(rows) == 4  # header, TV twice, installation once


# --- receivables ageing ------------------------------------------------------------------

# Days past due on the report day → amount; each bucket's boundaries are here.
MASS_INVOICES = {
    -5: D("0.50"),
    0: D("1.00"),
    1: D("2.00"),
    30: D("4.00"),
    31: D("8.00"),
    60: D("16.00"),
    61: D("32.00"),
    90: D("64.00"),
    91: D("128.00"),
    120: D("256.00"),
    121: D("512.00"),
}


@pytest.fixture
def ageing_world(make_user, settings):
    """A mass-market account with an invoice at each boundary, partly paid (a payment
    on the oldest, a reversed one), a credit note and a write-off; an SME account."""
    settings.BILLING_APPROVAL_AMOUNT = 1000
    clerk = make_user(R.BILLING_FINANCE)
    today = timezone.localdate()
    mass = SF.account(CF.person(segment="mass"))
    sme = SF.account(CF.company(segment="sme"))

    def posted(account, days, amount):
        due = today - timedelta(days=days)
        return invoice_with_lines(
            account, [(None, amount, D("0"))], issued_on=due - timedelta(days=15), due_on=due
        )

    invoices = {days: posted(mass, days, amount) for days, amount in MASS_INVOICES.items()}
    posted(sme, 45, D("100.00"))
    posted(sme, 200, D("7.00"))
    services.payment_record(account=mass, amount=D("12.00"), method="cash", idempotency_key="a1")
    bounced, _ = services.payment_record(
        account=mass, amount=D("50.00"), method="transfer", idempotency_key="a2"
    )
    services.payment_reverse(payment=bounced, reason="bounced")
    for kind, days, amount in (("credit_note", 91, D("6.00")), ("write_off", 1, D("2.00"))):
        services.transaction_request(
            account=mass, kind=kind, amount=amount, reason="r", actor=clerk, invoice=invoices[days]
        )
    # Not yet issued on the report day, and a draft: never in the report.
    invoice_with_lines(mass, [(None, D("1000.00"), D("0"))], issued_on=today + timedelta(days=1))
    Invoice.objects.create(
        billing_account=mass,
        kind=InvoiceKind.ONE_OFF,
        period_start=today,
        period_end=today + timedelta(days=30),
        currency="EUR",
        net=D("77.00"),
        total=D("77.00"),
    )
    return today


def test_ageing_buckets_at_their_boundaries_and_per_segment(ageing_world):
    today = ageing_world

    report = reports.receivables_ageing(as_of=today, currency="EUR")

    rows = {row.key: row for row in report.rows}
    assert rows["mass"].amounts == [
        D("1.50"),  # current: not yet due, due today
        D("4.00"),  # 1-30: day 1 written off, day 30
        D("24.00"),  # 31-60
        D("96.00"),  # 61-90
        D("378.00"),  # 91-120: day 91 less the credit note, day 120
        D("500.00"),  # over 120: day 121 less the payment
    ]
    assert rows["mass"].invoices == 10
    assert rows["sme"].amounts == [D("0"), D("0"), D("100.00"), D("0"), D("0"), D("7.00")]
    assert report.total.amounts == [
        D("1.50"),
        D("4.00"),
        D("124.00"),
        D("96.00"),
        D("378.00"),
        D("507.00"),
    ]
    assert report.total.total == D("1110.50") and report.total.invoices == 12
    # The open amounts are those of the payments service, computed in one query.
    mass_open = sum(
        (services.invoice_open_amount(i) for i in Invoice.objects.filter(status="posted")), D("0")
    )
    assert mass_open - D("1000.00") == report.total.total  # less the one issued tomorrow


def test_ageing_on_an_earlier_day_ignores_later_payments_and_notes(ageing_world):
    today = ageing_world

    report = reports.receivables_ageing(as_of=today - timedelta(days=1), currency="EUR")

    assert report.total.amounts == [
        D("3.50"),  # days -6, -1, 0 (the write-off came later)
        D("12.00"),  # days 29, 30
        D("148.00"),  # 59, 60 and the SME's 44
        D("192.00"),  # 89, 90 (the credit note came later)
        D("768.00"),  # 119, 120 (the payment came later)
        D("7.00"),  # the SME's 199
    ]


def test_ageing_page_and_csv(ageing_world, finance):
    today = ageing_world
    url = reverse("billing:report_ageing")

    page = finance.get(url, {"as_of": today.isoformat()})
    assert page.status_code == 200
    content = page.content.decode()
    assert 'data-segment="mass"' in content and 'id="ageing-chart-data"' in content
    assert [d["label"] for d in page.context["chart"]["datasets"]] == [
        "Mass market",
        "Small and medium business",
    ]

    rows = _csv(finance.get(url, {"as_of": today.isoformat(), "format": "csv"}))
    assert rows[0] == [
        "segment",
        "current",
        "1_30",
        "31_60",
        "61_90",
        "91_120",
        "120_plus",
        "total",
        "invoices",
        "currency",
    ]
    assert rows[-1] == [
        "total",
        "1.50",
        "4.00",
        "124.00",
        "96.00",
        "378.00",
        "507.00",
        "1110.50",
        "12",
        "EUR",
    ]


# --- billing runs ------------------------------------------------------------------------


@pytest.fixture
def runs_world(make_user):
    account = SF.account()
    approver = make_user(R.BILLING_FINANCE, username="finance.approver")
    this_month = timezone.localdate().replace(day=1)
    recent = services.billing_run_create(bill_cycle_day=1, period_start=this_month)
    older = services.billing_run_create(
        bill_cycle_day=1, period_start=this_month - relativedelta(months=1)
    )
    services.billing_run_create(
        bill_cycle_day=1, period_start=this_month - relativedelta(months=13)
    )
    started = timezone.now() - timedelta(hours=2)
    BillingRun.objects.filter(pk=recent.pk).update(
        status="draft_ready",
        accounts_total=3,
        accounts_failed=1,
        started_at=started,
        finished_at=started + timedelta(minutes=5, seconds=7),
        approved_by=approver,
        approved_at=started + timedelta(hours=1),
    )
    for n, (currency, net, tax) in enumerate(
        [("EUR", D("10.00"), D("2.10")), ("EUR", D("20.00"), D("4.20")), ("RON", D("9"), D("0"))]
    ):
        Invoice.objects.create(
            billing_account=account if n == 0 else SF.account(),
            run=recent,
            period_start=recent.period_start,
            period_end=recent.period_end,
            currency=currency,
            net=net,
            tax=tax,
            total=net + tax,
        )
    return recent, older


def test_run_summary(runs_world):
    recent, older = runs_world

    rows = reports.billing_run_summary(currency="EUR", months=12, today=timezone.localdate())

    assert [row.run.pk for row in rows] == [recent.pk, older.pk]  # the 13th month back is out
    first = rows[0]
    assert (first.invoices, first.net, first.tax, first.total) == (
        3,
        D("30.00"),
        D("6.30"),
        D("36.30"),
    )
    assert first.duration == timedelta(minutes=5, seconds=7) and first.duration_text == "0:05:07"
    assert (rows[1].invoices, rows[1].total, rows[1].duration) == (0, D("0"), None)


def test_run_summary_page_and_csv(runs_world, finance):
    recent, _older = runs_world
    url = reverse("billing:report_runs")

    page = finance.get(url)
    assert page.status_code == 200
    content = page.content.decode()
    assert f'data-run="{recent.pk}"' in content and "0:05:07" in content
    assert page.context["chart"]["datasets"][0]["data"] == [0.0, 30.0]  # oldest first

    rows = _csv(finance.get(url, {"format": "csv"}))
    header, first = rows[0], dict(zip(rows[0], rows[1], strict=True))
    assert header[:4] == ["run", "bill_cycle_day", "period_start", "period_end"]
    assert first["run"] == str(recent.pk)
    assert (first["invoices"], first["accounts_failed"], first["total"]) == ("3", "1", "36.30")
    assert (first["duration_seconds"], first["approved_by"]) == ("307", "finance.approver")


# --- access ---------------------------------------------------------------------------------


REPORTS = ("billing:report_revenue", "billing:report_ageing", "billing:report_runs")


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (R.BILLING_FINANCE, set(REPORTS)),
        (R.BACK_OFFICE, set(REPORTS)),
        (R.SYSTEM_ADMINISTRATOR, set(REPORTS)),
        (R.SALES, {"billing:report_revenue"}),
        (R.MARKETING, {"billing:report_revenue"}),
        (R.CUSTOMER_SERVICE, set()),
        (R.RETAILER, set()),
        (R.SUBSCRIBER, set()),
    ],
)
def test_who_may_open_the_reports(role, allowed, make_user):
    client = Client()
    client.force_login(make_user(role))
    for name in REPORTS:
        for params in ({}, {"format": "csv"}):
            response = client.get(reverse(name), params)
            expected = 200 if name in allowed else 403
            assert response.status_code == expected, (role, name, params)


def test_the_tabs_show_only_the_pages_the_role_may_open(make_user):
    client = Client()
    client.force_login(make_user(R.SALES))
    page = client.get(reverse("billing:report_revenue"))
    assert [str(tab["label"]) for tab in page.context["tabs"]] == ["Revenue"]
    nav = [item["name"] for item in page.context["nav_items"]]
    assert "billing:report_revenue" in nav and "billing:gl_journal" not in nav
