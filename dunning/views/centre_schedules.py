"""How the run centre says when a beat schedule runs, in the user's language."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

WEEKDAYS = {
    "0": gettext_lazy("Sunday"),
    "1": gettext_lazy("Monday"),
    "2": gettext_lazy("Tuesday"),
    "3": gettext_lazy("Wednesday"),
    "4": gettext_lazy("Thursday"),
    "5": gettext_lazy("Friday"),
    "6": gettext_lazy("Saturday"),
    "7": gettext_lazy("Sunday"),
}


def _interval_words(interval) -> str:
    n, period = interval.every, interval.period
    words = {
        "days": ngettext("Every day", "Every %(n)s days", n),
        "hours": ngettext("Every hour", "Every %(n)s hours", n),
        "minutes": ngettext("Every minute", "Every %(n)s minutes", n),
        "seconds": ngettext("Every second", "Every %(n)s seconds", n),
        "microseconds": ngettext("Every microsecond", "Every %(n)s microseconds", n),
    }
    return words.get(period, f"{n} {period}") % {"n": n}


def _days_words(day_of_week: str) -> str:
    if day_of_week in ("*", ""):
        return ""
    if day_of_week in ("1-5", "mon-fri"):
        return _("Monday to Friday")
    names = [str(WEEKDAYS.get(part, part)) for part in day_of_week.split(",")]
    return ", ".join(names)


def _crontab_words(c) -> str:
    plain = c.day_of_month == "*" and c.month_of_year == "*"
    days = _days_words(c.day_of_week)
    if plain and c.minute.isdigit() and c.hour.isdigit():
        at = f"{int(c.hour):02d}:{int(c.minute):02d}"
        if days:
            return _("%(days)s at %(time)s") % {"days": days, "time": at}
        return _("Every day at %(time)s") % {"time": at}
    if plain and c.minute.isdigit() and c.hour == "*" and not days:
        return _("Every hour at minute %(minute)s") % {"minute": int(c.minute)}
    return _("Crontab %(expr)s (minute hour day month weekday)") % {
        "expr": f"{c.minute} {c.hour} {c.day_of_month} {c.month_of_year} {c.day_of_week}"
    }


def schedule_in_words(task) -> str:
    """“Every day at 06:00”, “Every hour at minute 10”, “Every 5 minutes”…"""
    if task.crontab_id:
        return _crontab_words(task.crontab)
    if task.interval_id:
        return _interval_words(task.interval)
    if task.solar_id or task.clocked_id:
        return str(task.solar or task.clocked)
    return _("No schedule")
