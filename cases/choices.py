"""Kinds, channels and states of cases (CAS-1): what the portal's information
requests need now; the cases issue adds the rest."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseType(models.TextChoices):
    """What a case is about."""

    INFORMATION = "information", _("Information request")
    BILLING = "billing", _("Billing question")
    TECHNICAL = "technical", _("Technical problem")
    COMPLAINT = "complaint", _("Complaint")
    SERVICE_CHANGE = "service_change", _("Service change")


class CaseChannel(models.TextChoices):
    """Where a case came from."""

    PORTAL = "portal", _("Self-care portal")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    SHOP = "shop", _("Shop")


class CaseStatus(models.TextChoices):
    """A case is open until answered and closed."""

    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING_CUSTOMER = "waiting", _("Waiting for the customer")
    CLOSED = "closed", _("Closed")
