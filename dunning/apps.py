"""App configuration of collections (dunning)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DunningConfig(AppConfig):
    """Collections: dunning plans and their daily run, promises to pay, payment plans,
    disconnection and reconnection runs, deposits and account blocking (BIL-6, BIL-7,
    CUS-11)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "dunning"
    verbose_name = _("Collections")

    def ready(self) -> None:
        # holds: deposits asked at a sale and checked before an activation.
        from . import signals

        signals.connect()
