"""App configuration of leads."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadsConfig(AppConfig):
    """Leads: qualification, assignment, SLA, offers and quotes, approvals, commissions."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "leads"
    verbose_name = _("Leads")
