"""Serializers of the promises-to-pay API (holds)."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from alux_crm.core.money import MONEY_FIELD
from customers.serializers import NamedChoiceField
from products.serializers import UserRefSerializer

from ..choices import PromiseStatus
from ..models import PromiseToPay


class PromiseToPaySerializer(serializers.ModelSerializer):
    """A promise to pay as the API shows it."""

    billing_account = serializers.IntegerField(source="billing_account_id", read_only=True)
    billing_account_number = serializers.CharField(source="billing_account.number", read_only=True)
    currency = serializers.CharField(source="billing_account.currency", read_only=True)
    status = NamedChoiceField(
        choices=PromiseStatus.choices, enum_name="PromiseToPayStatusEnum", read_only=True
    )
    created_by = UserRefSerializer(read_only=True, allow_null=True)
    approved_by = UserRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = PromiseToPay
        fields = [
            "id",
            "billing_account",
            "billing_account_number",
            "amount",
            "currency",
            "pay_by",
            "status",
            "note",
            "balance_when_made",
            "approved_for_reconnection",
            "approved_by",
            "created_by",
            "created_at",
            "resolved_on",
        ]
        read_only_fields = fields


class PromiseToPayCreateSerializer(serializers.Serializer):
    """What an integration sends to record a promise (the rules are the service's)."""

    billing_account = serializers.IntegerField(help_text=_("Billing account id."))
    amount = serializers.DecimalField(**MONEY_FIELD, min_value=Decimal("0.01"))
    pay_by = serializers.DateField(help_text=_("The day the customer pays by."))
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
