"""Serializers of the disconnection-runs API (runs)."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from alux_crm.core.money import MONEY_FIELD
from customers.choices import CustomerSegment
from customers.serializers import NamedChoiceField
from products.serializers import UserRefSerializer

from ..choices import RunItemOutcome, RunKind, ServiceRunStatus
from ..models import ServiceRun, ServiceRunItem


class ServiceRunSerializer(serializers.ModelSerializer):
    """A disconnection or reconnection run with its criteria, totals and progress."""

    kind = NamedChoiceField(choices=RunKind.choices, enum_name="ServiceRunKindEnum", read_only=True)
    status = NamedChoiceField(
        choices=ServiceRunStatus.choices, enum_name="ServiceRunStatusEnum", read_only=True
    )
    created_by = UserRefSerializer(read_only=True, allow_null=True)
    executed_by = UserRefSerializer(read_only=True, allow_null=True)
    outcomes = serializers.SerializerMethodField(
        help_text="Accounts by outcome (pending, excluded, done, paid, held, never, "
        "save_desk, failed)."
    )

    class Meta:
        model = ServiceRun
        fields = [
            "id",
            "kind",
            "status",
            "name",
            "automatic",
            "min_days_overdue",
            "min_amount",
            "segments",
            "regions",
            "accounts_total",
            "accounts_done",
            "amount_total",
            "outcomes",
            "created_by",
            "created_at",
            "previewed_at",
            "executed_by",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_outcomes(self, run) -> dict[str, int]:
        counts = getattr(run, "outcome_counts", None)
        if counts is None:
            from ..services.runs import service_run_progress

            counts = service_run_progress(run=run).outcomes
        return {str(key): value for key, value in counts.items()}


class ServiceRunCreateSerializer(serializers.Serializer):
    """The selection of a new run (a draft: preview it next)."""

    kind = NamedChoiceField(
        choices=RunKind.choices, enum_name="ServiceRunKindEnum", default=RunKind.DISCONNECTION
    )
    name = serializers.CharField(max_length=120, required=False, default="", allow_blank=True)
    min_days_overdue = serializers.IntegerField(min_value=0, max_value=3650, default=30)
    min_amount = serializers.DecimalField(
        **MONEY_FIELD, min_value=Decimal("0"), default=Decimal("0.00")
    )
    segments = serializers.ListField(
        child=NamedChoiceField(choices=CustomerSegment.choices, enum_name="RunSegmentEnum"),
        required=False,
        default=list,
        help_text=_("Customer segments (empty: all)."),
    )
    regions = serializers.ListField(
        child=serializers.CharField(max_length=100),
        required=False,
        default=list,
        help_text=_("Regions of the billing account's billing address (empty: all)."),
    )


class ServiceRunItemSerializer(serializers.ModelSerializer):
    """One account of a run: what it owed at the preview and what execution did."""

    billing_account = serializers.IntegerField(source="billing_account_id", read_only=True)
    billing_account_number = serializers.CharField(source="billing_account.number", read_only=True)
    customer = serializers.CharField(source="billing_account.customer.display_name", read_only=True)
    outcome = NamedChoiceField(
        choices=RunItemOutcome.choices, enum_name="ServiceRunItemOutcomeEnum", read_only=True
    )
    excluded_by = UserRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = ServiceRunItem
        fields = [
            "id",
            "billing_account",
            "billing_account_number",
            "customer",
            "overdue_amount",
            "days_overdue",
            "outcome",
            "excluded_by",
            "subscriptions_changed",
            "detail",
            "handled_at",
        ]
        read_only_fields = fields
