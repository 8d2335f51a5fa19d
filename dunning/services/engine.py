"""The dunning engine (BIL-6): which plan an account follows, and the daily run.

The run of a day (``dunning_run``) reads every overdue account in one query, closes
the processes of the accounts that paid, opens processes for the newly overdue
ones, and hands the open processes to Celery in chunks (``dunning_run_chunk``).
A chunk does at most one step per account, the next step of its plan whose day has
come. The step's record and its action are written in one transaction, and a record
is inserted with ``INSERT … ON CONFLICT (process, step) DO NOTHING RETURNING``: only
the rows actually inserted get their action. A chunk worked twice (a killed worker,
the task running twice a day) therefore does nothing twice, and a crash leaves
either both the record and its action or neither.
"""

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Least
from django.utils import timezone

from ..choices import ActionOutcome, DunningRunStatus, ProcessStatus
from ..models import DunningActionRecord, DunningPlan, DunningProcess, DunningRun, DunningStep
from ..selectors import Overdue, held_account_ids, never_disconnect_ids, overdue_accounts
from . import engine_actions

log = logging.getLogger(__name__)

CLOSED_PAID = "paid"
OPEN_BATCH = 5000  # processes inserted per statement when a run opens many


# --- plans ------------------------------------------------------------------------------------
def plan_for_accounts(account_ids: list[int]) -> dict[int, DunningPlan]:
    """The plan each account follows, by account id: the plan Back Office set on the
    account, else the active plan naming the customer's segment, else the default
    plan (accounts with none of these are left out). Two queries for any number of
    accounts."""
    plans = {plan.pk: plan for plan in DunningPlan.objects.all()}
    default = next((p for p in plans.values() if p.is_default and p.is_active), None)
    by_segment: dict[str, DunningPlan] = {}
    for plan in sorted(plans.values(), key=lambda p: p.pk):
        if plan.is_active:
            for segment in plan.segments:
                by_segment.setdefault(segment, plan)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT account.id, customer.segment, settings.plan_id
            FROM customers_billingaccount account
            JOIN customers_customer customer ON customer.id = account.customer_id
            LEFT JOIN dunning_accountcollectionsettings settings
                   ON settings.billing_account_id = account.id
            WHERE account.id = ANY(%s)
            """,
            [list(account_ids)],
        )
        rows = cursor.fetchall()
    resolved = {}
    for account_id, segment, own_plan_id in rows:
        plan = plans.get(own_plan_id) or by_segment.get(segment) or default
        if plan is not None:
            resolved[account_id] = plan
    return resolved


# --- the daily run ----------------------------------------------------------------------------
def dunning_run(*, today: date | None = None, actor=None) -> DunningRun:
    """Run (or run again) the dunning of ``today``: one run per day, a second call
    the same day reworks the same run, and the records make sure that nothing is
    done twice. Returns the run; its chunks are worked by Celery after commit and
    its status becomes "done" when every account is handled."""
    with transaction.atomic():
        run, chunks = _start(today=today or timezone.localdate(), actor=actor)
        transaction.on_commit(lambda: _dispatch(run.pk, chunks))
    if not chunks:
        _finish(run.pk)
        run.refresh_from_db()
    return run


def dunning_run_inline(*, today: date | None = None, actor=None) -> DunningRun:
    """``dunning_run`` with its chunks worked here, one after the other (the demo,
    a management shell); the same records and rules."""
    with transaction.atomic():
        run, chunks = _start(today=today or timezone.localdate(), actor=actor)
    for chunk in chunks:
        dunning_run_chunk(run_id=run.pk, account_ids=chunk)
    _finish(run.pk)
    run.refresh_from_db()
    return run


def _start(*, today: date, actor) -> tuple[DunningRun, list[list[int]]]:
    """Get or create the run of the day, settle the processes and split the open
    ones into chunks of account ids (in the caller's transaction)."""
    run, _created = DunningRun.objects.get_or_create(
        run_on=today, defaults={"started_at": timezone.now(), "started_by": actor}
    )
    run = DunningRun.objects.select_for_update().get(pk=run.pk)
    overdue = overdue_accounts(today=today)
    _close_settled(overdue=overdue, today=today)
    _open_new(overdue=overdue, today=today)
    account_ids = sorted(
        DunningProcess.objects.filter(status=ProcessStatus.OPEN).values_list(
            "billing_account_id", flat=True
        )
    )
    recorded = DunningActionRecord.objects.filter(run=run)
    run.status = DunningRunStatus.RUNNING
    run.finished_at = None
    run.accounts_total = len(account_ids)
    run.accounts_done = 0
    run.actions_done = recorded.exclude(outcome=ActionOutcome.FAILED).count()
    run.actions_failed = recorded.filter(outcome=ActionOutcome.FAILED).count()
    if actor is not None:
        run.started_by = actor
    run.save()
    size = settings.DUNNING_CHUNK_SIZE
    return run, [account_ids[i : i + size] for i in range(0, len(account_ids), size)]


def _dispatch(run_id: int, chunks: list[list[int]]) -> None:
    from ..tasks.engine import dunning_chunk

    for chunk in chunks:
        dunning_chunk.delay(run_id, chunk)


def _close_settled(*, overdue: dict[int, Overdue], today: date) -> int:
    """Close the open processes of the accounts that owe nothing overdue any more."""
    return (
        DunningProcess.objects.filter(status=ProcessStatus.OPEN)
        .exclude(billing_account_id__in=_ids_table(list(overdue)))
        .update(
            status=ProcessStatus.CLOSED,
            closed_on=today,
            closed_reason=CLOSED_PAID,
            updated_at=timezone.now(),
        )
    )


def _ids_table(ids: list[int]):
    """``id IN (SELECT unnest(array))``: one parameter however many ids."""
    from django.db.models.expressions import RawSQL

    return RawSQL("SELECT unnest(%s::bigint[])", (ids,))


def _open_new(*, overdue: dict[int, Overdue], today: date) -> int:
    """Open a process for every overdue account without one, when the amount reaches
    its plan's minimum and the plan's grace days have passed."""
    already = set(
        DunningProcess.objects.filter(status=ProcessStatus.OPEN).values_list(
            "billing_account_id", flat=True
        )
    )
    candidates = [pk for pk in overdue if pk not in already]
    if not candidates:
        return 0
    plans = plan_for_accounts(candidates)
    now = timezone.now()
    new = []
    for pk in candidates:
        plan, owed = plans.get(pk), overdue[pk]
        if plan is None or owed.amount < plan.min_overdue_amount:
            continue
        if today <= owed.oldest_due_on + timedelta(days=plan.grace_days):
            continue
        new.append(
            DunningProcess(
                billing_account_id=pk,
                plan=plan,
                due_on=owed.oldest_due_on,
                overdue_amount=owed.amount,
                started_on=today,
                created_at=now,
                updated_at=now,
            )
        )
    DunningProcess.objects.bulk_create(new, batch_size=OPEN_BATCH, ignore_conflicts=True)
    return len(new)


# --- one chunk --------------------------------------------------------------------------------
@dataclass
class Due:
    """A step due on a process in this chunk (before its record is inserted)."""

    process: DunningProcess
    step: DunningStep
    overdue: Overdue
    never_disconnect: bool = False


def dunning_run_chunk(*, run_id: int, account_ids: list[int]) -> int:
    """Do the due step of each open process of ``account_ids`` (a Celery task calls
    this): held accounts get none, every other account at most one per run. The
    records, their actions and the run's counters are one transaction. Returns the
    number of steps recorded."""
    run = DunningRun.objects.get(pk=run_id)
    with transaction.atomic():
        recorded = _work(run=run, account_ids=account_ids)
        DunningRun.objects.filter(pk=run.pk).update(
            accounts_done=Least(F("accounts_done") + len(account_ids), F("accounts_total")),
            actions_done=F("actions_done") + recorded[0],
            actions_failed=F("actions_failed") + recorded[1],
        )
    _finish(run.pk)
    return recorded[0] + recorded[1]


def _work(*, run: DunningRun, account_ids: list[int]) -> tuple[int, int]:
    today, now = run.run_on, timezone.now()
    processes = list(
        DunningProcess.objects.filter(billing_account_id__in=account_ids, status=ProcessStatus.OPEN)
        .select_related("billing_account__customer", "billing_account__billing_address")
        .order_by("pk")
    )
    if not processes:
        return 0, 0
    overdue = overdue_accounts(today=today, account_ids=account_ids)
    _refresh_amounts(processes, overdue)
    held = held_account_ids(account_ids=account_ids, today=today)
    never = never_disconnect_ids(account_ids=account_ids)
    steps = _steps_by_plan({p.plan_id for p in processes})
    done_steps, done_today = _recorded(processes, today)
    due = []
    for process in processes:
        account_id = process.billing_account_id
        owed = overdue.get(account_id)
        if owed is None or account_id in held or process.pk in done_today:
            continue
        recorded = done_steps.get(process.pk, set())
        step = next((s for s in steps.get(process.plan_id, []) if s.pk not in recorded), None)
        if step is None or process.due_on + timedelta(days=step.days_after_due) > today:
            continue
        item = Due(process=process, step=step, overdue=owed)
        item.never_disconnect = account_id in never
        due.append(item)
    inserted = _insert_records(due, run=run, now=now)
    todo = [
        (inserted[key], item)
        for item in due
        if (key := (item.process.pk, item.step.pk)) in inserted
    ]
    results = engine_actions.perform(todo, today=today)
    engine_actions.save_results(results)
    failed = sum(1 for r in results if r.outcome == ActionOutcome.FAILED)
    return len(results) - failed, failed


def _refresh_amounts(processes: list[DunningProcess], overdue: dict[int, Overdue]) -> None:
    """Keep each open process's overdue amount current (one statement)."""
    changed = [
        (p.pk, overdue[p.billing_account_id].amount)
        for p in processes
        if p.billing_account_id in overdue
        and p.overdue_amount != overdue[p.billing_account_id].amount
    ]
    if not changed:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE dunning_dunningprocess process SET overdue_amount = new.amount
            FROM unnest(%s::bigint[], %s::numeric[]) AS new(id, amount)
            WHERE process.id = new.id
            """,
            [[pk for pk, _a in changed], [amount for _pk, amount in changed]],
        )


def _steps_by_plan(plan_ids: set[int]) -> dict[int, list[DunningStep]]:
    steps: dict[int, list[DunningStep]] = {}
    for step in DunningStep.objects.filter(plan_id__in=plan_ids).order_by("plan_id", "position"):
        steps.setdefault(step.plan_id, []).append(step)
    return steps


def _recorded(processes, today: date) -> tuple[dict[int, set[int]], set[int]]:
    """The steps already recorded per process, and the processes with a step today."""
    done: dict[int, set[int]] = {}
    today_ids: set[int] = set()
    rows = DunningActionRecord.objects.filter(process__in=[p.pk for p in processes]).values_list(
        "process_id", "step_id", "done_on"
    )
    for process_id, step_id, done_on in rows:
        done.setdefault(process_id, set()).add(step_id)
        if done_on == today:
            today_ids.add(process_id)
    return done, today_ids


INSERT_RECORDS = """
INSERT INTO dunning_dunningactionrecord
    (process_id, step_id, billing_account_id, action, outcome, detail, run_id, done_on,
     done_at, document)
SELECT process_id, step_id, account_id, action, %(outcome)s, '', %(run)s, %(today)s, %(now)s, ''
FROM unnest(%(processes)s::bigint[], %(steps)s::bigint[], %(accounts)s::bigint[],
            %(actions)s::varchar[]) AS new(process_id, step_id, account_id, action)
ON CONFLICT (process_id, step_id) DO NOTHING
RETURNING id, process_id, step_id
"""


def _insert_records(due: list[Due], *, run: DunningRun, now) -> dict[tuple[int, int], int]:
    """Insert the records of the due steps; a step recorded meanwhile (by another
    worker) is left out. Returns the inserted records' ids by (process, step)."""
    if not due:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            INSERT_RECORDS,
            {
                "outcome": ActionOutcome.DONE,
                "run": run.pk,
                "today": run.run_on,
                "now": now,
                "processes": [d.process.pk for d in due],
                "steps": [d.step.pk for d in due],
                "accounts": [d.process.billing_account_id for d in due],
                "actions": [d.step.action for d in due],
            },
        )
        return {(process_id, step_id): pk for pk, process_id, step_id in cursor.fetchall()}


def _finish(run_id: int) -> None:
    """The run is done once every account of it is handled."""
    DunningRun.objects.filter(
        Q(accounts_done__gte=F("accounts_total")), pk=run_id, status=DunningRunStatus.RUNNING
    ).update(status=DunningRunStatus.DONE, finished_at=timezone.now())


def dunning_run_progress(*, run: DunningRun) -> int:
    """Percent of the run's accounts handled (100 when it has none)."""
    if not run.accounts_total:
        return 100 if run.status == DunningRunStatus.DONE else 0
    return min(100, run.accounts_done * 100 // run.accounts_total)
