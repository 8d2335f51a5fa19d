"""Kinds, channels and states of cases (CAS-1): what the portal's information
requests need now; the cases issue adds the rest."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


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


# Every status an agent may move a case to from each status. A customer's reply
# moves a waiting case (or a closed one, within REOPEN_WITHIN_DAYS) back to open.
CASE_TRANSITIONS: dict[str, set[str]] = {
    CaseStatus.OPEN: {CaseStatus.IN_PROGRESS, CaseStatus.WAITING_CUSTOMER, CaseStatus.CLOSED},
    CaseStatus.IN_PROGRESS: {CaseStatus.OPEN, CaseStatus.WAITING_CUSTOMER, CaseStatus.CLOSED},
    CaseStatus.WAITING_CUSTOMER: {CaseStatus.OPEN, CaseStatus.IN_PROGRESS, CaseStatus.CLOSED},
    CaseStatus.CLOSED: {CaseStatus.OPEN},
}
# Cases still being worked on (the portal's "open requests").
OPEN_STATUSES = [CaseStatus.OPEN, CaseStatus.IN_PROGRESS, CaseStatus.WAITING_CUSTOMER]
# A customer may reply to a closed case (and so reopen it) for this many days after
# it was closed; later the portal asks for a new request (like a helpdesk's follow-up).
REOPEN_WITHIN_DAYS = 14
# How the portal names each status to the customer (with a context: "Received" is
# also a payment's status, translated differently).
CUSTOMER_STATUS_LABELS = {
    CaseStatus.OPEN: pgettext_lazy("request status", "Received"),
    CaseStatus.IN_PROGRESS: pgettext_lazy("request status", "In progress"),
    CaseStatus.WAITING_CUSTOMER: pgettext_lazy("request status", "Waiting for your reply"),
    CaseStatus.CLOSED: pgettext_lazy("request status", "Closed"),
}
