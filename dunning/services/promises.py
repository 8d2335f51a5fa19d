"""Promises to pay (BIL-6 holds): an agent records that the customer will pay an
amount by a day; dunning and disconnection hold the account until then
(``dunning.selectors.held_account_ids``). The hourly evaluation marks a promise kept
as soon as the payments received since it was made reach its amount, and broken
once its day has passed without them."""

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from alux_crm.core.errors import DomainError
from alux_crm.core.money import ZERO, round_money
from billing.choices import PaymentStatus
from billing.models import Payment
from customers.models import BillingAccount

from ..choices import PromiseStatus
from ..models import PromiseToPay


def promise_max_days() -> int:
    """How many days ahead a promise may fall due (``DUNNING_PROMISE_MAX_DAYS``)."""
    return int(getattr(settings, "DUNNING_PROMISE_MAX_DAYS", 14))


def paid_since(*, promise: PromiseToPay) -> Decimal:
    """What the account received in payments (not reversed) since the promise was made."""
    total = Payment.objects.filter(
        billing_account_id=promise.billing_account_id,
        status=PaymentStatus.RECEIVED,
        created_at__gte=promise.created_at,
    ).aggregate(total=Sum("amount"))["total"]
    return total or ZERO


@transaction.atomic
def promise_create(
    *,
    account: BillingAccount,
    amount: Decimal,
    pay_by: date,
    note: str = "",
    actor=None,
    today: date | None = None,
) -> PromiseToPay:
    """Record the customer's promise to pay ``amount`` by ``pay_by``. The account must
    owe (a positive balance) at least the amount, the day must be within
    ``DUNNING_PROMISE_MAX_DAYS`` of today, and an account has one open promise."""
    today = today or timezone.localdate()
    locked = BillingAccount.objects.select_for_update().get(pk=account.pk)
    errors = {}
    if amount is None or amount <= 0:
        errors["amount"] = _("A promise is for more than zero.")
    elif locked.balance <= 0:
        errors["amount"] = _("Account %(number)s owes nothing.") % {"number": locked.number}
    elif round_money(amount) > locked.balance:
        errors["amount"] = _("The account owes %(balance)s %(currency)s, less than that.") % {
            "balance": locked.balance,
            "currency": locked.currency,
        }
    latest = today + timedelta(days=promise_max_days())
    if pay_by is None or pay_by < today:
        errors["pay_by"] = _("The day to pay by is today or later.")
    elif pay_by > latest:
        errors["pay_by"] = _("A promise falls due within %(days)s days (by %(day)s).") % {
            "days": promise_max_days(),
            "day": latest.isoformat(),
        }
    if errors:
        raise ValidationError(errors)
    if PromiseToPay.objects.filter(billing_account=locked, status=PromiseStatus.OPEN).exists():
        raise DomainError(
            _("Account %(number)s already has an open promise to pay.") % {"number": locked.number},
            code="open_promise",
        )
    try:
        with transaction.atomic():
            return PromiseToPay.objects.create(
                billing_account=locked,
                amount=round_money(amount),
                pay_by=pay_by,
                note=note,
                balance_when_made=locked.balance,
                created_by=actor,
            )
    except IntegrityError as exc:  # a concurrent promise won (the unique constraint)
        raise DomainError(
            _("Account %(number)s already has an open promise to pay.") % {"number": locked.number},
            code="open_promise",
        ) from exc


def _open(promise: PromiseToPay) -> PromiseToPay:
    locked = PromiseToPay.objects.select_for_update().get(pk=promise.pk)
    if locked.status != PromiseStatus.OPEN:
        raise DomainError(
            _("This promise is %(status)s.") % {"status": locked.get_status_display().lower()},
            code="invalid_transition",
        )
    return locked


@transaction.atomic
def promise_cancel(*, promise: PromiseToPay, actor=None, today: date | None = None):
    """Withdraw an open promise (recorded by mistake, or replaced by a payment plan):
    dunning resumes."""
    locked = _open(promise)
    locked.status = PromiseStatus.CANCELLED
    locked.resolved_on = today or timezone.localdate()
    locked.save(update_fields=["status", "resolved_on", "updated_at"])
    return locked


@transaction.atomic
def promise_approve_for_reconnection(*, promise: PromiseToPay, actor) -> PromiseToPay:
    """Billing & Finance trust the promise: the reconnection run may give the service
    back before the money arrives. Four eyes: not by the person who recorded it."""
    locked = _open(promise)
    if locked.approved_for_reconnection:
        raise DomainError(_("This promise is already approved."), code="invalid_transition")
    if actor is not None and locked.created_by_id == actor.pk:
        raise DomainError(_("A promise is approved by someone other than who recorded it."))
    locked.approved_for_reconnection = True
    locked.approved_by = actor
    locked.save(update_fields=["approved_for_reconnection", "approved_by", "updated_at"])
    return locked


@transaction.atomic
def promise_evaluate(*, promise: PromiseToPay, today: date) -> PromiseToPay:
    """Resolve one open promise: kept when the payments since it was made reach its
    amount (on any day), broken when ``pay_by`` has passed without them."""
    locked = PromiseToPay.objects.select_for_update().get(pk=promise.pk)
    if locked.status != PromiseStatus.OPEN:
        return locked
    if paid_since(promise=locked) >= locked.amount:
        locked.status = PromiseStatus.KEPT
    elif locked.pay_by < today:
        locked.status = PromiseStatus.BROKEN
    else:
        return locked
    locked.resolved_on = today
    locked.save(update_fields=["status", "resolved_on", "updated_at"])
    return locked


def promises_evaluate(*, today: date | None = None) -> dict[str, int]:
    """Evaluate every open promise (one short transaction each); returns how many were
    kept and broken."""
    today = today or timezone.localdate()
    counts = {PromiseStatus.KEPT.value: 0, PromiseStatus.BROKEN.value: 0}
    for promise in PromiseToPay.objects.filter(status=PromiseStatus.OPEN).order_by("pk"):
        status = promise_evaluate(promise=promise, today=today).status
        if status in counts:
            counts[status] += 1
    return counts
