"""Celery tasks of collections (runs): the chunks of a disconnection or reconnection
run, and the periodic automatic reconnection. Thin and idempotent, by id; acks late,
so a chunk whose worker dies is worked again by another (an account handled is never
handled twice: its item is no longer pending)."""

from datetime import date

from celery import shared_task

from ..services import runs, runs_execute

TASK_OPTIONS = {"acks_late": True, "reject_on_worker_lost": True, "max_retries": 3}

__all__ = ["reconnect_paid_accounts", "service_run_chunk"]


@shared_task(ignore_result=True, **TASK_OPTIONS)
def service_run_chunk(run_id: int, item_ids: list[int], today: str, actor_id: int | None) -> int:
    """Handle one chunk of the accounts of an executing run."""
    from alux_crm.core.models import User

    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    return runs_execute.service_run_chunk(
        run_id=run_id, item_ids=item_ids, today=date.fromisoformat(today), actor=actor
    )


@shared_task(ignore_result=True)
def reconnect_paid_accounts() -> int | None:
    """Every ``DUNNING_RECONNECT_EVERY_MINUTES``: reconnect the accounts that paid (or
    whose promise was approved) through an automatic reconnection run."""
    run = runs.reconnection_run_automatic()
    return run.pk if run else None
