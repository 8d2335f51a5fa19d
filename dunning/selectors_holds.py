"""Reads of the holds (promises to pay, payment plans, deposits) scoped to what the
user may see, and ``customer_holds`` for the customer-360 Collections tab."""

from datetime import date, timedelta

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from billing.models import LedgerEntry
from customers.selectors import billing_account_list

from .choices import DepositStatus, PaymentPlanStatus, PromiseStatus
from .models import AccountBlock, Deposit, Instalment, PaymentPlan, PromiseToPay

RECENT_DAYS = 180  # resolved promises and ended plans shown on the customer page
DUE_SOON_DAYS = 3  # the "due soon" filter of the promises list


def _visible_accounts(user):
    return billing_account_list(user=user).values("pk")


def promise_list(*, user) -> QuerySet[PromiseToPay]:
    """Promises to pay of the accounts the user may see, newest first."""
    return PromiseToPay.objects.filter(billing_account__in=_visible_accounts(user)).select_related(
        "billing_account__customer", "created_by", "approved_by"
    )


def promise_get(*, user, pk: int) -> PromiseToPay:
    """One promise the user may see, or 404."""
    return get_object_or_404(promise_list(user=user), pk=pk)


def promises_due_soon(queryset, *, today: date | None = None):
    """Open promises falling due between today and ``DUE_SOON_DAYS`` days ahead."""
    today = today or timezone.localdate()
    return queryset.filter(
        status=PromiseStatus.OPEN,
        pay_by__gte=today,
        pay_by__lte=today + timedelta(days=DUE_SOON_DAYS),
    )


def payment_plan_list(*, user) -> QuerySet[PaymentPlan]:
    """Payment plans of the accounts the user may see, newest first."""
    return PaymentPlan.objects.filter(billing_account__in=_visible_accounts(user)).select_related(
        "billing_account__customer", "created_by"
    )


def payment_plan_get(*, user, pk: int) -> PaymentPlan:
    """One payment plan (with its instalments) the user may see, or 404."""
    return get_object_or_404(
        payment_plan_list(user=user).prefetch_related(
            Prefetch("instalments", queryset=Instalment.objects.order_by("number"))
        ),
        pk=pk,
    )


def deposit_list(*, user) -> QuerySet[Deposit]:
    """Deposits of the accounts the user may see, newest first."""
    return Deposit.objects.filter(billing_account__in=_visible_accounts(user)).select_related(
        "billing_account__customer", "subscription", "created_by"
    )


def deposit_get(*, user, pk: int) -> Deposit:
    """One deposit the user may see, or 404."""
    return get_object_or_404(deposit_list(user=user), pk=pk)


def customer_holds(*, customer, today: date | None = None) -> dict:
    """What holds a customer's collections, for the customer-360 page: open and
    recent promises to pay, active and recent payment plans with their instalments,
    deposits, and the account blocks made by the blocking rules. A fixed number of
    queries whatever the number of accounts."""
    today = today or timezone.localdate()
    since = today - timedelta(days=RECENT_DAYS)
    accounts = list(customer.billing_accounts.order_by("number"))
    ids = [a.pk for a in accounts]
    promises = list(
        PromiseToPay.objects.filter(billing_account_id__in=ids)
        .filter(Q(status=PromiseStatus.OPEN) | Q(created_at__date__gte=since))
        .select_related("billing_account", "created_by", "approved_by")
    )
    plans = list(
        PaymentPlan.objects.filter(billing_account_id__in=ids)
        .filter(Q(status=PaymentPlanStatus.ACTIVE) | Q(created_at__date__gte=since))
        .select_related("billing_account")
        .prefetch_related(Prefetch("instalments", queryset=Instalment.objects.order_by("number")))
    )
    deposits = list(
        Deposit.objects.filter(billing_account_id__in=ids).select_related(
            "billing_account", "subscription"
        )
    )
    blocks = list(AccountBlock.objects.filter(customer=customer).select_related("rule"))
    open_promises = [p for p in promises if p.status == PromiseStatus.OPEN]
    return {
        "customer": customer,
        "accounts": accounts,
        "today": today,
        "open_promises": open_promises,
        "recent_promises": [p for p in promises if p.status != PromiseStatus.OPEN],
        "active_plans": [p for p in plans if p.status == PaymentPlanStatus.ACTIVE],
        "recent_plans": [p for p in plans if p.status != PaymentPlanStatus.ACTIVE],
        "deposits": deposits,
        "deposits_unpaid": [d for d in deposits if d.status == DepositStatus.REQUESTED],
        "blocks": blocks,
        "live_blocks": [b for b in blocks if b.lifted_on is None and b.ends_on >= today],
        "held": bool(open_promises) or any(p.status == PaymentPlanStatus.ACTIVE for p in plans),
    }


def deposit_entries(*, deposit) -> list:
    """The ledger entries of a deposit: held, the payment that brought the money,
    released, refunded."""
    return list(
        LedgerEntry.objects.filter(billing_account_id=deposit.billing_account_id)
        .filter(
            Q(idempotency_key__startswith=f"deposit-{deposit.pk}-")
            | Q(payment__idempotency_key=f"deposit-{deposit.pk}")
        )
        .order_by("id")
    )
