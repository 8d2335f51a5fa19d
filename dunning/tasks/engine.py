"""Celery tasks of collections (engine): the daily dunning run, its chunks and the
letters' PDFs. Thin and idempotent, by id; acks late, so a chunk whose worker dies
is worked again by another (its records make sure nothing is done twice)."""

from celery import shared_task

from ..services import engine, engine_letters

TASK_OPTIONS = {"acks_late": True, "reject_on_worker_lost": True, "max_retries": 3}

__all__ = ["dunning_chunk", "render_letters", "run_daily_dunning"]


@shared_task(ignore_result=True)
def run_daily_dunning() -> int:
    """Daily (Celery beat, 06:00 operator time): the dunning run of today."""
    return engine.dunning_run().pk


@shared_task(ignore_result=True, **TASK_OPTIONS)
def dunning_chunk(run_id: int, account_ids: list[int]) -> int:
    """Do the due dunning steps of one chunk of accounts of a run."""
    return engine.dunning_run_chunk(run_id=run_id, account_ids=account_ids)


@shared_task(ignore_result=True, **TASK_OPTIONS)
def render_letters(record_ids: list[int]) -> None:
    """Render the PDFs of dunning letters (documents queue); done ones are skipped."""
    for record_id in record_ids:
        engine_letters.letter_pdf_render(record_id=record_id)
