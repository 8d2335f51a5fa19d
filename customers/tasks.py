"""Celery tasks of the customers app: thin adapters over the services."""

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def recompute_customer_tiers() -> int:
    """Recompute every customer's tier from value and tenure (CUS-10, nightly)."""
    return services.customers_recompute_tiers()
