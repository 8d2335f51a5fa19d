"""Reads of the portal's payments (POR-1): what a subscriber may pay by card and up
to how much, their card payment attempts, the prepaid services a voucher tops up.
Everything is looked up through the subscriber's own customer: another customer's
invoice, account, card payment or subscription is a 404 (or not offered)."""

from dataclasses import dataclass
from decimal import Decimal

from django.http import Http404

from alux_crm.core.money import ZERO
from billing.models import Invoice
from billing.selectors import with_open_amount
from customers.models import BillingAccount
from subscriptions.choices import FINAL_STATUSES
from subscriptions.models import Subscription

from .models import CardPayment
from .selectors import portal_invoice


@dataclass(frozen=True)
class PaymentTarget:
    """What a card payment pays: a billing account, and the invoice the subscriber
    chose to pay (billing allocates the money to the oldest open invoices first);
    ``maximum`` is what is owed (the invoice's open amount, at most the account's
    balance)."""

    account: BillingAccount
    invoice: Invoice | None
    maximum: Decimal

    @property
    def currency(self) -> str:
        """The account's currency (every amount of the payment is in it)."""
        return self.account.currency


def _pk(value) -> int | None:
    """A primary key from the query string; a malformed one is a 404."""
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def payable_maximum(*, account: BillingAccount, invoice: Invoice | None = None) -> Decimal:
    """What may be paid on ``account`` (its balance, when it owes), or on ``invoice``
    (what is left on it, but never more than the account owes)."""
    owed = max(BillingAccount.objects.values_list("balance", flat=True).get(pk=account.pk), ZERO)
    if invoice is None:
        return owed
    row = with_open_amount(Invoice.objects.filter(pk=invoice.pk)).values_list(
        "open_amount", flat=True
    )
    return max(min(row.get(), owed), ZERO)


def portal_payment_target(*, customer, invoice=None, account=None) -> PaymentTarget | None:
    """The target of the pay page: ``invoice`` (a posted invoice's pk) or ``account``
    (a billing account's pk) of ``customer`` — another customer's is a 404 — or,
    with neither, the account that owes the most (None: the customer has none)."""
    invoice_pk, account_pk = _pk(invoice), _pk(account)
    chosen_invoice = None
    if invoice_pk is not None:
        chosen_invoice = portal_invoice(customer=customer, pk=invoice_pk)  # or 404
        chosen_account = chosen_invoice.billing_account
    elif account_pk is not None:
        chosen_account = BillingAccount.objects.filter(pk=account_pk, customer=customer).first()
        if chosen_account is None:
            raise Http404
    else:
        chosen_account = (
            BillingAccount.objects.filter(customer=customer).order_by("-balance", "number").first()
        )
        if chosen_account is None:
            return None
    return PaymentTarget(
        chosen_account,
        chosen_invoice,
        payable_maximum(account=chosen_account, invoice=chosen_invoice),
    )


def portal_card_payment(*, customer, pk: int) -> CardPayment:
    """One card payment attempt of ``customer``; another customer's is a 404."""
    card_payment = (
        CardPayment.objects.filter(pk=pk, customer=customer)
        .select_related("billing_account", "invoice", "payment")
        .first()
    )
    if card_payment is None:
        raise Http404
    return card_payment


def portal_card_payment_by_key(*, customer, idempotency_key: str) -> CardPayment | None:
    """The attempt ``customer`` made with the pay form carrying ``idempotency_key``
    (a double click, a resubmission), or None."""
    if not idempotency_key:
        return None
    return CardPayment.objects.filter(customer=customer, idempotency_key=idempotency_key).first()


def portal_card_payments(*, customer, invoice: Invoice | None = None):
    """The customer's card payment attempts, newest first (of one invoice if given)."""
    qs = CardPayment.objects.filter(customer=customer).select_related("invoice")
    if invoice is not None:
        qs = qs.filter(invoice=invoice)
    return qs.order_by("-created_at", "-id")


def portal_prepaid_subscriptions(*, customer):
    """The customer's prepaid subscriptions that may still be topped up (not ended),
    with their products for the label, oldest first."""
    return (
        Subscription.objects.filter(customer=customer, is_prepaid=True)
        .exclude(status__in=FINAL_STATUSES)
        .prefetch_related("items__product")
        .order_by("signed_on", "pk")
    )
