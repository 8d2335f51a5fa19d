"""Demo of the portal's payments (seed_demo, through ``portal.demo.seed_portal``): the
demo subscriber paid their oldest open invoice by card (or half of it, when it is the
only one) and had a card declined on the newest, both through the services with the
test card provider; and they have a prepaid service with a balance to top up with a
voucher (one is sold to them, through the services, when they have none).

Idempotent: card payments are made once per customer (their keys are derived from
the customer, so even a second run would find them again), and a customer with a
prepaid service gets no other.
"""

import logging
import uuid
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from alux_crm.core.errors import DomainError
from alux_crm.core.models import User
from alux_crm.core.money import round_money
from billing.choices import InvoiceStatus
from billing.models import Invoice
from billing.selectors import with_open_amount
from products.choices import Acquisition
from products.models import Product
from products.pricing import BasketItem
from subscriptions import services as subscription_services
from subscriptions.services.prepaid import prepaid_top_up

from .models import CardPayment, PortalAccount
from .providers import Card, TestCardProvider
from .selectors_payments import payable_maximum, portal_prepaid_subscriptions
from .services_payments import card_payment_pay

log = logging.getLogger(__name__)

#: Products tried, in order, for the demo subscriber's prepaid service.
PREPAID_PRODUCTS = ["tv-basic", "net-300", "phone-national"]
#: What the prepaid service was topped up with at a shop when it was sold.
PREPAID_START = Decimal("10.00")
_KEYS = uuid.UUID("6f1c2a52-53a3-4d3c-9d0e-5c4e0a8d7b11")


def _key(customer, what: str) -> str:
    """A fixed idempotency key per customer and demo payment."""
    return uuid.uuid5(_KEYS, f"{what}-{customer.pk}").hex


def seed_payments(account: PortalAccount) -> None:
    """The demo subscriber's card payments and prepaid service (see the module)."""
    if not CardPayment.objects.filter(customer=account.customer).exists():
        _card_payments(account)
    if not portal_prepaid_subscriptions(customer=account.customer).exists():
        _prepaid_service(account)


def _card_payments(account: PortalAccount) -> None:
    customer = account.customer
    open_invoices = list(
        with_open_amount(
            Invoice.objects.filter(billing_account__customer=customer, status=InvoiceStatus.POSTED)
        )
        .filter(open_amount__gt=0)
        .select_related("billing_account")
        .order_by("due_on", "pk")
    )
    if not open_invoices:
        return
    provider = TestCardProvider()  # never a real provider, whatever the settings say
    expires = timezone.localdate().year + 3
    oldest, newest = open_invoices[0], open_invoices[-1]
    due = payable_maximum(account=oldest.billing_account, invoice=oldest)
    amount = due if len(open_invoices) > 1 else round_money(due / 2)
    if amount > 0:
        card_payment_pay(
            customer=customer,
            account=oldest.billing_account,
            invoice=oldest,
            amount=amount,
            card=Card("4242424242424242", 9, expires, "123"),
            idempotency_key=_key(customer, "paid"),
            actor=account.user,
            provider=provider,
        )
    due = payable_maximum(account=newest.billing_account, invoice=newest)
    if due > 0:
        card_payment_pay(
            customer=customer,
            account=newest.billing_account,
            invoice=newest,
            amount=due,
            card=Card("4000000000000002", 4, expires, "321"),
            idempotency_key=_key(customer, "declined"),
            actor=account.user,
            provider=provider,
        )


def _prepaid_service(account: PortalAccount) -> None:
    """A prepaid service sold a month ago (the first product the catalogue sells to
    the customer), topped up at a shop the day it started."""
    customer = account.customer
    billing_account = customer.billing_accounts.order_by("pk").first()
    if billing_account is None:
        return
    agent = User.objects.filter(username="agent").first()
    today = timezone.localdate()
    for code in PREPAID_PRODUCTS:
        product = Product.objects.filter(code=code).first()
        if product is None:
            continue
        try:
            with transaction.atomic():
                subscription = subscription_services.subscription_create(
                    billing_account=billing_account,
                    items=[BasketItem(product, 1, Acquisition.STANDARD)],
                    actor=agent,
                    is_prepaid=True,
                    signed_on=today - timedelta(days=30),
                )
                subscription = subscription_services.subscription_activate(
                    subscription=subscription, actor=agent, on=today - timedelta(days=29)
                )
                prepaid_top_up(
                    subscription=subscription,
                    amount=PREPAID_START,
                    idempotency_key=f"demo-portal-prepaid-{subscription.pk}",
                    source="cash, Shop Cluj-Napoca",
                    actor=agent,
                )
                return
        except (DomainError, ValidationError) as exc:  # the catalogue refused this one
            log.info("demo prepaid service with %s refused: %s", code, exc)
    log.warning("no prepaid demo service for the demo subscriber")
