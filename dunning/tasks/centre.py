"""Celery tasks of collections (centre): the daily evaluation of the blocking rules."""

from celery import shared_task
from django.utils import timezone

__all__ = ["evaluate_blocking_rules"]


@shared_task(acks_late=True, reject_on_worker_lost=True, max_retries=3)
def evaluate_blocking_rules(actor_id: int | None = None) -> dict:
    """Lift ended blocks and apply every active blocking rule today (idempotent: a
    second run the same day changes nothing). ``actor_id``: who pressed "run now"."""
    from dunning.services.blocking import blocking_rules_evaluate

    actor = None
    if actor_id is not None:
        from django.contrib.auth import get_user_model

        actor = get_user_model().objects.filter(pk=actor_id).first()
    result = blocking_rules_evaluate(today=timezone.localdate(), actor=actor)
    return {
        "blocked": result.blocked,
        "unblocked": result.unblocked,
        "expired": result.expired,
        "reactivated": result.reactivated,
    }
