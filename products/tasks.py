"""Celery tasks of the catalogue: thin adapters over the services."""

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def refresh_promotions() -> dict[str, int]:
    """Activate promotions whose first day has come; expire those past their last."""
    return services.promotions_refresh()
