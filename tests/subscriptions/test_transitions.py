"""The subscription life cycle (SUB-5) and its provisioning commands (SUB-6)."""

from datetime import date

import pytest
from django.db import transaction

from alux_crm.core.errors import DomainError, InvalidTransition
from alux_crm.core.models import OutboxMessage
from subscriptions import choices as C
from subscriptions import services
from subscriptions.choices import SubscriptionStatus as S
from subscriptions.models import Subscription, SubscriptionEvent
from tests.products import factories as PF
from tests.subscriptions import factories as F

pytestmark = pytest.mark.django_db

ALLOWED = [(a, b, cmd) for a, targets in C.TRANSITIONS.items() for b, cmd in targets.items()]
FORBIDDEN = [(a, b) for a in S.values for b in S.values if b not in C.TRANSITIONS[a]]


@pytest.fixture
def cat():
    return PF.catalogue()


def in_status(cat, status):
    subscription = F.subscription(cat)
    Subscription.objects.filter(pk=subscription.pk).update(status=status)
    subscription.refresh_from_db()
    return subscription


def commands(subscription):
    return list(
        OutboxMessage.objects.filter(idempotency_key__startswith=f"subscription-{subscription.pk}-")
        .order_by("id")
        .values_list("topic", flat=True)
    )


def test_a_sale_is_pending_installation_and_sends_nothing(cat, make_user):
    agent = make_user("Sales")
    subscription = F.subscription(cat, actor=agent)
    assert subscription.number.startswith("SUB-")
    assert subscription.status == S.PENDING_INSTALLATION
    assert subscription.sold_by == agent
    assert commands(subscription) == []
    assert [(i.product.code, i.acquisition) for i in subscription.items.all()] == [
        ("tv-basic", "standard"),
        ("box", "rental"),
    ]
    assert subscription.devices.get().room == "Living room"
    assert (subscription.regret_until - subscription.signed_on).days == services.REGRET_DAYS


@pytest.mark.parametrize(("from_status", "to_status", "command"), ALLOWED)
def test_every_allowed_transition_writes_one_command(cat, from_status, to_status, command):
    subscription = in_status(cat, from_status)
    services.subscription_transition(subscription, to_status, actor=None, reason="test")
    subscription.refresh_from_db()
    assert subscription.status == to_status
    assert commands(subscription) == [f"provisioning.{command}"]
    event = SubscriptionEvent.objects.get(subscription=subscription, to_status=to_status)
    assert (event.from_status, event.command, event.reason) == (from_status, command, "test")
    payload = event.outbox_message.payload
    assert payload["command"] == command and payload["subscription"] == subscription.number
    assert payload["entitlements"] == ["box", "tv-basic"]
    assert len(payload["devices"]) == 1


@pytest.mark.parametrize(("from_status", "to_status"), FORBIDDEN)
def test_every_forbidden_transition_is_refused_and_sends_nothing(cat, from_status, to_status):
    subscription = in_status(cat, from_status)
    with pytest.raises(InvalidTransition, match="cannot go from"):
        services.subscription_transition(subscription, to_status, actor=None)
    subscription.refresh_from_db()
    assert subscription.status == from_status
    assert commands(subscription) == []


def test_a_rolled_back_change_leaves_no_command(cat):
    subscription = F.subscription(cat)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.subscription_activate(subscription=subscription)
        raise RuntimeError("the rest of the change failed")
    subscription.refresh_from_db()
    assert subscription.status == S.PENDING_INSTALLATION
    assert commands(subscription) == []


def test_activation_starts_the_term_and_installs_devices(cat):
    subscription = F.subscription(cat, term_months=24)
    subscription = services.subscription_activate(subscription=subscription, on=date(2026, 11, 25))
    assert subscription.activated_on == date(2026, 11, 25)
    assert subscription.contract_end == date(2028, 11, 25)
    assert subscription.devices.get().installed_on == date(2026, 11, 25)


def test_named_services_follow_the_table(cat):
    subscription = services.subscription_activate(subscription=F.subscription(cat))
    subscription = services.subscription_suspend(subscription=subscription)
    subscription = services.subscription_reconnect(subscription=subscription)
    subscription = services.subscription_disconnect(subscription=subscription)
    subscription = services.subscription_reconnect(subscription=subscription)
    subscription = services.subscription_terminate(
        subscription=subscription, reason="moving abroad"
    )
    assert subscription.status == S.TERMINATED and subscription.ended_on is not None
    assert commands(subscription) == [
        "provisioning.activate",
        "provisioning.suspend",
        "provisioning.resume",
        "provisioning.deactivate",
        "provisioning.activate",
        "provisioning.deactivate",
    ]
    assert not subscription.items.filter(valid_to__isnull=True).exists()
    with pytest.raises(InvalidTransition):
        services.subscription_reconnect(subscription=subscription)


def test_regret_only_inside_the_cooling_off_window(cat):
    subscription = F.subscription(cat, signed_on=date(2026, 11, 1))
    with pytest.raises(DomainError, match="cooling-off window ended on 2026-11-15"):
        services.subscription_cancel_in_regret_window(
            subscription=subscription, today=date(2026, 11, 16)
        )
    subscription = services.subscription_cancel_in_regret_window(
        subscription=subscription, today=date(2026, 11, 15)
    )
    assert subscription.status == S.CANCELLED
    assert commands(subscription) == ["provisioning.deactivate"]


def test_an_addon_sold_later_finds_the_package_the_account_has(cat):
    from products.pricing import BasketItem

    first = F.subscription(cat)
    second = F.subscription(
        cat, billing_account=first.billing_account, items=[BasketItem(cat.addon)], devices=[]
    )
    assert second.items.get().product == cat.addon


def test_promotions_granted_at_the_sale_stay_on_the_items(cat):
    promotion = PF.promotion(value=50, products=[cat.tv])
    subscription = F.subscription(cat)
    tv = subscription.items.get(product=cat.tv)
    assert list(tv.promotions.all()) == [promotion]


def test_activation_cannot_come_before_the_signing_day(cat):
    from django.core.exceptions import ValidationError

    subscription = F.subscription(cat, signed_on=date(2026, 1, 10))
    with pytest.raises(ValidationError, match="before the signing day"):
        services.subscription_activate(subscription=subscription, on=date(2026, 1, 9))
