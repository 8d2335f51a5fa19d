"""Status transitions of many subscriptions in a few statements (collections'
disconnection runs change thousands at once).

``subscriptions_transition_bulk`` writes exactly what ``lifecycle.subscription_transition``
writes for each subscription — the new status and version, one ``SubscriptionEvent``
and one provisioning command in the core outbox with the same topic, payload and
idempotency key (``subscription-<id>-event-<event id>``) — but locks, updates and
inserts the whole batch at once instead of some ten queries per subscription. The
one-by-one functions of ``lifecycle`` stay the reference (a test proves both write
the same); use this one only where the volume needs it.
"""

from collections import defaultdict
from datetime import date

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from alux_crm.core.errors import InvalidTransition
from alux_crm.core.models import OutboxMessage

from .. import choices
from ..choices import SubscriptionStatus as S
from ..models import Device, Subscription, SubscriptionEvent, SubscriptionItem
from .lifecycle import PROVISIONING_TOPIC


def _payloads(rows: list[tuple[int, str, str]], commands: dict[int, str], on: date) -> dict:
    """``lifecycle.provisioning_payload`` of many subscriptions: three queries.
    ``rows`` are ``(id, number, customer number)`` after the change."""
    ids = [pk for pk, _number, _customer in rows]
    entitlements: dict[int, set[str]] = defaultdict(set)
    for pk, code in SubscriptionItem.objects.filter(
        subscription_id__in=ids, valid_to__isnull=True
    ).values_list("subscription_id", "product__code"):
        entitlements[pk].add(code)
    devices: dict[int, list[str]] = defaultdict(list)
    for pk, serial in (
        Device.objects.filter(subscription_id__in=ids, returned_on__isnull=True)
        .order_by("subscription", "id")
        .values_list("subscription_id", "serial")
    ):
        devices[pk].append(serial)
    return {
        pk: {
            "command": commands[pk],
            "subscription": number,
            "customer": customer,
            "status": None,  # set by the caller: the status after the change
            "effective_on": on.isoformat(),
            "entitlements": sorted(entitlements[pk]),
            "devices": devices[pk],
        }
        for pk, number, customer in rows
    }


@transaction.atomic
def subscriptions_transition_bulk(
    *,
    subscription_ids: list[int],
    to_status: str,
    actor=None,
    reason: str = "",
    effective_on: date | None = None,
    skip_invalid: bool = False,
) -> list[int]:
    """Move every subscription of ``subscription_ids`` to ``to_status`` as
    ``subscription_transition`` does, in one transaction: rows locked in id order,
    one UPDATE, one INSERT of events, one of outbox rows, one UPDATE linking them;
    the outbox messages are delivered after commit. A subscription whose status
    does not allow the change raises ``InvalidTransition`` (nothing is written), or
    is left out with ``skip_invalid``. Returns the ids changed."""
    effective_on = effective_on or timezone.localdate()
    locked = list(
        Subscription.objects.select_for_update(of=("self",))
        .filter(pk__in=subscription_ids)
        .order_by("pk")
        .values_list("pk", "status", "number", "customer__number")
    )
    changes: list[tuple[int, str, str, str]] = []  # (id, from, number, customer number)
    for pk, status, number, customer in locked:
        if to_status in choices.TRANSITIONS[status]:
            changes.append((pk, status, number, customer))
        elif not skip_invalid:
            raise InvalidTransition(
                _("A subscription cannot go from %(from)s to %(to)s.")
                % {"from": S(status).label, "to": S(to_status).label}
            )
    if not changes:
        return []
    ids = [pk for pk, *_rest in changes]
    now = timezone.now()
    Subscription.objects.filter(pk__in=ids).update(
        status=to_status, version=F("version") + 1, updated_at=now
    )
    commands = {pk: choices.TRANSITIONS[status][to_status] for pk, status, *_r in changes}
    events = SubscriptionEvent.objects.bulk_create(
        [
            SubscriptionEvent(
                subscription_id=pk,
                from_status=status,
                to_status=to_status,
                command=commands[pk],
                reason=reason,
                actor=actor,
                effective_on=effective_on,
            )
            for pk, status, *_r in changes
        ]
    )
    payloads = _payloads(
        [(pk, number, customer) for pk, _s, number, customer in changes], commands, effective_on
    )
    messages = OutboxMessage.objects.bulk_create(
        [
            OutboxMessage(
                topic=f"{PROVISIONING_TOPIC}.{commands[event.subscription_id]}",
                payload={**payloads[event.subscription_id], "status": to_status},
                idempotency_key=f"subscription-{event.subscription_id}-event-{event.pk}",
                max_attempts=settings.OUTBOX_MAX_ATTEMPTS,
                created_at=now,
                next_attempt_at=now,
            )
            for event in events
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE subscriptions_subscriptionevent event SET outbox_message_id = link.message
            FROM unnest(%s::bigint[], %s::bigint[]) AS link(event, message)
            WHERE event.id = link.event
            """,
            [[e.pk for e in events], [m.pk for m in messages]],
        )
    message_ids = [m.pk for m in messages]

    def deliver():
        from alux_crm.core.tasks import deliver_outbox_message

        for message_id in message_ids:
            deliver_outbox_message.delay(message_id)

    transaction.on_commit(deliver)
    return ids
