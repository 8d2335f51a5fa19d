"""Writes of the run centre: Back Office changes a beat schedule (a django-celery-beat
``PeriodicTask``): enabled or not, a crontab (minute, hour, days of the week) or an
interval. The change is recorded in Django's admin log (``LogEntry``: who, when,
what), the same log the admin writes when the schedule is changed there, so both
show on the task's admin history and on the run centre."""

from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

CRONTAB, INTERVAL = "crontab", "interval"


def _check_crontab(minute: str, hour: str, day_of_week: str) -> None:
    """Celery's own parser decides what a crontab field may hold."""
    from celery.schedules import ParseException, crontab

    errors = {}
    for name, value, parse in (
        ("minute", minute, lambda v: crontab(minute=v)),
        ("hour", hour, lambda v: crontab(hour=v)),
        ("day_of_week", day_of_week, lambda v: crontab(day_of_week=v)),
    ):
        try:
            parse(value)
        except (ParseException, ValueError):
            errors[name] = _("“%(value)s” is not a valid crontab value.") % {"value": value}
    if errors:
        raise ValidationError(errors)


def _describe(task: PeriodicTask) -> str:
    """The schedule in a short technical form, for the change log."""
    if task.crontab_id:
        c = task.crontab
        return f"crontab {c.minute} {c.hour} {c.day_of_month} {c.month_of_year} {c.day_of_week}"
    if task.interval_id:
        return f"every {task.interval.every} {task.interval.period}"
    return str(task.solar or task.clocked or "-")


@transaction.atomic
def periodic_task_update(
    *,
    task: PeriodicTask,
    enabled: bool,
    schedule: str,
    minute: str = "*",
    hour: str = "*",
    day_of_week: str = "*",
    every: int | None = None,
    period: str = IntervalSchedule.MINUTES,
    actor,
) -> PeriodicTask:
    """Enable or disable a beat schedule and set when it runs: ``schedule`` is
    ``"crontab"`` (minute, hour, days of the week; every day of every month) or
    ``"interval"`` (every ``every`` ``period``). The change is logged with ``actor``;
    ``save()`` tells the beat scheduler to reload."""
    task = PeriodicTask.objects.select_for_update().get(pk=task.pk)
    before = (task.enabled, _describe(task))
    if schedule == CRONTAB:
        minute, hour, day_of_week = minute.strip(), hour.strip(), day_of_week.strip()
        _check_crontab(minute, hour, day_of_week)
        task.crontab, _created = CrontabSchedule.objects.get_or_create(
            minute=minute,
            hour=hour,
            day_of_week=day_of_week,
            day_of_month="*",
            month_of_year="*",
            timezone=settings.TIME_ZONE,
        )
        task.interval = None
    elif schedule == INTERVAL:
        if not every or every < 1:
            raise ValidationError({"every": _("Give how often, at least 1.")})
        if period not in dict(IntervalSchedule.PERIOD_CHOICES):
            raise ValidationError({"period": _("Choose a period.")})
        task.interval, _created = IntervalSchedule.objects.get_or_create(every=every, period=period)
        task.crontab = None
    else:
        raise ValidationError({"schedule": _("Choose a crontab or an interval.")})
    task.solar = task.clocked = None
    task.one_off = False
    task.enabled = enabled
    task.save()
    after = (task.enabled, _describe(task))
    if actor is not None and after != before:
        LogEntry.objects.log_actions(
            user_id=actor.pk,
            queryset=[task],
            action_flag=CHANGE,
            change_message=_("Run centre: %(before)s, enabled %(was)s → %(after)s, enabled %(now)s")
            % {"before": before[1], "was": before[0], "after": after[1], "now": after[0]},
            single_object=True,
        )
    return task


def schedule_content_type() -> ContentType:
    """The content type of beat schedules (for links to their admin history)."""
    return ContentType.objects.get_for_model(PeriodicTask)
