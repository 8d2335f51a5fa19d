"""Serializers of ``/api/v1/dunning/accounts/`` (engine): an account in dunning and
its timeline (the steps done)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import DunningActionRecord, DunningProcess


class DunningStepDoneSerializer(serializers.ModelSerializer):
    """A step done (or skipped, or failed) on the account."""

    step = serializers.CharField(source="step.name")
    position = serializers.IntegerField(source="step.position")
    outbox_message = serializers.IntegerField(source="outbox_message_id", allow_null=True)
    letter = serializers.SerializerMethodField(help_text="A letter PDF is stored.")

    class Meta:
        model = DunningActionRecord
        fields = [
            "id",
            "step",
            "position",
            "action",
            "outcome",
            "detail",
            "done_on",
            "outbox_message",
            "letter",
        ]

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_letter(self, record) -> bool:
        return bool(record.document)


class DunningAccountSerializer(serializers.ModelSerializer):
    """An open dunning process: the account, what it owes, its plan and last step."""

    billing_account = serializers.IntegerField(source="billing_account_id")
    account_number = serializers.CharField(source="billing_account.number")
    customer = serializers.IntegerField(source="billing_account.customer_id")
    customer_name = serializers.CharField(source="billing_account.customer.display_name")
    currency = serializers.CharField(source="billing_account.currency")
    plan = serializers.CharField(source="plan.code")
    current_step = serializers.CharField(allow_null=True)
    last_done_on = serializers.DateField(allow_null=True)
    held = serializers.BooleanField()

    class Meta:
        model = DunningProcess
        fields = [
            "id",
            "billing_account",
            "account_number",
            "customer",
            "customer_name",
            "overdue_amount",
            "currency",
            "due_on",
            "started_on",
            "plan",
            "current_step",
            "last_done_on",
            "held",
        ]


class DunningAccountDetailSerializer(DunningAccountSerializer):
    """An account in dunning with its timeline."""

    timeline = DunningStepDoneSerializer(source="actions", many=True)

    class Meta(DunningAccountSerializer.Meta):
        fields = [*DunningAccountSerializer.Meta.fields, "timeline"]
