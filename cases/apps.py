"""App configuration of cases."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    """Cases: service requests, queues, SLA, transfers, retention desk, campaigns, NPS."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "cases"
    verbose_name = _("Cases")
