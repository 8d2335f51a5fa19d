"""The dunning run on real Celery workers (BIL-6): a worker killed half-way, the task
run again on another worker, and each account got its step exactly once."""

import os
import signal
from datetime import timedelta

import pytest

from alux_crm.core.models import OutboxMessage
from dunning.choices import DunningRunStatus
from dunning.models import DunningActionRecord, DunningRun
from dunning.services import engine
from tests.conftest import start_celery_worker, stop_celery_worker, wait_for
from tests.dunning.engine_world import DUE, debtor, full_plan

ACCOUNTS = 30


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_killed_worker_then_rerun_does_each_step_once(celery_worker_process, settings):
    settings.DUNNING_CHUNK_SIZE = 2
    full_plan()
    accounts = [debtor() for _ in range(ACCOUNTS)]
    day = DUE + timedelta(days=3)

    # When the worker is killed after a few chunks...
    engine.dunning_run(today=day)
    assert wait_for(lambda: DunningActionRecord.objects.count() >= 4, timeout=60)
    os.kill(celery_worker_process.pid, signal.SIGKILL)
    celery_worker_process.wait()
    assert DunningRun.objects.get(run_on=day).status == DunningRunStatus.RUNNING

    # ...and the daily task runs again on a new worker,
    second = start_celery_worker()
    try:
        engine.dunning_run(today=day)
        assert wait_for(
            lambda: DunningRun.objects.get(run_on=day).status == DunningRunStatus.DONE,
            timeout=120,
        )
    finally:
        stop_celery_worker(second)

    # then every account got its e-mail exactly once, each with its record.
    records = DunningActionRecord.objects.filter(action="email")
    assert sorted(records.values_list("billing_account_id", flat=True)) == sorted(
        a.pk for a in accounts
    )
    assert OutboxMessage.objects.filter(topic="email").count() == ACCOUNTS
    assert not records.filter(outbox_message__isnull=True).exists()
    run = DunningRun.objects.get(run_on=day)
    assert run.accounts_done == run.accounts_total == ACCOUNTS
