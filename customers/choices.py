"""Kinds, states and classes of customers, billing accounts and communications."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CustomerKind(models.TextChoices):
    """A customer is a person or a company (CUS-1)."""

    PERSON = "person", _("Person")
    COMPANY = "company", _("Company")


class CustomerCategory(models.TextChoices):
    """Category; persons default to Residential, companies to Corporate."""

    RESIDENTIAL = "residential", _("Residential")
    CORPORATE = "corporate", _("Corporate")
    GOVERNMENT = "government", _("Government")
    EMPLOYEE = "employee", _("Employee")


DEFAULT_CATEGORY = {
    CustomerKind.PERSON: CustomerCategory.RESIDENTIAL,
    CustomerKind.COMPANY: CustomerCategory.CORPORATE,
}


class CustomerSegment(models.TextChoices):
    """Market segment: drives offers, collection plans and account management."""

    MASS_MARKET = "mass", _("Mass market")
    HIGH_VALUE = "high_value", _("High value")
    SOHO = "soho", _("Small office / home office")
    SME = "sme", _("Small and medium business")
    CORPORATE = "corporate", _("Corporate")
    MAJOR_ACCOUNT = "major", _("Major account")


class CustomerStatus(models.TextChoices):
    """Life cycle of a customer record."""

    PROSPECT = "prospect", _("Prospect")
    ACTIVE = "active", _("Active")
    INACTIVE = "inactive", _("Inactive")
    BLOCKED = "blocked", _("Blocked")


CUSTOMER_TRANSITIONS: dict[str, set[str]] = {
    CustomerStatus.PROSPECT: {CustomerStatus.ACTIVE, CustomerStatus.INACTIVE},
    CustomerStatus.ACTIVE: {CustomerStatus.INACTIVE, CustomerStatus.BLOCKED},
    CustomerStatus.BLOCKED: {CustomerStatus.ACTIVE, CustomerStatus.INACTIVE},
    CustomerStatus.INACTIVE: {CustomerStatus.ACTIVE},
}


class LineType(models.TextChoices):
    """Mobile or fixed services (CUS-8)."""

    FIXED = "fixed", _("Fixed")
    MOBILE = "mobile", _("Mobile")
    BOTH = "both", _("Fixed and mobile")


class PaymentType(models.TextChoices):
    """Prepaid or postpaid (CUS-8)."""

    POSTPAID = "postpaid", _("Postpaid")
    PREPAID = "prepaid", _("Prepaid")


class Tier(models.TextChoices):
    """Value tier from value and tenure (CUS-10), used by retention offers."""

    BRONZE = "bronze", _("Bronze")
    SILVER = "silver", _("Silver")
    GOLD = "gold", _("Gold")
    PLATINUM = "platinum", _("Platinum")


class CreditClass(models.TextChoices):
    """Credit class from the credit check (CUS-3): A is the best."""

    A = "A", _("A — excellent")
    B = "B", _("B — good")
    C = "C", _("C — fair")
    D = "D", _("D — poor")


class CreditHistory(models.TextChoices):
    """What the credit bureau (or the agent) reports about the customer."""

    GOOD = "good", _("Good: always paid on time")
    FAIR = "fair", _("Fair: occasional late payments")
    NONE = "none", _("None: no history")
    POOR = "poor", _("Poor: debts or defaults")


class AddressKind(models.TextChoices):
    """What an address is used for."""

    LEGAL = "legal", _("Legal / residence")
    INSTALLATION = "installation", _("Installation")
    BILLING = "billing", _("Billing")
    POSTAL = "postal", _("Postal")


class PaymentMethod(models.TextChoices):
    """How a billing account pays."""

    CASH = "cash", _("Cash at a shop")
    BANK_TRANSFER = "transfer", _("Bank transfer")
    DIRECT_DEBIT = "direct_debit", _("Direct debit")
    CARD = "card", _("Card")


class InvoiceDelivery(models.TextChoices):
    """How invoices reach the account."""

    EMAIL = "email", _("E-mail")
    POST = "post", _("Post")
    BOTH = "both", _("E-mail and post")
    PORTAL = "portal", _("Portal only")


class BillingAccountStatus(models.TextChoices):
    """Life cycle of a billing account."""

    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class Channel(models.TextChoices):
    """Where a contact with the customer happened (CUS-7)."""

    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    WALK_IN = "walk_in", _("Walk-in")
    SOCIAL = "social", _("Social media")
    LETTER = "letter", _("Letter")
    PORTAL = "portal", _("Portal")


class Direction(models.TextChoices):
    """Who started the contact."""

    INBOUND = "in", _("Inbound")
    OUTBOUND = "out", _("Outbound")
