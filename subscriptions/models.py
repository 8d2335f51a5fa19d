"""Subscriptions (SUB-1..7): what a billing account subscribes to, its contract
term, its product lines (effective-dated), devices with serials (multi-room), the
events of its life cycle, resting periods and the resting policy of products.
Every row is tracked by django-pghistory."""

from decimal import Decimal

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, RangeOperators
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import F, Func, Q, Value
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from alux_crm.core.models import TimeStampedModel
from alux_crm.core.money import MONEY_FIELD
from products.choices import Acquisition, SalesChannel

from . import choices


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    model_name="SubscriptionHistory",  # SubscriptionEvent is the business event below
)
class Subscription(TimeStampedModel):
    """A contract of a billing account for products (SUB-1): its status, the channel
    that sold it, and its term (minimum months, end date, renewal rule, regret
    window). Status changes only through ``services`` (one transition table in
    ``choices.TRANSITIONS``), each writing an event and a provisioning command."""

    number = models.CharField(_("subscription number"), max_length=20, unique=True, editable=False)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="subscriptions"
    )
    billing_account = models.ForeignKey(
        "customers.BillingAccount", on_delete=models.PROTECT, related_name="subscriptions"
    )
    status = models.CharField(
        _("status"),
        max_length=15,
        choices=choices.SubscriptionStatus.choices,
        default=choices.SubscriptionStatus.PENDING_INSTALLATION,
    )
    channel = models.CharField(_("sold through"), max_length=10, choices=SalesChannel.choices)
    sold_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sold by"),
    )
    partner = models.ForeignKey(
        "core.Partner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subscriptions",
        verbose_name=_("retailer"),
    )
    currency = models.CharField(_("currency"), max_length=3)
    is_prepaid = models.BooleanField(_("prepaid"), default=False)
    signed_on = models.DateField(_("signed on"))
    activated_on = models.DateField(_("activated on"), null=True, blank=True)
    minimum_term_months = models.PositiveSmallIntegerField(_("minimum term, months"), default=24)
    contract_end = models.DateField(_("contract ends"), null=True, blank=True)
    renewal = models.CharField(
        _("at the end of the term"),
        max_length=10,
        choices=choices.RenewalRule.choices,
        default=choices.RenewalRule.MONTHLY,
    )
    regret_until = models.DateField(_("cooling-off until"))
    installation_date = models.DateField(_("installation day"), null=True, blank=True)
    installation_slot = models.CharField(
        _("installation time"), max_length=10, choices=choices.InstallationSlot.choices, blank=True
    )
    installation_notes = models.TextField(_("notes for the installer"), blank=True)
    prepaid_balance = models.DecimalField(
        _("prepaid balance"), **MONEY_FIELD, default=Decimal("0.00")
    )
    deposit_required = models.DecimalField(
        _("deposit required"), **MONEY_FIELD, default=Decimal("0.00")
    )
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        indexes = [
            models.Index(fields=["customer", "status"], name="subscription_customer"),
            models.Index(fields=["billing_account", "status"], name="subscription_account"),
            models.Index(fields=["status", "contract_end"], name="subscription_status_end"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(regret_until__gte=F("signed_on")), name="subscription_regret_after_sign"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("subscriptions:subscription_detail", args=[self.pk])


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class SubscriptionItem(TimeStampedModel):
    """A product on a subscription from a date: base package, add-on, device (sold
    or rented) or one-off fee, with its quantity, the agent's discount and the
    promotions granted at the sale. A change ends the row and starts a new one."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(
        "products.Product", on_delete=models.PROTECT, related_name="subscription_items"
    )
    acquisition = models.CharField(
        _("for"), max_length=10, choices=Acquisition.choices, default=Acquisition.STANDARD
    )
    quantity = models.PositiveSmallIntegerField(_("quantity"), default=1)
    manual_discount_percent = models.DecimalField(
        _("agent discount, %"), max_digits=5, decimal_places=2, default=Decimal("0.00")
    )
    promotions = models.ManyToManyField(
        "products.Promotion", blank=True, related_name="+", verbose_name=_("promotions granted")
    )
    valid_from = models.DateField(_("from"))
    valid_to = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["subscription", "valid_from", "id"]
        verbose_name = _("subscription item")
        verbose_name_plural = _("subscription items")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=F("valid_from")),
                name="subscriptionitem_valid_range",
            ),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="subscriptionitem_quantity"),
            models.CheckConstraint(
                condition=Q(manual_discount_percent__gte=0, manual_discount_percent__lte=100),
                name="subscriptionitem_discount_percent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Device(TimeStampedModel):
    """A device on a subscription with its serial (multi-room, PRD-5): a TV box in a
    room, a router, a smart card. Global search finds it by serial."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="devices")
    product = models.ForeignKey("products.Product", on_delete=models.PROTECT, related_name="+")
    serial = models.CharField(_("serial number"), max_length=40, unique=True)
    room = models.CharField(_("room"), max_length=40, blank=True)
    installed_on = models.DateField(_("installed on"), null=True, blank=True)
    returned_on = models.DateField(_("returned on"), null=True, blank=True)

    class Meta:
        ordering = ["subscription", "id"]
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        indexes = [GinIndex(OpClass(F("serial"), name="gin_trgm_ops"), name="device_serial_trgm")]

    def __str__(self) -> str:
        return f"{self.product} {self.serial}"


class SubscriptionEvent(models.Model):
    """One step of a subscription's life (SUB-5): a status change or a product change,
    with its reason, who did it and when, and the provisioning command it wrote."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="timeline"
    )
    from_status = models.CharField(_("from"), max_length=15, blank=True)
    to_status = models.CharField(_("to"), max_length=15, blank=True)
    command = models.CharField(_("provisioning"), max_length=25, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    effective_on = models.DateField(_("effective on"))
    created_at = models.DateTimeField(_("at"), auto_now_add=True)
    outbox_message = models.OneToOneField(
        "core.OutboxMessage", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("subscription event")
        verbose_name_plural = _("subscription events")

    def __str__(self) -> str:
        return f"{self.subscription} {self.from_status} -> {self.to_status}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class RestingPolicy(TimeStampedModel):
    """The resting rules of a product (SUB-3): how long a resting period may be, how
    many a year, how much notice, and whether the contract end moves by the days
    rested. The reduced fee is the price plan's resting fee."""

    product = models.OneToOneField(
        "products.Product", on_delete=models.CASCADE, related_name="resting_policy"
    )
    min_days = models.PositiveSmallIntegerField(_("shortest, days"), default=30)
    max_days = models.PositiveSmallIntegerField(_("longest, days"), default=180)
    max_per_year = models.PositiveSmallIntegerField(_("at most per year"), default=2)
    notice_days = models.PositiveSmallIntegerField(_("notice, days"), default=1)
    extends_contract = models.BooleanField(_("contract end moves by the days rested"), default=True)

    class Meta:
        verbose_name = _("resting policy")
        verbose_name_plural = _("resting policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(min_days__lte=F("max_days")), name="restingpolicy_min_le_max"
            ),
        ]

    def __str__(self) -> str:
        return str(self.product)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class RestingPeriod(TimeStampedModel):
    """A resting period of a subscription (SUB-3) from ``starts_on`` to ``ends_on``
    (the day service resumes). Started and ended by the scheduled task; an early
    return sets ``ended_on``. Two periods of one subscription never overlap."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="resting_periods"
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("resumes on"))
    ended_on = models.DateField(_("returned early on"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=choices.RestingStatus.choices,
        default=choices.RestingStatus.SCHEDULED,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    channel = models.CharField(_("requested through"), max_length=10, choices=SalesChannel.choices)
    extended_contract_days = models.PositiveIntegerField(_("contract extended by, days"), default=0)

    class Meta:
        ordering = ["subscription", "-starts_on"]
        verbose_name = _("resting period")
        verbose_name_plural = _("resting periods")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gt=F("starts_on")), name="restingperiod_valid_range"
            ),
            ExclusionConstraint(
                name="restingperiod_no_overlap",
                expressions=[
                    (F("subscription"), RangeOperators.EQUAL),
                    (
                        Func(
                            F("starts_on"),
                            F("ends_on"),
                            Value("[)"),
                            function="daterange",
                            output_field=DateRangeField(),
                        ),
                        RangeOperators.OVERLAPS,
                    ),
                ],
                condition=~Q(status=choices.RestingStatus.CANCELLED),
                violation_error_message=_("Another resting period of this subscription overlaps."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subscription} {self.starts_on} - {self.ends_on}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class ChangeOrder(TimeStampedModel):
    """A change of a subscription's products (SUB-2): an upgrade, downgrade, package
    change, add-on added or removed, or device swap. It is an order with its own
    status, effective on a day set by the products' change policy (now with
    proration, at the end of the billing period, or at the end of the term), and is
    applied on that day — items are never edited in place."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="change_orders"
    )
    kind = models.CharField(_("change"), max_length=20, choices=choices.ChangeKind.choices)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=choices.ChangeStatus.choices,
        default=choices.ChangeStatus.SCHEDULED,
    )
    policy = models.CharField(_("takes effect"), max_length=20)
    requested_on = models.DateField(_("requested on"))
    effective_on = models.DateField(_("effective on"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    channel = models.CharField(_("requested through"), max_length=10, choices=SalesChannel.choices)
    reason = models.TextField(_("reason"), blank=True)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)

    class Meta:
        ordering = ["-effective_on", "-id"]
        verbose_name = _("change order")
        verbose_name_plural = _("change orders")
        indexes = [models.Index(fields=["status", "effective_on"], name="changeorder_due")]

    def __str__(self) -> str:
        return f"{self.subscription} {self.get_kind_display()} {self.effective_on}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class ChangeOrderLine(models.Model):
    """A product added or removed by a change order; a device swap names the device
    returned and the serial of the one given."""

    order = models.ForeignKey(ChangeOrder, on_delete=models.CASCADE, related_name="lines")
    action = models.CharField(_("action"), max_length=10, choices=choices.ChangeAction.choices)
    product = models.ForeignKey("products.Product", on_delete=models.PROTECT, related_name="+")
    acquisition = models.CharField(
        _("for"), max_length=10, choices=Acquisition.choices, default=Acquisition.STANDARD
    )
    quantity = models.PositiveSmallIntegerField(_("quantity"), default=1)
    manual_discount_percent = models.DecimalField(
        _("agent discount, %"), max_digits=5, decimal_places=2, default=Decimal("0.00")
    )
    item = models.ForeignKey(
        SubscriptionItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    device = models.ForeignKey(
        Device, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    new_serial = models.CharField(_("new serial"), max_length=40, blank=True)

    class Meta:
        ordering = ["order", "action", "id"]
        verbose_name = _("change order line")
        verbose_name_plural = _("change order lines")

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.quantity} x {self.product}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class CancellationRequest(TimeStampedModel):
    """A request to end a subscription (SUB-4), escalated to Back Office as a task:
    a cancellation on a chosen date with its early-termination fee computed from the
    remaining term, or a regret inside the cooling-off window (no fee)."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="cancellation_requests"
    )
    kind = models.CharField(_("request"), max_length=15, choices=choices.CancellationKind.choices)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=choices.CancellationStatus.choices,
        default=choices.CancellationStatus.OPEN,
    )
    requested_on = models.DateField(_("requested on"))
    effective_on = models.DateField(_("effective on"))
    reason = models.TextField(_("reason"))
    early_termination_fee = models.DecimalField(
        _("early-termination fee"), **MONEY_FIELD, default=Decimal("0.00")
    )
    fee_explanation = models.TextField(_("how the fee was computed"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    channel = models.CharField(_("requested through"), max_length=10, choices=SalesChannel.choices)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)

    class Meta:
        ordering = ["status", "effective_on", "id"]
        verbose_name = _("cancellation request")
        verbose_name_plural = _("cancellation requests")
        constraints = [
            models.UniqueConstraint(
                fields=["subscription"],
                condition=Q(status__in=["open", "approved"]),
                name="cancellationrequest_one_pending",
                violation_error_message=_("This subscription already has a pending request."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subscription} {self.get_kind_display()} {self.effective_on}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class CreditLimit(TimeStampedModel):
    """What a credit class may buy without a deposit (CUS-3, SUB-1): above the
    monthly amount, a deposit is asked (a share of one month, or a fixed amount).
    Customers without a credit check are treated as the strictest class."""

    credit_class = models.CharField(_("credit class"), max_length=1, unique=True)
    max_monthly_without_deposit = models.DecimalField(
        _("monthly amount without deposit"), **MONEY_FIELD
    )
    deposit_months = models.DecimalField(
        _("deposit, in months of the monthly amount"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("1.00"),
    )

    class Meta:
        ordering = ["credit_class"]
        verbose_name = _("credit limit")
        verbose_name_plural = _("credit limits")

    def __str__(self) -> str:
        return f"{self.credit_class}: {self.max_monthly_without_deposit}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class ContractClause(TimeStampedModel):
    """A clause of the standard contract template (SUB-7), in English and Romanian.
    A contract may change a clause for one subscriber; the contract then lists the
    clauses that differ from the standard explicitly."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    title_en = models.CharField(_("title (English)"), max_length=160)
    title_ro = models.CharField(_("title (Romanian)"), max_length=160, blank=True)
    text_en = models.TextField(_("text (English)"))
    text_ro = models.TextField(_("text (Romanian)"), blank=True)
    is_active = models.BooleanField(_("in the template"), default=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("contract clause")
        verbose_name_plural = _("contract clauses")

    def __str__(self) -> str:
        return f"{self.order}. {self.title_en}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class ContractDocument(TimeStampedModel):
    """A contract or addendum of a subscription rendered as PDF (SUB-7), with the
    clauses that differ from the standard template, when it was e-mailed, and the
    signed scan uploaded back."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(_("document"), max_length=10, choices=choices.DocumentKind.choices)
    number = models.CharField(_("number"), max_length=30, unique=True)
    change_order = models.ForeignKey(
        ChangeOrder, on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    language = models.CharField(_("language"), max_length=8, default="en")
    pdf = models.FileField(_("PDF"), upload_to="contracts/%Y/%m/")
    modified_clauses = models.JSONField(_("clauses changed from the standard"), default=list)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("prepared by"),
    )
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    signed_scan = models.FileField(
        _("signed scan"), upload_to="contracts/signed/%Y/%m/", blank=True
    )
    signed_uploaded_at = models.DateTimeField(_("signed scan uploaded at"), null=True, blank=True)
    signed_uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed scan uploaded by"),
    )

    class Meta:
        ordering = ["subscription", "created_at", "id"]
        verbose_name = _("contract document")
        verbose_name_plural = _("contract documents")

    def __str__(self) -> str:
        return self.number


class PrepaidEntry(models.Model):
    """A movement of a prepaid subscription's balance (SUB-9): a top-up (voucher,
    card, cash), a daily charge or an adjustment. Append-only — the database refuses
    updates and deletes — and unique per idempotency key, so a retried top-up or a
    daily run that runs twice never counts twice. The balance is their sum (cached on
    the subscription under a row lock)."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.PROTECT, related_name="prepaid_entries"
    )
    kind = models.CharField(_("movement"), max_length=15, choices=choices.PrepaidEntryKind.choices)
    amount = models.DecimalField(_("amount"), **MONEY_FIELD)
    balance_after = models.DecimalField(_("balance after"), **MONEY_FIELD)
    idempotency_key = models.CharField(_("idempotency key"), max_length=120, unique=True)
    source = models.CharField(_("source"), max_length=120, blank=True)
    day = models.DateField(_("day"))
    created_at = models.DateTimeField(_("at"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["subscription", "id"]
        verbose_name = _("prepaid balance entry")
        verbose_name_plural = _("prepaid balance entries")
        triggers = [
            pgtrigger.Protect(
                name="prepaidentry_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]

    def __str__(self) -> str:
        return f"{self.subscription} {self.kind} {self.amount}"
