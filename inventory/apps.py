"""App configuration of inventory."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    """Inventory: warehouses, serialised items, movements, stock taking, repairs, installations."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "inventory"
    verbose_name = _("Inventory")
