"""Celery tasks of billing: thin, idempotent, by id (acks late: a task whose worker
dies is handed to another worker, and redoing it duplicates nothing)."""

from celery import shared_task

from . import services

TASK_OPTIONS = {"acks_late": True, "reject_on_worker_lost": True, "max_retries": 3}


@shared_task(ignore_result=True, **TASK_OPTIONS)
def bill_chunk(chunk_id: int) -> None:
    """Bill one chunk of a run's accounts."""
    services.billing_run_chunk(chunk_id=chunk_id)


@shared_task(ignore_result=True, **TASK_OPTIONS)
def post_run(run_id: int) -> None:
    """Post an approved run's invoices."""
    services.billing_run_post(run_id=run_id)


@shared_task(ignore_result=True)
def start_due_runs() -> list[int]:
    """Every minute: start the billing runs scheduled for now or earlier."""
    return services.billing_runs_start_due()


@shared_task(ignore_result=True)
def reconcile_ledger() -> list[int]:
    """Nightly: accounts whose cached balance differs from their entries (none expected)."""
    return services.ledger_reconcile()


@shared_task(ignore_result=True, **TASK_OPTIONS)
def render_invoice_pdfs(invoice_ids: list[int]) -> None:
    """Render (and e-mail) the PDFs of posted invoices; done ones are skipped."""
    for invoice_id in invoice_ids:
        services.invoice_pdf_render(invoice_id=invoice_id)
