"""Prepaid services (SUB-9): a prepaid subscription runs on a balance. Top-ups
(vouchers — billing redeems them and calls ``prepaid_top_up`` —, card, cash) raise it;
a daily charge of the monthly price / days in the month lowers it; when the balance
cannot pay a day the service is suspended, and the next top-up that covers a day
reconnects it. Every movement is an append-only ``PrepaidEntry`` with an idempotency
key, so nothing is counted twice."""

import calendar
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alux_crm.core.errors import DomainError
from alux_crm.core.money import ZERO, round_money

from ..charges import current_items_quote
from ..choices import PrepaidEntryKind
from ..choices import SubscriptionStatus as S
from ..models import PrepaidEntry, Subscription
from .lifecycle import subscription_reconnect, subscription_suspend


def _add_entry(subscription, *, kind, amount, key, day, source="", actor=None) -> PrepaidEntry:
    """Append a movement and move the cached balance, under the subscription's lock.
    The same key twice returns the first entry."""
    existing = PrepaidEntry.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
    balance = subscription.prepaid_balance + amount
    try:
        with transaction.atomic():
            entry = PrepaidEntry.objects.create(
                subscription=subscription,
                kind=kind,
                amount=amount,
                balance_after=balance,
                idempotency_key=key,
                source=source,
                day=day,
                actor=actor,
            )
    except IntegrityError:  # the same key committed by a concurrent call
        return PrepaidEntry.objects.get(idempotency_key=key)
    subscription.prepaid_balance = balance
    subscription.save(update_fields=["prepaid_balance", "updated_at"])
    return entry


def daily_fee(subscription: Subscription, day: date) -> Decimal:
    """One day of the subscription's recurring products, VAT included."""
    quote = current_items_quote(subscription=subscription, on=day)
    if quote is None:
        return ZERO
    return round_money(quote.monthly_total / calendar.monthrange(day.year, day.month)[1])


@transaction.atomic
def prepaid_top_up(
    *,
    subscription: Subscription,
    amount: Decimal,
    idempotency_key: str,
    source: str = "",
    actor=None,
) -> PrepaidEntry:
    """Raise the balance (a voucher, a card payment, cash at a shop). A subscription
    suspended for an empty balance is reconnected when the new balance pays a day."""
    if not subscription.is_prepaid:
        raise DomainError(_("This subscription is not prepaid."))
    if amount is None or amount <= 0:
        raise ValidationError({"amount": _("A top-up must be more than zero.")})
    today = timezone.localdate()
    entry = _add_entry(
        subscription,
        kind=PrepaidEntryKind.TOP_UP,
        amount=round_money(amount),
        key=idempotency_key,
        day=today,
        source=source,
        actor=actor,
    )
    subscription.refresh_from_db()
    if subscription.status == S.SUSPENDED and subscription.prepaid_balance >= daily_fee(
        subscription, today
    ):
        subscription_reconnect(
            subscription=subscription, actor=actor, reason=_("Prepaid balance topped up")
        )
    return entry


@transaction.atomic
def prepaid_charge_day(*, subscription: Subscription, day: date) -> PrepaidEntry | None:
    """Charge one day of an active prepaid subscription, or suspend it when the
    balance cannot pay the day. Charging the same day twice does nothing."""
    if not subscription.is_prepaid or subscription.status != S.ACTIVE:
        return None
    fee = daily_fee(subscription, day)
    key = f"prepaid-{subscription.pk}-day-{day.isoformat()}"
    if PrepaidEntry.objects.filter(idempotency_key=key).exists():
        return None
    if subscription.prepaid_balance < fee:
        subscription_suspend(subscription=subscription, reason=_("Prepaid balance exhausted"))
        return None
    return _add_entry(
        subscription, kind=PrepaidEntryKind.DAILY_CHARGE, amount=-fee, key=key, day=day
    )


def prepaid_run(*, today: date | None = None) -> dict[str, int]:
    """Daily: charge every active prepaid subscription for the day."""
    today = today or timezone.localdate()
    counts = {"charged": 0, "suspended": 0}
    for subscription in Subscription.objects.filter(is_prepaid=True, status=S.ACTIVE):
        entry = prepaid_charge_day(subscription=subscription, day=today)
        subscription.refresh_from_db(fields=["status"])
        if entry is not None:
            counts["charged"] += 1
        elif subscription.status == S.SUSPENDED:
            counts["suspended"] += 1
    return counts
