"""Celery tasks of the core: thin adapters over the outbox services."""

from celery import shared_task

from .outbox import outbox_deliver, outbox_due_ids


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def deliver_outbox_message(message_id: int) -> str:
    """Deliver one outbox message; schedule the next attempt when it failed."""
    outcome = outbox_deliver(message_id=message_id)
    if outcome.retry_in is not None:
        deliver_outbox_message.apply_async((message_id,), countdown=outcome.retry_in)
    return outcome.status


@shared_task(ignore_result=True)
def outbox_dispatch_due() -> int:
    """Re-queue pending messages whose delivery task went missing."""
    ids = outbox_due_ids()
    for message_id in ids:
        deliver_outbox_message.delay(message_id)
    return len(ids)
