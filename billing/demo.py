"""Demo billing (seed_demo): for each bill cycle of the demo accounts with
subscriptions, the run of the current period posted (numbered invoices, ledger,
PDFs rendered by the worker), most invoices paid, one partly; and the next period of
the busiest cycle as a draft for Billing & Finance to review. Runs synchronously
(the tasks queued meanwhile find their work done). Idempotent: it does nothing when
runs exist."""

from collections import Counter
from decimal import Decimal

from django.utils import timezone

from alux_crm.core.models import User
from subscriptions.charges import billing_period
from subscriptions.models import Subscription

from . import services
from .choices import InvoiceStatus
from .models import BillingRun, Invoice


def _run(cycle_day: int, period_start, actor) -> BillingRun:
    run = services.billing_run_create(
        bill_cycle_day=cycle_day, period_start=period_start, actor=actor
    )
    services.billing_run_start(run=run, actor=actor)
    for chunk in run.chunks.all():
        services.billing_run_chunk(chunk_id=chunk.pk)
    run.refresh_from_db()
    return run


def seed_billing() -> int:
    """Create the demo runs, invoices and payments once; returns the invoices made."""
    if BillingRun.objects.exists():
        return 0
    backoffice = User.objects.filter(username="backoffice").first()
    finance = User.objects.filter(username="finance").first()
    cycles = Counter(
        Subscription.objects.exclude(activated_on__isnull=True).values_list(
            "billing_account__bill_cycle_day", flat=True
        )
    )
    if not cycles or finance is None:
        return 0
    today = timezone.localdate()
    made = 0
    for cycle_day in sorted(cycles):
        start, _end = billing_period(bill_cycle_day=cycle_day, day=today)
        run = _run(cycle_day, start, backoffice)
        services.billing_run_approve(run=run, actor=finance)
        services.billing_run_post(run_id=run.pk, today=start)
        made += run.invoices.count()
    busiest = cycles.most_common(1)[0][0]
    _start, next_start = billing_period(bill_cycle_day=busiest, day=today)
    made += _run(busiest, next_start, backoffice).invoices.count()
    _payments(finance)
    return made


def _payments(actor) -> None:
    """Most posted invoices paid in full, one in part, the rest still open."""
    posted = list(
        Invoice.objects.filter(status=InvoiceStatus.POSTED)
        .select_related("billing_account")
        .order_by("pk")
    )
    for index, invoice in enumerate(posted):
        if index % 4 == 3:
            continue  # open: something for collections to chase
        amount = invoice.total if index % 4 else (invoice.total / 2).quantize(Decimal("0.01"))
        method = ("transfer", "card", "cash")[index % 3]
        services.payment_record(
            account=invoice.billing_account,
            amount=amount,
            method=method,
            idempotency_key=f"demo-payment-{invoice.number}",
            received_on=invoice.issued_on,
            reference=f"Demo {invoice.number}",
            actor=actor,
        )
