"""The sale of a subscription and its status transitions with their provisioning
commands (SUB-1, SUB-5, SUB-6).

Every status change goes through ``subscription_transition``: it locks the subscription, checks
``choices.TRANSITIONS``, writes a ``SubscriptionEvent`` and one provisioning command
in the core outbox **in the same transaction** — a change that rolls back sends
nothing; a change that commits is delivered by the outbox task with retries.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from alux_crm.core.errors import DomainError, InvalidTransition
from alux_crm.core.money import ZERO, round_money
from alux_crm.core.numbers import next_number
from alux_crm.core.outbox import outbox_enqueue
from alux_crm.core.selectors import working_calendar
from products.choices import SalesChannel
from products.pricing import BasketItem, price_basket

from .. import choices
from ..choices import SubscriptionStatus as S
from ..models import CreditLimit, Device, Subscription, SubscriptionEvent
from ..signals import subscription_activating, subscription_sold

REGRET_DAYS = 14  # the cooling-off window of distance and off-premises sales (EU)
PROVISIONING_TOPIC = "provisioning"


@dataclass(frozen=True)
class DeviceSpec:
    """A device handed to the subscriber: which product, its serial and room."""

    product: object
    serial: str
    room: str = ""


@transaction.atomic
def subscription_create(
    *,
    billing_account,
    items: list[BasketItem],
    channel: str = SalesChannel.AGENT,
    actor=None,
    partner=None,
    devices: list[DeviceSpec] = (),
    signed_on: date | None = None,
    term_months: int = 24,
    renewal: str = choices.RenewalRule.MONTHLY,
    is_prepaid: bool = False,
    installation_date: date | None = None,
    installation_slot: str = "",
    installation_notes: str = "",
) -> Subscription:
    """Sign a subscription for a billing account (SUB-1). The basket is priced by
    the catalogue's ``price_basket`` (which refuses what cannot be sold together) and
    the promotions it grants are kept on the items. The subscription waits for its
    installation (``subscription_activate``)."""
    signed_on = signed_on or timezone.localdate()
    customer = billing_account.customer
    refuse_blocked_customer(customer)
    _check_installation(installation_date, installation_slot, signed_on)
    quote = price_basket(
        customer=customer,
        items=items,
        on_date=signed_on,
        channel=channel,
        term_months=term_months,
        currency=billing_account.currency,
        existing_products=_products_of_account(billing_account),
    )
    deposit, _why = deposit_for(customer=customer, monthly=quote.monthly_total)
    subscription = Subscription.objects.create(
        number=next_number("subscription_number_seq", "SUB-"),
        deposit_required=ZERO if is_prepaid else deposit,
        is_prepaid=is_prepaid,
        installation_date=installation_date,
        installation_slot=installation_slot,
        installation_notes=installation_notes,
        customer=customer,
        billing_account=billing_account,
        channel=channel,
        sold_by=actor,
        partner=partner or customer.partner,
        currency=billing_account.currency,
        signed_on=signed_on,
        minimum_term_months=term_months,
        renewal=renewal,
        regret_until=signed_on + timedelta(days=REGRET_DAYS),
    )
    granted = {
        line.product.pk: {d.code for d in line.discounts if d.source == "promotion"}
        for line in quote.lines
        if line.included_in is None
    }
    promotions_by_code = {
        p.code: p for p in _promotions(codes={c for codes in granted.values() for c in codes})
    }
    for item in items:
        row = subscription.items.create(
            product=item.product,
            acquisition=item.acquisition,
            quantity=item.quantity,
            manual_discount_percent=item.manual_discount_percent,
            valid_from=signed_on,
        )
        row.promotions.set([promotions_by_code[c] for c in granted.get(item.product.pk, ())])
    for spec in devices:
        device = Device(
            subscription=subscription, product=spec.product, serial=spec.serial, room=spec.room
        )
        device.full_clean()
        device.save()
    SubscriptionEvent.objects.create(
        subscription=subscription,
        to_status=subscription.status,
        reason=_("Signed through %(channel)s") % {"channel": SalesChannel(channel).label},
        actor=actor,
        effective_on=signed_on,
    )
    subscription_sold.send(sender=Subscription, subscription=subscription, actor=actor)
    return subscription


def refuse_blocked_customer(customer) -> None:
    """A blocked customer (by hand, or by a blocking rule of collections) buys nothing.
    The status is read from the database: the customer object may be older."""
    from customers.choices import CustomerStatus

    if type(customer).objects.filter(pk=customer.pk, status=CustomerStatus.BLOCKED).exists():
        raise DomainError(
            _("%(customer)s is blocked: no new subscription can be sold until unblocked.")
            % {"customer": customer.name},
            code="customer_blocked",
        )


def _check_installation(day: date | None, slot: str, signed_on: date) -> None:
    """An installation is booked on a working day from the signing day on, with a slot."""
    if day is None:
        return
    errors = {}
    if day < signed_on:
        errors["installation_date"] = _("The installation cannot be before the signing day.")
    elif not working_calendar().is_working_day(day):
        errors["installation_date"] = _("%(day)s is not a working day.") % {"day": day}
    if not slot:
        errors["installation_slot"] = _("Choose when the installer comes.")
    if errors:
        raise ValidationError(errors)


def deposit_for(*, customer, monthly) -> tuple:
    """The deposit a sale of ``monthly`` (VAT included) needs from ``customer`` under
    the credit limits (CUS-3), and why. No limits configured: no deposit."""
    limits = {limit.credit_class: limit for limit in CreditLimit.objects.all()}
    if not limits:
        return ZERO, ""
    limit = limits.get(customer.credit_class) or limits[max(limits)]  # D is the strictest
    if monthly <= limit.max_monthly_without_deposit:
        return ZERO, ""
    deposit = round_money(monthly * limit.deposit_months)
    why = _("Credit class %(cls)s buys up to %(max)s a month without a deposit.") % {
        "cls": customer.credit_class or "-",
        "max": limit.max_monthly_without_deposit,
    }
    return deposit, why


def _promotions(*, codes: set[str]):
    from products.models import Promotion

    return Promotion.objects.filter(code__in=codes) if codes else []


def _products_of_account(billing_account) -> list:
    """Products the account already has on live subscriptions (prerequisites)."""
    from products.models import Product

    return list(
        Product.objects.filter(
            subscription_items__subscription__billing_account=billing_account,
            subscription_items__subscription__status__in=(
                S.ACTIVE,
                S.RESTING,
                S.PENDING_INSTALLATION,
            ),
            subscription_items__valid_to__isnull=True,
        ).distinct()
    )


# --- transitions ------------------------------------------------------------------------


def provisioning_payload(subscription: Subscription, command: str, effective_on: date) -> dict:
    """What the network and conditional-access systems are told: the command, the
    subscription and its current entitlements (product codes) and devices."""
    items = subscription.items.filter(valid_to__isnull=True).select_related("product")
    return {
        "command": command,
        "subscription": subscription.number,
        "customer": subscription.customer.number,
        "status": subscription.status,
        "effective_on": effective_on.isoformat(),
        "entitlements": sorted({i.product.code for i in items}),
        "devices": list(
            subscription.devices.filter(returned_on__isnull=True).values_list("serial", flat=True)
        ),
    }


def subscription_transition(
    subscription: Subscription,
    to_status: str,
    *,
    actor,
    reason: str = "",
    effective_on: date | None = None,
) -> Subscription:
    """Move ``subscription`` to ``to_status`` if ``choices.TRANSITIONS`` allows it,
    writing its event and exactly one provisioning command, in the caller's
    transaction (the named services below add what each step needs)."""
    subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
    allowed = choices.TRANSITIONS[subscription.status]
    if to_status not in allowed:
        raise InvalidTransition(
            _("A subscription cannot go from %(from)s to %(to)s.")
            % {"from": subscription.get_status_display(), "to": S(to_status).label}
        )
    effective_on = effective_on or timezone.localdate()
    command = allowed[to_status]
    from_status = subscription.status
    subscription.status = to_status
    subscription.version = F("version") + 1
    subscription.save(update_fields=["status", "version", "updated_at"])
    subscription.refresh_from_db(fields=["version"])
    provision(
        subscription,
        command,
        from_status=from_status,
        actor=actor,
        reason=reason,
        effective_on=effective_on,
    )
    return subscription


def provision(
    subscription: Subscription,
    command: str,
    *,
    from_status: str | None = None,
    actor=None,
    reason: str = "",
    effective_on: date,
) -> SubscriptionEvent:
    """Record a step of the subscription (a status or product change) and write its
    provisioning command to the outbox, in the caller's transaction."""
    event = SubscriptionEvent.objects.create(
        subscription=subscription,
        from_status=subscription.status if from_status is None else from_status,
        to_status=subscription.status,
        command=command,
        reason=reason,
        actor=actor,
        effective_on=effective_on,
    )
    event.outbox_message = outbox_enqueue(
        topic=f"{PROVISIONING_TOPIC}.{command}",
        payload=provisioning_payload(subscription, command, effective_on),
        idempotency_key=f"subscription-{subscription.pk}-event-{event.pk}",
    )
    event.save(update_fields=["outbox_message"])
    return event


@transaction.atomic
def subscription_activate(
    *, subscription: Subscription, actor=None, on: date | None = None
) -> Subscription:
    """The installation is done (or a disconnected subscription is reconnected): the
    service starts. The first activation starts the contract term."""
    on = on or timezone.localdate()
    locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
    if on < locked.signed_on:
        raise ValidationError({"on": _("The service cannot start before the signing day.")})
    was = locked.status
    if was == S.PENDING_INSTALLATION:  # e.g. collections: an unpaid deposit refuses
        subscription_activating.send(sender=Subscription, subscription=locked, actor=actor)
    subscription = subscription_transition(
        subscription, S.ACTIVE, actor=actor, reason=_("Activated"), effective_on=on
    )
    if was == S.PENDING_INSTALLATION:
        subscription.activated_on = on
        subscription.contract_end = on + relativedelta(months=subscription.minimum_term_months)
        subscription.save(update_fields=["activated_on", "contract_end", "updated_at"])
        subscription.devices.filter(installed_on__isnull=True).update(installed_on=on)
    return subscription


@transaction.atomic
def subscription_suspend(
    *, subscription: Subscription, actor=None, reason: str = ""
) -> Subscription:
    """Suspend for non-payment (collections)."""
    return subscription_transition(
        subscription, S.SUSPENDED, actor=actor, reason=reason or _("Non-payment")
    )


@transaction.atomic
def subscription_reconnect(
    *, subscription: Subscription, actor=None, reason: str = ""
) -> Subscription:
    """Give the service back after a suspension or a disconnection (paid, promised)."""
    subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
    if subscription.status not in (S.SUSPENDED, S.DISCONNECTED):
        raise InvalidTransition(_("Only a suspended or disconnected subscription is reconnected."))
    return subscription_transition(
        subscription, S.ACTIVE, actor=actor, reason=reason or _("Reconnected")
    )


@transaction.atomic
def subscription_disconnect(
    *, subscription: Subscription, actor=None, reason: str = ""
) -> Subscription:
    """Disconnect (collections' disconnection run)."""
    return subscription_transition(
        subscription, S.DISCONNECTED, actor=actor, reason=reason or _("Disconnected")
    )


@transaction.atomic
def subscription_terminate(
    *, subscription: Subscription, actor=None, reason: str = "", on: date | None = None
) -> Subscription:
    """End the subscription for good on ``on`` (today by default)."""
    on = on or timezone.localdate()
    subscription = subscription_transition(
        subscription, S.TERMINATED, actor=actor, reason=reason, effective_on=on
    )
    subscription.ended_on = on
    subscription.save(update_fields=["ended_on", "updated_at"])
    # The termination day is the last day of service.
    subscription.items.filter(valid_to__isnull=True).update(valid_to=on + timedelta(days=1))
    return subscription


@transaction.atomic
def subscription_cancel_in_regret_window(
    *, subscription: Subscription, actor=None, reason: str = "", today: date | None = None
) -> Subscription:
    """The subscriber changed their mind within the cooling-off window (SUB-4): the
    subscription is cancelled without an early-termination fee."""
    today = today or timezone.localdate()
    if today > subscription.regret_until:
        raise DomainError(
            _("The cooling-off window ended on %(day)s.") % {"day": subscription.regret_until}
        )
    subscription = subscription_transition(
        subscription, S.CANCELLED, actor=actor, reason=reason, effective_on=today
    )
    subscription.ended_on = today
    subscription.save(update_fields=["ended_on", "updated_at"])
    subscription.items.filter(valid_to__isnull=True).update(valid_to=today + timedelta(days=1))
    return subscription
