"""Admin of billing: read-only look-ups (every write is a service with its ledger
entry; the database refuses edits of entries and posted invoices)."""

from django.contrib import admin

from .models import (
    BillingRun,
    DirectDebitMandate,
    Invoice,
    InvoiceLine,
    InvoiceSeries,
    LedgerEntry,
    PaymentRun,
    PaymentRunItem,
    Voucher,
    VoucherBatch,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Look, don't touch."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    extra = 0
    fields = (
        "description",
        "kind",
        "starts_on",
        "ends_on",
        "days",
        "net",
        "tax",
        "total",
        "explanation",
    )
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(BillingRun)
class BillingRunAdmin(ReadOnlyAdmin):
    list_display = (
        "__str__",
        "period_start",
        "status",
        "accounts_total",
        "accounts_done",
        "accounts_failed",
    )
    list_filter = ("status", "bill_cycle_day")


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = (
        "__str__",
        "billing_account",
        "period_start",
        "status",
        "total",
        "due_on",
        "disputed",
    )
    list_filter = ("status", "kind", "disputed")
    search_fields = ("number", "billing_account__number", "billing_account__customer__display_name")
    list_select_related = ("billing_account",)
    inlines = (InvoiceLineInline,)


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ("billing_account", "booked_on", "kind", "amount", "currency", "description")
    list_filter = ("kind",)
    search_fields = ("billing_account__number", "idempotency_key", "description")
    list_select_related = ("billing_account",)


@admin.register(InvoiceSeries)
class InvoiceSeriesAdmin(ReadOnlyAdmin):
    list_display = ("code", "year", "next_number")


@admin.register(DirectDebitMandate)
class DirectDebitMandateAdmin(ReadOnlyAdmin):
    list_display = ("reference", "billing_account", "debtor_name", "status", "signed_on")
    list_filter = ("status",)
    search_fields = ("reference", "billing_account__number", "debtor_name")
    list_select_related = ("billing_account",)


class PaymentRunItemInline(admin.TabularInline):
    model = PaymentRunItem
    extra = 0
    fields = ("billing_account", "end_to_end_id", "amount", "sequence_type", "status")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PaymentRun)
class PaymentRunAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "collection_date", "status", "collections", "total", "rejected")
    list_filter = ("status",)
    inlines = (PaymentRunItemInline,)


@admin.register(VoucherBatch)
class VoucherBatchAdmin(ReadOnlyAdmin):
    list_display = ("number", "value", "currency", "valid_from", "valid_until", "quantity")
    search_fields = ("number", "description")
    list_select_related = ("created_by",)


@admin.register(Voucher)
class VoucherAdmin(ReadOnlyAdmin):
    """Vouchers without their code hash (never shown, even hashed)."""

    list_display = ("serial", "batch", "status", "redeemed_at", "subscription")
    list_filter = ("status",)
    search_fields = ("serial", "batch__number", "subscription__number")
    list_select_related = ("batch", "subscription")
    fields = ("batch", "serial", "status", "redeemed_at", "subscription", "redeemed_by")
    readonly_fields = fields
