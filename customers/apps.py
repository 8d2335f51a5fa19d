"""App configuration of customers."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    """Customers: persons and companies, hierarchies, billing accounts, communications."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from . import lookups  # noqa: F401 - registers the ILIKE lookup
