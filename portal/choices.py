"""States of the subscriber portal: card payments through the provider adapter."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CardPaymentStatus(models.TextChoices):
    """A card payment: pending at the provider, then succeeded (recorded in billing),
    declined, or timed out (asked again with the same key: never paid twice)."""

    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Succeeded")
    DECLINED = "declined", _("Declined")
    TIMED_OUT = "timed_out", _("Timed out")
