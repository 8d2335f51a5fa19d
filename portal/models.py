"""The subscriber portal (POR-1, POR-3): which customer a portal login belongs to,
and the card payments made there through the payment-provider adapter."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from alux_crm.core.models import TimeStampedModel
from alux_crm.core.money import MONEY_FIELD

from . import choices


class PortalAccount(TimeStampedModel):
    """A subscriber's portal login: the user (role Subscriber) and the one customer
    every portal page and API call is scoped to. Invited by an agent from the
    customer-360 page; active once the subscriber set a password from the link."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="portal_account"
    )
    customer = models.OneToOneField(
        "customers.Customer", on_delete=models.PROTECT, related_name="portal_account"
    )
    invited_at = models.DateTimeField(_("invited at"), null=True, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True)
    disabled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("portal account")
        verbose_name_plural = _("portal accounts")

    def __str__(self) -> str:
        return f"{self.customer} ({self.user})"


class CardPayment(TimeStampedModel):
    """A payment by card from the portal: asked of the provider with an idempotency
    key (a double click or a retry reuses it), recorded through billing once the
    provider says it succeeded."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="card_payments"
    )
    billing_account = models.ForeignKey(
        "customers.BillingAccount", on_delete=models.PROTECT, related_name="card_payments"
    )
    invoice = models.ForeignKey(
        "billing.Invoice",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="card_payments",
    )
    amount = models.DecimalField(_("amount"), **MONEY_FIELD)
    currency = models.CharField(_("currency"), max_length=3)
    idempotency_key = models.CharField(_("idempotency key"), max_length=120, unique=True)
    provider = models.CharField(_("provider"), max_length=40)
    provider_reference = models.CharField(_("provider reference"), max_length=120, blank=True)
    card_brand = models.CharField(_("card brand"), max_length=20, blank=True)
    card_last4 = models.CharField(_("card ending"), max_length=4, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=choices.CardPaymentStatus.choices,
        default=choices.CardPaymentStatus.PENDING,
    )
    message = models.CharField(_("provider message"), max_length=200, blank=True)
    payment = models.OneToOneField(
        "billing.Payment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="card_payment",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("card payment")
        verbose_name_plural = _("card payments")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="cardpayment_amount_positive"),
            models.CheckConstraint(
                condition=~Q(status="succeeded") | Q(payment__isnull=False),
                name="cardpayment_succeeded_has_payment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.billing_account} · {self.amount} {self.currency} · {self.status}"
