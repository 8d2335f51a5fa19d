"""Admin of the catalogue, where Sales and Marketing configure it (their permissions
stop at it). Saves that carry business rules go through the services:

- products, promotions and new VAT rates are saved by their service; the form first
  runs the service in a rolled-back savepoint, so what it refuses (a kind that does
  not match the category, a percentage over 100, a rate starting in the past...)
  shows on the form instead of failing;
- prices are never edited here: the prices of a plan are listed read-only and a new
  one is given on the product page ("New price"), which never rewrites the past;
- promotions change state only through the workflow actions (approve by someone
  other than the designer, return to draft, activate, expire).
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from alux_crm.core.errors import DomainError

from . import choices, services
from .models import (
    BundleComponent,
    CompetitorOffer,
    EligibilityRule,
    MaturityReward,
    PlanPrice,
    PricePlan,
    Product,
    ProductRule,
    Promotion,
    StandardOffer,
    TaxClass,
    TaxRate,
    TvChannel,
)


class _DryRun(Exception):
    """Raised to roll back a service call made only to validate a form."""


class ServiceSaveMixin:
    """Save through ``service_save`` (one service call), checked first by the form."""

    def service_save(self, request, obj, form, change: bool):
        raise NotImplementedError

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        model_admin = self

        class ServiceCheckedForm(form_class):
            def clean(self):
                cleaned = super().clean()
                if self.errors:
                    return cleaned
                try:
                    with transaction.atomic():
                        model_admin.service_save(request, self.instance, self, obj is not None)
                        raise _DryRun
                except _DryRun:
                    pass
                except ValidationError as exc:
                    if hasattr(exc, "error_dict"):
                        for field, errors in exc.error_dict.items():
                            self.add_error(field if field in self.fields else None, errors)
                    else:
                        self.add_error(None, exc)
                except DomainError as exc:
                    self.add_error(None, str(exc))
                return cleaned

        return ServiceCheckedForm

    def save_model(self, request, obj, form, change):
        saved = self.service_save(request, obj, form, change)
        if saved is not obj:  # the service made its own instance: the admin goes on with obj
            obj.pk = saved.pk
            obj._state.adding = False
            obj._state.db = saved._state.db


# --- tax ---------------------------------------------------------------------------------
class TaxRateInline(admin.TabularInline):
    model = TaxRate
    extra = 0
    fields = ("country", "rate", "valid_from", "valid_to")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # a new rate is added on its own page (through the service)


@admin.register(TaxClass)
class TaxClassAdmin(admin.ModelAdmin):
    list_display = ("code", "name_en", "name_ro")
    search_fields = ("code", "name_en", "name_ro")
    inlines = [TaxRateInline]


@admin.register(TaxRate)
class TaxRateAdmin(ServiceSaveMixin, admin.ModelAdmin):
    """VAT rates: a new rate from a date (the one valid then ends); rates are never
    edited afterwards, so invoices of past periods keep theirs."""

    list_display = ("tax_class", "country", "rate", "valid_from", "valid_to")
    list_filter = ("tax_class", "country")
    list_select_related = ("tax_class",)
    fields = ("tax_class", "country", "rate", "valid_from")

    def get_readonly_fields(self, request, obj=None):
        return (*self.fields, "valid_to") if obj is not None else ()

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def service_save(self, request, obj, form, change):
        data = form.cleaned_data
        return services.tax_rate_schedule(
            tax_class=data["tax_class"],
            country=data["country"],
            rate=data["rate"],
            valid_from=data["valid_from"],
            actor=request.user,
        )


# --- products --------------------------------------------------------------------------
@admin.register(TvChannel)
class TvChannelAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "genre", "is_hd")
    list_filter = ("genre", "is_hd")
    search_fields = ("name", "code")


class BundleComponentInline(admin.TabularInline):
    model = BundleComponent
    fk_name = "bundle"
    extra = 0
    autocomplete_fields = ("component",)


class ProductRuleInline(admin.TabularInline):
    model = ProductRule
    fk_name = "product"
    extra = 0
    autocomplete_fields = ("target_product",)


@admin.register(Product)
class ProductAdmin(ServiceSaveMixin, admin.ModelAdmin):
    """Products, saved by ``product_create``/``product_update`` (kind and category
    must agree; content needs its air time or rental window)."""

    list_display = ("code", "name_en", "kind", "category", "tax_class", "is_active", "sort_order")
    list_filter = ("kind", "category", "is_active", "tax_class", "change_policy")
    search_fields = ("code", "name_en", "name_ro")
    list_select_related = ("tax_class",)
    filter_horizontal = ("channels",)
    inlines = [BundleComponentInline, ProductRuleInline]
    fieldsets = (
        (None, {"fields": ("code", "kind", "category", "tax_class", "is_active", "sort_order")}),
        (_("Names and descriptions"), {"fields": ("name_en", "name_ro")}),
        (None, {"fields": ("description_en", "description_ro")}),
        (
            _("Attributes"),
            {
                "fields": (
                    "change_policy",
                    ("download_mbps", "upload_mbps"),
                    "max_devices",
                    ("air_starts_at", "air_ends_at"),
                    "rental_hours",
                    "channels",
                )
            },
        ),
    )

    def service_save(self, request, obj, form, change):
        data = {k: form.cleaned_data[k] for k in services.PRODUCT_FIELDS if k in form.cleaned_data}
        channels = form.cleaned_data.get("channels")
        if change:
            return services.product_update(
                product=obj, actor=request.user, channels=channels, **data
            )
        return services.product_create(actor=request.user, channels=channels or (), **data)


class PlanPriceInline(admin.TabularInline):
    """Every price of the plan, read-only: the past is never rewritten."""

    model = PlanPrice
    extra = 0
    fields = ("currency", "amount", "resting_amount", "valid_from", "valid_to")
    readonly_fields = fields
    can_delete = False
    ordering = ("currency", "-valid_from")

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # a new price is given on the product page (plan_price_schedule)


@admin.register(PricePlan)
class PricePlanAdmin(admin.ModelAdmin):
    """Price plans. Their prices are listed read-only; "New price" on the product page
    adds one from a date."""

    list_display = ("code", "product", "name_en", "charge", "acquisition", "is_active")
    list_filter = ("charge", "acquisition", "is_active", "product__kind")
    search_fields = ("code", "name_en", "product__code", "product__name_en")
    list_select_related = ("product",)
    autocomplete_fields = ("product",)
    fields = (
        "product",
        "code",
        "name_en",
        "name_ro",
        "charge",
        "acquisition",
        "is_active",
        "new_price",
    )
    readonly_fields = ("new_price",)
    inlines = [PlanPriceInline]

    @admin.display(description=_("New price"))
    def new_price(self, obj):
        if obj is None or obj.pk is None:
            return _("Save the plan first, then give it a price on the product page.")
        url = reverse("products:price_create", args=[obj.product_id]) + f"?plan={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, _("Give this plan a new price"))


@admin.register(PlanPrice)
class PlanPriceAdmin(admin.ModelAdmin):
    """Prices, for looking up only (a new price goes through the product page)."""

    list_display = ("plan", "currency", "amount", "resting_amount", "valid_from", "valid_to")
    list_filter = ("currency", "plan__charge", "plan__acquisition")
    search_fields = ("plan__code", "plan__product__code")
    list_select_related = ("plan",)
    date_hierarchy = "valid_from"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# --- promotions and offers ---------------------------------------------------------------
class EligibilityRuleInline(admin.TabularInline):
    """The rules of a promotion; frozen once it leaves draft."""

    model = EligibilityRule
    extra = 0

    def _draft(self, obj) -> bool:
        return obj is None or obj.status == choices.PromotionStatus.DRAFT

    def has_add_permission(self, request, obj=None) -> bool:
        return self._draft(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._draft(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._draft(obj) and super().has_delete_permission(request, obj)


def _workflow_action(service, verb):
    def run(modeladmin, request, queryset):
        done = 0
        for promotion in queryset:
            try:
                service(promotion=promotion, actor=request.user)
            except DomainError as exc:
                modeladmin.message_user(request, f"{promotion.code}: {exc}", messages.ERROR)
            else:
                done += 1
        if done:
            modeladmin.message_user(
                request, _("%(n)s promotions: %(verb)s.") % {"n": done, "verb": verb}
            )

    run.short_description = verb
    run.__name__ = f"promotion_{service.__name__}"
    return run


@admin.register(Promotion)
class PromotionAdmin(ServiceSaveMixin, admin.ModelAdmin):
    """Promotions, saved by ``promotion_create``/``promotion_update`` (drafts only);
    their state changes through the actions."""

    list_display = (
        "code",
        "name_en",
        "discount_kind",
        "value",
        "duration_months",
        "stacking",
        "priority",
        "status",
        "valid_from",
        "valid_to",
    )
    list_filter = ("status", "discount_kind", "stacking")
    search_fields = ("code", "name_en", "name_ro")
    readonly_fields = ("status", "created_by", "approved_by", "approved_at")
    filter_horizontal = ("products",)
    inlines = [EligibilityRuleInline]
    actions = [
        _workflow_action(services.promotion_approve, _("approve")),
        _workflow_action(services.promotion_return_to_draft, _("return to draft")),
        _workflow_action(services.promotion_activate, _("activate")),
        _workflow_action(services.promotion_expire, _("expire")),
    ]

    def service_save(self, request, obj, form, change):
        data = {
            k: form.cleaned_data[k] for k in services.PROMOTION_FIELDS if k in form.cleaned_data
        }
        products = form.cleaned_data.get("products")
        if change:
            return services.promotion_update(
                promotion=obj, actor=request.user, products=products, **data
            )
        return services.promotion_create(actor=request.user, products=products or (), **data)


@admin.register(MaturityReward)
class MaturityRewardAdmin(admin.ModelAdmin):
    list_display = ("code", "name_en", "reward_kind", "value", "after_months", "is_active")
    list_filter = ("reward_kind", "is_active")
    search_fields = ("code", "name_en")
    filter_horizontal = ("products",)


@admin.register(StandardOffer)
class StandardOfferAdmin(admin.ModelAdmin):
    list_display = (
        "segment",
        "name_en",
        "currency",
        "min_monthly_price",
        "max_discount_percent",
        "term_months",
        "valid_from",
        "valid_to",
    )
    list_filter = ("segment", "currency")
    search_fields = ("name_en", "name_ro", "segment")
    filter_horizontal = ("products",)


@admin.register(CompetitorOffer)
class CompetitorOfferAdmin(admin.ModelAdmin):
    """Competitors' offers, for looking up; they are recorded on the Competitor offers
    page, which checks the source document by its content."""

    list_display = (
        "operator",
        "name",
        "monthly_price",
        "one_time_price",
        "currency",
        "term_months",
        "captured_on",
    )
    list_filter = ("operator", "currency", "prices_include_vat")
    search_fields = ("operator", "name", "components")
    date_hierarchy = "captured_on"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
