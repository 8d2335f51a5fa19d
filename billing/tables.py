"""Tables of the billing screens (django-tables2): sortable columns, CSV values."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from alux_crm.core.tables import StatusColumn

from .models import BillingRun, Invoice, ManualTransaction, Payment

RUN_STATUS_COLOURS = {
    "scheduled": "info",
    "running": "primary",
    "draft_ready": "warning",
    "approved": "info",
    "posting": "primary",
    "posted": "success",
    "failed": "danger",
    "discarded": "secondary",
}
INVOICE_STATUS_COLOURS = {"draft": "warning", "posted": "success"}
NOWRAP = {"td": {"class": "text-nowrap"}}
NUMBER = {"td": {"class": "text-end text-nowrap"}, "th": {"class": "text-end"}}


class RunStatusColumn(StatusColumn):
    COLOURS = RUN_STATUS_COLOURS


class InvoiceStatusColumn(StatusColumn):
    COLOURS = INVOICE_STATUS_COLOURS


class RunTable(tables.Table):
    """Billing runs with their progress counters."""

    id = tables.Column(linkify=True, verbose_name="#")
    bill_cycle_day = tables.Column(verbose_name=_("Cycle day"))
    period_start = tables.DateColumn(verbose_name=_("Period from"), format="Y-m-d")
    period_end = tables.DateColumn(verbose_name=_("Period until"), format="Y-m-d")
    status = RunStatusColumn(verbose_name=_("Status"))
    accounts_total = tables.Column(verbose_name=_("Accounts"), attrs=NUMBER)
    accounts_done = tables.Column(verbose_name=_("Billed"), attrs=NUMBER)
    accounts_failed = tables.Column(verbose_name=_("Failed"), attrs=NUMBER)
    invoices_posted = tables.Column(verbose_name=_("Invoices posted"), attrs=NUMBER)

    class Meta:
        model = BillingRun
        fields = [
            "id",
            "bill_cycle_day",
            "period_start",
            "period_end",
            "status",
            "accounts_total",
            "accounts_done",
            "accounts_failed",
            "invoices_posted",
        ]
        attrs = {"class": "table table-hover align-middle"}


class InvoiceTable(tables.Table):
    """Invoices (a draft shows as "Draft #id")."""

    number = tables.Column(
        linkify=lambda record: record.get_absolute_url(),
        verbose_name=_("Number"),
        accessor="pk",
        order_by=("number", "pk"),
        attrs=NOWRAP,
    )
    account = tables.Column(
        accessor="billing_account__number",
        verbose_name=_("Billing account"),
        attrs=NOWRAP,
    )
    customer = tables.Column(
        accessor="billing_account__customer__display_name",
        verbose_name=_("Customer"),
    )
    period_start = tables.DateColumn(verbose_name=_("Period from"), format="Y-m-d")
    due_on = tables.DateColumn(verbose_name=_("Due on"), format="Y-m-d", default="—")
    status = InvoiceStatusColumn(verbose_name=_("Status"))
    total = tables.Column(verbose_name=_("Total"), attrs=NUMBER)
    currency = tables.Column(verbose_name=_("Currency"))
    disputed = tables.BooleanColumn(verbose_name=_("Disputed"))

    class Meta:
        model = Invoice
        fields = [
            "number",
            "account",
            "customer",
            "period_start",
            "due_on",
            "status",
            "total",
            "currency",
            "disputed",
        ]
        attrs = {"class": "table table-hover align-middle"}

    def render_number(self, record):
        return str(record)

    def value_number(self, record):
        return str(record)


# --- payments, ledger, manual transactions ---------------------------------------------
PAYMENT_STATUS_COLOURS = {"received": "success", "reversed": "danger"}
TRANSACTION_STATUS_COLOURS = {"pending": "warning", "posted": "success", "rejected": "secondary"}


class PaymentStatusColumn(StatusColumn):
    """The payment's status, and a second badge while it is held as a deposit."""

    COLOURS = PAYMENT_STATUS_COLOURS

    def render(self, value, record):
        from django.utils.html import format_html

        badge = super().render(value, record)
        if not getattr(record, "held_as_deposit", False):
            return badge
        return format_html(
            '{} <span class="badge text-bg-info">{}</span>', badge, _("held as a deposit")
        )


class TransactionStatusColumn(StatusColumn):
    COLOURS = TRANSACTION_STATUS_COLOURS


class PaymentTable(tables.Table):
    """Payments with their account, method and status."""

    id = tables.Column(
        linkify=lambda record: reverse("billing:payment_detail", args=[record.pk]),
        verbose_name="#",
        attrs=NOWRAP,
    )
    received_on = tables.DateColumn(verbose_name=_("Received on"), format="Y-m-d")
    account = tables.Column(
        accessor="billing_account__number",
        verbose_name=_("Billing account"),
        attrs=NOWRAP,
    )
    customer = tables.Column(
        accessor="billing_account__customer__display_name", verbose_name=_("Customer")
    )
    method = tables.Column(verbose_name=_("Method"))
    amount = tables.Column(verbose_name=_("Amount"), attrs=NUMBER)
    currency = tables.Column(verbose_name=_("Currency"))
    status = PaymentStatusColumn(verbose_name=_("Status"))
    reference = tables.Column(verbose_name=_("Reference"), default="—")
    recorded_by = tables.Column(verbose_name=_("Recorded by"), default="—")

    class Meta:
        model = Payment
        fields = [
            "id",
            "received_on",
            "account",
            "customer",
            "method",
            "amount",
            "currency",
            "status",
            "reference",
            "recorded_by",
        ]
        attrs = {"class": "table table-hover align-middle"}


class TransactionTable(tables.Table):
    """Manual transactions (a pending one shows as "Kind #id" until it is numbered)."""

    id = tables.Column(
        linkify=lambda record: reverse("billing:transaction_detail", args=[record.pk]),
        verbose_name=_("Transaction"),
        attrs=NOWRAP,
    )
    created_at = tables.DateTimeColumn(verbose_name=_("Requested"), format="Y-m-d H:i")
    kind = tables.Column(verbose_name=_("Kind"))
    account = tables.Column(
        accessor="billing_account__number",
        verbose_name=_("Billing account"),
        attrs=NOWRAP,
    )
    customer = tables.Column(
        accessor="billing_account__customer__display_name", verbose_name=_("Customer")
    )
    amount = tables.Column(verbose_name=_("Amount"), attrs=NUMBER)
    invoice = tables.Column(
        accessor="invoice__number", verbose_name=_("Invoice"), default="—", attrs=NOWRAP
    )
    status = TransactionStatusColumn(verbose_name=_("Status"))
    requested_by = tables.Column(verbose_name=_("Requested by"), default="—")

    class Meta:
        model = ManualTransaction
        fields = [
            "id",
            "created_at",
            "kind",
            "account",
            "customer",
            "amount",
            "invoice",
            "status",
            "requested_by",
        ]
        attrs = {"class": "table table-hover align-middle"}

    def render_id(self, record):
        return str(record)

    def value_id(self, record):
        return str(record)
