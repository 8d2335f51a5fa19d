"""A billing run survives a killed worker (BIL-1): SIGKILL the worker half-way,
start another, resume the run, and every account has exactly one invoice."""

import os
import signal
from datetime import date

import pytest

from alux_crm.core.errors import InvalidTransition
from billing import services
from billing.choices import ChunkStatus, RunStatus
from billing.models import BillingRun, Invoice
from products.pricing import BasketItem
from subscriptions import services as sub_services
from tests.conftest import start_celery_worker, stop_celery_worker, wait_for
from tests.products import factories as PF
from tests.subscriptions import factories as SF

ACCOUNTS = 40


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_killed_worker_then_resume_bills_each_account_once(celery_worker_process, settings):
    settings.BILLING_CHUNK_SIZE = 2
    cat = PF.catalogue()
    for _ in range(ACCOUNTS):
        subscription = SF.subscription(
            cat,
            items=[BasketItem(cat.tv), BasketItem(cat.broadband)],
            devices=[],
            signed_on=date(2026, 11, 1),
        )
        sub_services.subscription_activate(subscription=subscription, on=date(2026, 11, 1))
    run = services.billing_run_create(bill_cycle_day=1, period_start=date(2026, 12, 1))

    # When the worker is killed after a few chunks...
    services.billing_run_start(run=run)
    assert wait_for(lambda: run.chunks.filter(status=ChunkStatus.DONE).count() >= 3, timeout=60)
    os.kill(celery_worker_process.pid, signal.SIGKILL)
    celery_worker_process.wait()
    billed_before = Invoice.objects.filter(run=run).count()
    assert 0 < billed_before < ACCOUNTS, billed_before
    assert BillingRun.objects.get(pk=run.pk).status == RunStatus.RUNNING

    # ...and the run is resumed on a new worker,
    second = start_celery_worker()
    try:
        try:
            services.billing_run_resume(run=run)
        except InvalidTransition:
            # The new worker may already have worked the chunks still queued (and the
            # killed worker's unacknowledged ones) before the resume: then it is done.
            assert BillingRun.objects.get(pk=run.pk).status == RunStatus.DRAFT_READY
        assert wait_for(
            lambda: BillingRun.objects.get(pk=run.pk).status == RunStatus.DRAFT_READY, timeout=90
        )
    finally:
        stop_celery_worker(second)

    # then every account has exactly one invoice.
    run.refresh_from_db()
    assert run.invoices.count() == ACCOUNTS
    assert run.accounts_done == ACCOUNTS and run.accounts_failed == 0
    per_account = Invoice.objects.values_list("billing_account_id", flat=True)
    assert len(set(per_account)) == len(per_account) == ACCOUNTS
