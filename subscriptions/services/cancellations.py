"""Cancellations and regrets (SUB-4): requested by an agent or the subscriber,
escalated to Back Office as a queue, with the early-termination fee computed from
the remaining term; the subscription ends on the chosen date.

The early-termination fee is what the subscriber would still have paid for the
recurring products until the end of the minimum term: the monthly net of the current
items (with their granted promotions) times the remaining months, the last partial
month prorated by day (``remaining months x monthly + days / 30 x monthly``), VAT
excluded. None inside the cooling-off window, after the minimum term, or for a
regret.
"""

from datetime import date

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alux_crm.core.errors import DomainError
from alux_crm.core.money import ZERO, round_money
from products.choices import SalesChannel

from .. import choices
from ..charges import current_items_quote
from ..choices import CancellationKind, CancellationStatus
from ..models import CancellationRequest, Subscription
from .lifecycle import subscription_cancel_in_regret_window, subscription_terminate

DAYS_PER_MONTH = 30


def early_termination_fee(*, subscription: Subscription, on: date) -> tuple:
    """The fee for ending ``subscription`` on ``on`` and how it was computed."""
    if subscription.contract_end is None or on >= subscription.contract_end:
        return ZERO, _("No fee: the minimum term is over.")
    if on <= subscription.regret_until:
        return ZERO, _("No fee: inside the cooling-off window.")
    # The month of the contract the subscriber leaves in: a promotion for the first
    # months no longer lowers the fee once those months are over.
    quote = current_items_quote(subscription=subscription, on=on)
    if quote is None:
        return ZERO, _("No fee: nothing left on the subscription.")
    monthly = quote.monthly_net
    left = relativedelta(subscription.contract_end, on)
    months = left.years * 12 + left.months
    fee = round_money(monthly * months + monthly * left.days / DAYS_PER_MONTH)
    how = _(
        "%(months)s months and %(days)s days left of the minimum term (until %(end)s) "
        "x %(monthly)s a month"
    ) % {"months": months, "days": left.days, "end": subscription.contract_end, "monthly": monthly}
    return fee, how


@transaction.atomic
def cancellation_request_create(
    *,
    subscription: Subscription,
    effective_on: date,
    reason: str,
    actor=None,
    channel: str = SalesChannel.AGENT,
    today: date | None = None,
) -> CancellationRequest:
    """Ask Back Office to end a subscription on ``effective_on``. Inside the
    cooling-off window it is a regret (no fee); otherwise the fee is computed now and
    shown to the subscriber."""
    today = today or timezone.localdate()
    subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
    if subscription.status in choices.FINAL_STATUSES:
        raise DomainError(_("The subscription has already ended."))
    if effective_on < today:
        raise ValidationError({"effective_on": _("The date cannot be in the past.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the subscriber wants to leave.")})
    regret = today <= subscription.regret_until
    fee, how = (
        (ZERO, _("No fee: a regret within the cooling-off window."))
        if regret
        else (early_termination_fee(subscription=subscription, on=effective_on))
    )
    request = CancellationRequest(
        subscription=subscription,
        kind=CancellationKind.REGRET if regret else CancellationKind.CANCELLATION,
        requested_on=today,
        effective_on=today if regret else effective_on,
        reason=reason,
        early_termination_fee=fee,
        fee_explanation=how,
        requested_by=actor,
        channel=channel,
    )
    request.full_clean()
    request.save()
    return request


@transaction.atomic
def cancellation_approve(
    *, request: CancellationRequest, actor, answer: str = "", today: date | None = None
) -> CancellationRequest:
    """Back Office accepts the request: a regret cancels at once; a cancellation
    ends the subscription on its date (today or by the daily task)."""
    today = today or timezone.localdate()
    request = CancellationRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != CancellationStatus.OPEN:
        raise DomainError(_("This request has already been handled."))
    request.status = CancellationStatus.APPROVED
    request.handled_by = actor
    request.handled_at = timezone.now()
    request.answer = answer
    request.save(update_fields=["status", "handled_by", "handled_at", "answer", "updated_at"])
    if request.kind == CancellationKind.REGRET or request.effective_on <= today:
        request = _carry_out(request, actor=actor, today=today)
    return request


def _carry_out(request: CancellationRequest, *, actor=None, today: date) -> CancellationRequest:
    subscription = request.subscription
    if request.kind == CancellationKind.REGRET:
        subscription_cancel_in_regret_window(
            subscription=subscription,
            actor=actor,
            reason=request.reason,
            today=request.requested_on,
        )
    else:
        subscription_terminate(
            subscription=subscription, actor=actor, reason=request.reason, on=request.effective_on
        )
    request.status = CancellationStatus.DONE
    request.save(update_fields=["status", "updated_at"])
    return request


@transaction.atomic
def cancellation_reject(*, request: CancellationRequest, actor, answer: str) -> CancellationRequest:
    """Back Office refuses the request (e.g. the subscriber was retained), saying why."""
    if not answer.strip():
        raise ValidationError({"answer": _("Say why the request is refused.")})
    request = CancellationRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != CancellationStatus.OPEN:
        raise DomainError(_("This request has already been handled."))
    request.status = CancellationStatus.REJECTED
    request.handled_by = actor
    request.handled_at = timezone.now()
    request.answer = answer
    request.save(update_fields=["status", "handled_by", "handled_at", "answer", "updated_at"])
    return request


def cancellations_run(*, today: date | None = None) -> int:
    """Daily: end the subscriptions whose approved cancellation date has come."""
    today = today or timezone.localdate()
    done = 0
    for request in CancellationRequest.objects.filter(
        status=CancellationStatus.APPROVED, effective_on__lte=today
    ):
        with transaction.atomic():
            _carry_out(request, today=today)
        done += 1
    return done
