"""Delivery of provisioning commands (SUB-6) to the network and conditional-access
systems. Commands are outbox messages with topics ``provisioning.<command>``; the
core outbox retries them with backoff and marks them failed after the last try (the
back-office outbox screen lists and retries them).

``WebhookAdapter`` POSTs each command as JSON to ``PROVISIONING_WEBHOOK_URL`` with
an HMAC-SHA256 signature the receiver checks::

    X-AluxSat-Timestamp: <unix seconds>
    X-AluxSat-Signature: sha256=<hex of HMAC(secret, "<timestamp>.<body>")>
    Idempotency-Key: <the outbox message's key; the same command keeps its key>

Any answer other than 2xx (or no answer within the timeout) raises, so the outbox
retries. Select it with ``PROVISIONING_ADAPTER=subscriptions.provisioning.WebhookAdapter``.
"""

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from alux_crm.core.outbox import OutboxAdapter


class ProvisioningRejected(Exception):
    """The receiving system answered with an error; the outbox will retry."""


def sign(body: bytes, timestamp: str, secret: str) -> str:
    """The signature of a webhook body (what the receiver recomputes)."""
    message = timestamp.encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


class WebhookAdapter(OutboxAdapter):
    """POSTs a provisioning command to the configured URL, signed (see module)."""

    def send(self, message) -> dict:
        body = json.dumps(message.payload, sort_keys=True, separators=(",", ":")).encode()
        timestamp = str(int(time.time()))
        url = settings.PROVISIONING_WEBHOOK_URL
        if not url.startswith(("http://", "https://")):
            raise ImproperlyConfigured("PROVISIONING_WEBHOOK_URL must be an http(s) URL.")
        request = urllib.request.Request(  # noqa: S310 - http(s) only, checked above
            url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Idempotency-Key": message.idempotency_key,
                "X-AluxSat-Topic": message.topic,
                "X-AluxSat-Timestamp": timestamp,
                "X-AluxSat-Signature": sign(body, timestamp, settings.PROVISIONING_WEBHOOK_SECRET),
            },
        )
        try:
            with urllib.request.urlopen(  # noqa: S310 - the URL is the operator's setting
                request, timeout=settings.PROVISIONING_WEBHOOK_TIMEOUT
            ) as response:
                return {"status": response.status}
        except urllib.error.HTTPError as error:
            raise ProvisioningRejected(f"HTTP {error.code} from the provisioning system") from error
