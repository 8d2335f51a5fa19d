"""App configuration of the core: users, roles, business network, audit, outbox."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Cross-cutting core of AluxSat CRM."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "alux_crm.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from . import lookups, signals  # noqa: F401 - signals: the security log receivers

        lookups.register()

        post_migrate.connect(_sync_roles, dispatch_uid="core.sync_role_permissions")


def _sync_roles(sender, **kwargs) -> None:
    from .roles import sync_role_permissions

    sync_role_permissions()
