"""Billing runs (BIL-1, BIL-2, BIL-8): scheduled → running → draft ready → approved →
posting → posted (or failed, retryable; or discarded, leaving nothing behind).

A run splits the paying accounts of its bill cycle into chunks of account ids; a
Celery task bills a chunk (``billing_run_chunk``): for each paying account, the
charges of the period of every subscription of the account and of the non-paying
accounts below it (their charges roll up), priced by ``subscriptions.charges``, make
one draft invoice. One invoice per account and period is a unique constraint, so a
chunk that runs twice (a killed worker, a retry) creates nothing twice. Approval by
Billing & Finance posts the drafts: a gapless number each, one ledger entry each.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from alux_crm.core.errors import DomainError, InvalidTransition
from alux_crm.core.money import ZERO
from customers.models import BillingAccount
from subscriptions.charges import period_charges
from subscriptions.choices import SubscriptionStatus
from subscriptions.models import Subscription

from ..choices import RUN_TRANSITIONS, ChunkStatus, EntryKind, InvoiceStatus, LineKind, RunStatus
from ..models import BillingRun, BillingRunChunk, BillingRunError, Invoice, InvoiceLine
from .ledger import ledger_post
from .numbering import next_invoice_number
from .payments import allocate_open_payments

POSTING_BATCH = 200  # invoices per posting transaction (the series row stays locked)
BILLED_STATUSES = [
    s for s in SubscriptionStatus.values if s != SubscriptionStatus.PENDING_INSTALLATION
]


def _move(run: BillingRun, target: str) -> BillingRun:
    run = BillingRun.objects.select_for_update().get(pk=run.pk)
    if target not in RUN_TRANSITIONS[run.status]:
        raise InvalidTransition(
            _("A billing run cannot go from %(from)s to %(to)s.")
            % {"from": run.get_status_display(), "to": RunStatus(target).label}
        )
    run.status = target
    return run


@transaction.atomic
def billing_run_create(
    *, bill_cycle_day: int, period_start: date, actor=None, scheduled_for=None
) -> BillingRun:
    """Schedule the run of a bill cycle for the period starting ``period_start``
    (which falls on the cycle day). Refused when the cycle and period have a run."""
    if period_start.day != bill_cycle_day:
        raise DomainError(
            _("A period of cycle %(day)s starts on day %(day)s.") % {"day": bill_cycle_day}
        )
    if BillingRun.objects.filter(bill_cycle_day=bill_cycle_day, period_start=period_start).exclude(
        status=RunStatus.DISCARDED
    ):
        raise DomainError(_("This cycle and period already has a run."))
    return BillingRun.objects.create(
        bill_cycle_day=bill_cycle_day,
        period_start=period_start,
        period_end=period_start + relativedelta(months=1),
        created_by=actor,
        scheduled_for=scheduled_for,
    )


def paying_accounts(run: BillingRun):
    """The paying accounts of the run's cycle (active ones), by id."""
    return BillingAccount.objects.filter(
        bill_cycle_day=run.bill_cycle_day, is_paying=True, status="active"
    ).order_by("pk")


@transaction.atomic
def billing_run_start(*, run: BillingRun, actor=None) -> BillingRun:
    """Split the run into chunks and hand them to the workers (after commit)."""
    run = _move(run, RunStatus.RUNNING)
    run.started_at = run.started_at or timezone.now()
    ids = list(paying_accounts(run).values_list("pk", flat=True))
    size = settings.BILLING_CHUNK_SIZE
    chunks = [ids[i : i + size] for i in range(0, len(ids), size)]
    BillingRunChunk.objects.bulk_create(
        [
            BillingRunChunk(run=run, first_account_id=c[0], last_account_id=c[-1], accounts=len(c))
            for c in chunks
        ],
        ignore_conflicts=True,
    )
    run.accounts_total = len(ids)
    run.save(update_fields=["status", "started_at", "accounts_total", "updated_at"])
    _dispatch_pending(run)
    if not ids:
        _finish(run.pk)
    return run


def _dispatch_pending(run: BillingRun) -> None:
    from ..tasks import bill_chunk

    pending = list(run.chunks.filter(status=ChunkStatus.PENDING).values_list("pk", flat=True))
    transaction.on_commit(lambda: [bill_chunk.delay(pk) for pk in pending])


def billing_run_chunk(*, chunk_id: int) -> None:
    """Bill the accounts of one chunk (a Celery task calls this). Each account is its
    own transaction; an account that fails is recorded and the others go on."""
    chunk = BillingRunChunk.objects.select_related("run").get(pk=chunk_id)
    run = chunk.run
    if chunk.status == ChunkStatus.DONE or run.status != RunStatus.RUNNING:
        return
    BillingRunChunk.objects.filter(pk=chunk.pk).update(attempts=F("attempts") + 1)
    accounts = paying_accounts(run).filter(
        pk__gte=chunk.first_account_id, pk__lte=chunk.last_account_id
    )
    done = failed = 0
    for account in accounts.iterator(chunk_size=100):
        try:
            with transaction.atomic():
                bill_account(run=run, account=account)
                BillingRunError.objects.filter(run=run, billing_account=account).delete()
            done += 1
        except Exception as error:  # noqa: BLE001 - any failure of one account is recorded
            BillingRunError.objects.update_or_create(
                run=run,
                billing_account=account,
                defaults={"message": f"{type(error).__name__}: {error}"},
            )
            failed += 1
    with transaction.atomic():
        BillingRunChunk.objects.filter(pk=chunk.pk).update(
            status=ChunkStatus.DONE, finished_at=timezone.now(), billed=done, failed=failed
        )
        _count(run.pk)
    _finish(run.pk)


def _count(run_id: int) -> None:
    """The run's counters from its chunks (a chunk worked twice counts once)."""
    totals = BillingRunChunk.objects.filter(run_id=run_id).aggregate(
        billed=Sum("billed"), failed=Sum("failed")
    )
    BillingRun.objects.filter(pk=run_id).update(
        accounts_done=totals["billed"] or 0, accounts_failed=totals["failed"] or 0
    )


def _finish(run_id: int) -> None:
    """When every chunk is done: draft ready, or failed when some accounts failed."""
    with transaction.atomic():
        run = BillingRun.objects.select_for_update().get(pk=run_id)
        if run.status != RunStatus.RUNNING or run.chunks.exclude(status=ChunkStatus.DONE).exists():
            return
        run.status = RunStatus.FAILED if run.errors.exists() else RunStatus.DRAFT_READY
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "finished_at", "updated_at"])


@transaction.atomic
def billing_run_resume(*, run: BillingRun, actor=None) -> BillingRun:
    """Resume a run whose worker died, or retry the accounts of a failed run: the
    chunks not done (and those holding failed accounts) are worked again; what was
    billed stays billed."""
    run = BillingRun.objects.select_for_update().get(pk=run.pk)
    if run.status == RunStatus.FAILED:
        run = _move(run, RunStatus.RUNNING)
        failed_ids = list(run.errors.values_list("billing_account_id", flat=True))
        for chunk in run.chunks.all():
            if any(chunk.first_account_id <= pk <= chunk.last_account_id for pk in failed_ids):
                chunk.status = ChunkStatus.PENDING
                chunk.billed = chunk.failed = 0
                chunk.save(update_fields=["status", "billed", "failed"])
        run.save(update_fields=["status", "updated_at"])
        _count(run.pk)
    elif run.status != RunStatus.RUNNING:
        raise InvalidTransition(_("Only a running or failed run can be resumed."))
    _dispatch_pending(run)
    return run


def rolled_up_account_ids(account_id: int) -> list[int]:
    """The paying account and every account below it that is not paying itself (their
    charges are billed to it, BIL-8), through a recursive query of any depth."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH RECURSIVE rolled(id) AS (
                SELECT id FROM customers_billingaccount WHERE id = %s
                UNION ALL
                SELECT child.id FROM customers_billingaccount child
                JOIN rolled ON child.parent_id = rolled.id
                WHERE NOT child.is_paying
            )
            SELECT id FROM rolled
            """,
            [account_id],
        )
        return [row[0] for row in cursor.fetchall()]


def bill_account(*, run: BillingRun, account: BillingAccount) -> Invoice | None:
    """Draft the invoice of one paying account for the run's period (nothing when it
    already has one, or has nothing to charge)."""
    if Invoice.objects.filter(
        billing_account=account, period_start=run.period_start, kind="cycle"
    ).exists():
        return None
    subscriptions = Subscription.objects.filter(
        billing_account_id__in=rolled_up_account_ids(account.pk),
        status__in=BILLED_STATUSES,
        activated_on__lt=run.period_end,
    ).exclude(ended_on__lt=run.period_start)
    lines = []
    for subscription in subscriptions.select_related("customer", "billing_account"):
        charges = period_charges(
            subscription=subscription, period_start=run.period_start, period_end=run.period_end
        )
        lines += [(subscription, line) for line in charges.lines]
    if not lines:
        return None
    previous = (
        Invoice.objects.filter(billing_account=account, status=InvoiceStatus.POSTED)
        .order_by("-period_start")
        .values_list("total", flat=True)
        .first()
    )
    invoice = Invoice(
        billing_account=account,
        run=run,
        period_start=run.period_start,
        period_end=run.period_end,
        currency=account.currency,
        previous_total=previous,
        is_first=previous is None,
    )
    rows = [_line(invoice, subscription, line) for subscription, line in lines]
    invoice.net = sum((r.net for r in rows), ZERO)
    invoice.tax = sum((r.tax for r in rows), ZERO)
    invoice.total = invoice.net + invoice.tax
    try:
        with transaction.atomic():
            invoice.save()
    except IntegrityError:  # billed meanwhile by a duplicate task
        return None
    InvoiceLine.objects.bulk_create(rows)
    return invoice


def _line(invoice: Invoice, subscription, line) -> InvoiceLine:
    kind = {
        "recurring": LineKind.RECURRING,
        "resting": LineKind.RESTING,
        "one_time": LineKind.ONE_TIME,
    }[line.kind]
    return InvoiceLine(
        invoice=invoice,
        subscription=subscription,
        source_account_id=subscription.billing_account_id,
        product=line.product,
        kind=kind,
        description=f"{line.product.name} ({subscription.number})"[:200],
        starts_on=line.starts_on,
        ends_on=line.ends_on,
        days=line.days,
        period_days=line.period_days,
        monthly_net=line.monthly_net,
        net=line.net,
        tax_rate=line.tax_rate,
        tax=line.tax,
        total=line.total,
        explanation=line.explanation,
        discounts=[
            {
                "source": d.source,
                "code": d.code,
                "name": d.name,
                "why": d.why,
                "amount": str(d.amount),
            }
            for d in line.discounts
        ],
    )


@transaction.atomic
def billing_run_approve(*, run: BillingRun, actor) -> BillingRun:
    """Billing & Finance approves the reviewed draft; posting starts (after commit)."""
    from ..tasks import post_run

    run = _move(run, RunStatus.APPROVED)
    run.approved_by = actor
    run.approved_at = timezone.now()
    run.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    transaction.on_commit(lambda: post_run.delay(run.pk))
    return run


@transaction.atomic
def billing_run_discard(*, run: BillingRun, actor=None) -> BillingRun:
    """Throw a draft (or failed, or scheduled) run away: its draft invoices go and
    nothing is left behind; the cycle and period can be run again."""
    run = _move(run, RunStatus.DISCARDED)
    Invoice.objects.filter(run=run, status=InvoiceStatus.DRAFT).delete()
    run.chunks.all().delete()
    run.errors.all().delete()
    run.save(update_fields=["status", "updated_at"])
    return run


def billing_run_post(*, run_id: int, today: date | None = None) -> BillingRun:
    """Post an approved run's invoices in batches: number (gapless), issue and due
    dates, one ledger entry each. Safe to run again after a crash: posted invoices
    are skipped."""
    today = today or timezone.localdate()
    with transaction.atomic():
        run = BillingRun.objects.select_for_update().get(pk=run_id)
        if run.status == RunStatus.APPROVED:
            run.status = RunStatus.POSTING
            run.save(update_fields=["status", "updated_at"])
        elif run.status != RunStatus.POSTING:
            return run
    due = today + timedelta(days=settings.BILLING_PAYMENT_TERMS_DAYS)
    while True:
        with transaction.atomic():
            batch = list(
                Invoice.objects.select_for_update(skip_locked=True)
                .filter(run_id=run_id, status=InvoiceStatus.DRAFT)
                .select_related("billing_account")
                .order_by("pk")[:POSTING_BATCH]
            )
            if not batch:
                break
            for invoice in batch:
                invoice_post(invoice=invoice, issued_on=today, due_on=due)
            _render_after_commit([invoice.pk for invoice in batch])
            BillingRun.objects.filter(pk=run_id).update(
                invoices_posted=F("invoices_posted") + len(batch)
            )
    with transaction.atomic():
        run = BillingRun.objects.select_for_update().get(pk=run_id)
        if (
            run.status == RunStatus.POSTING
            and not run.invoices.filter(status=InvoiceStatus.DRAFT).exists()
        ):
            run.status = RunStatus.POSTED
            run.posted_at = timezone.now()
            run.save(update_fields=["status", "posted_at", "updated_at"])
    return run


def _render_after_commit(invoice_ids: list[int]) -> None:
    from ..tasks import render_invoice_pdfs

    transaction.on_commit(lambda: render_invoice_pdfs.delay(invoice_ids))


def invoice_post(*, invoice: Invoice, issued_on: date, due_on: date, actor=None) -> Invoice:
    """Post one draft invoice inside the caller's transaction: its number, dates and
    ledger entry. A posted invoice never changes again."""
    if invoice.status != InvoiceStatus.DRAFT:
        raise DomainError(_("Only a draft invoice is posted."))
    invoice.number = next_invoice_number(series=invoice.series, year=issued_on.year)
    invoice.status = InvoiceStatus.POSTED
    invoice.issued_on = issued_on
    invoice.due_on = due_on
    invoice.save(update_fields=["number", "status", "issued_on", "due_on", "updated_at"])
    ledger_post(
        account=invoice.billing_account,
        kind=EntryKind.INVOICE,
        amount=invoice.total,
        idempotency_key=f"invoice-{invoice.pk}",
        booked_on=issued_on,
        invoice=invoice,
        description=invoice.number,
        actor=actor,
    )
    if invoice.billing_account.balance - invoice.total < 0:  # the account had credit
        allocate_open_payments(account=invoice.billing_account)
    return invoice


@dataclass
class RunProgress:
    """What the run page shows while it runs."""

    status: str
    accounts_total: int
    accounts_done: int
    accounts_failed: int
    invoices: int
    percent: int


def billing_run_progress(*, run: BillingRun) -> RunProgress:
    """Counts for the live progress bar."""
    run.refresh_from_db()
    handled = run.accounts_done + run.accounts_failed
    percent = 100 if not run.accounts_total else int(100 * handled / run.accounts_total)
    return RunProgress(
        status=run.status,
        accounts_total=run.accounts_total,
        accounts_done=run.accounts_done,
        accounts_failed=run.accounts_failed,
        invoices=run.invoices.count(),
        percent=percent,
    )
