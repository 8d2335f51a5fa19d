"""Customers (persons and companies), their addresses, billing accounts, credit checks,
tiers and communications. Every row is tracked by django-pghistory (History tab)."""

from decimal import Decimal

import pghistory
from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import ArrayField, DateRangeField, RangeOperators
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import Case, F, Func, Q, Value, When
from django.db.models.functions import Concat, Lower, Upper
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alux_crm.core.models import TimeStampedModel

from . import choices

MONEY = {"max_digits": 14, "decimal_places": 2}


def _trigram_index(field: str, name: str) -> GinIndex:
    """A pg_trgm GIN index: serves ILIKE '%x%', ILIKE 'x%' and similarity (%, <%)."""
    return GinIndex(OpClass(F(field), name="gin_trgm_ops"), name=name)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Customer(TimeStampedModel):
    """A person or a company the operator serves (CUS-1).

    Companies can have branches and departments below them (``parent``: the
    organisation tree, any depth). What a customer pays through is a separate tree
    of ``BillingAccount``. ``version`` detects concurrent edits by two agents.
    """

    number = models.CharField(_("customer number"), max_length=20, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=choices.CustomerKind.choices)
    # Person
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    id_number = models.CharField(_("ID number"), max_length=32, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    # Company
    company_name = models.CharField(_("company name"), max_length=200, blank=True)
    registration_number = models.CharField(_("registration number"), max_length=40, blank=True)
    vat_number = models.CharField(_("VAT number"), max_length=32, blank=True)
    # Both
    phone = models.CharField(_("phone"), max_length=20, blank=True, help_text=_("E.164"))
    email = models.EmailField(_("e-mail"), blank=True)
    country = models.CharField(_("country"), max_length=2, default="RO")
    category = models.CharField(
        _("category"), max_length=20, choices=choices.CustomerCategory.choices
    )
    segment = models.CharField(
        _("segment"),
        max_length=20,
        choices=choices.CustomerSegment.choices,
        default=choices.CustomerSegment.MASS_MARKET,
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=choices.CustomerStatus.choices,
        default=choices.CustomerStatus.ACTIVE,
    )
    line_type = models.CharField(
        _("line type"), max_length=10, choices=choices.LineType.choices, default="fixed"
    )
    payment_type = models.CharField(
        _("payment type"), max_length=10, choices=choices.PaymentType.choices, default="postpaid"
    )
    language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default="ro"
    )
    # Marketing consent per channel (off until the customer says yes; pghistory keeps
    # when and by whom it changed). Service messages (invoices, reminders) are not marketing.
    marketing_email = models.BooleanField(
        _("offers and news by e-mail"), default=False, db_default=False
    )
    marketing_sms = models.BooleanField(
        _("offers and news by SMS"), default=False, db_default=False
    )
    marketing_post = models.BooleanField(
        _("offers and news by post"), default=False, db_default=False
    )
    serving_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("serving agent"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="served_customers",
    )
    partner = models.ForeignKey(
        "core.Partner",
        verbose_name=_("dealer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="customers",
        help_text=_("The retailer who brought the customer; its users see the customer."),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text=_("Organisation structure: the company a branch or department belongs to."),
    )
    customer_since = models.DateField(_("customer since"), default=timezone.localdate)
    monthly_value = models.DecimalField(
        _("monthly value"),
        **MONEY,
        default=Decimal("0.00"),
        help_text=_("Recurring charges after discounts, per month (kept by subscriptions)."),
    )
    tier = models.CharField(
        _("tier"), max_length=10, choices=choices.Tier.choices, default=choices.Tier.BRONZE
    )
    tier_computed_at = models.DateTimeField(_("tier computed at"), null=True, blank=True)
    credit_class = models.CharField(
        _("credit class"), max_length=1, choices=choices.CreditClass.choices, blank=True
    )
    credit_checked_at = models.DateTimeField(_("credit checked at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    display_name = models.GeneratedField(
        expression=Case(
            When(kind="company", then=F("company_name")),
            default=Concat(F("first_name"), Value(" "), F("last_name")),
        ),
        output_field=models.CharField(max_length=201),
        db_persist=True,
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [
            # Search (selectors.search): ILIKE and trigram similarity use these.
            _trigram_index("display_name", "customer_name_trgm"),
            _trigram_index("email", "customer_email_trgm"),
            # The portal's login and password reset by e-mail (case does not matter).
            models.Index(Upper("email"), name="customer_email_upper"),
            _trigram_index("phone", "customer_phone_trgm"),
            models.Index(fields=["id_number"], name="customer_id_number"),
            models.Index(fields=["vat_number"], name="customer_vat_number"),
            models.Index(fields=["registration_number"], name="customer_registration"),
            models.Index(fields=["status", "tier"], name="customer_status_tier"),
            models.Index(fields=["segment"], name="customer_segment"),
            models.Index(fields=["-created_at", "-id"], name="customer_newest_first"),
            # Exact and prefix lookups (phone =, e-mail LIKE 'x%', lower(name) LIKE 'x%').
            models.Index(OpClass(F("phone"), name="varchar_pattern_ops"), name="customer_phone"),
            models.Index(OpClass(F("email"), name="varchar_pattern_ops"), name="customer_email"),
            models.Index(
                OpClass(Lower("display_name"), name="text_pattern_ops"), name="customer_name_prefix"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "id_number"],
                condition=~Q(id_number=""),
                name="customer_unique_id_number",
                violation_error_message=_("A customer with this ID number already exists."),
            ),
            models.CheckConstraint(
                condition=(Q(kind="person") & ~Q(last_name=""))
                | (Q(kind="company") & ~Q(company_name="")),
                name="customer_has_a_name",
            ),
            models.CheckConstraint(condition=~Q(parent=F("id")), name="customer_not_own_parent"),
            models.CheckConstraint(condition=Q(monthly_value__gte=0), name="customer_value_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.number})"

    @property
    def name(self) -> str:
        """The name to show: company name, or first and last name."""
        if self.kind == choices.CustomerKind.COMPANY:
            return self.company_name
        return f"{self.first_name} {self.last_name}".strip()

    def get_absolute_url(self) -> str:
        return reverse("customers:customer_detail", args=[self.pk])


class AddressQuerySet(models.QuerySet):
    """Addresses on a date."""

    def valid_on(self, day):
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day), valid_from__lte=day)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Address(TimeStampedModel):
    """An address of a customer, valid from a date (CUS-5). A change of address is a
    new row from its date; the old row gets ``valid_to``. History is never rewritten."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="addresses")
    kind = models.CharField(_("kind"), max_length=20, choices=choices.AddressKind.choices)
    line1 = models.CharField(_("street and number"), max_length=200)
    line2 = models.CharField(_("building, floor, apartment"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    region = models.CharField(_("county / region"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, default="RO")
    valid_from = models.DateField(_("valid from"), default=timezone.localdate)
    valid_to = models.DateField(_("valid until"), null=True, blank=True)

    objects = AddressQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "-valid_from"]
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=F("valid_from")),
                name="address_valid_range",
            ),
            ExclusionConstraint(
                name="address_no_overlap",
                expressions=[
                    (F("customer"), RangeOperators.EQUAL),
                    (F("kind"), RangeOperators.EQUAL),
                    (
                        Func(
                            F("valid_from"),
                            F("valid_to"),
                            Value("[)"),
                            function="daterange",
                            output_field=DateRangeField(),
                        ),
                        RangeOperators.OVERLAPS,
                    ),
                ],
                violation_error_message=_("Another address of this kind is valid then."),
            ),
        ]

    def __str__(self) -> str:
        parts = [self.line1, self.line2, self.postal_code, self.city]
        return ", ".join(p for p in parts if p)


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    # The ledger is the history of the balance: a cached-balance change is no event.
    exclude=["balance"],
)
class BillingAccount(TimeStampedModel):
    """What invoices and payments attach to (CUS-4, BIL-8).

    Accounts form a tree of any depth through ``parent``; an account that is not
    ``is_paying`` has its charges rolled up to its nearest paying ancestor (see
    ``selectors.paying_account``). A top account always pays.
    """

    number = models.CharField(_("account number"), max_length=20, unique=True, editable=False)
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="billing_accounts"
    )
    name = models.CharField(_("name"), max_length=200)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    bill_cycle_day = models.PositiveSmallIntegerField(_("bill-cycle day"), default=1)
    payment_method = models.CharField(
        _("payment method"),
        max_length=20,
        choices=choices.PaymentMethod.choices,
        default=choices.PaymentMethod.BANK_TRANSFER,
    )
    billing_address = models.ForeignKey(
        Address,
        verbose_name=_("billing address"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="billing_accounts",
    )
    invoice_delivery = models.CharField(
        _("invoice delivery"),
        max_length=10,
        choices=choices.InvoiceDelivery.choices,
        default=choices.InvoiceDelivery.EMAIL,
    )
    invoice_email = models.EmailField(_("invoice e-mail"), blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_paying = models.BooleanField(
        _("paying account"),
        default=True,
        help_text=_("Receives the invoice; otherwise charges go to the paying parent."),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=choices.BillingAccountStatus.choices,
        default=choices.BillingAccountStatus.ACTIVE,
    )
    balance = models.DecimalField(
        _("balance"),
        **MONEY,
        default=Decimal("0.00"),
        help_text=_("Cached sum of the ledger; the ledger is the truth."),
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["number"]
        verbose_name = _("billing account")
        verbose_name_plural = _("billing accounts")
        indexes = [models.Index(fields=["customer", "status"], name="billing_account_customer")]
        constraints = [
            models.CheckConstraint(
                condition=Q(bill_cycle_day__gte=1, bill_cycle_day__lte=28),
                name="billing_account_cycle_day_1_28",
            ),
            models.CheckConstraint(
                condition=Q(parent__isnull=False) | Q(is_paying=True),
                name="billing_account_top_pays",
                violation_error_message=_("A top-level account must be a paying account."),
            ),
            models.CheckConstraint(
                condition=~Q(parent=F("id")), name="billing_account_not_own_parent"
            ),
            models.CheckConstraint(
                condition=~Q(invoice_delivery__in=["email", "both"]) | ~Q(invoice_email=""),
                name="billing_account_email_for_email_delivery",
                violation_error_message=_("E-mail delivery needs an invoice e-mail."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("customers:billing_account_detail", args=[self.pk])


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class CreditClassRule(models.Model):
    """A configurable rule of the credit check: the first rule (by ``priority``) whose
    conditions the inputs meet gives the credit class (CUS-3)."""

    priority = models.PositiveSmallIntegerField(_("priority"), unique=True)
    credit_class = models.CharField(
        _("credit class"), max_length=1, choices=choices.CreditClass.choices
    )
    min_monthly_income = models.DecimalField(
        _("minimum monthly income"), **MONEY, default=Decimal("0.00")
    )
    histories = ArrayField(
        models.CharField(max_length=10, choices=choices.CreditHistory.choices),
        verbose_name=_("credit histories"),
        help_text=_("The rule applies to these credit histories."),
    )
    description = models.CharField(_("description"), max_length=200, blank=True)

    class Meta:
        ordering = ["priority"]
        verbose_name = _("credit class rule")
        verbose_name_plural = _("credit class rules")

    def __str__(self) -> str:
        return f"{self.priority}: {self.credit_class} — {self.description}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class CreditCheck(models.Model):
    """One credit check of a customer: its inputs, the class it gave and the rule."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="credit_checks")
    declared_monthly_income = models.DecimalField(_("declared monthly income"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    credit_history = models.CharField(
        _("credit history"), max_length=10, choices=choices.CreditHistory.choices
    )
    credit_class = models.CharField(
        _("credit class"), max_length=1, choices=choices.CreditClass.choices
    )
    rule = models.ForeignKey(CreditClassRule, null=True, on_delete=models.SET_NULL)
    rule_description = models.CharField(_("rule applied"), max_length=250)
    checked_at = models.DateTimeField(_("checked at"), default=timezone.now)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-checked_at", "-id"]
        verbose_name = _("credit check")
        verbose_name_plural = _("credit checks")
        constraints = [
            models.CheckConstraint(
                condition=Q(declared_monthly_income__gte=0), name="credit_check_income_gte_0"
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.credit_class} {self.checked_at:%Y-%m-%d}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class TierRule(models.Model):
    """Thresholds of a tier (CUS-10): a customer gets the highest tier whose minimum
    monthly value and minimum tenure it both meets."""

    tier = models.CharField(_("tier"), max_length=10, choices=choices.Tier.choices, unique=True)
    rank = models.PositiveSmallIntegerField(
        _("rank"), unique=True, help_text=_("Higher is better.")
    )
    min_monthly_value = models.DecimalField(_("minimum monthly value"), **MONEY)
    min_tenure_months = models.PositiveSmallIntegerField(_("minimum tenure (months)"))

    class Meta:
        ordering = ["-rank"]
        verbose_name = _("tier rule")
        verbose_name_plural = _("tier rules")

    def __str__(self) -> str:
        return self.get_tier_display()


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Communication(TimeStampedModel):
    """One contact with the customer (CUS-7): channel, direction, agent and notes."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="communications")
    channel = models.CharField(_("channel"), max_length=10, choices=choices.Channel.choices)
    direction = models.CharField(
        _("direction"), max_length=3, choices=choices.Direction.choices, default="in"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="communications",
    )
    subject = models.CharField(_("subject"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("communication")
        verbose_name_plural = _("communications")
        indexes = [models.Index(fields=["customer", "-occurred_at"], name="communication_timeline")]

    def __str__(self) -> str:
        return self.subject


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Attachment(models.Model):
    """A file attached to a communication (image, PDF or audio), checked by content."""

    communication = models.ForeignKey(
        Communication, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to="communications/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name
