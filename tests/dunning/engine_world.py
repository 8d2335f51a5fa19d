"""Test data of the dunning engine (engine part): plans with every kind of step, and
billing accounts that owe a posted invoice due on a given day, with a live
subscription. Used by tests/dunning/test_engine_*.py."""

from datetime import date, timedelta
from decimal import Decimal
from itertools import count

from django.db import transaction

from billing import services as billing_services
from billing.models import Invoice
from dunning.services import engine
from dunning.services.engine_plans import plan_save, step_save
from products.pricing import BasketItem
from subscriptions import services as subscription_services
from tests.customers import factories as CF
from tests.subscriptions import factories as SF

D = Decimal
DUE = date(2026, 9, 15)
_period = count(1)

EMAIL_BODY = (
    "Dear {{ customer.display_name }}, account {{ account.number }} owes {{ amount }} "
    "{{ currency }} since {{ oldest_due_on|date:'Y-m-d' }} ({{ days_overdue }} days, "
    "{{ invoices }} invoice{{ invoices|pluralize }}). {{ operator }}"
)
STEPS = [
    # (days after due, action, name, fee)
    (3, "email", "Friendly reminder", D("0")),
    (7, "sms", "SMS reminder", D("0")),
    (14, "letter", "Formal letter", D("0")),
    (21, "late_fee", "Late fee", D("5.00")),
    (30, "suspend", "Suspend services", D("0")),
    (45, "disconnect", "Disconnect", D("0")),
    (60, "terminate", "Terminate", D("0")),
    (90, "agency", "Collection agency", D("0")),
]


def full_plan(code="residential", *, segments=("mass",), default=True, **fields):
    """A plan with one step of every action (3, 7, 14 … 90 days after the due date)."""
    plan = plan_save(
        code=code,
        name=code.title(),
        segments=list(segments),
        is_default=default,
        grace_days=fields.pop("grace_days", 0),
        min_overdue_amount=fields.pop("min_overdue_amount", D("0")),
        **fields,
    )
    for days, action, name, fee in STEPS:
        step_save(
            plan=plan,
            days_after_due=days,
            action=action,
            name=name,
            subject="Overdue {{ amount }} {{ currency }}" if action in ("email", "letter") else "",
            body=EMAIL_BODY if action in ("email", "sms", "letter") else "",
            fee_amount=fee,
        )
    return plan


def posted_invoice(account, total, *, due_on=DUE, disputed=False) -> Invoice:
    """A posted invoice of ``total`` due on ``due_on``."""
    start = date(2019, 1, 1) + timedelta(days=31 * next(_period))
    start = start.replace(day=1)
    invoice = Invoice.objects.create(
        billing_account=account,
        period_start=start,
        period_end=(start + timedelta(days=32)).replace(day=1),
        currency="EUR",
        net=total,
        tax=D("0"),
        total=total,
    )
    with transaction.atomic():
        billing_services.invoice_post(
            invoice=invoice, issued_on=due_on - timedelta(days=15), due_on=due_on
        )
    if disputed:
        Invoice.objects.filter(pk=invoice.pk).update(disputed=True, dispute_reason="Wrong")
    return invoice


OWES = D("40.00")


def debtor(cat=None, *, owes=OWES, due_on=DUE, customer=None, disputed=False):
    """A billing account owing ``owes`` due on ``due_on``, with an active subscription
    of the catalogue ``cat`` (none without one)."""
    customer = customer or CF.person()
    account = SF.account(customer)
    if cat is not None:
        subscription = SF.subscription(
            cat, items=[BasketItem(cat.tv)], devices=[], billing_account=account,
            signed_on=date(2026, 1, 5),
        )  # fmt: skip
        subscription_services.subscription_activate(subscription=subscription, on=date(2026, 1, 10))
    if owes:
        posted_invoice(account, owes, due_on=due_on, disputed=disputed)
    account.refresh_from_db()
    return account


def run_day(day: date, capture):
    """The dunning run of ``day`` with its chunk tasks (eager) worked after commit."""
    with capture(execute=True):
        run = engine.dunning_run(today=day)
    run.refresh_from_db()
    return run
