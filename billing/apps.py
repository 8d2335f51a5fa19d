"""App configuration of billing."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    """Billing: runs, invoices, ledger, payments, credit notes, vouchers, dunning, GL export."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "billing"
    verbose_name = _("Billing")
