"""Demo of the subscriber portal (seed_demo, last): the demo subscriber's login, on a
customer with services, invoices and something to pay. Idempotent."""

from django.contrib.auth.models import Group
from django.utils import timezone

from alux_crm.core import roles as R
from alux_crm.core.management.demo import DEMO_PASSWORD
from alux_crm.core.models import User
from billing.choices import InvoiceStatus
from customers.models import Customer

from .demo_payments import seed_payments
from .demo_profile import seed_profile
from .demo_requests import seed_requests
from .demo_services import seed_services
from .models import PortalAccount

DEMO_SUBSCRIBER = "subscriber"


def seed_portal() -> PortalAccount | None:
    """The portal login ``subscriber`` (password of the demo) of a customer with an
    active service and posted invoices, and what that subscriber did in the portal
    (each part's demo below); None when the demo has no such customer."""
    account = _demo_account()
    if account is None:
        return None
    # --- each part's demo of the subscriber's own data (idempotent), one call a line ---
    seed_payments(account)
    seed_profile(account)
    seed_requests(account)
    seed_services(account)
    return account


def _demo_account() -> PortalAccount | None:
    """The demo subscriber's portal account, made once."""
    existing = PortalAccount.objects.filter(user__username=DEMO_SUBSCRIBER).first()
    if existing is not None:
        return existing
    candidates = (
        Customer.objects.filter(
            kind="person",
            portal_account__isnull=True,
            subscriptions__status="active",
            billing_accounts__invoices__status=InvoiceStatus.POSTED,
        )
        .exclude(email="")
        .order_by("pk")
    )
    # one who still owes, so the demo subscriber has an invoice to pay by card
    customer = candidates.filter(billing_accounts__balance__gt=0).first() or candidates.first()
    if customer is None:
        return None
    user = User(
        username=DEMO_SUBSCRIBER,
        email=customer.email,
        first_name=customer.first_name,
        last_name=customer.last_name,
    )
    user.set_password(DEMO_PASSWORD)
    user.save()
    user.groups.add(Group.objects.get_or_create(name=R.SUBSCRIBER)[0])
    now = timezone.now()
    return PortalAccount.objects.create(
        user=user, customer=customer, invited_at=now, activated_at=now
    )
