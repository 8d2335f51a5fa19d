"""Objects and URL arguments of the collections pages (centre: blocking rules, run
centre, schedules) for the access matrix test, merged by ``objects_holds.py``."""


def _pk(key):
    return lambda ctx: {"pk": ctx[key].pk}


URL_KWARGS: dict = {
    **{
        f"dunning:blocking_rule_{name}": _pk("centre_rule")
        for name in ("detail", "edit", "deactivate")
    },
    "dunning:schedule_edit": _pk("centre_schedule"),
}


def objects(account, subscription) -> dict:
    """A blocking rule (matching no one) and a beat schedule."""
    from decimal import Decimal

    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    from dunning.services.blocking import blocking_rule_create

    rule = blocking_rule_create(
        actor=None,
        name="Matrix rule",
        action="block",
        min_monthly_value=Decimal("999999.00"),
        block_days=30,
        reason="Access matrix",
    )
    crontab = CrontabSchedule.objects.create(minute="30", hour="5")
    schedule = PeriodicTask.objects.create(
        name="matrix-schedule", task="dunning.tasks.centre.evaluate_blocking_rules", crontab=crontab
    )
    return {"centre_rule": rule, "centre_schedule": schedule}
