"""Provisioning commands reach a real HTTP endpoint, signed, and are retried when the
endpoint fails (SUB-6)."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from alux_crm.core.choices import OutboxStatus
from alux_crm.core.models import OutboxMessage
from alux_crm.core.outbox import outbox_retry
from subscriptions import services
from subscriptions.provisioning import sign
from tests.products import factories as PF
from tests.subscriptions import factories as F

pytestmark = pytest.mark.django_db
SECRET = "s3cret"


class Receiver(BaseHTTPRequestHandler):
    """A network system: records what it gets; answers with ``status``."""

    received: list = []
    status = 200

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Receiver.received.append((dict(self.headers), body))
        self.send_response(Receiver.status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver(settings):
    server = HTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Receiver.received, Receiver.status = [], 200
    settings.OUTBOX_ADAPTERS = {
        **settings.OUTBOX_ADAPTERS,
        "provisioning": "subscriptions.provisioning.WebhookAdapter",
    }
    settings.PROVISIONING_WEBHOOK_URL = f"http://127.0.0.1:{server.server_port}/commands"
    settings.PROVISIONING_WEBHOOK_SECRET = SECRET
    settings.PROVISIONING_WEBHOOK_TIMEOUT = 5
    yield Receiver
    server.shutdown()


def test_activation_is_posted_signed_with_its_idempotency_key(
    receiver, django_capture_on_commit_callbacks
):
    subscription = F.subscription(PF.catalogue())
    with django_capture_on_commit_callbacks(execute=True):
        services.subscription_activate(subscription=subscription)
    message = OutboxMessage.objects.get(topic="provisioning.activate")
    assert message.status == OutboxStatus.SENT  # delivered after commit (eager task)
    headers, body = receiver.received[0]
    assert json.loads(body)["command"] == "activate"
    assert json.loads(body)["subscription"] == subscription.number
    assert headers["Idempotency-Key"] == message.idempotency_key
    expected = sign(body, headers["X-Aluxsat-Timestamp"], SECRET)
    assert headers["X-Aluxsat-Signature"] == expected
    assert sign(body, headers["X-Aluxsat-Timestamp"], "wrong") != expected


def test_an_error_answer_is_retried_and_then_delivered(
    receiver, django_capture_on_commit_callbacks
):
    receiver.status = 503
    subscription = F.subscription(PF.catalogue())
    with django_capture_on_commit_callbacks(execute=True):
        services.subscription_activate(subscription=subscription)
    # Retried with backoff (at once in eager tests) until the last attempt: failed,
    # shown on the back-office outbox screen.
    message = OutboxMessage.objects.get(topic="provisioning.activate")
    assert message.status == OutboxStatus.FAILED
    assert message.attempts == message.max_attempts == len(receiver.received)
    assert "503" in message.last_error
    receiver.status = 200
    with django_capture_on_commit_callbacks(execute=True):
        outbox_retry(message=message, actor=None)
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    bodies = {body for _headers, body in receiver.received}
    assert len(bodies) == 1  # the same command each time, with the same key
    keys = {headers["Idempotency-Key"] for headers, _body in receiver.received}
    assert keys == {message.idempotency_key}
