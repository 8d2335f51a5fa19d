"""SMS delivery (BIL-6 reminders and any other "sms" outbox topic): a pluggable
backend chosen by ``SMS_ADAPTER`` (``settings.OUTBOX_ADAPTERS["sms"]``). The default
``RecordingAdapter`` records what it would send; ``SmsWebhookAdapter`` posts each
message as JSON to an SMS gateway's HTTP endpoint::

    POST SMS_WEBHOOK_URL
    Content-Type: application/json
    Authorization: Bearer <SMS_WEBHOOK_TOKEN>   (when set)
    Idempotency-Key: <the outbox message's key>

    {"to": "+40722000001", "from": "AluxSat", "text": "…", "reference": "<key>"}

Any answer other than 2xx (or none within ``SMS_WEBHOOK_TIMEOUT``) raises, so the
outbox retries with backoff and finally shows the message as failed."""

import json
import urllib.error
import urllib.request

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .outbox import OutboxAdapter


class SmsRejected(Exception):
    """The SMS gateway answered with an error; the outbox will retry."""


class SmsWebhookAdapter(OutboxAdapter):
    """Posts an SMS (payload ``{"to": ..., "text": ...}``) to the gateway's URL."""

    def send(self, message) -> dict:
        payload = message.payload
        if not payload.get("to") or not payload.get("text"):
            raise SmsRejected("An SMS needs a phone number and a text.")
        url = settings.SMS_WEBHOOK_URL
        if not url.startswith(("http://", "https://")):
            raise ImproperlyConfigured("SMS_WEBHOOK_URL must be an http(s) URL.")
        body = json.dumps(
            {
                "to": payload["to"],
                "from": settings.SMS_SENDER,
                "text": payload["text"],
                "reference": message.idempotency_key,
            }
        ).encode()
        headers = {"Content-Type": "application/json", "Idempotency-Key": message.idempotency_key}
        if settings.SMS_WEBHOOK_TOKEN:
            headers["Authorization"] = f"Bearer {settings.SMS_WEBHOOK_TOKEN}"
        request = urllib.request.Request(  # noqa: S310 - http(s) only, checked above
            url, data=body, method="POST", headers=headers
        )
        try:
            with urllib.request.urlopen(  # noqa: S310 - the URL is the operator's setting
                request, timeout=settings.SMS_WEBHOOK_TIMEOUT
            ) as response:
                return {"status": response.status, "to": payload["to"]}
        except urllib.error.HTTPError as error:
            raise SmsRejected(f"HTTP {error.code} from the SMS gateway") from error
