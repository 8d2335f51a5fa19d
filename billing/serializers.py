"""API serializers of billing (BIL-1..4, SUB-9): invoices with their explained lines,
payments, billing runs, credit notes and voucher redemption.

They check the *shape* of a request (types, choices, which objects it names); the
business rules (the run's transitions, what is open on an invoice, four eyes, a
voucher's validity) are the services', so the API and the pages refuse the same
things with the same messages. Money is a string with 2 decimals beside its currency;
every choice is a named enum.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from alux_crm.core.money import MONEY_FIELD, RATE_FIELD
from customers.models import BillingAccount
from customers.serializers import NamedChoiceField
from products.serializers import ProductRefSerializer, UserRefSerializer

from . import choices
from .models import (
    BillingRun,
    BillingRunError,
    Invoice,
    InvoiceLine,
    ManualTransaction,
    Payment,
    PaymentAllocation,
)

# Bill-cycle days an account may have (``customers.BillingAccount`` allows 1..28).
MAX_BILL_CYCLE_DAY = 28
MAX_REASON_LENGTH = 1000
MAX_CREDIT_NOTE_LINES = 200


def _money(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(**MONEY_FIELD, read_only=True, **kwargs)


def _choice(choice_class, enum_name: str, **kwargs) -> NamedChoiceField:
    return NamedChoiceField(choices=choice_class.choices, enum_name=enum_name, **kwargs)


def progress_percent(run: BillingRun) -> int:
    """How far a run is: the accounts handled (billed or failed) of its accounts, as
    ``billing.services.billing_run_progress`` counts them, from the run's own counters
    (no query, so a list of runs stays one query)."""
    handled = run.accounts_done + run.accounts_failed
    return 100 if not run.accounts_total else int(100 * handled / run.accounts_total)


# --- references -----------------------------------------------------------------------------
class InvoicedAccountSerializer(serializers.ModelSerializer):
    """The billing account a document belongs to, with its customer."""

    customer_id = serializers.IntegerField(read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)

    class Meta:
        model = BillingAccount
        fields = ["id", "number", "name", "customer_id", "customer_name"]
        read_only_fields = fields


class InvoiceRefSerializer(serializers.ModelSerializer):
    """An invoice named in another answer (a draft has no number yet)."""

    class Meta:
        model = Invoice
        fields = ["id", "number"]
        read_only_fields = fields


# --- invoices -------------------------------------------------------------------------------
class DiscountSerializer(serializers.Serializer):
    """A discount applied to a line and why (a promotion, a manual discount...)."""

    source = serializers.CharField(read_only=True)
    code = serializers.CharField(read_only=True, allow_blank=True)
    name = serializers.CharField(read_only=True)
    why = serializers.CharField(read_only=True, allow_blank=True)
    amount = serializers.DecimalField(**MONEY_FIELD, read_only=True)


class InvoiceLineSerializer(serializers.ModelSerializer):
    """A line of an invoice with how it was computed (period, days, monthly price,
    VAT rate, discounts) and the account whose subscription gave the charge."""

    kind = _choice(choices.LineKind, "InvoiceLineKindEnum", read_only=True)
    product = ProductRefSerializer(read_only=True, allow_null=True)
    source_account = serializers.SerializerMethodField(
        help_text=_("The account whose subscription gave the charge (a child of the paying one).")
    )
    subscription = serializers.SerializerMethodField(help_text=_("The subscription's number."))
    monthly_net = _money()
    net = _money()
    tax_rate = serializers.DecimalField(**RATE_FIELD, read_only=True)
    tax = _money()
    total = _money()
    discounts = DiscountSerializer(many=True, read_only=True)

    class Meta:
        model = InvoiceLine
        fields = [
            "id",
            "kind",
            "description",
            "product",
            "subscription",
            "source_account",
            "starts_on",
            "ends_on",
            "days",
            "period_days",
            "monthly_net",
            "net",
            "tax_rate",
            "tax",
            "total",
            "explanation",
            "discounts",
        ]
        read_only_fields = fields

    def get_source_account(self, obj) -> str:
        return obj.source_account.number

    def get_subscription(self, obj) -> str | None:
        return obj.subscription.number if obj.subscription_id else None


class InvoiceSerializer(serializers.ModelSerializer):
    """An invoice: header, totals, what is left to pay and whether it is disputed."""

    kind = _choice(choices.InvoiceKind, "InvoiceKindEnum", read_only=True)
    status = _choice(choices.InvoiceStatus, "InvoiceStatusEnum", read_only=True)
    billing_account = InvoicedAccountSerializer(read_only=True)
    run = serializers.IntegerField(source="run_id", read_only=True, allow_null=True)
    net = _money()
    tax = _money()
    total = _money()
    open_amount = serializers.SerializerMethodField(
        help_text=_(
            "What is left to pay on a posted invoice (payments, credit notes and "
            "write-offs deducted); null for a draft."
        )
    )
    pdf_url = serializers.SerializerMethodField(help_text=_("Null for a draft."))

    class Meta:
        model = Invoice
        fields = [
            "id",
            "number",
            "kind",
            "status",
            "billing_account",
            "run",
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
            "dispute_reason",
            "is_first",
            "pdf_url",
            "created_at",
        ]
        read_only_fields = fields

    @staticmethod
    def _open(obj, open_amounts: dict):
        if obj.status != choices.InvoiceStatus.POSTED:
            return None
        return open_amounts.get(obj.pk)

    def get_open_amount(self, obj) -> str | None:
        amount = self._open(obj, self.context.get("open_amounts", {}))
        return None if amount is None else f"{amount:.2f}"

    def get_pdf_url(self, obj) -> str | None:
        if obj.status != choices.InvoiceStatus.POSTED:
            return None
        url = reverse("api:invoice-pdf", args=[obj.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class InvoiceDetailSerializer(InvoiceSerializer):
    """An invoice with every line explained."""

    lines = InvoiceLineSerializer(many=True, read_only=True)

    class Meta(InvoiceSerializer.Meta):
        fields = [*InvoiceSerializer.Meta.fields, "lines"]
        read_only_fields = fields


# --- payments -------------------------------------------------------------------------------
class PaymentRequestSerializer(serializers.Serializer):
    """A payment received for a billing account the caller may see. Send it with an
    ``Idempotency-Key`` header: a retry with the same key and body is answered with
    the first answer, never a second payment."""

    billing_account = serializers.IntegerField(help_text=_("Billing account id."))
    amount = serializers.DecimalField(
        **MONEY_FIELD, help_text=_("More than zero, in the account's currency.")
    )
    method = _choice(choices.PaymentMethod, "ReceivedPaymentMethodEnum")
    received_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text=_("Default: today.")
    )
    reference = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")

    def fingerprint_data(self) -> dict:
        """The request as the service compares it (normalised: ``10`` is ``10.00``)."""
        data = self.validated_data
        return {
            "billing_account": data["billing_account"],
            "amount": str(data["amount"]),
            "method": data["method"],
            "received_on": data["received_on"].isoformat() if data["received_on"] else None,
            "reference": data["reference"],
        }


class PaymentReceiptSerializer(serializers.ModelSerializer):
    """What a payment was recorded as: only what never changes, so a replay of the
    request (same ``Idempotency-Key``) is answered with exactly the first answer.
    Its status and allocations are at ``GET /api/v1/payments/{id}/``."""

    method = _choice(choices.PaymentMethod, "ReceivedPaymentMethodEnum", read_only=True)
    billing_account = serializers.IntegerField(source="billing_account_id", read_only=True)
    amount = _money()

    class Meta:
        model = Payment
        fields = [
            "id",
            "billing_account",
            "amount",
            "currency",
            "method",
            "received_on",
            "reference",
            "created_at",
        ]
        read_only_fields = fields


class PaymentSerializer(serializers.ModelSerializer):
    """A payment received for a billing account; a reversed one says why."""

    method = _choice(choices.PaymentMethod, "ReceivedPaymentMethodEnum", read_only=True)
    status = _choice(choices.PaymentStatus, "PaymentStatusEnum", read_only=True)
    billing_account = InvoicedAccountSerializer(read_only=True)
    amount = _money()
    recorded_by = UserRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Payment
        fields = [
            "id",
            "billing_account",
            "amount",
            "currency",
            "method",
            "received_on",
            "reference",
            "status",
            "reversed_reason",
            "recorded_by",
            "created_at",
        ]
        read_only_fields = fields


class AllocationSerializer(serializers.ModelSerializer):
    """The part of a payment settling an invoice (kept, marked, when reversed)."""

    invoice = InvoiceRefSerializer(read_only=True)
    amount = _money()

    class Meta:
        model = PaymentAllocation
        fields = ["invoice", "amount", "is_reversed"]
        read_only_fields = fields


class PaymentDetailSerializer(PaymentSerializer):
    """A payment with the invoices it settles and what is left as credit."""

    allocations = AllocationSerializer(many=True, read_only=True)
    unallocated = serializers.SerializerMethodField(
        help_text=_("What of the payment settles no invoice yet (credit on the account).")
    )

    class Meta(PaymentSerializer.Meta):
        fields = [*PaymentSerializer.Meta.fields, "allocations", "unallocated"]
        read_only_fields = fields

    def get_unallocated(self, obj) -> str:
        return f"{self.context['unallocated']:.2f}"


class BillingReasonSerializer(serializers.Serializer):
    """Why (a reversal, a rejection)."""

    reason = serializers.CharField(max_length=MAX_REASON_LENGTH)


# --- billing runs -----------------------------------------------------------------------------
class BillingRunSerializer(serializers.ModelSerializer):
    """A billing run with its counters and how far it is."""

    status = _choice(choices.RunStatus, "BillingRunStatusEnum", read_only=True)
    progress_percent = serializers.SerializerMethodField(
        help_text=_("Accounts handled (billed or failed) of the run's accounts, 0..100.")
    )
    created_by = UserRefSerializer(read_only=True, allow_null=True)
    approved_by = UserRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = BillingRun
        fields = [
            "id",
            "bill_cycle_day",
            "period_start",
            "period_end",
            "status",
            "scheduled_for",
            "accounts_total",
            "accounts_done",
            "accounts_failed",
            "invoices_posted",
            "progress_percent",
            "created_by",
            "created_at",
            "started_at",
            "finished_at",
            "approved_by",
            "approved_at",
            "posted_at",
        ]
        read_only_fields = fields

    def get_progress_percent(self, obj) -> int:
        return progress_percent(obj)


class RunErrorSerializer(serializers.ModelSerializer):
    """An account the run could not bill, and why (resume retries it)."""

    billing_account = serializers.CharField(source="billing_account.number", read_only=True)

    class Meta:
        model = BillingRunError
        fields = ["billing_account", "message"]
        read_only_fields = fields


class BillingRunDetailSerializer(BillingRunSerializer):
    """A run with the number of its invoices and the accounts it could not bill."""

    invoices = serializers.SerializerMethodField(
        help_text=_("Invoices of the run (draft or posted).")
    )
    errors = serializers.SerializerMethodField(help_text=_("At most 200, oldest first."))

    class Meta(BillingRunSerializer.Meta):
        fields = [*BillingRunSerializer.Meta.fields, "invoices", "errors"]
        read_only_fields = fields

    def get_invoices(self, obj) -> int:
        return self.context["progress"].invoices

    def get_progress_percent(self, obj) -> int:
        return self.context["progress"].percent

    @extend_schema_field(RunErrorSerializer(many=True))
    def get_errors(self, obj):
        return RunErrorSerializer(self.context["errors"], many=True).data


class BillingRunCreateSerializer(serializers.Serializer):
    """Schedule the run of a bill cycle for the period starting ``period_start`` (on
    the cycle day); ``scheduled_for`` is when it should start by itself."""

    bill_cycle_day = serializers.IntegerField(min_value=1, max_value=MAX_BILL_CYCLE_DAY)
    period_start = serializers.DateField()
    scheduled_for = serializers.DateTimeField(required=False, allow_null=True, default=None)


# --- credit notes ----------------------------------------------------------------------------
class CreditNoteLineSerializer(serializers.ModelSerializer):
    """A line of the invoice the credit note is for."""

    total = _money()

    class Meta:
        model = InvoiceLine
        fields = ["id", "description", "total"]
        read_only_fields = fields


class CreditNoteSerializer(serializers.ModelSerializer):
    """A credit note: posted at once up to the approval amount, else waiting for
    another person's approval (or rejected)."""

    status = _choice(choices.TransactionStatus, "TransactionStatusEnum", read_only=True)
    billing_account = InvoicedAccountSerializer(read_only=True)
    invoice = InvoiceRefSerializer(read_only=True, allow_null=True)
    lines = CreditNoteLineSerializer(source="invoice_lines", many=True, read_only=True)
    amount = _money()
    currency = serializers.CharField(source="billing_account.currency", read_only=True)
    requested_by = UserRefSerializer(read_only=True, allow_null=True)
    approved_by = UserRefSerializer(
        read_only=True, allow_null=True, help_text=_("Who approved or rejected it.")
    )

    class Meta:
        model = ManualTransaction
        fields = [
            "id",
            "number",
            "status",
            "billing_account",
            "invoice",
            "lines",
            "amount",
            "currency",
            "reason",
            "requested_by",
            "approved_by",
            "decided_at",
            "posted_on",
            "created_at",
        ]
        read_only_fields = fields


class CreditNoteRequestSerializer(serializers.Serializer):
    """A credit note for a billing account, or for a posted invoice (then at most what
    is open on it), optionally naming the invoice's lines it is for."""

    billing_account = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text=_("Billing account id.")
    )
    invoice = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text=_("Invoice id.")
    )
    amount = serializers.DecimalField(**MONEY_FIELD)
    reason = serializers.CharField(max_length=MAX_REASON_LENGTH)
    lines = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        default=list,
        max_length=MAX_CREDIT_NOTE_LINES,
        help_text=_("Ids of the invoice's lines the credit note is for (needs ``invoice``)."),
    )

    def validate(self, attrs):
        if attrs["billing_account"] is None and attrs["invoice"] is None:
            raise serializers.ValidationError(
                {"billing_account": [_("Name a billing account or an invoice.")]}
            )
        if attrs["lines"] and attrs["invoice"] is None:
            raise serializers.ValidationError(
                {"lines": [_("Lines are named together with their invoice.")]}
            )
        return attrs


# --- vouchers -------------------------------------------------------------------------------
class VoucherRedeemRequestSerializer(serializers.Serializer):
    """A voucher's secret code (as printed, dashes and case do not matter) and the
    prepaid subscription it tops up."""

    code = serializers.CharField(max_length=64, trim_whitespace=True)
    subscription = serializers.IntegerField(help_text=_("Subscription id."))


class VoucherRedeemedSerializer(serializers.Serializer):
    """The voucher redeemed and the subscription's prepaid balance after the top-up."""

    serial = serializers.CharField(read_only=True)
    value = _money()
    currency = serializers.CharField(read_only=True)
    subscription = serializers.IntegerField(read_only=True)
    prepaid_balance = _money()
