"""Celery tasks of subscriptions: thin adapters over the services."""

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def run_resting_periods() -> dict[str, int]:
    """Start resting periods whose first day has come; resume those that ended."""
    return services.resting_periods_run()


@shared_task(ignore_result=True)
def apply_change_orders() -> int:
    """Apply the plan changes whose effective day has come."""
    return services.change_orders_apply_due()


@shared_task(ignore_result=True)
def run_cancellations() -> int:
    """End the subscriptions whose approved cancellation date has come."""
    return services.cancellations_run()


@shared_task(ignore_result=True)
def charge_prepaid_subscriptions() -> dict[str, int]:
    """Charge one day of every active prepaid subscription (SUB-9)."""
    return services.prepaid_run()
