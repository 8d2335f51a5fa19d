"""The back-office run centre (centre part): one run of each kind with its link,
progress and people, per role; filters; refreshing while a run works; the beat
schedules and their edit (recorded, and kept by beat at its next start)."""

import json
import re
from datetime import date, timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from alux_crm.celery import app as celery_app
from alux_crm.core import roles as R
from billing import services as billing_services
from billing.models import BillingRun, PaymentRun
from dunning.beat_centre import EditableDatabaseScheduler
from dunning.models import DunningRun, ServiceRun

pytestmark = pytest.mark.django_db
URL = "/collections/run-centre/"


@pytest.fixture
def runs(make_user):
    """One run of each kind: a billing run working (4 of 10 accounts), a draft payment
    run, a finished dunning run and a disconnection and a reconnection run."""
    back_office, finance = (
        make_user(R.BACK_OFFICE, first_name="Ana", last_name="Ionescu"),
        make_user(R.BILLING_FINANCE, first_name="Dan", last_name="Pop"),
    )
    now = timezone.now()
    billing = billing_services.billing_run_create(
        bill_cycle_day=1, period_start=date(2026, 12, 1), actor=back_office
    )
    BillingRun.objects.filter(pk=billing.pk).update(
        status="running", accounts_total=10, accounts_done=4, started_at=now
    )
    payment = PaymentRun.objects.create(
        collection_date=date(2026, 12, 5), created_by=finance, collections=7
    )
    dunning = DunningRun.objects.create(
        run_on=date(2026, 11, 20),
        status="done",
        started_at=now - timedelta(days=3),
        finished_at=now - timedelta(days=3),
        accounts_total=5,
        accounts_done=5,
    )
    cut = ServiceRun.objects.create(
        kind="disconnection",
        status="done",
        created_by=back_office,
        executed_by=finance,
        accounts_total=3,
        accounts_done=3,
        started_at=now - timedelta(days=1),
        finished_at=now - timedelta(days=1),
    )
    back = ServiceRun.objects.create(kind="reconnection", status="draft", accounts_total=2)
    return {
        "billing": billing,
        "payment": payment,
        "dunning": dunning,
        "disconnection": cut,
        "reconnection": back,
    }


def _link(name, pk):
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return None


def _row(html: str, kind: str, pk: int) -> str:
    match = re.search(rf'<tr data-kind="{kind}" data-run="{pk}">(.*?)</tr>', html, re.S)
    assert match, f"no row for {kind} #{pk}"
    return match.group(1)


@pytest.mark.parametrize("role", [R.BACK_OFFICE, R.BILLING_FINANCE, R.SYSTEM_ADMINISTRATOR])
def test_the_run_centre_lists_one_run_of_each_kind(role, runs, make_user, login):
    client = login(make_user(role))
    html = client.get(URL).content.decode()
    billing = _row(html, "billing", runs["billing"].pk)
    assert f'href="{reverse("billing:run_detail", args=[runs["billing"].pk])}"' in billing
    assert 'value="40"' in billing and "Running" in billing and "Ana Ionescu" in billing
    payment = _row(html, "payment", runs["payment"].pk)
    assert f'href="{reverse("billing:payment_run_detail", args=[runs["payment"].pk])}"' in payment
    assert "Draft" in payment and "Dan Pop" in payment
    dunning = _row(html, "dunning", runs["dunning"].pk)
    assert 'value="100"' in dunning and "Done" in dunning
    for kind, name in (
        ("dunning", "dunning:dunning_run_detail"),
        ("disconnection", "dunning:service_run_detail"),
        ("reconnection", "dunning:service_run_detail"),
    ):
        row = _row(html, kind, runs[kind].pk)
        link = _link(name, runs[kind].pk)
        assert (f'href="{link}"' in row) if link else ("href=" not in row)
    cut = _row(html, "disconnection", runs["disconnection"].pk)
    assert "Ana Ionescu" in cut and "Dan Pop" in cut  # started by, executed by
    # Newest first: the billing run started now, the dunning run three days ago.
    assert html.index('data-kind="billing"') < html.index('data-kind="dunning"')
    # Something runs: the list reloads itself.
    assert 'hx-trigger="every 5s"' in html
    chart = json.loads(re.search(r'id="run-centre-chart-data"[^>]*>(.*?)</script>', html).group(1))
    by_kind = {d["label"]: sum(d["data"]) for d in chart["datasets"]}
    assert by_kind["Billing run"] == 1 and by_kind["Disconnection run"] == 1


@pytest.mark.parametrize("role", [R.CUSTOMER_SERVICE, R.SALES, R.RETAILER])
def test_other_roles_do_not_see_the_run_centre(role, make_user, login):
    assert login(make_user(role)).get(URL).status_code == 403


def test_filters_by_kind_and_status_and_stops_refreshing_when_nothing_runs(runs, make_user, login):
    client = login(make_user(R.BACK_OFFICE))
    html = client.get(URL, {"kind": "disconnection"}).content.decode()
    assert 'data-kind="disconnection"' in html and 'data-kind="billing"' not in html
    html = client.get(URL, {"phase": "done"}).content.decode()
    kinds = set(re.findall(r'data-kind="(\w+)"', html))
    assert kinds == {"dunning", "disconnection"}
    BillingRun.objects.filter(pk=runs["billing"].pk).update(status="draft_ready")
    partial = client.get(URL, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="run-centre-runs")
    assert b"<html" not in partial.content and b'data-kind="billing"' in partial.content
    assert b"hx-trigger" not in partial.content


@pytest.fixture
def schedule():
    crontab = CrontabSchedule.objects.create(minute="30", hour="5", timezone="Europe/Bucharest")
    return PeriodicTask.objects.create(
        name="dunning-evaluate-blocking-rules",
        task="dunning.tasks.centre.evaluate_blocking_rules",
        crontab=crontab,
    )


def test_back_office_edits_a_schedule_and_the_change_is_recorded(schedule, make_user, login):
    client = login(
        make_user(R.BACK_OFFICE, username="bo.ion", first_name="Ion", last_name="Vasile")
    )
    html = client.get(URL).content.decode()
    assert "Every day at 05:30" in html
    response = client.post(
        f"/collections/run-centre/schedules/{schedule.pk}/",
        {"schedule": "crontab", "minute": "15", "hour": "7", "day_of_week": "1-5"},
    )
    assert response.status_code == 302
    schedule.refresh_from_db()
    assert (schedule.crontab.minute, schedule.crontab.hour, schedule.crontab.day_of_week) == (
        "15",
        "7",
        "1-5",
    )
    assert schedule.enabled is False  # the box was left unticked
    entry = LogEntry.objects.get(object_id=str(schedule.pk))
    assert entry.user.username == "bo.ion" and "crontab 15 7" in entry.change_message
    html = client.get(URL).content.decode()
    row = re.search(r'data-schedule="dunning-evaluate-blocking-rules">(.*?)</tr>', html, re.S)
    assert "Monday to Friday at 07:15" in row.group(1) and "Ion Vasile" in row.group(1)


def test_a_schedule_can_become_an_interval_and_bad_crontabs_are_refused(schedule, make_user, login):
    client = login(make_user(R.BACK_OFFICE))
    url = f"/collections/run-centre/schedules/{schedule.pk}/"
    refused = client.post(url, {"enabled": "on", "schedule": "crontab", "minute": "75"})
    assert refused.status_code == 422 and "is not a valid crontab value" in refused.content.decode()
    client.post(url, {"enabled": "on", "schedule": "interval", "every": "2", "period": "hours"})
    schedule.refresh_from_db()
    assert schedule.crontab is None and schedule.enabled
    assert (schedule.interval.every, schedule.interval.period) == (2, IntervalSchedule.HOURS)


def test_only_back_office_edits_schedules(schedule, make_user, login):
    for role in (R.SYSTEM_ADMINISTRATOR, R.BILLING_FINANCE):
        client = login(make_user(role))
        assert b"/collections/run-centre/schedules/" not in client.get(URL).content
        assert client.get(f"/collections/run-centre/schedules/{schedule.pk}/").status_code == 403


def test_beat_keeps_an_edited_schedule_and_follows_the_settings_for_the_others(
    schedule, make_user, monkeypatch
):
    from celery.schedules import crontab

    from dunning.services.run_centre import periodic_task_update

    periodic_task_update(
        task=schedule, enabled=True, schedule="crontab", minute="0", hour="9", actor=make_user()
    )
    untouched = PeriodicTask.objects.create(
        name="dunning-run-daily",
        task="dunning.tasks.engine.run_daily_dunning",
        crontab=CrontabSchedule.objects.create(minute="1", hour="1"),
    )
    # The real scheduler reloads (and closes the connection) when asked for its
    # schedule; here only its start-up sync from the settings is exercised.
    monkeypatch.setattr(EditableDatabaseScheduler, "schedule", property(lambda self: {}))
    scheduler = EditableDatabaseScheduler(app=celery_app, lazy=True)
    scheduler.update_from_dict(
        {
            schedule.name: {"task": schedule.task, "schedule": crontab(hour=5, minute=30)},
            untouched.name: {"task": untouched.task, "schedule": crontab(hour=6, minute=0)},
        }
    )
    schedule.refresh_from_db()
    untouched.refresh_from_db()
    assert (schedule.crontab.hour, schedule.crontab.minute) == ("9", "0")
    assert (untouched.crontab.hour, untouched.crontab.minute) == ("6", "0")


def test_the_run_centre_reads_a_fixed_number_of_queries(runs, schedule, make_user, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(make_user(R.BACK_OFFICE))
    client.get(URL)  # warm caches (content types, session)
    with CaptureQueriesContext(connection) as before:
        assert client.get(URL).status_code == 200
    for n in range(6):
        ServiceRun.objects.create(
            kind="disconnection", created_by=make_user(R.BACK_OFFICE), accounts_total=n
        )
    with CaptureQueriesContext(connection) as after:
        client.get(URL)
    assert len(after) == len(before)
