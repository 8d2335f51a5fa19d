"""Celery tasks of collections (holds): the evaluation of promises to pay, payment
plans and deposits (hourly by the beat schedule ``dunning-evaluate-holds``)."""

from celery import shared_task

__all__ = ["evaluate_holds"]


@shared_task(acks_late=True, reject_on_worker_lost=True, max_retries=3)
def evaluate_holds() -> dict:
    """Promises kept or broken, instalments paid or missed, deposits cancelled or
    refunded (``dunning.services.holds.holds_evaluate``); safe to run twice."""
    from dunning.services.holds import holds_evaluate

    return holds_evaluate()
