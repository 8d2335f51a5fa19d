"""Disconnection and reconnection runs (BIL-7): Back Office sets the selection,
previews the accounts with their totals, excludes some by hand and executes.

Execution is Celery work in chunks of items (``runs_execute.service_run_chunk``):
every item is checked again when its chunk runs and handled once (its outcome moves
off ``pending`` under a row lock, in the same transaction as the changes it makes),
so a chunk delivered twice or a run resumed after a crash does nothing twice. The
periodic task ``dunning.tasks.runs.reconnect_paid_accounts`` creates, previews and
executes an automatic reconnection run whenever there is someone to reconnect.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from alux_crm.core.errors import DomainError, InvalidTransition
from alux_crm.core.money import ZERO

from ..choices import SERVICE_RUN_TRANSITIONS, RunItemOutcome, RunKind, ServiceRunStatus
from ..models import ServiceRun, ServiceRunItem
from .runs_selection import Candidate, disconnection_candidates, reconnection_candidates

S = ServiceRunStatus
O = RunItemOutcome  # noqa: E741


def _move(run: ServiceRun, to_status: str) -> None:
    """Check ``choices.SERVICE_RUN_TRANSITIONS`` (the run must be locked)."""
    if to_status not in SERVICE_RUN_TRANSITIONS[run.status]:
        raise InvalidTransition(
            _("A run that is %(status)s cannot be %(to)s.")
            % {"status": run.get_status_display().lower(), "to": S(to_status).label.lower()}
        )
    run.status = to_status


def _locked(run: ServiceRun) -> ServiceRun:
    return ServiceRun.objects.select_for_update().get(pk=run.pk)


@transaction.atomic
def service_run_create(
    *,
    kind: str,
    actor=None,
    name: str = "",
    min_days_overdue: int = 30,
    min_amount: Decimal = ZERO,
    segments: list[str] = (),
    regions: list[str] = (),
    automatic: bool = False,
) -> ServiceRun:
    """A draft disconnection or reconnection run with its selection criteria."""
    if kind not in RunKind.values:
        raise DomainError(_("Unknown kind of run."), code="invalid_kind")
    if min_amount < 0:
        raise DomainError(_("The amount cannot be negative."), code="invalid_amount")
    return ServiceRun.objects.create(
        kind=kind,
        name=name or "",
        min_days_overdue=min_days_overdue,
        min_amount=min_amount,
        segments=sorted(set(segments)),
        regions=sorted(set(regions)),
        automatic=automatic,
        created_by=actor,
    )


def selection(*, run: ServiceRun, today: date) -> list[Candidate]:
    """The accounts the run's criteria select on ``today`` (nothing is written)."""
    if run.kind == RunKind.DISCONNECTION:
        return disconnection_candidates(run=run, today=today)
    return reconnection_candidates(run=run, today=today)


def _set_totals(run: ServiceRun) -> None:
    """Accounts and overdue sum of the items to execute (excluded ones do not count)."""
    totals = run.items.filter(outcome=O.PENDING).aggregate(
        n=Count("id"), amount=Sum("overdue_amount")
    )
    run.accounts_total = totals["n"]
    run.amount_total = totals["amount"] or ZERO
    run.save(update_fields=["accounts_total", "amount_total", "updated_at"])


@transaction.atomic
def service_run_preview(
    *, run: ServiceRun, today: date | None = None, actor=None, candidates=None
) -> ServiceRun:
    """List the accounts the criteria select as the run's items, with the totals. A
    preview again replaces the items; an account excluded by hand stays excluded
    (while it is still selected)."""
    today = today or timezone.localdate()
    run = _locked(run)
    _move(run, S.PREVIEWED)
    found = candidates if candidates is not None else selection(run=run, today=today)
    excluded = dict(
        run.items.filter(outcome=O.EXCLUDED).values_list("billing_account_id", "excluded_by_id")
    )
    run.items.all().delete()
    ServiceRunItem.objects.bulk_create(
        [
            ServiceRunItem(
                run=run,
                billing_account_id=c.billing_account_id,
                overdue_amount=c.overdue_amount,
                days_overdue=c.days_overdue,
                outcome=O.EXCLUDED if c.billing_account_id in excluded else O.PENDING,
                excluded_by_id=excluded.get(c.billing_account_id),
            )
            for c in found
        ],
        batch_size=5000,
    )
    run.previewed_at = timezone.now()
    run.save(update_fields=["status", "previewed_at", "updated_at"])
    _set_totals(run)
    return run


@transaction.atomic
def service_run_item_exclude(*, item: ServiceRunItem, exclude: bool = True, actor=None):
    """Exclude an account from a previewed run by hand (``exclude=False``: include
    it again); the totals follow."""
    run = _locked(item.run)
    if run.status != S.PREVIEWED:
        raise InvalidTransition(_("Accounts are excluded or included only before execution."))
    item = ServiceRunItem.objects.select_for_update().get(pk=item.pk)
    wanted = O.EXCLUDED if exclude else O.PENDING
    if item.outcome != wanted:
        item.outcome = wanted
        item.excluded_by = actor if exclude else None
        item.save(update_fields=["outcome", "excluded_by"])
        _set_totals(run)
    item.run = run
    return item


@transaction.atomic
def service_run_cancel(*, run: ServiceRun, actor=None) -> ServiceRun:
    """Cancel a run before its execution (a draft or a preview)."""
    run = _locked(run)
    _move(run, S.CANCELLED)
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "finished_at", "updated_at"])
    return run


def _chunks(ids: list[int]) -> list[list[int]]:
    size = settings.DUNNING_SERVICE_RUN_CHUNK_SIZE
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def _dispatch(run: ServiceRun, today: date, actor) -> None:
    """Queue the chunks of the run's pending items after commit."""
    from ..tasks.runs import service_run_chunk

    ids = list(run.items.filter(outcome=O.PENDING).order_by("pk").values_list("pk", flat=True))
    actor_id = actor.pk if actor else None
    chunks = _chunks(ids)

    def send():
        for chunk in chunks:
            service_run_chunk.delay(run.pk, chunk, today.isoformat(), actor_id)

    transaction.on_commit(send)


@transaction.atomic
def service_run_execute(
    *, run: ServiceRun, actor=None, today: date | None = None, inline: bool = False
) -> ServiceRun:
    """Execute a previewed run: its pending accounts are handled by Celery in chunks
    (``DUNNING_SERVICE_RUN_CHUNK_SIZE`` accounts each), each checked again first.
    ``inline`` works the chunks in this process instead (the demo, small runs)."""
    today = today or timezone.localdate()
    run = _locked(run)
    _move(run, S.EXECUTING)
    if not run.items.filter(outcome=O.PENDING).exists():
        raise DomainError(
            _("There is no account to execute: preview the run again or include some.")
        )
    run.executed_by = actor
    run.started_at = timezone.now()
    run.accounts_done = 0
    run.save(update_fields=["status", "executed_by", "started_at", "accounts_done", "updated_at"])
    _set_totals(run)
    if not inline:
        _dispatch(run, today, actor)
        return run
    from .runs_execute import service_run_chunk

    ids = list(run.items.filter(outcome=O.PENDING).order_by("pk").values_list("pk", flat=True))
    for chunk in _chunks(ids):
        service_run_chunk(run_id=run.pk, item_ids=chunk, today=today, actor=actor)
    run.refresh_from_db()
    return run


@transaction.atomic
def service_run_resume(*, run: ServiceRun, actor=None, today: date | None = None) -> ServiceRun:
    """Queue the accounts an executing run has not handled yet again (after a worker
    or broker was lost); handled accounts are never handled twice."""
    run = _locked(run)
    if run.status != S.EXECUTING:
        raise InvalidTransition(_("Only an executing run is resumed."))
    _dispatch(run, today or timezone.localdate(), actor or run.executed_by)
    return run


def finish_if_done(run_id: int) -> bool:
    """Mark the run done when no item is pending (call in the transaction that
    counted the chunk, after its row lock on the run)."""
    if ServiceRunItem.objects.filter(run_id=run_id, outcome=O.PENDING).exists():
        return False
    return bool(
        ServiceRun.objects.filter(pk=run_id, status=S.EXECUTING).update(
            status=S.DONE, finished_at=timezone.now(), updated_at=timezone.now()
        )
    )


@dataclass(frozen=True)
class RunProgress:
    """How far an executing run is: percent, and accounts by outcome."""

    percent: int
    outcomes: dict[str, int]


def service_run_progress(*, run: ServiceRun) -> RunProgress:
    """Percent of the accounts handled and the count of each outcome."""
    counts = dict(
        run.items.values_list("outcome").annotate(n=Count("id")).values_list("outcome", "n")
    )
    to_do = run.accounts_total or 0
    percent = int(100 * run.accounts_done / to_do) if to_do else 0
    if run.status == S.DONE:
        percent = 100
    return RunProgress(percent=min(percent, 100), outcomes=counts)


def reconnection_run_automatic(
    *, today: date | None = None, inline: bool = False
) -> ServiceRun | None:
    """The periodic reconnection (``DUNNING_RECONNECT_EVERY_MINUTES``): when someone
    paid (or was approved on a promise), an automatic reconnection run is created,
    previewed and executed; with nobody to reconnect, no run is left behind. Skipped
    while an automatic run of an earlier turn still executes (one that has executed
    for a whole turn lost its tasks: its pending accounts are queued again)."""
    today = today or timezone.localdate()
    busy = ServiceRun.objects.filter(
        kind=RunKind.RECONNECTION, automatic=True, status=S.EXECUTING
    ).first()
    if busy is not None:
        turn = timedelta(minutes=settings.DUNNING_RECONNECT_EVERY_MINUTES)
        if busy.started_at and busy.started_at < timezone.now() - turn:
            service_run_resume(run=busy, today=today)
        return None
    probe = ServiceRun(kind=RunKind.RECONNECTION, automatic=True)
    found = reconnection_candidates(run=probe, today=today)
    if not found:
        return None
    with transaction.atomic():
        run = service_run_create(
            kind=RunKind.RECONNECTION,
            automatic=True,
            name=_("Automatic reconnection %(day)s") % {"day": today.isoformat()},
            min_days_overdue=0,
        )
        run = service_run_preview(run=run, today=today, candidates=found)
        return service_run_execute(run=run, today=today, inline=inline)
