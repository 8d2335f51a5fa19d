"""Which accounts a disconnection or reconnection run selects (BIL-7), in a handful of
queries for any number of accounts (a run may look at the 50,000 overdue accounts of
a million).

- **Disconnection**: paying accounts overdue (``selectors.overdue_accounts``, so
  disputed invoices never count) for more than ``min_days_overdue`` days and by more
  than ``min_amount``, of a customer segment in ``segments`` and a region in
  ``regions`` (when set), not held (promise to pay, payment plan), with a live
  (active or suspended) subscription on the account or on the non-paying accounts
  rolled up below it.
- **Reconnection**: paying accounts with a subscription suspended or disconnected
  for non-payment (on the account or rolled up below it) that owe nothing overdue
  any more, or that have an open promise to pay approved for reconnection.

The region is the one of the billing account's billing address (where the invoices
go: the address the account is managed by), not of the installation addresses.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection

from alux_crm.core.money import ZERO
from subscriptions.choices import SubscriptionStatus

from ..choices import PromiseStatus
from ..models import PromiseToPay, ServiceRun
from ..selectors import Overdue, held_account_ids, overdue_accounts, subscriptions_of

LIVE = [SubscriptionStatus.ACTIVE, SubscriptionStatus.SUSPENDED]
CUT = [SubscriptionStatus.SUSPENDED, SubscriptionStatus.DISCONNECTED]


@dataclass(frozen=True)
class Candidate:
    """An account a run selects, with what it owes past the due date."""

    billing_account_id: int
    overdue_amount: Decimal
    days_overdue: int


def qualifies(run: ServiceRun, overdue: Overdue | None, today: date) -> bool:
    """Whether ``overdue`` is past the run's thresholds (days and amount)."""
    return (
        overdue is not None
        and overdue.days_overdue(today) > run.min_days_overdue
        and overdue.amount > run.min_amount
    )


def matching_segment_and_region(
    account_ids: list[int], *, segments: list[str], regions: list[str]
) -> list[int]:
    """The accounts of ``account_ids`` whose customer is of one of ``segments`` and
    whose billing address is in one of ``regions`` (an empty list: any), by id."""
    if not account_ids:
        return []
    if not segments and not regions:
        return sorted(account_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT account.id FROM customers_billingaccount account
            JOIN customers_customer customer ON customer.id = account.customer_id
            LEFT JOIN customers_address address ON address.id = account.billing_address_id
            WHERE account.id = ANY(%(ids)s)
              AND (cardinality(%(segments)s::text[]) = 0 OR customer.segment = ANY(%(segments)s))
              AND (cardinality(%(regions)s::text[]) = 0 OR address.region = ANY(%(regions)s))
            ORDER BY account.id
            """,
            {"ids": list(account_ids), "segments": list(segments), "regions": list(regions)},
        )
        return [row[0] for row in cursor.fetchall()]


def disconnection_candidates(*, run: ServiceRun, today: date) -> list[Candidate]:
    """The accounts a disconnection run selects on ``today`` (see the module)."""
    overdue = overdue_accounts(today=today)
    picked = {pk: o for pk, o in overdue.items() if qualifies(run, o, today)}
    ids = matching_segment_and_region(list(picked), segments=run.segments, regions=run.regions)
    held = held_account_ids(account_ids=ids, today=today) if ids else set()
    ids = [pk for pk in ids if pk not in held]
    live = subscriptions_of(ids, LIVE)
    return [
        Candidate(pk, picked[pk].amount, picked[pk].days_overdue(today)) for pk in ids if pk in live
    ]


def paying_accounts(account_ids: list[int]) -> dict[int, int]:
    """The paying account each account of ``account_ids`` rolls up to (itself when it
    pays), in one recursive query."""
    if not account_ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH RECURSIVE up(origin, id, parent_id, is_paying) AS (
                SELECT id, id, parent_id, is_paying FROM customers_billingaccount
                WHERE id = ANY(%s)
                UNION ALL
                SELECT up.origin, parent.id, parent.parent_id, parent.is_paying
                FROM customers_billingaccount parent JOIN up ON parent.id = up.parent_id
                WHERE NOT up.is_paying
            )
            SELECT origin, id FROM up WHERE is_paying
            """,
            [list(account_ids)],
        )
        return dict(cursor.fetchall())


def approved_promise_ids(account_ids: list[int]) -> set[int]:
    """Accounts of ``account_ids`` with an open promise to pay approved for reconnection."""
    return set(
        PromiseToPay.objects.filter(
            billing_account_id__in=account_ids,
            status=PromiseStatus.OPEN,
            approved_for_reconnection=True,
        ).values_list("billing_account_id", flat=True)
    )


def may_reconnect(account_ids: list[int], today: date) -> dict[int, Overdue | None]:
    """The accounts of ``account_ids`` that may be reconnected on ``today`` (nothing
    overdue, or an approved promise), with what they still owe past the due date."""
    overdue = overdue_accounts(today=today, account_ids=account_ids) if account_ids else {}
    approved = approved_promise_ids([pk for pk in account_ids if pk in overdue])
    return {pk: overdue.get(pk) for pk in account_ids if pk not in overdue or pk in approved}


def reconnection_candidates(*, run: ServiceRun, today: date) -> list[Candidate]:
    """The accounts a reconnection run selects on ``today`` (see the module); the run's
    segments and regions narrow it, its days and amount do not apply."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT billing_account_id FROM subscriptions_subscription"
            " WHERE status = ANY(%s)",
            [[str(s) for s in CUT]],
        )
        cut_accounts = [row[0] for row in cursor.fetchall()]
    roots = sorted(set(paying_accounts(cut_accounts).values()))
    ids = matching_segment_and_region(roots, segments=run.segments, regions=run.regions)
    allowed = may_reconnect(ids, today)
    return [
        Candidate(
            pk,
            overdue.amount if overdue else ZERO,
            overdue.days_overdue(today) if overdue else 0,
        )
        for pk, overdue in sorted(allowed.items())
    ]
