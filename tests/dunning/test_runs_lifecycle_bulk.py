"""``subscriptions_transition_bulk`` writes exactly what the one-by-one
``subscription_transition`` writes: status and version, the event, one outbox
provisioning command with the same topic, payload and idempotency key."""

from datetime import date

import pytest

from alux_crm.core.errors import InvalidTransition
from alux_crm.core.models import OutboxMessage
from products.pricing import BasketItem
from subscriptions import services
from subscriptions.choices import SubscriptionStatus as S
from subscriptions.models import Subscription, SubscriptionEvent
from subscriptions.services.lifecycle_bulk import subscriptions_transition_bulk
from tests.products import factories as PF
from tests.subscriptions import factories as SF

pytestmark = pytest.mark.django_db
DAY = date(2026, 11, 20)


def active(cat, *, suspended=False):
    subscription = SF.subscription(
        cat, items=[BasketItem(cat.tv), BasketItem(cat.box, 1, "rental")],
        signed_on=date(2026, 1, 5),
    )  # fmt: skip
    subscription = services.subscription_activate(subscription=subscription, on=date(2026, 1, 10))
    if suspended:
        subscription = services.subscription_suspend(subscription=subscription)
    return subscription


def written(subscription) -> dict:
    """What the last transition wrote, without what differs by nature (ids, numbers)."""
    subscription = Subscription.objects.get(pk=subscription.pk)
    event = SubscriptionEvent.objects.filter(subscription=subscription).order_by("-id").first()
    message = event.outbox_message
    payload = dict(message.payload)
    assert payload.pop("subscription") == subscription.number
    assert payload.pop("customer") == subscription.customer.number
    assert len(payload.pop("devices")) == 1
    assert message.idempotency_key == f"subscription-{subscription.pk}-event-{event.pk}"
    return {
        "status": subscription.status,
        "version": subscription.version,
        "event": (
            event.from_status,
            event.to_status,
            event.command,
            event.reason,
            event.actor_id,
            event.effective_on,
        ),
        "message": (message.topic, message.status, message.attempts, message.max_attempts),
        "payload": payload,
    }


@pytest.mark.parametrize(
    ("suspended", "to_status"),
    [(False, S.DISCONNECTED), (True, S.DISCONNECTED), (False, S.SUSPENDED), (True, S.ACTIVE)],
)
def test_bulk_writes_what_the_one_by_one_transition_writes(
    suspended, to_status, make_user, django_capture_on_commit_callbacks
):
    cat = PF.catalogue()
    actor = make_user("Back Office")
    one, many = active(cat, suspended=suspended), active(cat, suspended=suspended)
    messages = OutboxMessage.objects.count()
    with django_capture_on_commit_callbacks() as callbacks:
        services.subscription_transition(
            one, to_status, actor=actor, reason="Run #1", effective_on=DAY
        )
        changed = subscriptions_transition_bulk(
            subscription_ids=[many.pk], to_status=to_status, actor=actor, reason="Run #1",
            effective_on=DAY,
        )  # fmt: skip
    assert changed == [many.pk]
    assert written(one) == written(many)
    assert OutboxMessage.objects.count() == messages + 2
    assert len(callbacks) == 2  # both deliver their command after commit


def test_bulk_refuses_a_transition_the_state_machine_does_not_allow_or_skips_it():
    cat = PF.catalogue()
    live, pending = active(cat), SF.subscription(cat)
    with pytest.raises(InvalidTransition):
        subscriptions_transition_bulk(subscription_ids=[live.pk, pending.pk], to_status=S.SUSPENDED)
    assert Subscription.objects.get(pk=live.pk).status == S.ACTIVE  # nothing written
    changed = subscriptions_transition_bulk(
        subscription_ids=[live.pk, pending.pk], to_status=S.SUSPENDED, skip_invalid=True
    )
    assert changed == [live.pk]
    assert Subscription.objects.get(pk=pending.pk).status == S.PENDING_INSTALLATION
