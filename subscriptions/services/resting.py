"""Resting periods (SUB-3): booked under the products' resting policy, started and
ended by the daily task, returned from early on request."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alux_crm.core.errors import DomainError, InvalidTransition
from products.choices import SalesChannel

from .. import choices
from ..choices import SubscriptionStatus as S
from ..models import RestingPeriod, RestingPolicy, Subscription
from .lifecycle import subscription_transition


def resting_policy_of(subscription: Subscription) -> RestingPolicy | None:
    """The resting policy of the subscription's products (the strictest if several)."""
    policies = list(
        RestingPolicy.objects.filter(
            product__subscription_items__subscription=subscription,
            product__subscription_items__valid_to__isnull=True,
        )
    )
    return min(policies, key=lambda p: (p.max_per_year, p.max_days), default=None)


def _check_resting(subscription, policy, starts_on, ends_on, today) -> None:
    if policy is None:
        raise DomainError(_("The products of this subscription cannot rest."))
    errors = {}
    days = (ends_on - starts_on).days
    if days < policy.min_days or days > policy.max_days:
        errors["ends_on"] = _(
            "A resting period lasts %(min)s to %(max)s days; this one is %(days)s."
        ) % {
            "min": policy.min_days,
            "max": policy.max_days,
            "days": days,
        }
    if starts_on < today + timedelta(days=policy.notice_days):
        errors["starts_on"] = _("Resting needs %(n)s days' notice: start on %(day)s or later.") % {
            "n": policy.notice_days,
            "day": today + timedelta(days=policy.notice_days),
        }
    taken = (
        subscription.resting_periods.exclude(status=choices.RestingStatus.CANCELLED)
        .filter(starts_on__year=starts_on.year)
        .count()
    )
    if taken >= policy.max_per_year:
        errors["starts_on"] = _("At most %(n)s resting periods a year; %(year)s has %(taken)s.") % {
            "n": policy.max_per_year,
            "year": starts_on.year,
            "taken": taken,
        }
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def resting_request(
    *,
    subscription: Subscription,
    starts_on: date,
    ends_on: date,
    actor=None,
    channel: str = SalesChannel.AGENT,
    today: date | None = None,
) -> RestingPeriod:
    """Book a resting period (SUB-3) under the policy of the subscription's products:
    its length, how many a year, the notice. It starts (and the service is suspended)
    on its first day, by the daily task or at once when that day is today."""
    today = today or timezone.localdate()
    subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
    if subscription.status != S.ACTIVE:
        raise InvalidTransition(_("Only an active subscription can rest."))
    policy = resting_policy_of(subscription)
    _check_resting(subscription, policy, starts_on, ends_on, today)
    period = RestingPeriod(
        subscription=subscription,
        starts_on=starts_on,
        ends_on=ends_on,
        requested_by=actor,
        channel=channel,
    )
    period.full_clean()
    period.save()
    if starts_on <= today:
        period = resting_start(period=period, actor=actor, today=today)
    return period


@transaction.atomic
def resting_start(*, period: RestingPeriod, actor=None, today: date | None = None) -> RestingPeriod:
    """The first day of a resting period: the service is suspended (resting fee)."""
    period = RestingPeriod.objects.select_for_update().get(pk=period.pk)
    if period.status != choices.RestingStatus.SCHEDULED:
        return period
    subscription_transition(
        period.subscription,
        S.RESTING,
        actor=actor,
        reason=_("Resting until %(day)s") % {"day": period.ends_on},
        effective_on=period.starts_on,
    )
    period.status = choices.RestingStatus.RESTING
    period.save(update_fields=["status", "updated_at"])
    return period


@transaction.atomic
def resting_end(*, period: RestingPeriod, actor=None, today: date | None = None) -> RestingPeriod:
    """Resume the service: on the planned day (daily task) or earlier on request. The
    contract end moves by the days actually rested where the policy says so."""
    today = today or timezone.localdate()
    period = RestingPeriod.objects.select_for_update().get(pk=period.pk)
    if period.status == choices.RestingStatus.SCHEDULED:
        period.status = choices.RestingStatus.CANCELLED
        period.save(update_fields=["status", "updated_at"])
        return period
    if period.status != choices.RestingStatus.RESTING:
        return period
    resumed_on = min(today, period.ends_on)
    subscription = Subscription.objects.select_for_update().get(pk=period.subscription_id)
    if subscription.status == S.RESTING:
        subscription = subscription_transition(
            subscription,
            S.ACTIVE,
            actor=actor,
            reason=_("Back from resting"),
            effective_on=resumed_on,
        )
    # Suspended (non-payment) or ended meanwhile: the period ends, the service stays
    # as collections or the cancellation left it.
    policy = resting_policy_of(subscription)
    rested = (resumed_on - period.starts_on).days
    if policy and policy.extends_contract and subscription.contract_end:
        subscription.contract_end += timedelta(days=rested)
        subscription.save(update_fields=["contract_end", "updated_at"])
        period.extended_contract_days = rested
    period.status = choices.RestingStatus.ENDED
    if resumed_on < period.ends_on:
        period.ended_on = resumed_on
    period.save(update_fields=["status", "ended_on", "extended_contract_days", "updated_at"])
    return period


def resting_periods_run(*, today: date | None = None) -> dict[str, int]:
    """Daily: start the resting periods whose first day has come and resume those
    whose last day has passed. Safe to run any number of times."""
    today = today or timezone.localdate()
    counts = {"started": 0, "resumed": 0}
    for period in RestingPeriod.objects.filter(
        status=choices.RestingStatus.SCHEDULED, starts_on__lte=today
    ):
        if period.subscription.status == S.ACTIVE:
            resting_start(period=period, today=today)
            counts["started"] += 1
    for period in RestingPeriod.objects.filter(
        status=choices.RestingStatus.RESTING, ends_on__lte=today
    ):
        resting_end(period=period, today=today)
        counts["resumed"] += 1
    return counts
