"""Reads of subscriptions, scoped to what the user may see: a partner user sees the
subscriptions of its own customers; another's is a 404."""

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from alux_crm.core.selectors import is_partner_user

from . import choices
from .charges import PeriodCharges
from .choices import SubscriptionStatus
from .models import (
    CancellationRequest,
    ChangeOrder,
    ContractDocument,
    Device,
    RestingPeriod,
    Subscription,
    SubscriptionEvent,
    SubscriptionItem,
)


def subscription_list(*, user) -> QuerySet[Subscription]:
    """Subscriptions the user may see, with the columns lists need."""
    qs = Subscription.objects.select_related("customer", "billing_account", "partner", "sold_by")
    if is_partner_user(user):
        return qs.filter(customer__partner_id=user.partner_id) if user.partner_id else qs.none()
    return qs


def subscription_get(*, user, pk: int) -> Subscription:
    """One subscription the user may see, with its items, devices and timeline, or 404."""
    queryset = subscription_list(user=user).prefetch_related(
        Prefetch(
            "items",
            queryset=SubscriptionItem.objects.select_related("product").prefetch_related(
                "promotions"
            ),
        ),
        Prefetch("devices", queryset=Device.objects.select_related("product")),
        Prefetch(
            "timeline", queryset=SubscriptionEvent.objects.select_related("actor", "outbox_message")
        ),
        "resting_periods",
        Prefetch("change_orders", queryset=ChangeOrder.objects.prefetch_related("lines__product")),
        "cancellation_requests",
    )
    return get_object_or_404(queryset, pk=pk)


def current_items_prefetch(*, order_by=("valid_from", "id")) -> Prefetch:
    """Prefetch of a subscription's items in force, with their product, as
    ``current_items``."""
    return Prefetch(
        "items",
        queryset=SubscriptionItem.objects.filter(valid_to__isnull=True)
        .select_related("product")
        .order_by(*order_by),
        to_attr="current_items",
    )


def current_devices_prefetch() -> Prefetch:
    """Prefetch of a subscription's devices not given back, with their product, as
    ``current_devices``."""
    return Prefetch(
        "devices",
        queryset=Device.objects.filter(returned_on__isnull=True).select_related("product"),
        to_attr="current_devices",
    )


def subscriptions_of_customer(*, user, customer) -> QuerySet[Subscription]:
    """A customer's subscriptions (customer-360 tab), newest first."""
    return (
        subscription_list(user=user)
        .filter(customer=customer)
        .prefetch_related(current_items_prefetch(), current_devices_prefetch())
    )


def device_search(*, user, text: str, limit: int = 10) -> QuerySet[Device]:
    """Devices whose serial contains ``text`` (global search), on visible subscriptions."""
    visible = subscription_list(user=user).values("pk")
    return (
        Device.objects.filter(subscription__in=visible, serial__icontains=text.strip())
        .select_related("subscription__customer", "product")
        .order_by("serial")[:limit]
    )


def cancellation_queue(*, status: str | None = None) -> QuerySet[CancellationRequest]:
    """Back office's queue of cancellation and regret requests, oldest effective first."""
    queryset = CancellationRequest.objects.select_related(
        "subscription__customer", "requested_by", "handled_by"
    )
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("status", "effective_on", "id")


def open_cancellations_count() -> int:
    """How many requests wait for back office (the menu badge)."""
    return CancellationRequest.objects.filter(status=choices.CancellationStatus.OPEN).count()


def scheduled_changes(*, user) -> QuerySet[ChangeOrder]:
    """Change orders waiting for their day, on visible subscriptions."""
    return ChangeOrder.objects.filter(
        subscription__in=subscription_list(user=user).values("pk"),
        status=choices.ChangeStatus.SCHEDULED,
    ).select_related("subscription__customer")


# --- pages (issue 5) ---------------------------------------------------------------------
def products_of_account(*, billing_account) -> list:
    """Products the account already has on live subscriptions: what the sale counts as
    owned (an add-on for a customer who has a TV package). The very query the sale
    itself uses, so the wizard's live price and the signed one agree."""
    from .services.lifecycle import _products_of_account

    return _products_of_account(billing_account)


def suspended_account_ids() -> set[int]:
    """Billing accounts with a subscription suspended for non-payment."""
    return set(
        Subscription.objects.filter(status=SubscriptionStatus.SUSPENDED).values_list(
            "billing_account_id", flat=True
        )
    )


def serials_in_use(*, serials) -> set[str]:
    """Which of ``serials`` are already on a device (serials are unique)."""
    wanted = {s for s in serials if s}
    if not wanted:
        return set()
    return set(Device.objects.filter(serial__in=wanted).values_list("serial", flat=True))


def subscription_history(subscription: Subscription, *, limit: int = 300) -> list:
    """Field-level history (pghistory) of the subscription and of the rows that belong
    to it (items, devices, resting periods, change orders, cancellation requests,
    documents), newest first; two queries whatever the number of rows."""
    from pghistory.models import Events

    from alux_crm.core.selectors import annotate_history

    own = Subscription._meta.label
    events = list(
        Events.objects.references(subscription)
        .filter(~Q(pgh_obj_model=own) | Q(pgh_obj_id=str(subscription.pk)))
        .order_by("-pgh_created_at", "-pgh_id")[:limit]
    )
    return annotate_history(events)


def document_get(*, user, pk: int) -> ContractDocument:
    """A contract document of a subscription the user may see, or 404."""
    visible = subscription_list(user=user).values("pk")
    return get_object_or_404(
        ContractDocument.objects.filter(subscription__in=visible).select_related(
            "subscription__customer", "subscription__billing_account"
        ),
        pk=pk,
    )


def cancellation_get(*, pk: int) -> CancellationRequest:
    """One request of the back-office queue, or 404."""
    return get_object_or_404(cancellation_queue(), pk=pk)


def resting_invoice_preview(
    *, subscription: Subscription, starts_on, ends_on, actor=None
) -> list[PeriodCharges]:
    """The charges of every billing period a planned resting period touches, as if it
    were booked: the booking is tried by ``services.resting_request`` in a savepoint
    that is always rolled back (nothing is kept, no provisioning command is sent —
    Django drops the on-commit callbacks of a rolled-back savepoint). Raises what the
    booking would raise (``ValidationError``, ``DomainError``)."""
    from django.db import transaction

    from .charges import billing_period, period_charges
    from .services.resting import resting_request

    class _DryRun(Exception):
        pass

    periods: list[PeriodCharges] = []
    cycle_day = subscription.billing_account.bill_cycle_day
    try:
        with transaction.atomic():
            resting_request(
                subscription=subscription, starts_on=starts_on, ends_on=ends_on, actor=actor
            )
            booked = Subscription.objects.get(pk=subscription.pk)
            start, end = billing_period(bill_cycle_day=cycle_day, day=starts_on)
            while start < ends_on:
                periods.append(
                    period_charges(
                        subscription=booked,
                        period_start=start,
                        period_end=end,
                        service_start=booked.activated_on,
                    )
                )
                start, end = end, billing_period(bill_cycle_day=cycle_day, day=end)[1]
            raise _DryRun
    except _DryRun:
        pass
    return periods


# --- API (issue 5) -----------------------------------------------------------------------
def subscription_list_with_products(*, user) -> QuerySet[Subscription]:
    """``subscription_list`` with each subscription's current items and their products
    (``current_items``), for lists that show what is subscribed (API list)."""
    return subscription_list(user=user).prefetch_related(
        Prefetch(
            "items",
            queryset=SubscriptionItem.objects.filter(valid_to__isnull=True).select_related(
                "product"
            ),
            to_attr="current_items",
        )
    )


def resting_period_current(*, subscription) -> RestingPeriod | None:
    """The resting period under way (started, not yet ended), if any."""
    return (
        subscription.resting_periods.filter(status=choices.RestingStatus.RESTING)
        .order_by("-starts_on")
        .first()
    )
