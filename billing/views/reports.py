"""Financial reports and the GL export (BIL-5): the journal of a period, revenue by
product and month, receivables ageing, the billing-run summary. Each page has a
chart (Chart.js, data through ``json_script``) and a CSV download (``?format=csv``,
streamed). The reads are in ``billing.reports`` and ``billing.services.gl``; the
access matrix decides who may open each page."""

import csv
from datetime import date

from dateutil.relativedelta import relativedelta
from django import forms
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alux_crm.core.access import rule_for
from alux_crm.core.selectors import operator_settings
from customers.models import BillingAccount

from .. import reports
from ..choices import RunStatus
from ..services import gl

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
JOURNAL_PAGE_LINES = 1000  # lines shown on the journal page (the CSV has them all)
CHART_SERIES_LIMIT = 10  # products drawn one by one; the rest are summed as "others"

REPORT_PAGES = (
    ("billing:gl_journal", gettext_lazy("GL journal")),
    ("billing:report_revenue", gettext_lazy("Revenue")),
    ("billing:report_ageing", gettext_lazy("Receivables ageing")),
    ("billing:report_runs", gettext_lazy("Billing runs")),
)


def report_tabs(request, current: str) -> list[dict]:
    """The report pages the user may open, for the tabs above each report."""
    return [
        {"url": reverse(name), "label": label, "active": name == current}
        for name, label in REPORT_PAGES
        if (rule := rule_for(name)) is not None and rule.allows(request.user)
    ]


def currencies() -> list[str]:
    """The operator's currency first, then those of billing accounts."""
    default = operator_settings().currency
    used = BillingAccount.objects.order_by().values_list("currency", flat=True).distinct()
    return [default, *sorted(set(used) - {default})]


class ReportForm(forms.Form):
    """The filters of a report: currency, and a window in months or a day."""

    currency = forms.ChoiceField(label=gettext_lazy("Currency"), required=False)
    months = forms.TypedChoiceField(
        label=gettext_lazy("Months"),
        coerce=int,
        choices=[(m, m) for m in reports.REPORT_MONTHS],
        required=False,
    )
    as_of = forms.DateField(label=gettext_lazy("On"), required=False, widget=DATE_INPUT)

    def __init__(self, data, *, with_fields: tuple[str, ...]):
        options = currencies()
        self.defaults = {"currency": options[0], "months": 12, "as_of": timezone.localdate()}
        given = {key: value for key, value in data.items() if value}
        super().__init__({**{k: str(v) for k, v in self.defaults.items()}, **given})
        self.fields["currency"].choices = [(c, c) for c in options]
        for name in list(self.fields):
            if name not in with_fields:
                del self.fields[name]
            else:
                widget = self.fields[name].widget
                widget.attrs["class"] = (
                    "form-select form-select-sm"
                    if name != "as_of"
                    else "form-control form-control-sm"
                )

    def value(self, name: str):
        """The cleaned value of a filter, or its default when missing or invalid."""
        if self.is_valid() and self.cleaned_data.get(name) not in (None, ""):
            return self.cleaned_data[name]
        return self.defaults[name]


class JournalPeriodForm(forms.Form):
    """The period of the journal: from a day until another (not included)."""

    start = forms.DateField(label=gettext_lazy("From"), widget=DATE_INPUT)
    end = forms.DateField(label=gettext_lazy("Until (not included)"), widget=DATE_INPUT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control form-control-sm"

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            raise forms.ValidationError(_("The period ends after it starts."))
        return data

    @staticmethod
    def default_period() -> tuple[date, date]:
        """This month."""
        first = timezone.localdate().replace(day=1)
        return first, first + relativedelta(months=1)

    def period(self) -> tuple[date, date]:
        if self.is_bound and self.is_valid():
            return self.cleaned_data["start"], self.cleaned_data["end"]
        return self.default_period()


class _Echo:
    """A file-like object whose write returns what it is given (for streaming CSV)."""

    def write(self, value):
        return value


def csv_response(filename: str, rows) -> StreamingHttpResponse:
    """Stream ``rows`` (an iterable of lists) as a CSV download."""
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _wants_csv(request) -> bool:
    return request.GET.get("format") == "csv"


def _csv_query(request) -> str:
    query = request.GET.copy()
    query["format"] = "csv"
    return query.urlencode()


# --- the GL journal ---------------------------------------------------------------------


def gl_journal_view(request):
    """The journal of a period by day and GL account, its totals per account and a
    chart; ``?format=csv`` streams the journal (refused when it does not balance)."""
    has_period = "start" in request.GET or "end" in request.GET
    form = JournalPeriodForm(request.GET if has_period else None)
    if not has_period:
        start, end = JournalPeriodForm.default_period()
        form = JournalPeriodForm(initial={"start": start, "end": end})
    start, end = form.period()
    journal = gl.gl_journal(start=start, end=end)
    if _wants_csv(request):
        if not journal.balanced:
            return HttpResponse(
                _("The journal does not balance; it is not exported."),
                status=409,
                content_type="text/plain; charset=utf-8",
            )
        filename = f"gl-journal-{start:%Y%m%d}-{end:%Y%m%d}.csv"
        return csv_response(filename, gl.journal_csv_rows(journal))
    several = len(journal.totals) > 1
    accounts = journal.by_account
    chart = {
        "type": "bar",
        "stacked": False,
        "labels": [f"{a.account} {a.currency}" if several else a.account for a in accounts],
        "datasets": [
            {"label": _("Debit"), "data": [float(a.debit) for a in accounts]},
            {"label": _("Credit"), "data": [float(a.credit) for a in accounts]},
        ],
    }
    context = {
        "title": _("GL journal"),
        "tabs": report_tabs(request, "billing:gl_journal"),
        "form": form,
        "journal": journal,
        "lines": journal.lines[:JOURNAL_PAGE_LINES],
        "lines_cut": len(journal.lines) > JOURNAL_PAGE_LINES,
        "start": start,
        "end": end,
        "chart": chart,
        "csv_query": f"start={start:%Y-%m-%d}&end={end:%Y-%m-%d}&format=csv",
    }
    return render(request, "billing/gl_journal.html", context)


# --- revenue by product and month ------------------------------------------------------------


def revenue_report(request):
    """Net revenue of posted invoice lines by product and month (stacked bars and a
    table); ``?format=csv`` downloads one row per month and product."""
    form = ReportForm(request.GET, with_fields=("currency", "months"))
    report = reports.revenue_by_product_month(
        currency=form.value("currency"), months=form.value("months"), today=timezone.localdate()
    )
    if _wants_csv(request):
        return csv_response(
            f"revenue-{report.currency}-{timezone.localdate():%Y%m%d}.csv", _revenue_rows(report)
        )
    shown = report.products[:CHART_SERIES_LIMIT]
    rest = report.products[CHART_SERIES_LIMIT:]
    datasets = [{"label": p.label, "data": [float(a) for a in p.amounts]} for p in shown]
    if rest:
        others = [float(sum(p.amounts[i] for p in rest)) for i in range(len(report.months))]
        datasets.append({"label": _("Other products"), "data": others})
    chart = {
        "type": "bar",
        "stacked": True,
        "labels": [f"{month:%Y-%m}" for month in report.months],
        "datasets": datasets,
    }
    context = {
        "title": _("Revenue by product and month"),
        "tabs": report_tabs(request, "billing:report_revenue"),
        "form": form,
        "report": report,
        "chart": chart,
        "csv_query": _csv_query(request),
    }
    return render(request, "billing/report_revenue.html", context)


def _revenue_rows(report: reports.RevenueReport):
    yield ["month", "product_code", "product", "net", "currency"]
    for product in report.products:
        for month, amount in zip(report.months, product.amounts, strict=True):
            if amount:
                yield [f"{month:%Y-%m}", product.code, product.label, amount, report.currency]


# --- receivables ageing ------------------------------------------------------------------


def ageing_report(request):
    """Open invoice amounts on a day by days past due and customer segment (stacked
    bars and a table); ``?format=csv`` downloads the table."""
    form = ReportForm(request.GET, with_fields=("currency", "as_of"))
    report = reports.receivables_ageing(as_of=form.value("as_of"), currency=form.value("currency"))
    if _wants_csv(request):
        return csv_response(
            f"receivables-ageing-{report.currency}-{report.as_of:%Y%m%d}.csv", _ageing_rows(report)
        )
    chart = {
        "type": "bar",
        "stacked": True,
        "labels": [label for _key, label in report.buckets],
        "datasets": [
            {"label": row.label, "data": [float(a) for a in row.amounts]} for row in report.rows
        ],
    }
    context = {
        "title": _("Receivables ageing"),
        "tabs": report_tabs(request, "billing:report_ageing"),
        "form": form,
        "report": report,
        "chart": chart,
        "csv_query": _csv_query(request),
    }
    return render(request, "billing/report_ageing.html", context)


def _ageing_rows(report: reports.AgeingReport):
    yield ["segment", *[key for key, _label in report.buckets], "total", "invoices", "currency"]
    for row in [*report.rows, report.total]:
        yield [row.key, *row.amounts, row.total, row.invoices, report.currency]


# --- billing runs ------------------------------------------------------------------------------


def runs_report(request):
    """Billing runs of the last months: cycle, period, status, accounts, invoices,
    failures, sums, duration, approver (bars of the totals, a table, CSV)."""
    form = ReportForm(request.GET, with_fields=("currency", "months"))
    currency = form.value("currency")
    rows = reports.billing_run_summary(
        currency=currency, months=form.value("months"), today=timezone.localdate()
    )
    if _wants_csv(request):
        return csv_response(
            f"billing-runs-{currency}-{timezone.localdate():%Y%m%d}.csv", _run_rows(rows, currency)
        )
    chronological = list(reversed(rows))
    chart = {
        "type": "bar",
        "stacked": True,
        "labels": [
            f"{row.run.period_start:%Y-%m-%d} · {row.run.bill_cycle_day}" for row in chronological
        ],
        "datasets": [
            {"label": _("Net"), "data": [float(row.net) for row in chronological]},
            {"label": _("VAT"), "data": [float(row.tax) for row in chronological]},
        ],
    }
    context = {
        "title": _("Billing-run summary"),
        "tabs": report_tabs(request, "billing:report_runs"),
        "form": form,
        "rows": rows,
        "currency": currency,
        "chart": chart,
        "status_labels": dict(RunStatus.choices),
        "csv_query": _csv_query(request),
    }
    return render(request, "billing/report_runs.html", context)


def _run_rows(rows: list[reports.RunSummary], currency: str):
    yield [
        "run",
        "bill_cycle_day",
        "period_start",
        "period_end",
        "status",
        "accounts",
        "invoices",
        "accounts_failed",
        "net",
        "tax",
        "total",
        "currency",
        "started_at",
        "finished_at",
        "duration_seconds",
        "approved_by",
        "approved_at",
    ]
    for row in rows:
        run = row.run
        yield [
            run.pk,
            run.bill_cycle_day,
            run.period_start.isoformat(),
            run.period_end.isoformat(),
            run.status,
            run.accounts_total,
            row.invoices,
            run.accounts_failed,
            row.net,
            row.tax,
            row.total,
            currency,
            run.started_at.isoformat() if run.started_at else "",
            run.finished_at.isoformat() if run.finished_at else "",
            int(row.duration.total_seconds()) if row.duration is not None else "",
            run.approved_by.get_username() if run.approved_by else "",
            run.approved_at.isoformat() if run.approved_at else "",
        ]
