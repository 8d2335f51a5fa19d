"""The scheduled evaluation of the holds (``dunning.tasks.holds.evaluate_holds``):
promises kept or broken, payment-plan instalments paid or missed, deposits unpaid in
time cancelled and deposits of ended services refunded."""

from datetime import date

from django.utils import timezone

from .deposits import deposits_evaluate
from .payment_plans import payment_plans_evaluate
from .promises import promises_evaluate


def holds_evaluate(*, today: date | None = None) -> dict[str, dict[str, int]]:
    """Evaluate every open promise, active payment plan and deposit on ``today``
    (idempotent: a second run the same day changes nothing)."""
    today = today or timezone.localdate()
    return {
        "promises": promises_evaluate(today=today),
        "payment_plans": payment_plans_evaluate(today=today),
        "deposits": deposits_evaluate(today=today),
    }
