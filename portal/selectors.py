"""Reads of the subscriber portal. Every portal page starts from ``portal_customer``:
the one customer the logged-in subscriber may see; anything of another customer is
a 404 (POR-1)."""

from dataclasses import dataclass

from django.http import Http404

from billing.choices import InvoiceStatus
from billing.models import Invoice, Payment
from billing.selectors import customer_balances, with_open_amount
from subscriptions.models import Subscription

from .models import PortalAccount


def portal_customer(user):
    """The customer of a portal login, or 404 (a staff user, a login without one)."""
    account = (
        PortalAccount.objects.select_related("customer").filter(user_id=user.pk).first()
        if user.is_authenticated
        else None
    )
    if account is None:
        raise Http404
    return account.customer


@dataclass
class Dashboard:
    """What the subscriber sees first: balance and what is due, the last invoice,
    the services with their status."""

    balances: list
    last_invoice: Invoice | None
    subscriptions: list


def portal_dashboard(*, customer) -> Dashboard:
    """The dashboard of ``customer`` in a few queries."""
    last = (
        with_open_amount(
            Invoice.objects.filter(billing_account__customer=customer, status=InvoiceStatus.POSTED)
        )
        .order_by("-issued_on", "-id")
        .first()
    )
    subscriptions = list(
        Subscription.objects.filter(customer=customer)
        .prefetch_related("items__product")
        .order_by("-signed_on", "-id")
    )
    return Dashboard(customer_balances(customer=customer), last, subscriptions)


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
