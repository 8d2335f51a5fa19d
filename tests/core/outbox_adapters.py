"""Outbox adapters that fail on purpose (configured in alux_crm.settings.test)."""

from alux_crm.core.outbox import OutboxAdapter


class FlakyAdapter(OutboxAdapter):
    """Fails the first ``payload["fail_times"]`` attempts, then succeeds."""

    def send(self, message):
        if message.attempts <= message.payload.get("fail_times", 0):
            raise ConnectionError(f"network down (attempt {message.attempts})")
        return {"delivered_on_attempt": message.attempts}


class BrokenAdapter(OutboxAdapter):
    """Always fails."""

    def send(self, message):
        raise ConnectionError("peer refused the connection")
