"""Admin of the customers app: look-ups for support, and the configurable rules
(credit classes, tiers) that System Administrators and Back Office edit."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import (
    Address,
    Attachment,
    BillingAccount,
    Communication,
    CreditCheck,
    CreditClassRule,
    Customer,
    TierRule,
)


class AddressInline(admin.TabularInline):
    model = Address
    extra = 0
    fields = ("kind", "line1", "line2", "postal_code", "city", "country", "valid_from", "valid_to")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # a new address goes through the customer page (it ends the old one)


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    """Customers. Day-to-day changes go through the customer pages, which check
    numbers by country rules and refuse concurrent edits."""

    list_display = (
        "number",
        "display_name",
        "kind",
        "category",
        "segment",
        "status",
        "tier",
        "credit_class",
        "partner",
        "created_at",
    )
    list_filter = ("kind", "category", "segment", "status", "tier", "credit_class", "partner")
    search_fields = (
        "number",
        "display_name",
        "email",
        "phone",
        "id_number",
        "vat_number",
        "registration_number",
    )
    list_select_related = ("partner",)
    readonly_fields = (
        "number",
        "version",
        "display_name",
        "tier",
        "tier_computed_at",
        "credit_class",
        "credit_checked_at",
        "created_at",
        "updated_at",
    )
    raw_id_fields = ("parent", "serving_agent")
    date_hierarchy = "created_at"
    show_full_result_count = False  # no COUNT(*) over every customer on each page
    inlines = [AddressInline]
    fieldsets = (
        (None, {"fields": ("number", "display_name", "kind", "status", "version")}),
        (_("Person"), {"fields": ("first_name", "last_name", "id_number", "date_of_birth")}),
        (_("Company"), {"fields": ("company_name", "registration_number", "vat_number")}),
        (_("Contact"), {"fields": ("phone", "email", "country", "language")}),
        (
            _("Classification"),
            {
                "fields": (
                    "category",
                    "segment",
                    "line_type",
                    "payment_type",
                    "serving_agent",
                    "partner",
                    "parent",
                )
            },
        ),
        (
            _("Value and credit"),
            {
                "fields": (
                    "customer_since",
                    "monthly_value",
                    "tier",
                    "tier_computed_at",
                    "credit_class",
                    "credit_checked_at",
                )
            },
        ),
        (_("Record"), {"fields": ("created_at", "updated_at")}),
    )


@admin.register(Address)
class AddressAdmin(admin.ModelAdmin):
    """Addresses by the date they take effect."""

    list_display = ("customer", "kind", "line1", "city", "country", "valid_from", "valid_to")
    list_filter = ("kind", "country")
    search_fields = ("line1", "city", "postal_code", "customer__number", "customer__display_name")
    list_select_related = ("customer",)
    raw_id_fields = ("customer",)
    show_full_result_count = False


@admin.register(BillingAccount)
class BillingAccountAdmin(admin.ModelAdmin):
    """Billing accounts (the balance is kept by the ledger)."""

    list_display = ("number", "name", "customer", "parent", "is_paying", "status", "balance")
    list_filter = ("status", "is_paying", "payment_method", "invoice_delivery")
    search_fields = ("number", "name", "customer__number", "customer__display_name")
    list_select_related = ("customer", "parent")
    readonly_fields = ("number", "version", "balance", "created_at", "updated_at")
    raw_id_fields = ("customer", "parent", "billing_address")
    show_full_result_count = False


@admin.register(CreditClassRule)
class CreditClassRuleAdmin(admin.ModelAdmin):
    """The configurable rules of the credit check: the first rule (by priority) that
    the inputs meet gives the class."""

    list_display = ("priority", "credit_class", "min_monthly_income", "histories", "description")
    list_display_links = ("priority", "credit_class")
    ordering = ("priority",)


@admin.register(TierRule)
class TierRuleAdmin(admin.ModelAdmin):
    """The configurable thresholds of the tiers (value and tenure)."""

    list_display = ("tier", "rank", "min_monthly_value", "min_tenure_months")
    ordering = ("-rank",)


@admin.register(CreditCheck)
class CreditCheckAdmin(admin.ModelAdmin):
    """Credit checks as they were run (read-only: a record of a decision)."""

    list_display = ("customer", "credit_class", "declared_monthly_income", "currency", "checked_at")
    list_filter = ("credit_class", "credit_history")
    search_fields = ("customer__number", "customer__display_name")
    list_select_related = ("customer",)
    raw_id_fields = ("customer",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ("original_name", "content_type", "size", "sha256", "uploaded_at", "uploaded_by")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Communication)
class CommunicationAdmin(admin.ModelAdmin):
    """The communications log, with its attachments (read-only)."""

    list_display = ("occurred_at", "customer", "channel", "direction", "subject", "agent")
    list_filter = ("channel", "direction")
    search_fields = ("subject", "customer__number", "customer__display_name")
    list_select_related = ("customer", "agent")
    raw_id_fields = ("customer", "agent")
    date_hierarchy = "occurred_at"
    inlines = [AttachmentInline]
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False  # contacts are logged on the customer page (files checked there)

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # a log of what happened is not rewritten
