"""The SMS backend (a dunning SMS posted as JSON to the gateway, retried on an
error) and the demo dunning data (plans, timelines, idempotent)."""

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from alux_crm.core.choices import OutboxStatus
from alux_crm.core.models import OutboxMessage
from dunning.demo_engine import seed_engine
from dunning.models import DunningActionRecord, DunningPlan, DunningRun, DunningStep
from tests.dunning.engine_world import DUE, debtor, full_plan, run_day

pytestmark = pytest.mark.django_db


class Gateway(BaseHTTPRequestHandler):
    """An SMS gateway: records what it gets; answers with ``status``."""

    received: list = []
    status = 200

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Gateway.received.append((dict(self.headers), json.loads(body)))
        self.send_response(Gateway.status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway(settings):
    server = HTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Gateway.received, Gateway.status = [], 200
    settings.OUTBOX_ADAPTERS = {
        **settings.OUTBOX_ADAPTERS,
        "sms": "alux_crm.core.sms.SmsWebhookAdapter",
    }
    settings.SMS_WEBHOOK_URL = f"http://127.0.0.1:{server.server_port}/sms"
    settings.SMS_WEBHOOK_TOKEN = "t0ken"
    settings.SMS_WEBHOOK_TIMEOUT = 5
    yield Gateway
    server.shutdown()


def test_dunning_sms_is_posted_to_the_gateway(gateway, django_capture_on_commit_callbacks):
    full_plan()
    account = debtor()
    run_day(DUE + timedelta(days=7), django_capture_on_commit_callbacks)  # e-mail
    run_day(DUE + timedelta(days=8), django_capture_on_commit_callbacks)  # SMS
    message = OutboxMessage.objects.get(topic="sms")
    assert message.status == OutboxStatus.SENT
    headers, body = gateway.received[0]
    assert body["to"] == account.customer.phone and body["from"] == "AluxSat"
    assert body["text"] == message.payload["text"] and "owes 40.00 EUR" in body["text"]
    assert headers["Authorization"] == "Bearer t0ken"
    assert headers["Idempotency-Key"] == body["reference"] == message.idempotency_key


def test_a_gateway_error_is_retried_by_the_outbox(gateway, django_capture_on_commit_callbacks):
    gateway.status = 503
    full_plan()
    debtor()
    run_day(DUE + timedelta(days=7), django_capture_on_commit_callbacks)
    run_day(DUE + timedelta(days=8), django_capture_on_commit_callbacks)
    message = OutboxMessage.objects.get(topic="sms")
    # Eager tasks retry at once: every attempt is made, then back office sees it failed.
    assert message.status == OutboxStatus.FAILED and message.attempts == message.max_attempts > 1
    assert len(gateway.received) == message.max_attempts
    assert "HTTP 503" in message.last_error


def test_demo_plans_and_timelines_once(django_capture_on_commit_callbacks):
    account = debtor()
    with django_capture_on_commit_callbacks(execute=True):
        seed_engine()
    plans = {p.code: p for p in DunningPlan.objects.all()}
    assert set(plans) == {"residential", "corporate", "major", "high-value"}
    assert plans["residential"].is_default
    residential = list(
        plans["residential"].steps.order_by("position").values_list("days_after_due", "action")
    )
    assert residential[:3] == [(3, "email"), (7, "sms"), (14, "letter")]
    assert min(d for d, _a in plans["major"].steps.values_list("days_after_due", "action")) == 7
    assert [r.action for r in DunningActionRecord.objects.filter(billing_account=account)] == [
        "email",
        "sms",
        "letter",
        "late_fee",
    ]
    counts = (DunningPlan.objects.count(), DunningStep.objects.count(), DunningRun.objects.count())
    with django_capture_on_commit_callbacks(execute=True):
        seed_engine()
    assert (
        DunningPlan.objects.count(),
        DunningStep.objects.count(),
        DunningRun.objects.count(),
    ) == counts
