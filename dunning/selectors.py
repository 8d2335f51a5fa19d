"""Reads of collections: which accounts are overdue and by how much, in one query
for any number of accounts (the daily run reads 50,000 of a million at once)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection

from billing.choices import SETTLING_KINDS, InvoiceStatus, TransactionStatus
from billing.services.runs import rolled_up_accounts

from .choices import PaymentPlanStatus, PromiseStatus
from .models import AccountCollectionSettings, PaymentPlan, PromiseToPay


@dataclass(frozen=True)
class Overdue:
    """What a billing account owes past the due date: the oldest due date of its open,
    undisputed posted invoices that are due before the day, their open total and
    count. Disputed invoices are held: they never count as overdue."""

    billing_account_id: int
    oldest_due_on: date
    amount: Decimal
    invoices: int

    def days_overdue(self, today: date) -> int:
        return (today - self.oldest_due_on).days


OVERDUE_SQL = """
WITH owing AS (
    SELECT id FROM customers_billingaccount
    WHERE balance > 0 {account_filter}
), due AS (
    SELECT invoice.id, invoice.billing_account_id, invoice.due_on, invoice.total
    FROM billing_invoice invoice JOIN owing ON owing.id = invoice.billing_account_id
    WHERE invoice.status = %(posted)s AND NOT invoice.disputed AND invoice.due_on < %(today)s
), paid AS (
    SELECT allocation.invoice_id, sum(allocation.amount) AS amount
    FROM billing_paymentallocation allocation JOIN due ON due.id = allocation.invoice_id
    WHERE NOT allocation.is_reversed
    GROUP BY allocation.invoice_id
), settled AS (
    SELECT note.invoice_id, sum(note.amount) AS amount
    FROM billing_manualtransaction note JOIN due ON due.id = note.invoice_id
    WHERE note.status = %(posted_transaction)s AND note.kind = ANY(%(settling)s)
    GROUP BY note.invoice_id
), open AS (
    SELECT due.billing_account_id, due.due_on,
           due.total - coalesce(paid.amount, 0) - coalesce(settled.amount, 0) AS amount
    FROM due
    LEFT JOIN paid ON paid.invoice_id = due.id
    LEFT JOIN settled ON settled.invoice_id = due.id
)
SELECT billing_account_id, min(due_on), sum(amount), count(*)
FROM open WHERE amount > 0
GROUP BY billing_account_id
ORDER BY billing_account_id
"""


def overdue_accounts(*, today: date, account_ids: list[int] | None = None) -> dict[int, Overdue]:
    """The overdue accounts on ``today`` (all, or those of ``account_ids``), by id.
    Only accounts with a positive cached balance can owe, so the others are not read."""
    params = {
        "posted": InvoiceStatus.POSTED,
        "today": today,
        "posted_transaction": TransactionStatus.POSTED,
        "settling": [str(kind) for kind in SETTLING_KINDS],
    }
    account_filter = ""
    if account_ids is not None:
        account_filter = "AND id = ANY(%(ids)s)"
        params["ids"] = list(account_ids)
    with connection.cursor() as cursor:
        cursor.execute(OVERDUE_SQL.format(account_filter=account_filter), params)
        return {
            row[0]: Overdue(
                billing_account_id=row[0], oldest_due_on=row[1], amount=row[2], invoices=row[3]
            )
            for row in cursor.fetchall()
        }


def overdue_of(*, account_id: int, today: date) -> Overdue | None:
    """What one account owes past the due date on ``today`` (None: nothing)."""
    return overdue_accounts(today=today, account_ids=[account_id]).get(account_id)


def held_account_ids(*, account_ids: list[int], today: date) -> set[int]:
    """Accounts among ``account_ids`` that dunning and disconnection hold on ``today``:
    an open promise to pay not yet due (``pay_by`` today or later), or an active
    payment plan. (Disputed invoices are held by ``overdue_accounts`` itself.)"""
    promised = PromiseToPay.objects.filter(
        billing_account_id__in=account_ids, status=PromiseStatus.OPEN, pay_by__gte=today
    ).values_list("billing_account_id", flat=True)
    planned = PaymentPlan.objects.filter(
        billing_account_id__in=account_ids, status=PaymentPlanStatus.ACTIVE
    ).values_list("billing_account_id", flat=True)
    return set(promised) | set(planned)


def never_disconnect_ids(*, account_ids: list[int]) -> set[int]:
    """Accounts among ``account_ids`` flagged by Back Office "never disconnect"."""
    return set(
        AccountCollectionSettings.objects.filter(
            billing_account_id__in=account_ids, never_disconnect=True
        ).values_list("billing_account_id", flat=True)
    )


def subscriptions_of(account_ids: list[int], statuses: list[str]) -> dict[int, list[int]]:
    """Subscription ids in ``statuses`` of each paying account of ``account_ids``: its
    own and those of the non-paying accounts rolled up below it (two queries)."""
    if not account_ids:
        return {}
    rolled = rolled_up_accounts(list(account_ids))
    root_of = {member: root for root, members in rolled.items() for member in members}
    found: dict[int, list[int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT id, billing_account_id FROM subscriptions_subscription
            WHERE billing_account_id = ANY(%s) AND status = ANY(%s) ORDER BY id
            """,
            [list(root_of), [str(s) for s in statuses]],
        )
        for subscription_id, account_id in cursor.fetchall():
            found.setdefault(root_of[account_id], []).append(subscription_id)
    return found
