"""Customer base and churn on a date (CUS-8), reconstructed from the history.

A customer's status on a day is the status of its last history event before the
end of that day (django-pghistory keeps every change). A customer whose first
recorded event is later than that day (its start date was entered backwards) counts
with the status of that first event; customers loaded in bulk without history count
with their current status. Churn is a change from active to inactive.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from django.apps import apps
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from .models import Customer

CUSTOMER_TABLE = Customer._meta.db_table


def _event_table() -> str:
    """The history table of customers (written by django-pghistory's triggers)."""
    return apps.get_model("customers", "CustomerEvent")._meta.db_table


def _end_of(day: date) -> datetime:
    """The first instant after ``day`` in the operator's time zone."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def customer_base_on(day: date) -> dict[str, int]:
    """Customers on ``day`` by status (``{"active": n, "inactive": m, ...}``)."""
    event_table = _event_table()
    sql = f"""
        WITH last_event AS (
            SELECT DISTINCT ON (pgh_obj_id) pgh_obj_id, status
            FROM {event_table}
            WHERE pgh_created_at < %s
            ORDER BY pgh_obj_id, pgh_created_at DESC, pgh_id DESC
        ), first_event AS (
            SELECT DISTINCT ON (pgh_obj_id) pgh_obj_id, status
            FROM {event_table}
            ORDER BY pgh_obj_id, pgh_created_at, pgh_id
        )
        SELECT COALESCE(last_event.status, first_event.status, c.status) AS status, count(*)
        FROM {CUSTOMER_TABLE} c
        LEFT JOIN last_event ON last_event.pgh_obj_id = c.id
        LEFT JOIN first_event ON first_event.pgh_obj_id = c.id
        WHERE c.customer_since <= %s
        GROUP BY 1
    """  # noqa: S608 - table names come from the models
    with connection.cursor() as cursor:
        cursor.execute(sql, [_end_of(day), day])
        return dict(cursor.fetchall())


def churned_between(start: date, end: date) -> int:
    """How many times a customer went from active to inactive in [start, end]."""
    event_table = _event_table()
    sql = f"""
        SELECT count(*) FROM (
            SELECT status, pgh_created_at,
                   lag(status) OVER (PARTITION BY pgh_obj_id ORDER BY pgh_created_at, pgh_id)
                       AS previous
            FROM {event_table}
            WHERE pgh_obj_id IN (
                SELECT pgh_obj_id FROM {event_table}
                WHERE pgh_created_at >= %s AND pgh_created_at < %s AND status = 'inactive'
            )
        ) changes
        WHERE status = 'inactive' AND previous = 'active'
          AND pgh_created_at >= %s AND pgh_created_at < %s
    """  # noqa: S608
    since, until = _end_of(start - timedelta(days=1)), _end_of(end)
    with connection.cursor() as cursor:
        cursor.execute(sql, [since, until, since, until])
        return cursor.fetchone()[0]


@dataclass(frozen=True)
class MonthFigures:
    """One month of the customer-base report."""

    month: date
    base_at_start: int
    new: int
    churned: int
    base_at_end: int

    @property
    def churn_rate(self) -> float:
        """Churned customers as a share of the base at the start of the month (%)."""
        return round(100 * self.churned / self.base_at_start, 2) if self.base_at_start else 0.0


def monthly_base_and_churn(*, months: int = 12, today: date | None = None) -> list[MonthFigures]:
    """The last ``months`` calendar months, oldest first, up to ``today``."""
    today = today or timezone.localdate()
    first = today.replace(day=1) - relativedelta(months=months - 1)
    rows = []
    for index in range(months):
        start = first + relativedelta(months=index)
        end = min(start + relativedelta(months=1) - timedelta(days=1), today)
        base_start = customer_base_on(start - timedelta(days=1)).get("active", 0)
        base_end = customer_base_on(end).get("active", 0)
        new = Customer.objects.filter(customer_since__range=(start, end)).count()
        rows.append(MonthFigures(start, base_start, new, churned_between(start, end), base_end))
    return rows


def base_by_type(*, day: date | None = None) -> list[dict]:
    """Active customers today by line type and payment type (CUS-8)."""
    return list(
        Customer.objects.filter(status="active", customer_since__lte=day or timezone.localdate())
        .values("line_type", "payment_type")
        .order_by("line_type", "payment_type")
        .annotate(count=Count("id"))
    )
