"""Demo of the subscriber's services in the portal (issue 8): on the demo
subscriber's live TV subscription, a pay-per-view event bought in the portal last
week and a pause (resting period) booked in the portal for next month, both through
the agents' services with the portal's channel. Channel add-ons and at least one
other event stay to buy. Idempotent: each is made once."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alux_crm.core.errors import DomainError
from products.choices import ProductCategory, SalesChannel
from subscriptions.choices import SubscriptionStatus
from subscriptions.services import change_order_create, resting_request

from .models import PortalAccount
from .selectors_services import portal_change_request, portal_offers, portal_service

PPV_BOUGHT_DAYS_AGO = 7
PAUSE_STARTS_IN_DAYS = 24
PAUSE_DAYS = 30
TV_CATEGORIES = (ProductCategory.TV_PACKAGE, ProductCategory.TRIPLE_PLAY)


def seed_services(account: PortalAccount) -> dict[str, int]:
    """The demo subscriber's pay-per-view purchase and planned pause, made once;
    returns what was made now (``{"ppv": 0|1, "pause": 0|1}``)."""
    made = {"ppv": 0, "pause": 0}
    subscription = (
        account.customer.subscriptions.filter(
            status=SubscriptionStatus.ACTIVE,
            items__valid_to__isnull=True,
            items__product__category__in=TV_CATEGORIES,
        )
        .order_by("pk")
        .first()
    )
    if subscription is None:
        return made
    with transaction.atomic():
        made["ppv"] = _ppv_bought_last_week(account, subscription)
        made["pause"] = _pause_planned(account, subscription)
    return made


def _ppv_bought_last_week(account: PortalAccount, subscription) -> int:
    """The event airing last of those on sale, bought a week ago; the others stay
    to buy (nothing is bought when only one is on sale)."""
    if subscription.change_orders.filter(
        channel=SalesChannel.PORTAL, lines__product__category=ProductCategory.PAY_PER_VIEW
    ).exists():
        return 0
    bought_on = timezone.localdate() - timedelta(days=PPV_BOUGHT_DAYS_AGO)
    service = portal_service(customer=account.customer, pk=subscription.pk)
    offers = portal_offers(subscription=service.subscription, kind="ppv", today=bought_on)
    if len(offers) < 2:
        return 0
    offer = max(offers, key=lambda o: (o.product.air_starts_at or timezone.now(), o.product.pk))
    try:
        change_order_create(
            subscription=service.subscription,
            request=portal_change_request(offer),
            actor=account.user,
            channel=SalesChannel.PORTAL,
            reason=_("Bought by the subscriber in the self-care portal"),
            today=bought_on,
        )
    except (ValidationError, DomainError):
        return 0
    return 1


def _pause_planned(account: PortalAccount, subscription) -> int:
    """A month's pause from in three weeks or so, as the subscriber booked it."""
    if subscription.resting_periods.filter(channel=SalesChannel.PORTAL).exists():
        return 0
    starts_on = timezone.localdate() + timedelta(days=PAUSE_STARTS_IN_DAYS)
    try:
        with transaction.atomic():
            resting_request(
                subscription=subscription,
                starts_on=starts_on,
                ends_on=starts_on + timedelta(days=PAUSE_DAYS),
                actor=account.user,
                channel=SalesChannel.PORTAL,
            )
    except (ValidationError, DomainError):
        return 0  # no resting policy, or its limits reached: the demo goes without
    return 1
