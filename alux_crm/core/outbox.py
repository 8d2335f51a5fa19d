"""Transactional outbox: messages to other systems, delivered after commit.

A service calls ``outbox_enqueue`` inside its own transaction; the row commits (or
rolls back) with the business change. After commit a Celery task delivers it
through the adapter configured for its topic in ``settings.OUTBOX_ADAPTERS``
(``"default"`` for topics without their own). A failing adapter is retried with
exponential backoff until ``max_attempts``; the message is then marked failed and
shown to back office, who can retry it. ``outbox_dispatch_due`` (Celery beat, every
minute) re-queues anything whose task was lost, so a crashed worker loses nothing.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .choices import OutboxStatus
from .models import OutboxMessage

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 6 * 60 * 60
DISPATCH_BATCH_SIZE = 500
# A retry task that fires a little before its time (clock skew) still runs.
EARLY_TOLERANCE = timedelta(seconds=5)


class OutboxAdapter:
    """Delivers one message. Raise to have it retried; return a JSON-able result."""

    def send(self, message: OutboxMessage) -> dict | None:  # pragma: no cover - interface
        raise NotImplementedError


class RecordingAdapter(OutboxAdapter):
    """The default adapter: records (logs and stores) what it would have sent."""

    def send(self, message: OutboxMessage) -> dict:
        log.info("outbox %s %s: %s", message.topic, message.idempotency_key, message.payload)
        return {"recorded": True, "topic": message.topic}


class EmailAdapter(OutboxAdapter):
    """Sends ``{"to": [...], "subject": ..., "body": ..., "html": ..., "attachments":
    [{"storage_name": ..., "filename": ..., "mimetype": ...}]}`` through Django's mail
    API; attachments are read from the default storage when sent; the idempotency
    key becomes the Message-ID."""

    def send(self, message: OutboxMessage) -> dict:
        payload = message.payload
        email = EmailMultiAlternatives(
            subject=payload["subject"],
            body=payload.get("body", ""),
            to=payload["to"],
            headers={"Message-ID": f"<{message.idempotency_key}@aluxsat-crm>"},
        )
        if payload.get("html"):
            email.attach_alternative(payload["html"], "text/html")
        for attachment in payload.get("attachments", []):
            with default_storage.open(attachment["storage_name"], "rb") as stored:
                email.attach(attachment["filename"], stored.read(), attachment["mimetype"])
        email.send()
        return {"to": payload["to"]}


@cache
def _adapter_class(path: str) -> type[OutboxAdapter]:
    return import_string(path)


def adapter_for(topic: str) -> OutboxAdapter:
    """The adapter configured for ``topic``: an exact entry, then the part before the
    first dot (``provisioning.activate`` → ``provisioning``), then ``default``."""
    adapters = settings.OUTBOX_ADAPTERS
    path = adapters.get(topic) or adapters.get(topic.split(".", 1)[0]) or adapters["default"]
    return _adapter_class(path)()


def backoff_seconds(attempts: int) -> float:
    """Delay before the next attempt after ``attempts`` failures (exponential, capped)."""
    return min(settings.OUTBOX_RETRY_BASE_SECONDS * (2 ** (attempts - 1)), MAX_BACKOFF_SECONDS)


def outbox_enqueue(
    *, topic: str, payload: dict, idempotency_key: str, max_attempts: int | None = None
) -> OutboxMessage:
    """Write a message in the caller's transaction; it is delivered after commit.

    The same ``idempotency_key`` twice returns the first message (nothing is sent
    twice)."""
    message, created = OutboxMessage.objects.get_or_create(
        idempotency_key=idempotency_key,
        defaults={
            "topic": topic,
            "payload": payload,
            "max_attempts": max_attempts or settings.OUTBOX_MAX_ATTEMPTS,
        },
    )
    if created:
        from .tasks import deliver_outbox_message

        transaction.on_commit(lambda: deliver_outbox_message.delay(message.pk))
    return message


@dataclass(frozen=True)
class DeliveryOutcome:
    """What one delivery attempt did; ``retry_in`` is set when another is due."""

    status: str
    retry_in: float | None = None


def outbox_deliver(*, message_id: int) -> DeliveryOutcome:
    """Try to deliver one pending message once, under a row lock so two workers
    never send the same message at the same time."""
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(
                pk=message_id,
                status=OutboxStatus.PENDING,
                next_attempt_at__lte=timezone.now() + EARLY_TOLERANCE,
            )
            .first()
        )
        if message is None:
            return DeliveryOutcome(status="skipped")
        message.attempts += 1
        now = timezone.now()
        try:
            result = adapter_for(message.topic).send(message)
        except Exception as exc:  # noqa: BLE001 - any adapter failure is retried
            message.last_error = f"{type(exc).__name__}: {exc}"[:4000]
            retry_in = None
            if message.attempts >= message.max_attempts:
                message.status = OutboxStatus.FAILED
                log.warning("outbox %s failed for good: %s", message.pk, message.last_error)
            else:
                retry_in = backoff_seconds(message.attempts)
                message.next_attempt_at = now + timedelta(seconds=retry_in)
            message.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
            return DeliveryOutcome(status=message.status, retry_in=retry_in)
        message.status = OutboxStatus.SENT
        message.sent_at = now
        message.result = result
        message.save(update_fields=["attempts", "status", "sent_at", "result"])
        return DeliveryOutcome(status=message.status)


@transaction.atomic
def outbox_retry(*, message: OutboxMessage, actor) -> OutboxMessage:
    """Back office sends a failed message again: it gets a fresh set of attempts."""
    message = OutboxMessage.objects.select_for_update().get(pk=message.pk)
    if message.status != OutboxStatus.FAILED:
        return message
    message.status = OutboxStatus.PENDING
    message.attempts = 0
    message.next_attempt_at = timezone.now()
    message.save(update_fields=["status", "attempts", "next_attempt_at"])
    from .tasks import deliver_outbox_message

    transaction.on_commit(lambda: deliver_outbox_message.delay(message.pk))
    return message


def outbox_due_ids(*, grace_seconds: float = 60.0) -> list[int]:
    """Pending messages whose next attempt is overdue by more than ``grace_seconds``
    (their task was lost, e.g. the broker restarted)."""
    cutoff = timezone.now() - timedelta(seconds=grace_seconds)
    return list(
        OutboxMessage.objects.filter(status=OutboxStatus.PENDING, next_attempt_at__lte=cutoff)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:DISPATCH_BATCH_SIZE]
    )
