"""Test data of the disconnection and reconnection runs (runs part): billing accounts
that owe a posted invoice due on a given day, with a live subscription, a segment,
a tier and a region. Used by tests/dunning/test_runs_*.py."""

from datetime import date, timedelta
from decimal import Decimal
from itertools import count

from django.db import transaction

from billing import services as billing_services
from billing.models import Invoice
from customers.models import Address, BillingAccount, Customer
from products.pricing import BasketItem
from subscriptions import services as subscription_services
from tests.customers import factories as CF
from tests.subscriptions import factories as SF

D = Decimal
OWES = D("40.00")
TODAY = date(2026, 11, 20)
_period = count(1)


def posted_invoice(account, total, *, due_on, disputed=False) -> Invoice:
    """A posted invoice of ``total`` due on ``due_on`` (through ``invoice_post``)."""
    start = (date(2018, 1, 1) + timedelta(days=31 * next(_period))).replace(day=1)
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


def debtor(
    cat,
    *,
    owes=OWES,
    days=45,
    segment="mass",
    tier="bronze",
    region="Cluj",
    disputed=False,
    subscriptions=1,
) -> BillingAccount:
    """A billing account owing ``owes`` for ``days`` days on ``TODAY``, with
    ``subscriptions`` active subscriptions; its customer of ``segment`` and ``tier``,
    its billing address in ``region``."""
    customer = CF.person()
    Customer.objects.filter(pk=customer.pk).update(segment=segment, tier=tier)
    account = SF.account(customer)
    address = Address.objects.create(
        customer=customer, kind="billing", line1="Str. Lunga 1", city="Oras", region=region
    )
    BillingAccount.objects.filter(pk=account.pk).update(billing_address=address)
    for _n in range(subscriptions):
        live(cat, account)
    if owes:
        posted_invoice(account, owes, due_on=TODAY - timedelta(days=days), disputed=disputed)
    account.refresh_from_db()
    return account


def live(cat, account):
    """An active subscription of the TV package on ``account``."""
    subscription = SF.subscription(
        cat, items=[BasketItem(cat.tv)], devices=[], billing_account=account,
        signed_on=date(2026, 1, 5),
    )  # fmt: skip
    return subscription_services.subscription_activate(
        subscription=subscription, on=date(2026, 1, 10)
    )


def pay(account, amount=None, key=None):
    """The account pays ``amount`` (all it owes by default)."""
    account.refresh_from_db()
    payment, _created = billing_services.payment_record(
        account=account,
        amount=amount or account.balance,
        method="cash",
        idempotency_key=key or f"runs-pay-{account.pk}-{next(_period)}",
    )
    return payment
