"""What the subscriptions API answers: a subscription with its items, devices,
timeline, resting periods, change orders and cancellation requests, and the preview
of a change. Money is a string with 2 decimals; every choice is a named enum."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from alux_crm.core.money import MONEY_FIELD, RATE_FIELD
from customers.models import BillingAccount, Customer
from customers.serializers import NamedChoiceField
from products.choices import Acquisition, ChangePolicy, SalesChannel
from products.models import Promotion
from products.serializers import ProductRefSerializer, UserRefSerializer

from .. import choices
from ..models import (
    CancellationRequest,
    ChangeOrder,
    ChangeOrderLine,
    Device,
    RestingPeriod,
    Subscription,
    SubscriptionEvent,
    SubscriptionItem,
)


def _money(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(**MONEY_FIELD, read_only=True, **kwargs)


def choice_field(choice_class, enum_name: str, **kwargs) -> NamedChoiceField:
    return NamedChoiceField(choices=choice_class.choices, enum_name=enum_name, **kwargs)


# --- references ---------------------------------------------------------------------------
class CustomerRefSerializer(serializers.ModelSerializer):
    """The customer of a subscription."""

    name = serializers.CharField(read_only=True)

    class Meta:
        model = Customer
        fields = ["id", "number", "name"]
        read_only_fields = fields


class BillingAccountRefSerializer(serializers.ModelSerializer):
    """The billing account a subscription is invoiced to."""

    class Meta:
        model = BillingAccount
        fields = ["id", "number", "name"]
        read_only_fields = fields


class PartnerRefSerializer(serializers.Serializer):
    """The retailer that sold the subscription."""

    id = serializers.IntegerField(read_only=True)
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


class PromotionRefSerializer(serializers.ModelSerializer):
    """A promotion granted at the sale (it keeps applying for its months)."""

    name = serializers.CharField(read_only=True)

    class Meta:
        model = Promotion
        fields = ["id", "code", "name"]
        read_only_fields = fields


# --- the parts of a subscription ------------------------------------------------------------
class SubscriptionItemSerializer(serializers.ModelSerializer):
    """A product on the subscription over ``[valid_from, valid_to)``."""

    product = ProductRefSerializer(read_only=True)
    acquisition = choice_field(Acquisition, "AcquisitionEnum", read_only=True)
    manual_discount_percent = serializers.DecimalField(
        max_digits=5, decimal_places=2, read_only=True
    )
    promotions = PromotionRefSerializer(many=True, read_only=True)

    class Meta:
        model = SubscriptionItem
        fields = [
            "id",
            "product",
            "acquisition",
            "quantity",
            "manual_discount_percent",
            "promotions",
            "valid_from",
            "valid_to",
        ]
        read_only_fields = fields


class DeviceSerializer(serializers.ModelSerializer):
    """A device with its serial and room (multi-room)."""

    product = ProductRefSerializer(read_only=True)

    class Meta:
        model = Device
        fields = ["id", "product", "serial", "room", "installed_on", "returned_on"]
        read_only_fields = fields


class TimelineEventSerializer(serializers.ModelSerializer):
    """A step of the subscription's life, with its provisioning command and whether
    the command was delivered (the outbox message's status)."""

    actor = UserRefSerializer(read_only=True, allow_null=True)
    outbox_status = serializers.SerializerMethodField(
        help_text=_("pending, sent or failed; null when the step sent no command.")
    )

    class Meta:
        model = SubscriptionEvent
        fields = [
            "id",
            "from_status",
            "to_status",
            "command",
            "reason",
            "actor",
            "effective_on",
            "created_at",
            "outbox_status",
        ]
        read_only_fields = fields

    def get_outbox_status(self, obj) -> str | None:
        return obj.outbox_message.status if obj.outbox_message_id else None


class RestingPeriodSerializer(serializers.ModelSerializer):
    """A resting period: from ``starts_on`` to ``ends_on`` (the day service resumes)."""

    status = choice_field(choices.RestingStatus, "RestingStatusEnum", read_only=True)
    channel = choice_field(SalesChannel, "SalesChannelEnum", read_only=True)

    class Meta:
        model = RestingPeriod
        fields = [
            "id",
            "starts_on",
            "ends_on",
            "ended_on",
            "status",
            "channel",
            "requested_by",
            "extended_contract_days",
        ]
        read_only_fields = fields


class ChangeOrderLineSerializer(serializers.ModelSerializer):
    """A product added or removed; a device swap names the device and the new serial."""

    action = choice_field(choices.ChangeAction, "ChangeActionEnum", read_only=True)
    product = ProductRefSerializer(read_only=True)
    acquisition = choice_field(Acquisition, "AcquisitionEnum", read_only=True)
    manual_discount_percent = serializers.DecimalField(
        max_digits=5, decimal_places=2, read_only=True
    )

    class Meta:
        model = ChangeOrderLine
        fields = [
            "id",
            "action",
            "product",
            "acquisition",
            "quantity",
            "manual_discount_percent",
            "item",
            "device",
            "new_serial",
        ]
        read_only_fields = fields


class ChangeOrderSerializer(serializers.ModelSerializer):
    """A plan change: scheduled until its effective day, then applied."""

    kind = choice_field(choices.ChangeKind, "ChangeKindEnum", read_only=True)
    status = choice_field(choices.ChangeStatus, "ChangeStatusEnum", read_only=True)
    policy = choice_field(ChangePolicy, "ChangePolicyEnum", read_only=True)
    channel = choice_field(SalesChannel, "SalesChannelEnum", read_only=True)
    lines = ChangeOrderLineSerializer(many=True, read_only=True)

    class Meta:
        model = ChangeOrder
        fields = [
            "id",
            "subscription",
            "kind",
            "status",
            "policy",
            "requested_on",
            "effective_on",
            "channel",
            "requested_by",
            "reason",
            "applied_at",
            "lines",
        ]
        read_only_fields = fields


class CancellationRequestSerializer(serializers.ModelSerializer):
    """A request to end the subscription, in Back Office's queue, with the
    early-termination fee and how it was computed."""

    kind = choice_field(choices.CancellationKind, "CancellationKindEnum", read_only=True)
    status = choice_field(choices.CancellationStatus, "CancellationStatusEnum", read_only=True)
    channel = choice_field(SalesChannel, "SalesChannelEnum", read_only=True)
    early_termination_fee = _money(help_text=_("Net of VAT; 0.00 for a regret."))

    class Meta:
        model = CancellationRequest
        fields = [
            "id",
            "subscription",
            "kind",
            "status",
            "requested_on",
            "effective_on",
            "reason",
            "early_termination_fee",
            "fee_explanation",
            "channel",
            "requested_by",
            "handled_by",
            "handled_at",
            "answer",
        ]
        read_only_fields = fields


class TerminationSerializer(CancellationRequestSerializer):
    """The answer to a termination: the request, and the subscription's status now
    (terminated or cancelled when Back Office approved a request due today)."""

    subscription_status = choice_field(
        choices.SubscriptionStatus,
        "SubscriptionStatusEnum",
        source="subscription.status",
        read_only=True,
    )

    class Meta(CancellationRequestSerializer.Meta):
        fields = [*CancellationRequestSerializer.Meta.fields, "subscription_status"]
        read_only_fields = fields


# --- subscriptions ----------------------------------------------------------------------------
class SubscriptionSerializer(serializers.ModelSerializer):
    """A subscription as lists show it: status, customer, account, the contract term
    and the products subscribed now."""

    status = choice_field(choices.SubscriptionStatus, "SubscriptionStatusEnum", read_only=True)
    customer = CustomerRefSerializer(read_only=True)
    billing_account = BillingAccountRefSerializer(read_only=True)
    partner = PartnerRefSerializer(read_only=True, allow_null=True)
    channel = choice_field(SalesChannel, "SalesChannelEnum", read_only=True)
    sold_by = UserRefSerializer(read_only=True, allow_null=True)
    renewal = choice_field(choices.RenewalRule, "RenewalRuleEnum", read_only=True)
    deposit_required = _money(help_text=_("Asked by the credit limits at the sale."))
    products = serializers.SerializerMethodField(
        help_text=_("Codes of the products on the subscription now (none once it ended).")
    )

    class Meta:
        model = Subscription
        fields = [
            "id",
            "number",
            "status",
            "customer",
            "billing_account",
            "partner",
            "channel",
            "sold_by",
            "currency",
            "is_prepaid",
            "signed_on",
            "activated_on",
            "minimum_term_months",
            "contract_end",
            "renewal",
            "regret_until",
            "ended_on",
            "deposit_required",
            "products",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_products(self, obj) -> list[str]:
        current = getattr(obj, "current_items", None)
        if current is None:  # the detail: every item is prefetched
            current = [item for item in obj.items.all() if item.valid_to is None]
        return [item.product.code for item in current]


class SubscriptionDetailSerializer(SubscriptionSerializer):
    """One subscription with its items (and the promotions granted), devices, timeline
    with provisioning, resting periods, change orders and cancellation requests."""

    installation_slot = choice_field(
        choices.InstallationSlot, "InstallationSlotEnum", read_only=True, allow_blank=True
    )
    prepaid_balance = _money()
    items = SubscriptionItemSerializer(many=True, read_only=True)
    devices = DeviceSerializer(many=True, read_only=True)
    timeline = TimelineEventSerializer(many=True, read_only=True)
    resting_periods = RestingPeriodSerializer(many=True, read_only=True)
    change_orders = ChangeOrderSerializer(many=True, read_only=True)
    cancellation_requests = CancellationRequestSerializer(many=True, read_only=True)

    class Meta(SubscriptionSerializer.Meta):
        fields = [
            *SubscriptionSerializer.Meta.fields,
            "installation_date",
            "installation_slot",
            "installation_notes",
            "prepaid_balance",
            "version",
            "items",
            "devices",
            "timeline",
            "resting_periods",
            "change_orders",
            "cancellation_requests",
        ]
        read_only_fields = fields


# --- the preview of a change --------------------------------------------------------------
class ChargeLineSerializer(serializers.Serializer):
    """A line of a period's charges, prorated by day, with how it was computed."""

    product = ProductRefSerializer()
    kind = serializers.CharField(help_text=_("recurring, resting or one_time"))
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(help_text=_("Exclusive: the day after the last one."))
    days = serializers.IntegerField()
    period_days = serializers.IntegerField()
    monthly_net = _money()
    net = _money()
    tax_rate = serializers.DecimalField(**RATE_FIELD, read_only=True)
    tax = _money()
    total = _money()
    explanation = serializers.CharField()


class PeriodChargesSerializer(serializers.Serializer):
    """What the subscription costs for a billing period ``[period_start, period_end)``."""

    period_start = serializers.DateField()
    period_end = serializers.DateField()
    lines = ChargeLineSerializer(many=True)
    net = _money()
    tax = _money()
    total = _money()


class ChangePreviewSerializer(serializers.Serializer):
    """What a change would do: its kind, when it takes effect, the current period
    before and after (the adjustment, VAT included) and the next period's charges."""

    kind = choice_field(choices.ChangeKind, "ChangeKindEnum", read_only=True)
    policy = choice_field(ChangePolicy, "ChangePolicyEnum", read_only=True)
    effective_on = serializers.DateField()
    current_before = PeriodChargesSerializer()
    current_after = PeriodChargesSerializer()
    next_period = PeriodChargesSerializer()
    adjustment = _money(help_text=_("Current period after minus before, VAT included."))
    next_invoice_total = _money(help_text=_("The next period plus the adjustment."))
