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

import json
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from alux_crm.core.errors import DomainError, InvalidTransition
from alux_crm.core.money import ZERO
from customers.models import BillingAccount
from products.models import Promotion
from subscriptions.charges import ChargePricer, ItemTerms, charge_rows, period_charges
from subscriptions.choices import SubscriptionStatus
from subscriptions.models import RestingPeriod, Subscription, SubscriptionItem

from ..choices import (
    RUN_TRANSITIONS,
    ChunkStatus,
    EntryKind,
    InvoiceKind,
    InvoiceStatus,
    LineKind,
    RunStatus,
)
from ..models import (
    BillingRun,
    BillingRunChunk,
    BillingRunError,
    Invoice,
    InvoiceLine,
    LedgerEntry,
)
from .numbering import next_invoice_numbers
from .payments import allocate_open_payments

POSTING_BATCH = 1000  # invoices per posting transaction (the series row stays locked)
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


def billing_runs_start_due(*, now=None) -> list[int]:
    """Start the scheduled runs whose start time has come (a beat task calls this
    every minute); a run started meanwhile by hand or by another beat is skipped.
    Returns the ids of the runs started."""
    now = now or timezone.now()
    started = []
    due = BillingRun.objects.filter(status=RunStatus.SCHEDULED, scheduled_for__lte=now)
    for run_id in due.order_by("scheduled_for").values_list("pk", flat=True):
        with transaction.atomic():
            run = BillingRun.objects.select_for_update(skip_locked=True).filter(pk=run_id).first()
            if run is None or run.status != RunStatus.SCHEDULED:
                continue
            billing_run_start(run=run)
        started.append(run_id)
    return started


def _dispatch_pending(run: BillingRun) -> None:
    from ..tasks import bill_chunk

    pending = list(run.chunks.filter(status=ChunkStatus.PENDING).values_list("pk", flat=True))
    transaction.on_commit(lambda: [bill_chunk.delay(pk) for pk in pending])


def billing_run_chunk(*, chunk_id: int) -> None:
    """Bill the accounts of one chunk (a Celery task calls this). The chunk's data is
    read in a few queries and priced in memory (``draft_invoices``); an account that
    fails is recorded and the others go on; the drafts are written together."""
    chunk = BillingRunChunk.objects.select_related("run").get(pk=chunk_id)
    run = chunk.run
    if chunk.status == ChunkStatus.DONE or run.status != RunStatus.RUNNING:
        return
    BillingRunChunk.objects.filter(pk=chunk.pk).update(attempts=F("attempts") + 1)
    accounts = list(
        paying_accounts(run).filter(pk__gte=chunk.first_account_id, pk__lte=chunk.last_account_id)
    )
    drafts, errors = draft_invoices(run=run, accounts=accounts)
    _saved, refused = _save_drafts(drafts)
    errors |= refused
    with transaction.atomic():
        run.errors.filter(billing_account__in=accounts).exclude(
            billing_account__in=list(errors)
        ).delete()
        for account_id, message in errors.items():
            BillingRunError.objects.update_or_create(
                run=run, billing_account_id=account_id, defaults={"message": message}
            )
        BillingRunChunk.objects.filter(pk=chunk.pk).update(
            status=ChunkStatus.DONE,
            finished_at=timezone.now(),
            billed=len(accounts) - len(errors),
            failed=len(errors),
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
    return rolled_up_accounts([account_id])[account_id]


def rolled_up_accounts(account_ids: list[int]) -> dict[int, list[int]]:
    """``rolled_up_account_ids`` of many paying accounts in one recursive query."""
    rolled: dict[int, list[int]] = {pk: [] for pk in account_ids}
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH RECURSIVE rolled(root, id) AS (
                SELECT id, id FROM customers_billingaccount WHERE id = ANY(%s)
                UNION ALL
                SELECT rolled.root, child.id FROM customers_billingaccount child
                JOIN rolled ON child.parent_id = rolled.id
                WHERE NOT child.is_paying
            )
            SELECT root, id FROM rolled
            """,
            [list(account_ids)],
        )
        for root, pk in cursor.fetchall():
            rolled[root].append(pk)
    return rolled


def bill_account(*, run: BillingRun, account: BillingAccount) -> Invoice | None:
    """Draft the invoice of one paying account for the run's period (nothing when it
    already has one, or has nothing to charge)."""
    drafts, _none = draft_invoices(run=run, accounts=[account], raise_errors=True)
    saved, errors = _save_drafts(drafts)
    if errors:
        raise DomainError(errors[account.pk])
    return saved[0] if saved else None


@dataclass
class DraftInvoice:
    """An invoice computed in memory, with its lines (column values by attribute
    name: a run writes millions, and a model instance each costs more than the
    pricing), before it is written."""

    invoice: Invoice
    lines: list[dict]

    def owned_lines(self) -> list[dict]:
        """The lines, pointing at the invoice once it has its id."""
        for line in self.lines:
            line["invoice_id"] = self.invoice.pk
        return self.lines


@dataclass
class BilledSubscription:
    """A subscription of a chunk with what its charges need, read in bulk: its
    items as ``ItemTerms`` (products and promotions from the chunk's catalogue, no
    model row per item) and its resting periods."""

    subscription: Subscription
    items: list[ItemTerms]


def _subscriptions_of(
    run: BillingRun, account_ids: list[int], products: dict
) -> dict[int, list[BilledSubscription]]:
    """The billed subscriptions of the accounts, by account, in four queries that
    pass the ids as one array each (``__any``): subscriptions with their customers,
    item rows, the promotions granted on the items, resting periods."""
    subscriptions = list(
        Subscription.objects.filter(
            billing_account_id__any=account_ids,
            status__in=BILLED_STATUSES,
            activated_on__lt=run.period_end,
        )
        .exclude(ended_on__lt=run.period_start)
        .select_related("customer")
        .order_by("pk")
    )
    ids = [s.pk for s in subscriptions]
    item_rows = list(
        SubscriptionItem.objects.filter(subscription_id__any=ids)
        .order_by("subscription_id", "valid_from", "pk")
        .values_list(
            "pk",
            "subscription_id",
            "product_id",
            "acquisition",
            "quantity",
            "manual_discount_percent",
            "valid_from",
            "valid_to",
        )
    )
    granted: dict[int, list] = {}
    links = SubscriptionItem.promotions.through.objects.filter(
        subscriptionitem_id__any=[row[0] for row in item_rows]
    ).values_list("subscriptionitem_id", "promotion_id")
    for item_id, promotion_id in links:
        granted.setdefault(item_id, []).append(promotion_id)
    promotions = Promotion.objects.in_bulk({pk for pks in granted.values() for pk in pks})
    resting: dict[int, list] = {}
    for period in RestingPeriod.objects.filter(subscription_id__any=ids):
        resting.setdefault(period.subscription_id, []).append(period)
    items: dict[int, list[ItemTerms]] = {}
    for pk, subscription_id, product_id, use, quantity, discount, start, end in item_rows:
        terms = ItemTerms(
            product=products[product_id],
            acquisition=use,
            quantity=quantity,
            manual_discount_percent=discount,
            valid_from=start,
            valid_to=end,
            promotions=tuple(promotions[p] for p in sorted(granted.get(pk, ()))),
        )
        items.setdefault(subscription_id, []).append(terms)
    by_account: dict[int, list[BilledSubscription]] = {}
    for subscription in subscriptions:
        charge_rows(subscription, resting_periods=resting.get(subscription.pk, []))
        billed = BilledSubscription(subscription, items.get(subscription.pk, []))
        by_account.setdefault(subscription.billing_account_id, []).append(billed)
    return by_account


def draft_invoices(
    *, run: BillingRun, accounts: list[BillingAccount], raise_errors: bool = False
) -> tuple[list[DraftInvoice], dict[int, str]]:
    """The draft invoices of paying ``accounts`` for the run's period, computed in
    memory: the accounts below each one (BIL-8), their subscriptions with items,
    promotions and resting periods, and the last posted totals are read in a few
    queries, and every charge is priced by one ``ChargePricer`` (the catalogue
    loaded once). Accounts already invoiced for the period, or with nothing to
    charge, get nothing. Returns the drafts and, per failed account, why."""
    ids = [a.pk for a in accounts]
    invoiced = set(
        Invoice.objects.filter(
            billing_account_id__in=ids, period_start=run.period_start, kind=InvoiceKind.CYCLE
        ).values_list("billing_account_id", flat=True)
    )
    accounts = [a for a in accounts if a.pk not in invoiced]
    if not accounts:
        return [], {}
    rolled = rolled_up_accounts([a.pk for a in accounts])
    pricer = ChargePricer(period_start=run.period_start, period_end=run.period_end)
    subscriptions = _subscriptions_of(
        run, [pk for pks in rolled.values() for pk in pks], pricer.products
    )
    previous = dict(
        Invoice.objects.filter(billing_account_id__in=list(rolled), status=InvoiceStatus.POSTED)
        .order_by("billing_account_id", "-period_start")
        .distinct("billing_account_id")
        .values_list("billing_account_id", "total")
    )
    names: dict[int, str] = {}
    drafts: list[DraftInvoice] = []
    errors: dict[int, str] = {}
    for account in accounts:
        try:
            draft = _draft(run, account, rolled[account.pk], subscriptions, previous, pricer, names)
        except Exception as error:  # any failure of one account is recorded
            if raise_errors:
                raise
            errors[account.pk] = f"{type(error).__name__}: {error}"
            continue
        if draft is not None:
            drafts.append(draft)
    return drafts, errors


def _product_name(product, names: dict[int, str]) -> str:
    """A product's name in the current language, looked up once per chunk."""
    if product.pk not in names:
        names[product.pk] = product.name
    return names[product.pk]


def _draft(
    run, account, account_ids, subscriptions, previous, pricer, names
) -> DraftInvoice | None:
    lines = []
    for account_id in account_ids:
        for billed in subscriptions.get(account_id, []):
            charges = period_charges(
                subscription=billed.subscription,
                period_start=run.period_start,
                period_end=run.period_end,
                items=billed.items,
                pricer=pricer,
            )
            lines += [(billed.subscription, line) for line in charges.lines]
    if not lines:
        return None
    last_total = previous.get(account.pk)
    invoice = Invoice(
        billing_account_id=account.pk,
        run_id=run.pk,
        period_start=run.period_start,
        period_end=run.period_end,
        currency=account.currency,
        previous_total=last_total,
        is_first=last_total is None,
    )
    rows = [_line(subscription, line, names) for subscription, line in lines]
    invoice.net = sum((r["net"] for r in rows), ZERO)
    invoice.tax = sum((r["tax"] for r in rows), ZERO)
    invoice.total = invoice.net + invoice.tax
    return DraftInvoice(invoice, rows)


def _save_drafts(drafts: list[DraftInvoice]) -> tuple[list[Invoice], dict[int, str]]:
    """Write the drafts in one transaction. When that fails (another worker billed
    one of the accounts meanwhile and the unique constraint refuses it, or a row is
    refused), write them one by one: those billed meanwhile are skipped, a refused
    one is returned as an error of its account."""
    if not drafts:
        return [], {}
    try:
        with transaction.atomic():
            Invoice.objects.bulk_create([d.invoice for d in drafts])
            _copy_lines([line for d in drafts for line in d.owned_lines()])
        return [d.invoice for d in drafts], {}
    except DatabaseError:
        for draft in drafts:
            draft.invoice.pk = None
    saved, errors = [], {}
    for draft in drafts:
        try:
            with transaction.atomic():
                draft.invoice.save()
                InvoiceLine.objects.bulk_create([InvoiceLine(**r) for r in draft.owned_lines()])
            saved.append(draft.invoice)
        except IntegrityError as error:
            if not Invoice.objects.filter(
                billing_account=draft.invoice.billing_account_id,
                period_start=draft.invoice.period_start,
                kind=InvoiceKind.CYCLE,
            ).exists():
                errors[draft.invoice.billing_account_id] = f"{type(error).__name__}: {error}"
        except DatabaseError as error:
            errors[draft.invoice.billing_account_id] = f"{type(error).__name__}: {error}"
    return saved, errors


LINE_COLUMNS = [
    f
    for f in InvoiceLine._meta.concrete_fields
    if not f.primary_key  # the id comes from its sequence
]


def _copy_lines(lines: list[dict]) -> None:
    """Insert invoice lines with PostgreSQL COPY (a run writes millions; the
    database's constraints and triggers still check every row). A column the line
    does not name gets its field's default."""
    columns = ", ".join(connection.ops.quote_name(f.column) for f in LINE_COLUMNS)
    sql = f"COPY {InvoiceLine._meta.db_table} ({columns}) FROM STDIN"
    defaults = {f.attname: f.get_default() for f in LINE_COLUMNS}
    attnames = [f.attname for f in LINE_COLUMNS]
    with connection.cursor() as cursor, cursor.copy(sql) as copy:
        for line in lines:
            values = {**defaults, **line, "discounts": json.dumps(line["discounts"])}
            copy.write_row([values[name] for name in attnames])


LINE_KINDS = {
    "recurring": LineKind.RECURRING,
    "resting": LineKind.RESTING,
    "one_time": LineKind.ONE_TIME,
}


def _line(subscription, line, names: dict[int, str]) -> dict:
    """The column values of the invoice line of a charge."""
    return {
        "subscription_id": subscription.pk,
        "source_account_id": subscription.billing_account_id,
        "product_id": line.product.pk,
        "kind": LINE_KINDS[line.kind],
        "description": f"{_product_name(line.product, names)} ({subscription.number})"[:200],
        "starts_on": line.starts_on,
        "ends_on": line.ends_on,
        "days": line.days,
        "period_days": line.period_days,
        "monthly_net": line.monthly_net,
        "net": line.net,
        "tax_rate": line.tax_rate,
        "tax": line.tax,
        "total": line.total,
        "explanation": line.explanation,
        "discounts": [
            {
                "source": d.source,
                "code": d.code,
                "name": d.name,
                "why": d.why,
                "amount": str(d.amount),
            }
            for d in line.discounts
        ],
    }


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
                .only("pk", "series", "billing_account_id", "total", "currency")
                .order_by("pk")[:POSTING_BATCH]
            )
            if not batch:
                break
            post_invoices(invoices=batch, issued_on=today, due_on=due)
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


RENDER_BATCH = 100  # invoices per PDF task (about a minute of one documents worker)


def _render_after_commit(invoice_ids: list[int]) -> None:
    from ..tasks import render_invoice_pdfs

    batches = [invoice_ids[i : i + RENDER_BATCH] for i in range(0, len(invoice_ids), RENDER_BATCH)]
    transaction.on_commit(lambda: [render_invoice_pdfs.delay(batch) for batch in batches])


def post_invoices(*, invoices: list[Invoice], issued_on: date, due_on: date, actor=None) -> None:
    """Post a batch of draft invoices inside the caller's transaction, as
    ``invoice_post`` does one, in a few statements: consecutive numbers per series
    (one row lock), the invoices updated together, one ledger entry each, the
    accounts' cached balances raised under their row locks (taken in id order), and
    the payments already on accounts in credit allocated to the new invoices."""
    if not invoices:
        return
    numbers: dict[int, str] = {}
    by_series: dict[str, list[Invoice]] = {}
    for invoice in invoices:
        by_series.setdefault(invoice.series, []).append(invoice)
    for series, group in sorted(by_series.items()):
        taken = next_invoice_numbers(series=series, year=issued_on.year, count=len(group))
        numbers.update(zip([i.pk for i in group], taken, strict=True))
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE billing_invoice AS invoice
            SET number = posted.number, status = %s, issued_on = %s, due_on = %s,
                updated_at = now()
            FROM unnest(%s::bigint[], %s::varchar[]) AS posted(id, number)
            WHERE invoice.id = posted.id AND invoice.status = %s
            """,
            [
                InvoiceStatus.POSTED,
                issued_on,
                due_on,
                list(numbers),
                list(numbers.values()),
                InvoiceStatus.DRAFT,
            ],
        )
        if cursor.rowcount != len(invoices):
            raise DomainError(_("Only a draft invoice is posted."))
    owed: dict[int, object] = {}
    for invoice in invoices:
        owed[invoice.billing_account_id] = owed.get(invoice.billing_account_id, ZERO) + (
            invoice.total
        )
    locked = BillingAccount.objects.select_for_update().filter(pk__in=sorted(owed)).order_by("pk")
    in_credit = [pk for pk, balance in locked.values_list("pk", "balance") if balance < 0]
    LedgerEntry.objects.bulk_create(
        [
            LedgerEntry(
                billing_account_id=invoice.billing_account_id,
                kind=EntryKind.INVOICE,
                amount=invoice.total,
                currency=invoice.currency,
                booked_on=issued_on,
                idempotency_key=f"invoice-{invoice.pk}",
                invoice_id=invoice.pk,
                description=numbers[invoice.pk],
                created_by=actor,
            )
            for invoice in invoices
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE customers_billingaccount AS account
            SET balance = account.balance + owed.amount
            FROM unnest(%s::bigint[], %s::numeric[]) AS owed(id, amount)
            WHERE account.id = owed.id
            """,
            [list(owed), list(owed.values())],
        )
    for account in BillingAccount.objects.filter(pk__in=in_credit):
        allocate_open_payments(account=account)


def invoice_post(*, invoice: Invoice, issued_on: date, due_on: date, actor=None) -> Invoice:
    """Post one draft invoice (a batch of one, see ``post_invoices``): its number,
    dates and ledger entry. A posted invoice never changes again."""
    if invoice.status != InvoiceStatus.DRAFT:
        raise DomainError(_("Only a draft invoice is posted."))
    with transaction.atomic():
        post_invoices(invoices=[invoice], issued_on=issued_on, due_on=due_on, actor=actor)
    invoice.refresh_from_db()
    invoice.billing_account.refresh_from_db(fields=["balance"])
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
