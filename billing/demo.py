"""Demo billing (seed_demo): for each bill cycle of the demo accounts with
subscriptions, the run of the current period posted (numbered invoices, ledger,
PDFs rendered by the worker), most invoices paid, one partly; and the next period of
the busiest cycle as a draft for Billing & Finance to review. Then the money pages'
examples: agent payments of each method, a reversed payment, a posted credit note
for one invoice line, a credit note above the approval amount waiting for a second
person, and a disputed invoice. Runs synchronously (the tasks queued meanwhile find
their work done). Idempotent: it does nothing when runs exist."""

from collections import Counter
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group
from django.utils import timezone

from alux_crm.core import roles as R
from alux_crm.core.models import User
from subscriptions.charges import billing_period
from subscriptions.models import Subscription
from subscriptions.selectors import suspended_account_ids

from . import services
from .choices import InvoiceStatus
from .models import BillingRun, Invoice
from .selectors import with_open_amount
from .services.transactions import invoice_dispute, transaction_request


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
    _money_pages(
        finance=finance,
        agent=User.objects.filter(username="agent").first() or finance,
        today=today,
    )
    return made


def _suspended_accounts() -> set[int]:
    """Accounts with a service suspended for non-payment: the demo leaves their debt
    alone (unpaid, undisputed), so they stay suspended."""
    return suspended_account_ids()


def _payments(actor) -> None:
    """Most posted invoices paid in full, one in part, the rest still open; the
    accounts whose service is suspended for non-payment pay nothing."""
    posted = list(
        Invoice.objects.filter(status=InvoiceStatus.POSTED)
        .select_related("billing_account")
        .order_by("pk")
    )
    suspended = _suspended_accounts()
    for index, invoice in enumerate(posted):
        if index % 4 == 3 or invoice.billing_account_id in suspended:
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


AGENT_METHODS = ("cash", "card", "transfer")


def _open_invoices() -> list[Invoice]:
    """Posted invoices with something left to pay, oldest first, with ``open_amount``."""
    return list(
        with_open_amount(Invoice.objects.filter(status=InvoiceStatus.POSTED))
        .filter(open_amount__gt=0)
        .select_related("billing_account")
        .prefetch_related("lines")
        .order_by("pk")
    )


def _second_approver() -> User:
    """A second Billing & Finance person who asked for the pending credit note, so the
    demo ``finance`` login can approve it (nobody approves their own request). It
    has no password: it cannot log in."""
    user, created = User.objects.get_or_create(
        username="finance.requests",
        defaults={"first_name": "Paula", "last_name": "Requester", "is_active": True},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    user.groups.add(Group.objects.get_or_create(name=R.BILLING_FINANCE)[0])
    return user


def _money_pages(*, finance, agent, today) -> None:
    """Examples for the payment, ledger and manual-transaction pages (BIL-3, BIL-4)."""
    open_now = _open_invoices()
    if not open_now:
        return
    # A disputed invoice (the oldest open one): collections pause on it.
    suspended = _suspended_accounts()
    open_now = [i for i in open_now if i.billing_account_id not in suspended] or open_now
    disputed = open_now[0]
    invoice_dispute(
        invoice=disputed,
        reason="The customer says the TV package did not work for a week.",
        actor=agent,
    )
    others = [i for i in open_now if i.pk != disputed.pk]
    # A posted credit note for one line of an open invoice (below the approval amount).
    limit = Decimal(settings.BILLING_APPROVAL_AMOUNT)
    for invoice in others:
        line = next((li for li in invoice.lines.all() if 0 < li.total <= limit), None)
        if line is not None:
            transaction_request(
                account=invoice.billing_account,
                kind="credit_note",
                amount=None,
                reason=f"Goodwill: {line.description}",
                actor=finance,
                invoice=invoice,
                lines=[line],
            )
            others.remove(invoice)
            break
    # A credit note above the approval amount, waiting for the finance login (on an
    # invoice with that much open, left alone below, else as credit on the account).
    pending = limit + Decimal("25.00")
    target = next((i for i in others if i.open_amount >= pending), None)
    if target is not None:
        others.remove(target)
    account = target.billing_account if target else disputed.billing_account
    transaction_request(
        account=account,
        kind="credit_note",
        amount=pending,
        reason="Compensation for a three-week outage (waits for approval).",
        actor=_second_approver(),
        invoice=target,
    )
    # Agent payments of each method, in part, on the other open invoices.
    for index, invoice in enumerate(others[: 2 * len(AGENT_METHODS)]):
        method = AGENT_METHODS[index % len(AGENT_METHODS)]
        services.payment_record(
            account=invoice.billing_account,
            amount=max(Decimal("1.00"), (invoice.open_amount / 3).quantize(Decimal("0.01"))),
            method=method,
            idempotency_key=f"demo-agent-payment-{invoice.pk}",
            received_on=today,
            reference=f"Desk receipt {index + 1:04d}",
            actor=agent,
        )
    # A bank transfer that bounced: recorded, then reversed by finance.
    bounced_account = (others or open_now)[-1].billing_account
    payment, _created = services.payment_record(
        account=bounced_account,
        amount=Decimal("20.00"),
        method="transfer",
        idempotency_key=f"demo-bounced-{bounced_account.pk}",
        received_on=today,
        reference="Transfer returned by the bank",
        actor=agent,
    )
    services.payment_reverse(
        payment=payment, reason="Bounced transfer: account closed (AC04).", actor=finance
    )
