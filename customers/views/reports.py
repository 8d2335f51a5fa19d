"""Customer base and churn report (CUS-8): a chart, a table and CSV."""

import csv

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import choices, reports

REPORT_MONTHS = (6, 12, 24)


def customer_base_report(request):
    """Active customers at each month's end, new and churned customers, churn rate;
    and today's base by line and payment type. ``?months=`` picks the window,
    ``?format=csv`` downloads the monthly figures."""
    try:
        months = int(request.GET.get("months", 12))
    except ValueError:
        months = 12
    months = months if months in REPORT_MONTHS else 12
    rows = reports.monthly_base_and_churn(months=months)
    if request.GET.get("format") == "csv":
        return _csv(rows)
    line_labels = dict(choices.LineType.choices)
    payment_labels = dict(choices.PaymentType.choices)
    by_type = [
        {
            "line_type": line_labels.get(row["line_type"], row["line_type"]),
            "payment_type": payment_labels.get(row["payment_type"], row["payment_type"]),
            "count": row["count"],
        }
        for row in reports.base_by_type()
    ]
    chart = {
        "labels": [f"{row.month:%Y-%m}" for row in rows],
        "base": [row.base_at_end for row in rows],
        "new": [row.new for row in rows],
        "churned": [row.churned for row in rows],
        "series": {
            "base": _("Active customers"),
            "new": _("New"),
            "churned": _("Churned"),
        },
    }
    context = {
        "title": _("Customer base and churn"),
        "rows": rows,
        "months": months,
        "month_choices": REPORT_MONTHS,
        "by_type": by_type,
        "chart": chart,
        "today": timezone.localdate(),
    }
    return render(request, "customers/customer_base_report.html", context)


def _csv(rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="customer-base-{timezone.localdate():%Y%m%d}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(["month", "base_at_start", "new", "churned", "base_at_end", "churn_rate_pct"])
    for row in rows:
        writer.writerow(
            [
                f"{row.month:%Y-%m}",
                row.base_at_start,
                row.new,
                row.churned,
                row.base_at_end,
                f"{row.churn_rate:.2f}",
            ]
        )
    return response
