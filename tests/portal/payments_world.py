"""Test data of the portal's payments: a subscriber's client, a pay form's data, a
card payment attempt for the access-matrix walk (tests/core/test_access_matrix.py)."""

import uuid
from decimal import Decimal

from django.test import Client

from alux_crm.core.management.demo import DEMO_PASSWORD
from portal.choices import CardPaymentStatus
from portal.models import CardPayment, PortalAccount
from tests.core.factories import UserFactory

OK_CARD = "4242 4242 4242 4242"
DECLINED_CARD = "4000 0000 0000 0002"
TIMEOUT_CARD = "4000 0000 0000 0119"


def subscriber(customer) -> Client:
    """A client logged in as a new portal login of ``customer``."""
    user = UserFactory(role="Subscriber")
    user.set_password(DEMO_PASSWORD)
    user.save()
    PortalAccount.objects.create(user=user, customer=customer)
    client = Client()
    client.force_login(user, backend="alux_crm.core.auth_backends.UserBackend")
    return client


def pay_form(amount="40.00", card=OK_CARD, **fields) -> dict:
    """The pay form as a subscriber fills it in, with a fresh one-time key."""
    return {
        "amount": amount,
        "card_number": card,
        "expiry": "12/39",
        "cvc": "123",
        "idempotency_key": uuid.uuid4().hex,
        **fields,
    }


def card_payment_of(ctx) -> CardPayment:
    """A declined card payment of the world's customer (made once per world)."""
    if "card_payment" not in ctx:
        account = ctx["account"]
        ctx["card_payment"] = CardPayment.objects.create(
            customer=account.customer,
            billing_account=account,
            amount=Decimal("10.00"),
            currency=account.currency,
            idempotency_key=uuid.uuid4().hex,
            provider="test",
            card_brand="Visa",
            card_last4="0002",
            status=CardPaymentStatus.DECLINED,
        )
    return ctx["card_payment"]


#: For tests/core/test_access_matrix.py: the portal payments' URLs that take an id.
URL_KWARGS = {
    "portal:payment_detail": lambda ctx: {"pk": card_payment_of(ctx).pk},
    "portal:payment_retry": lambda ctx: {"pk": card_payment_of(ctx).pk},
}
