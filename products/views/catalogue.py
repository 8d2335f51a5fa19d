"""Products (PRD-1, PRD-5, PRD-6) and their effective-dated prices (PRD-2): the list,
the product page with its tabs, the create/edit forms and the "new price" form."""

from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alux_crm.core.generic_views import (
    ObjectDetailMixin,
    ObjectDetailView,
    ObjectListView,
    ObjectTabView,
    Tab,
)
from alux_crm.core.selectors import operator_settings

from .. import choices, selectors, services
from ..filters import ProductFilter
from ..forms import PlanPriceForm, ProductForm
from ..models import BundleComponent, PlanPrice, PricePlan, Product, ProductRule
from ..tables import ProductTable
from .base import FormView, action, history_about, user_may_open


class ProductListView(ObjectListView):
    """The catalogue: filter by kind, category, on sale and text; today's prices."""

    title = gettext_lazy("Products")
    table_class = ProductTable
    filterset_class = ProductFilter
    create_url_name = "products:product_create"
    export_name = "products"

    def get_queryset(self, request):
        return selectors.product_list_with_prices(
            day=timezone.localdate(), currency=operator_settings().currency
        )


# --- the product page ------------------------------------------------------------------
PRODUCT_TABS = [
    Tab("overview", gettext_lazy("Overview")),
    Tab("prices", gettext_lazy("Prices")),
    Tab("channels", gettext_lazy("Channels")),
    Tab("components", gettext_lazy("Components")),
    Tab("rules", gettext_lazy("Rules")),
    Tab("history", gettext_lazy("History")),
]
CHANNEL_CATEGORIES = (choices.ProductCategory.TV_PACKAGE, choices.ProductCategory.TV_ADDON)


def _tab_applies(name: str, product: Product) -> bool:
    """Channels for TV packages and add-ons, components for bundles; the rest always."""
    if name == "channels":
        return product.category in CHANNEL_CATEGORIES or bool(product.channels.all())
    if name == "components":
        return product.kind == choices.ProductKind.BUNDLE
    return True


def price_state(price: PlanPrice, today) -> str:
    """ "past", "current" or "scheduled" on ``today``."""
    if price.valid_to is not None and price.valid_to <= today:
        return "past"
    if price.valid_from > today:
        return "scheduled"
    return "current"


PRICE_STATE_BADGES = {
    "past": ("secondary", gettext_lazy("Past")),
    "current": ("success", gettext_lazy("Current")),
    "scheduled": ("info", gettext_lazy("Scheduled")),
}


def plans_with_prices(product: Product) -> list[dict]:
    """The product's plans (prefetched), each with its prices marked past, current or
    scheduled."""
    today = timezone.localdate()
    return [
        {
            "plan": plan,
            "prices": [
                {"price": price, "state": state, "badge": PRICE_STATE_BADGES[state]}
                for price in plan.prices.all()
                for state in [price_state(price, today)]
            ],
        }
        for plan in product.price_plans.all()
    ]


def _money(value) -> str:
    """An amount from a history row (JSON numbers) with its two decimals."""
    return "" if value is None else f"{Decimal(str(value)):.2f}"


PRODUCT_HISTORY_LABELS = {
    Product._meta.label: lambda data: (_("Product"), "box"),
    PricePlan._meta.label: lambda data: (
        _("Price plan %(code)s") % {"code": data.get("code", "")},
        "tags",
    ),
    PlanPrice._meta.label: lambda data: (
        _("Price %(amount)s %(currency)s from %(day)s")
        % {
            "amount": _money(data.get("amount")),
            "currency": data.get("currency", ""),
            "day": data.get("valid_from", ""),
        },
        "cash",
    ),
    ProductRule._meta.label: lambda data: (_("Compatibility rule"), "link-45deg"),
    BundleComponent._meta.label: lambda data: (_("Bundle component"), "boxes"),
}


class ProductDetailMixin(ObjectDetailMixin):
    tabs = PRODUCT_TABS
    tab_url_name = "products:product_tab"

    def get_object(self, request, pk):
        product = selectors.product_get(pk=pk)
        # Only the tabs this kind of product has (an unknown tab is a 404).
        self.tabs = [t for t in PRODUCT_TABS if _tab_applies(t.name, product)]
        return product

    def tab_overview(self, request, obj) -> dict:
        return {"template": "products/partials/product_overview.html"}

    def tab_prices(self, request, obj) -> dict:
        return {
            "template": "products/partials/product_prices.html",
            "plans": plans_with_prices(obj),
            "can_add_price": user_may_open(request, "products:price_create"),
        }

    def tab_channels(self, request, obj) -> dict:
        return {"template": "products/partials/product_channels.html"}

    def tab_components(self, request, obj) -> dict:
        return {"template": "products/partials/product_components.html"}

    def tab_rules(self, request, obj) -> dict:
        return {
            "template": "products/partials/product_rules.html",
            "rules_about": selectors.product_rules_about(obj),
            "bundles": selectors.bundles_containing(obj),
        }

    def tab_history(self, request, obj) -> dict:
        events = history_about(selectors.product_history(obj), PRODUCT_HISTORY_LABELS)
        return {"template": "partials/related_history.html", "events": events}


class ProductDetailView(ProductDetailMixin, ObjectDetailView):
    """A product: what it is, its prices over time, channels, components, rules and
    history; Sales and Back Office edit it and give it new prices."""

    def get_title(self, obj) -> str:
        return f"{obj.name} · {obj.code}"

    def get_status(self, obj):
        return (_("On sale"), "success") if obj.is_active else (_("Withdrawn"), "secondary")

    def get_actions(self, request, obj) -> list[dict]:
        actions = []
        if user_may_open(request, "products:product_edit"):
            url = reverse("products:product_edit", args=[obj.pk])
            actions.append(action(url, _("Edit"), "pencil", "primary"))
        if user_may_open(request, "products:price_create") and obj.price_plans.all():
            url = reverse("products:price_create", args=[obj.pk])
            actions.append(action(url, _("New price"), "cash-coin"))
        if request.user.has_perm("products.add_priceplan") and user_may_open(
            request, "admin:products_priceplan_add"
        ):
            url = reverse("admin:products_priceplan_add") + f"?product={obj.pk}"
            actions.append(action(url, _("New price plan"), "tags", "outline-secondary"))
        return actions


class ProductTabView(ProductDetailMixin, ObjectTabView):
    """One tab of the product page."""


# --- create / edit --------------------------------------------------------------------
class ProductFormView(FormView):
    """Add or change a product (names and descriptions in English and Romanian);
    the service checks that kind and category agree."""

    form_class = ProductForm

    def get_object(self, request, pk):
        return selectors.product_get(pk=pk) if pk else None

    def get_title(self, obj) -> str:
        return _("Edit %(name)s") % {"name": obj.name} if obj else _("New product")

    def cancel_url(self, obj) -> str:
        return obj.get_absolute_url() if obj else reverse("products:product_list")

    def save(self, request, form, obj):
        data = form.service_data()
        channels = data.pop("channels")
        if obj is None:
            return services.product_create(actor=request.user, channels=channels, **data)
        return services.product_update(product=obj, actor=request.user, channels=channels, **data)


class PriceCreateView(FormView):
    """A new price of one of the product's plans from a date (PRD-2): the price valid
    then ends the day before; the past is never rewritten."""

    def get_object(self, request, pk):
        return selectors.product_get(pk=pk)

    def get_form(self, request, obj, data=None):
        return PlanPriceForm(
            data,
            product=obj,
            currency=operator_settings().currency,
            plan=request.GET.get("plan"),
        )

    def get_title(self, obj) -> str:
        return _("New price of %(name)s") % {"name": obj.name}

    def save(self, request, form, obj):
        data = form.cleaned_data
        return services.plan_price_schedule(
            plan=data["plan"],
            currency=data["currency"],
            amount=data["amount"],
            resting_amount=data["resting_amount"],
            valid_from=data["valid_from"],
            actor=request.user,
        )

    def success_url(self, saved) -> str:
        return reverse("products:product_detail", args=[saved.plan.product_id]) + "?tab=prices"

    def cancel_url(self, obj) -> str:
        return obj.get_absolute_url() + "?tab=prices"

    def extra_context(self, request, obj, form) -> dict:
        return {
            "intro": _(
                "Prices are net of VAT. The price valid on the chosen day ends the day "
                "before; earlier prices stay as they were."
            ),
            "plans": plans_with_prices(obj),
        }
