"""State and kind constants of the core app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgUnitKind(models.TextChoices):
    """What an organisation unit is."""

    COMPANY = "company", _("Company")
    DEPARTMENT = "department", _("Department")
    TEAM = "team", _("Team")
    SHOP = "shop", _("Shop")
    REGION = "region", _("Region")


class PartnerKind(models.TextChoices):
    """The two kinds of business partner."""

    RETAILER = "retailer", _("Retailer")
    INSTALLER = "installer", _("Installer")


class PartnerStatus(models.TextChoices):
    """Life cycle of a partner; a suspended partner's users cannot log in."""

    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    TERMINATED = "terminated", _("Terminated")


PARTNER_TRANSITIONS: dict[str, set[str]] = {
    PartnerStatus.ACTIVE: {PartnerStatus.SUSPENDED, PartnerStatus.TERMINATED},
    PartnerStatus.SUSPENDED: {PartnerStatus.ACTIVE, PartnerStatus.TERMINATED},
    PartnerStatus.TERMINATED: set(),
}


class NotificationLevel(models.TextChoices):
    """How prominent a notification is."""

    INFO = "info", _("Information")
    SUCCESS = "success", _("Success")
    WARNING = "warning", _("Warning")
    DANGER = "danger", _("Urgent")


class OutboxStatus(models.TextChoices):
    """Delivery state of an outbox message."""

    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
