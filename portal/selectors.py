"""Reads of the subscriber portal. Every portal page starts from ``portal_customer``:
the one customer the logged-in subscriber may see; anything of another customer is
a 404 (POR-1)."""

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.cache import cache
from django.http import Http404
from django.utils import timezone

from alux_crm.core.money import ZERO
from billing.choices import InvoiceStatus
from billing.estimates import InvoiceEstimate, next_invoice_estimates
from billing.models import Invoice, Payment
from billing.selectors import AccountBalance, customer_balances, with_open_amount
from cases.selectors import OpenRequests, open_requests
from cases.tables import with_status_colours
from subscriptions.models import Subscription
from subscriptions.selectors import current_devices_prefetch, current_items_prefetch
from subscriptions.tables import SUBSCRIPTION_STATUS_COLOURS

from .models import PortalAccount


def portal_customer(user):
    """The customer of a portal login, or 404 (a staff user, a login without one). The
    account and its customer come with the user of the request (``UserBackend``)."""
    if not user.is_authenticated:
        raise Http404
    try:
        return user.portal_account.customer
    except PortalAccount.DoesNotExist:
        raise Http404 from None


@dataclass
class DashboardAccount:
    """One billing account on the dashboard: its balance, what is overdue and the
    next amount falling due (``billing.selectors.customer_balances``), and the
    estimate of its next invoice (``billing.estimates.next_invoice_estimates``)."""

    balance: AccountBalance
    estimate: InvoiceEstimate | None = None

    @property
    def account(self):
        """The billing account."""
        return self.balance.account

    @property
    def overdue(self) -> Decimal:
        """What is open on its posted invoices past their due date."""
        return self.balance.overdue

    @property
    def next_due_on(self) -> date | None:
        """The earliest due date still to come of an invoice with something open."""
        return self.balance.next_due_on

    @property
    def next_due_amount(self) -> Decimal:
        """What is open on the invoices due on ``next_due_on``."""
        return self.balance.next_due_amount

    @property
    def credit(self) -> Decimal:
        """What the customer has in their favour (a negative balance), else zero."""
        return max(-self.balance.account.balance, ZERO)


@dataclass
class Dashboard:
    """What the subscriber sees first: per billing account the balance, what is due
    and the next invoice's estimate; the last invoice; the services with their
    devices and status; the open requests."""

    balances: list[DashboardAccount]
    last_invoice: Invoice | None
    subscriptions: list
    requests: OpenRequests


# The estimates of a customer's next invoices are kept this long, under a key made of
# what changes them on the customer's side (accounts, subscriptions and their current
# items, the last posted invoice): a change shows at once, a catalogue price change
# within this time.
ESTIMATE_CACHE_SECONDS = 600


def _estimates(customer, accounts, subscriptions, last_invoice, today: date) -> dict:
    """``billing.estimates.next_invoice_estimates`` of the customer's accounts, from the
    cache when nothing of theirs changed since it was computed."""
    state = [
        customer.pk,
        today.isoformat(),
        last_invoice.pk if last_invoice else None,
        [(a.pk, a.bill_cycle_day, a.is_paying, a.status, a.updated_at) for a in accounts],
        [
            (
                s.pk,
                s.billing_account_id,
                s.status,
                s.updated_at,
                [(i.pk, i.updated_at) for i in s.current_items],
            )
            for s in subscriptions
        ],
    ]
    key = "portal:estimates:" + hashlib.sha256(repr(state).encode()).hexdigest()
    estimates = cache.get(key)
    if estimates is None:
        estimates = next_invoice_estimates(accounts=accounts, today=today)
        cache.set(key, estimates, ESTIMATE_CACHE_SECONDS)
    return estimates


def portal_dashboard(*, customer, today: date | None = None) -> Dashboard:
    """The dashboard of ``customer`` in a bounded number of queries, whatever the
    number of invoices, payments or requests: balances and what falls due (3), last
    invoice (1), services with products and devices (3), requests (1), and the
    next invoices' estimates (cached; else 2 + the billing run's pricing queries
    per period, normally one period)."""
    today = today or timezone.localdate()
    balances = customer_balances(customer=customer, today=today)
    accounts = [row.account for row in balances]
    ids = [a.pk for a in accounts]
    last = (
        with_open_amount(
            Invoice.objects.filter(billing_account_id__in=ids, status=InvoiceStatus.POSTED)
        )
        .order_by("-issued_on", "-id")
        .first()
    )
    subscriptions = list(
        Subscription.objects.filter(customer=customer)
        .prefetch_related(current_items_prefetch(), current_devices_prefetch())
        .order_by("-signed_on", "-id")
    )
    for subscription in subscriptions:
        subscription.status_colour = SUBSCRIPTION_STATUS_COLOURS.get(
            subscription.status, "secondary"
        )
    estimates = _estimates(customer, accounts, subscriptions, last, today)
    rows = [DashboardAccount(row, estimates.get(row.account.pk)) for row in balances]
    requests = open_requests(customer=customer)
    with_status_colours(requests.newest)
    return Dashboard(rows, last, subscriptions, requests)


def portal_invoices(*, customer):
    """The customer's posted invoices, newest first, with what is left to pay."""
    posted = Invoice.objects.filter(
        billing_account__customer=customer, status=InvoiceStatus.POSTED
    ).select_related("billing_account")
    return with_open_amount(posted).order_by("-issued_on", "-id")


def portal_invoice(*, customer, pk: int) -> Invoice:
    """One posted invoice of the customer; another customer's (or a draft) is a 404."""
    invoice = portal_invoices(customer=customer).filter(pk=pk).first()
    if invoice is None:
        raise Http404
    return invoice


def portal_payments(*, customer):
    """The customer's payments, newest first."""
    return (
        Payment.objects.filter(billing_account__customer=customer)
        .select_related("billing_account")
        .order_by("-received_on", "-id")
    )
