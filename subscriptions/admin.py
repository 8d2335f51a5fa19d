"""Admin of subscriptions: look-ups for back office (read-only: every change is a
service with its event and provisioning command) and the resting policies of
products, which Sales and Back Office configure."""

from django.contrib import admin

from .models import (
    ContractClause,
    CreditLimit,
    Device,
    PrepaidEntry,
    RestingPolicy,
    Subscription,
    SubscriptionEvent,
    SubscriptionItem,
)


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class ItemInline(_ReadOnlyInline):
    model = SubscriptionItem
    fields = (
        "product",
        "acquisition",
        "quantity",
        "manual_discount_percent",
        "valid_from",
        "valid_to",
    )


class DeviceInline(_ReadOnlyInline):
    model = Device
    fields = ("product", "serial", "room", "installed_on", "returned_on")


class EventInline(_ReadOnlyInline):
    model = SubscriptionEvent
    fields = (
        "created_at",
        "from_status",
        "to_status",
        "command",
        "reason",
        "actor",
        "outbox_message",
    )
    readonly_fields = fields


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    """Subscriptions, read-only: status changes go through the subscription services."""

    list_display = (
        "number",
        "customer",
        "billing_account",
        "status",
        "channel",
        "signed_on",
        "contract_end",
    )
    list_filter = ("status", "channel", "renewal", "is_prepaid")
    search_fields = ("number", "customer__number", "customer__display_name", "devices__serial")
    list_select_related = ("customer", "billing_account")
    inlines = (ItemInline, DeviceInline, EventInline)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RestingPolicy)
class RestingPolicyAdmin(admin.ModelAdmin):
    """Resting rules per product (SUB-3)."""

    list_display = (
        "product",
        "min_days",
        "max_days",
        "max_per_year",
        "notice_days",
        "extends_contract",
    )


@admin.register(ContractClause)
class ContractClauseAdmin(admin.ModelAdmin):
    """The standard contract template's clauses (SUB-7), in English and Romanian."""

    list_display = ("order", "code", "title_en", "is_active")
    list_editable = ("is_active",)
    search_fields = ("code", "title_en", "title_ro")


@admin.register(CreditLimit)
class CreditLimitAdmin(admin.ModelAdmin):
    """What each credit class may buy without a deposit (CUS-3)."""

    list_display = ("credit_class", "max_monthly_without_deposit", "deposit_months")


@admin.register(PrepaidEntry)
class PrepaidEntryAdmin(admin.ModelAdmin):
    """Prepaid balance movements, read-only (append-only in the database)."""

    list_display = ("subscription", "day", "kind", "amount", "balance_after", "source")
    list_filter = ("kind",)
    search_fields = ("subscription__number", "idempotency_key", "source")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
