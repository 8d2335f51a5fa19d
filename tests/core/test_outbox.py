"""Transactional outbox: written with the change, delivered after commit, retried."""

import pytest
from django.db import transaction

from alux_crm.core.choices import OutboxStatus
from alux_crm.core.models import OutboxMessage
from alux_crm.core.outbox import adapter_for, backoff_seconds, outbox_deliver, outbox_enqueue
from alux_crm.core.tasks import outbox_dispatch_due
from tests.conftest import wait_for


@pytest.mark.django_db(transaction=True)
def test_message_is_delivered_after_commit():
    with transaction.atomic():
        message = outbox_enqueue(
            topic="provisioning.activate", payload={"card": "SC-1"}, idempotency_key="act-1"
        )
        # Inside the transaction nothing has been sent yet.
        assert OutboxMessage.objects.get(pk=message.pk).status == OutboxStatus.PENDING
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert message.attempts == 1
    assert message.result == {"recorded": True, "topic": "provisioning.activate"}


@pytest.mark.django_db(transaction=True)
def test_nothing_is_sent_for_a_change_that_rolled_back():
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox_enqueue(topic="provisioning.activate", payload={}, idempotency_key="rb-1")
        raise RuntimeError("the business change failed")
    assert not OutboxMessage.objects.filter(idempotency_key="rb-1").exists()


@pytest.mark.django_db(transaction=True)
def test_same_idempotency_key_is_one_message():
    first = outbox_enqueue(
        topic="email", payload={"to": ["a@x.example"], "subject": "Hi"}, idempotency_key="welcome-7"
    )
    again = outbox_enqueue(
        topic="email", payload={"to": ["a@x.example"], "subject": "Hi"}, idempotency_key="welcome-7"
    )
    assert first.pk == again.pk
    assert OutboxMessage.objects.filter(idempotency_key="welcome-7").count() == 1


@pytest.mark.django_db(transaction=True)
def test_email_adapter_sends_through_django_mail(mailoutbox):
    outbox_enqueue(
        topic="email",
        payload={"to": ["ana@example.com"], "subject": "Your invoice", "body": "Attached."},
        idempotency_key="inv-2026-1",
    )
    assert len(mailoutbox) == 1
    assert mailoutbox[0].subject == "Your invoice"
    assert mailoutbox[0].extra_headers["Message-ID"] == "<inv-2026-1@aluxsat-crm>"


@pytest.mark.django_db
def test_failing_adapter_is_retried_then_marked_failed():
    message = OutboxMessage.objects.create(
        topic="test.broken", payload={}, idempotency_key="b-1", max_attempts=3
    )
    outcomes = []
    for _ in range(3):
        OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=message.created_at)
        outcomes.append(outbox_deliver(message_id=message.pk))
    assert [o.status for o in outcomes] == ["pending", "pending", "failed"]
    assert outcomes[0].retry_in < outcomes[1].retry_in  # exponential backoff
    assert outcomes[2].retry_in is None
    message.refresh_from_db()
    assert message.status == OutboxStatus.FAILED
    assert message.attempts == 3
    assert "peer refused" in message.last_error
    # A failed message is not tried again by a stray task.
    assert outbox_deliver(message_id=message.pk).status == "skipped"


@pytest.mark.django_db
def test_a_retry_that_is_not_due_yet_is_skipped(settings):
    settings.OUTBOX_RETRY_BASE_SECONDS = 60
    message = OutboxMessage.objects.create(topic="test.broken", payload={}, idempotency_key="b-2")
    assert outbox_deliver(message_id=message.pk).status == "pending"
    # The next attempt is scheduled in the future: a duplicate task must not run it now.
    assert outbox_deliver(message_id=message.pk).status == "skipped"
    message.refresh_from_db()
    assert message.attempts == 1


def test_adapter_lookup_by_topic_prefix(settings):
    settings.OUTBOX_ADAPTERS = {
        "default": "alux_crm.core.outbox.RecordingAdapter",
        "email": "alux_crm.core.outbox.EmailAdapter",
    }
    assert type(adapter_for("email")).__name__ == "EmailAdapter"
    assert type(adapter_for("email.invoice")).__name__ == "EmailAdapter"
    assert type(adapter_for("provisioning.suspend")).__name__ == "RecordingAdapter"


def test_backoff_grows_and_is_capped(settings):
    settings.OUTBOX_RETRY_BASE_SECONDS = 30
    assert [backoff_seconds(n) for n in (1, 2, 3)] == [30, 60, 120]
    assert backoff_seconds(40) == 6 * 60 * 60


# --- with a real Celery worker against Redis --------------------------------------------
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_real_worker_delivers_retries_and_gives_up(celery_worker_process, client):
    # Given three messages: one that goes through, one that fails twice, one that never works
    with transaction.atomic():
        ok = outbox_enqueue(topic="provisioning.activate", payload={"n": 1}, idempotency_key="w-ok")
        flaky = outbox_enqueue(
            topic="test.flaky", payload={"fail_times": 2}, idempotency_key="w-flaky"
        )
        broken = outbox_enqueue(
            topic="test.broken", payload={}, idempotency_key="w-broken", max_attempts=3
        )

    def settled(pk):
        row = OutboxMessage.objects.get(pk=pk)
        return row if row.status != OutboxStatus.PENDING else None

    # Then the worker sends the first, retries the second until it works,
    # and marks the third failed after its last attempt.
    ok_row = wait_for(lambda: settled(ok.pk), timeout=30)
    assert ok_row and ok_row.status == OutboxStatus.SENT and ok_row.attempts == 1
    flaky_row = wait_for(lambda: settled(flaky.pk), timeout=30)
    assert flaky_row and flaky_row.status == OutboxStatus.SENT
    assert flaky_row.attempts == 3
    assert flaky_row.result == {"delivered_on_attempt": 3}
    broken_row = wait_for(lambda: settled(broken.pk), timeout=30)
    assert broken_row and broken_row.status == OutboxStatus.FAILED
    assert broken_row.attempts == 3
    assert "ConnectionError" in broken_row.last_error

    # And /healthz sees the worker.
    health = client.get("/healthz").json()
    assert health["checks"]["celery"]["ok"] is True
    assert health["status"] == "ok"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_sweeper_requeues_a_message_whose_task_was_lost(celery_worker_process):
    # A pending message whose task never reached the broker (written without on_commit).
    lost = OutboxMessage.objects.create(
        topic="provisioning.suspend", payload={}, idempotency_key="lost-1"
    )
    OutboxMessage.objects.filter(pk=lost.pk).update(
        next_attempt_at=lost.created_at.replace(year=lost.created_at.year - 1)
    )
    assert outbox_dispatch_due.apply().get() == 1
    row = wait_for(
        lambda: OutboxMessage.objects.filter(pk=lost.pk, status=OutboxStatus.SENT).first(),
        timeout=30,
    )
    assert row is not None
