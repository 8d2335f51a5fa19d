"""What the portal API answers (POR-1, POR-3): the subscriber's own customer, balances,
invoices, payments, subscriptions and requests, and the requests it accepts.

Separate from the staff serializers on purpose: a subscriber sees what the portal's
pages show and nothing of the back office (no agent, partner, run, timeline or
internal ids of other customers). Money is a string with 2 decimals beside its
currency; every choice is a named enum (the same names as the staff API where the
choices are the same). The business rules stay in the services.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from alux_crm.core.money import MONEY_FIELD
from billing import choices as billing_choices
from billing.models import Invoice, Payment
from billing.serializers import InvoiceLineSerializer
from cases.choices import CaseStatus, CaseType
from cases.models import Case, CaseReply
from customers.models import Customer
from customers.serializers import NamedChoiceField
from products.serializers import ProductRefSerializer
from subscriptions import choices as subscription_choices
from subscriptions.models import Device, RestingPeriod, SubscriptionItem

from .forms_requests import RequestForm, RequestReplyForm

# The same limits as the portal's request form (a case's subject; a bounded text).
MAX_SUBJECT_LENGTH = RequestForm.base_fields["subject"].max_length
MAX_TEXT_LENGTH = RequestForm.base_fields["description"].max_length
MAX_REPLY_LENGTH = RequestReplyForm.base_fields["text"].max_length


def _money(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(**MONEY_FIELD, read_only=True, **kwargs)


def _choice(choice_class, enum_name: str, **kwargs) -> NamedChoiceField:
    return NamedChoiceField(choices=choice_class.choices, enum_name=enum_name, **kwargs)


def _absolute(context: dict, url: str) -> str:
    request = context.get("request")
    return request.build_absolute_uri(url) if request is not None else url


# --- me ---------------------------------------------------------------------------------------
class PortalBalanceSerializer(serializers.Serializer):
    """One billing account of the subscriber as the dashboard shows it
    (``portal.selectors.DashboardAccount``): balance, what is overdue, the next
    amount falling due and the last payment."""

    billing_account = serializers.CharField(source="account.number", read_only=True)
    name = serializers.CharField(source="account.name", read_only=True)
    currency = serializers.CharField(source="account.currency", read_only=True)
    balance = _money(
        source="account.balance",
        help_text=_("What the customer owes on the account (negative: a credit)."),
    )
    overdue = _money(help_text=_("Left to pay on invoices past their due date."))
    overdue_invoices = serializers.IntegerField(source="balance.overdue_invoices", read_only=True)
    next_due_on = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text=_("The next day an invoice with something left to pay falls due."),
    )
    next_due_amount = _money(help_text=_("What is left to pay on the invoices due that day."))
    last_payment_on = serializers.DateField(
        source="balance.last_payment.received_on", read_only=True, allow_null=True
    )


class PortalMeSerializer(serializers.ModelSerializer):
    """The logged-in subscriber's customer and a balance per billing account."""

    name = serializers.CharField(read_only=True)
    balances = PortalBalanceSerializer(many=True, read_only=True)

    class Meta:
        model = Customer
        fields = ["number", "name", "email", "phone", "language", "balances"]
        read_only_fields = fields


# --- invoices and payments ----------------------------------------------------------------------
class PortalInvoiceSerializer(serializers.ModelSerializer):
    """A posted invoice of the subscriber, what is left to pay on it and its PDF."""

    kind = _choice(billing_choices.InvoiceKind, "InvoiceKindEnum", read_only=True)
    billing_account = serializers.CharField(source="billing_account.number", read_only=True)
    net = _money()
    tax = _money()
    total = _money()
    open_amount = _money(
        source="left_to_pay",
        help_text=_("What is left to pay (payments and credit notes deducted)."),
    )
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = Invoice
        fields = [
            "id",
            "number",
            "kind",
            "billing_account",
            "period_start",
            "period_end",
            "issued_on",
            "due_on",
            "currency",
            "net",
            "tax",
            "total",
            "open_amount",
            "disputed",
            "pdf_url",
        ]
        read_only_fields = fields

    def get_pdf_url(self, obj) -> str:
        return _absolute(self.context, reverse("api:portal-invoice-pdf", args=[obj.pk]))


class PortalInvoiceDetailSerializer(PortalInvoiceSerializer):
    """An invoice with every line and how it was computed (``explanation``)."""

    lines = InvoiceLineSerializer(many=True, read_only=True)

    class Meta(PortalInvoiceSerializer.Meta):
        fields = [*PortalInvoiceSerializer.Meta.fields, "lines"]
        read_only_fields = fields


class PortalPaymentSerializer(serializers.ModelSerializer):
    """A payment received for one of the subscriber's billing accounts."""

    billing_account = serializers.CharField(source="billing_account.number", read_only=True)
    amount = _money()
    method = _choice(billing_choices.PaymentMethod, "ReceivedPaymentMethodEnum", read_only=True)
    status = _choice(billing_choices.PaymentStatus, "PaymentStatusEnum", read_only=True)

    class Meta:
        model = Payment
        fields = [
            "id",
            "billing_account",
            "received_on",
            "amount",
            "currency",
            "method",
            "reference",
            "status",
        ]
        read_only_fields = fields


# --- subscriptions ------------------------------------------------------------------------------
class PortalSubscriptionItemSerializer(serializers.ModelSerializer):
    """A product on the subscription now."""

    product = ProductRefSerializer(read_only=True)

    class Meta:
        model = SubscriptionItem
        fields = ["product", "quantity", "valid_from"]
        read_only_fields = fields


class PortalDeviceSerializer(serializers.ModelSerializer):
    """A device of the subscription (not returned)."""

    product = ProductRefSerializer(read_only=True)

    class Meta:
        model = Device
        fields = ["product", "serial", "room", "installed_on"]
        read_only_fields = fields


class PortalRestingSerializer(serializers.ModelSerializer):
    """A resting period planned or under way: from ``starts_on`` to ``ends_on`` (the
    day service resumes)."""

    status = _choice(subscription_choices.RestingStatus, "RestingStatusEnum", read_only=True)

    class Meta:
        model = RestingPeriod
        fields = ["id", "starts_on", "ends_on", "status"]
        read_only_fields = fields


def _of_subscription(field, name: str, **kwargs):
    """``field`` reading ``name`` of the ``ServiceView``'s subscription."""
    return field(source=f"subscription.{name}", read_only=True, **kwargs)


class PortalSubscriptionSerializer(serializers.Serializer):
    """A subscription of the subscriber as the services page shows it
    (``portal.selectors_services.ServiceView``): status, contract end, the products
    it has now (services and packages; devices and purchases: its detail)."""

    id = _of_subscription(serializers.IntegerField, "pk")
    number = _of_subscription(serializers.CharField, "number")
    status = _choice(
        subscription_choices.SubscriptionStatus,
        "SubscriptionStatusEnum",
        source="subscription.status",
        read_only=True,
    )
    billing_account = _of_subscription(serializers.CharField, "billing_account.number")
    is_prepaid = _of_subscription(serializers.BooleanField, "is_prepaid")
    signed_on = _of_subscription(serializers.DateField, "signed_on")
    activated_on = _of_subscription(serializers.DateField, "activated_on", allow_null=True)
    contract_end = _of_subscription(serializers.DateField, "contract_end", allow_null=True)
    ended_on = _of_subscription(serializers.DateField, "ended_on", allow_null=True)
    products = PortalSubscriptionItemSerializer(many=True, read_only=True)


class PortalSubscriptionDetailSerializer(PortalSubscriptionSerializer):
    """A subscription with its devices, recent pay-per-view purchases, resting
    periods planned or under way, the contract's renewal and cooling-off end."""

    minimum_term_months = _of_subscription(serializers.IntegerField, "minimum_term_months")
    renewal = _choice(
        subscription_choices.RenewalRule,
        "RenewalRuleEnum",
        source="subscription.renewal",
        read_only=True,
    )
    regret_until = _of_subscription(serializers.DateField, "regret_until")
    prepaid_balance = _money(source="subscription.prepaid_balance")
    devices = PortalDeviceSerializer(many=True, read_only=True)
    purchases = PortalSubscriptionItemSerializer(
        many=True, read_only=True, help_text=_("The latest pay-per-view events and films.")
    )
    resting = PortalRestingSerializer(many=True, read_only=True)


# --- requests (cases) ---------------------------------------------------------------------------
class PortalRequestReplySerializer(serializers.ModelSerializer):
    """A message on a request: the subscriber's or the operator's answer."""

    class Meta:
        model = CaseReply
        fields = ["id", "from_customer", "text", "created_at"]
        read_only_fields = fields


class PortalRequestSerializer(serializers.ModelSerializer):
    """A request of the subscriber (a case opened in the portal)."""

    category = _choice(CaseType, "CaseTypeEnum", source="kind", read_only=True)
    status = _choice(CaseStatus, "CaseStatusEnum", read_only=True)

    class Meta:
        model = Case
        fields = ["id", "number", "category", "subject", "status", "created_at", "updated_at"]
        read_only_fields = fields


class PortalRequestDetailSerializer(PortalRequestSerializer):
    """A request with its text, attachment name and the replies, oldest first."""

    text = serializers.CharField(source="description", read_only=True)
    replies = PortalRequestReplySerializer(many=True, read_only=True)

    class Meta(PortalRequestSerializer.Meta):
        fields = [*PortalRequestSerializer.Meta.fields, "text", "attachment_name", "replies"]
        read_only_fields = fields


class PortalRequestCreateSerializer(serializers.Serializer):
    """A new request: its category, a subject and the text (attachments: the web page)."""

    category = _choice(CaseType, "CaseTypeEnum")
    subject = serializers.CharField(max_length=MAX_SUBJECT_LENGTH)
    text = serializers.CharField(max_length=MAX_TEXT_LENGTH)


class PortalReplyCreateSerializer(serializers.Serializer):
    """The subscriber's answer on one of their requests."""

    text = serializers.CharField(max_length=MAX_REPLY_LENGTH)
