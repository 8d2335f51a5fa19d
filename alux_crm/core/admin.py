"""Configuration screens of the core for administrators and back office."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Notification, OperatorSettings, OrgUnit, OutboxMessage, Partner, User
from .outbox import outbox_retry


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Users with their roles, unit and partner."""

    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("AluxSat"), {"fields": ("phone", "language", "org_unit", "partner")}),
    )
    list_display = ("username", "first_name", "last_name", "email", "partner", "is_active")
    list_filter = ("is_active", "is_staff", "groups", "partner")
    list_select_related = ("partner",)


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    """Units of the organisation tree."""

    list_display = ("name", "code", "kind", "parent", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "code")
    list_select_related = ("parent",)


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    """Retailers and installers; status changes go through the partner page."""

    list_display = ("name", "code", "kind", "status")
    list_filter = ("kind", "status")
    search_fields = ("name", "code")
    readonly_fields = ("status",)


@admin.register(OperatorSettings)
class OperatorSettingsAdmin(admin.ModelAdmin):
    """The operator's global settings (one row)."""

    def has_add_permission(self, request) -> bool:
        return not OperatorSettings.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.action(description=_("Retry the selected failed messages"))
def retry_messages(modeladmin, request, queryset) -> None:
    for message in queryset:
        outbox_retry(message=message, actor=request.user)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Messages to other systems; read-only but for the retry action."""

    list_display = ("id", "topic", "status", "attempts", "created_at", "sent_at")
    list_filter = ("status", "topic")
    search_fields = ("idempotency_key", "topic")
    actions = [retry_messages]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """In-app notifications (for support)."""

    list_display = ("recipient", "title", "level", "created_at", "read_at")
    list_filter = ("level",)
    search_fields = ("title", "recipient__username")
