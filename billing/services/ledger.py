"""The ledger (BIL-3, BIL-4): every financial fact is an append-only entry with an
idempotency key; the balance of an account is the sum of its entries, cached on the
account under a row lock and checked by ``ledger_reconcile``."""

from datetime import date
from decimal import Decimal

from django.db import transaction as db_transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from alux_crm.core.errors import DomainError
from alux_crm.core.money import ZERO
from customers.models import BillingAccount

from ..models import LedgerEntry


@db_transaction.atomic
def ledger_post(
    *,
    account: BillingAccount,
    kind: str,
    amount: Decimal,
    idempotency_key: str,
    booked_on: date | None = None,
    invoice=None,
    payment=None,
    transaction=None,
    description: str = "",
    actor=None,
) -> LedgerEntry:
    """Book one entry on ``account`` (positive: the customer owes more). The same key
    twice returns the first entry; the same key for a different fact is refused."""
    existing = LedgerEntry.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        if (
            existing.billing_account_id != account.pk
            or existing.amount != amount
            or existing.kind != kind
        ):
            raise DomainError(_("This idempotency key was used for another transaction."))
        return existing
    locked = BillingAccount.objects.select_for_update().get(pk=account.pk)
    entry = LedgerEntry.objects.create(
        billing_account=locked,
        kind=kind,
        amount=amount,
        currency=locked.currency,
        booked_on=booked_on or timezone.localdate(),
        idempotency_key=idempotency_key,
        invoice=invoice,
        payment=payment,
        transaction=transaction,
        description=description[:200],
        created_by=actor,
    )
    locked.balance = locked.balance + amount
    locked.save(update_fields=["balance"])  # no history event: the ledger is its history
    account.balance = locked.balance
    return entry


def ledger_balance(*, account: BillingAccount) -> Decimal:
    """The balance of an account from its entries (the truth the cache follows)."""
    total = LedgerEntry.objects.filter(billing_account=account).aggregate(total=Sum("amount"))[
        "total"
    ]
    return total or ZERO


def ledger_reconcile() -> list[int]:
    """Accounts whose cached balance differs from the sum of their entries (nightly
    check; an empty list is the expected answer)."""
    sums = dict(
        LedgerEntry.objects.values("billing_account")
        .annotate(total=Sum("amount"))
        .values_list("billing_account", "total")
    )
    wrong = []
    for pk, cached in BillingAccount.objects.values_list("pk", "balance").iterator():
        if cached != sums.get(pk, ZERO):
            wrong.append(pk)
    return wrong
