"""Customer base and churn on a date, from the history (CUS-8)."""

from datetime import date, datetime

import pytest
from django.apps import apps
from django.utils import timezone

from customers import reports, services
from customers.models import Customer
from tests.customers.factories import person

pytestmark = pytest.mark.django_db


def at(day: date):
    return timezone.make_aware(datetime(day.year, day.month, day.day, 12, 0))


def backdate_events(customer, *stamps):
    """Give the customer's history events (oldest first) the given days."""
    Event = apps.get_model("customers", "CustomerEvent")
    events = list(Event.objects.filter(pgh_obj_id=customer.pk).order_by("pgh_created_at", "pgh_id"))
    assert len(events) == len(stamps)
    for event, day in zip(events, stamps, strict=True):
        Event.objects.filter(pgh_id=event.pgh_id).update(pgh_created_at=at(day))


@pytest.fixture
def history():
    # c1 joins in January and leaves in March; c2 joins in February and stays;
    # c3 joins in March, leaves in March and comes back in April.
    c1, c2, c3 = person(), person(), person()
    for customer, since in (
        (c1, date(2026, 1, 10)),
        (c2, date(2026, 2, 5)),
        (c3, date(2026, 3, 1)),
    ):
        Customer.objects.filter(pk=customer.pk).update(customer_since=since)
    services.customer_change_status(customer=c1, status="inactive", actor=None)
    services.customer_change_status(customer=c3, status="inactive", actor=None)
    services.customer_change_status(customer=c3, status="active", actor=None)
    # Backdate each customer's events: the insert, the start-date update, each change.
    backdate_events(c1, date(2026, 1, 10), date(2026, 1, 10), date(2026, 3, 15))
    backdate_events(c2, date(2026, 2, 5), date(2026, 2, 5))
    backdate_events(c3, date(2026, 3, 1), date(2026, 3, 1), date(2026, 3, 20), date(2026, 4, 2))
    return c1, c2, c3


def test_base_on_a_date(history):
    assert reports.customer_base_on(date(2026, 1, 31)) == {"active": 1}
    assert reports.customer_base_on(date(2026, 3, 16)) == {"active": 2, "inactive": 1}
    assert reports.customer_base_on(date(2026, 3, 31)) == {"active": 1, "inactive": 2}
    assert reports.customer_base_on(date(2026, 4, 30)) == {"active": 2, "inactive": 1}


def test_monthly_figures(history):
    rows = reports.monthly_base_and_churn(months=4, today=date(2026, 4, 30))
    assert [(r.month.month, r.base_at_start, r.new, r.churned, r.base_at_end) for r in rows] == [
        (1, 0, 1, 0, 1),
        (2, 1, 1, 0, 2),
        (3, 2, 1, 2, 1),
        (4, 1, 0, 0, 2),
    ]
    assert rows[2].churn_rate == 100.0


def test_report_page_shows_chart_data_table_and_csv(make_user, login, client, history):
    from alux_crm.core import roles as R

    login(make_user(R.MARKETING))
    page = client.get("/customers/report/?months=24")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="base-chart-data"' in html and 'data-chart="base-chart-data"' in html
    chart = page.context["chart"]
    assert len(chart["labels"]) == 24 == len(chart["base"]) == len(chart["churned"])
    assert sum(chart["churned"]) == 2  # c1 and c3 left in March 2026
    assert 'id="base-by-type"' in html
    lines = client.get("/customers/report/?months=24&format=csv").content.decode().splitlines()
    assert lines[0] == "month,base_at_start,new,churned,base_at_end,churn_rate_pct"
    march = next(line for line in lines if line.startswith("2026-03"))
    assert march == "2026-03,2,1,2,1,100.00"
    # An unknown window falls back to 12 months.
    assert len(client.get("/customers/report/?months=7").context["rows"]) == 12
