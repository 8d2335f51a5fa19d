"""Tables of the catalogue screens (django-tables2): sortable columns, CSV values."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from alux_crm.core.tables import StatusColumn
from customers.choices import CustomerSegment

from .models import CompetitorOffer, Product, Promotion, StandardOffer
from .pricing import promotion_why as discount_in_words

NOWRAP = {"td": {"class": "text-nowrap"}}
NUMBER = {"td": {"class": "text-end text-nowrap"}, "th": {"class": "text-end"}}

PROMOTION_STATUS_COLOURS = {
    "draft": "secondary",
    "approved": "info",
    "active": "success",
    "expired": "dark",
}


def _shown_from(breakpoint: str) -> dict:
    """Column attributes: hidden below a Bootstrap breakpoint (still in the CSV)."""
    css = f"d-none d-{breakpoint}-table-cell"
    return {"th": {"class": css}, "td": {"class": css}}


class TranslatedNameColumn(tables.Column):
    """``name`` in the user's language (falls back to English); sorted by the English."""

    def __init__(self, **kwargs):
        kwargs.setdefault("accessor", "name_en")
        kwargs.setdefault("order_by", ("name_en",))
        kwargs.setdefault("verbose_name", _("Name"))
        super().__init__(**kwargs)

    def render(self, value, record):
        return record.name

    def value(self, value, record):
        return record.name


class YesNoColumn(tables.BooleanColumn):
    """A check mark on screen, "yes"/"no" in the CSV."""

    def value(self, value, record, bound_column=None):
        return _("yes") if value else _("no")


def _plan_prices(record) -> list[tuple[str, str]]:
    """(plan, "amount currency") of each active plan priced today (prefetched)."""
    rows = []
    for plan in getattr(record, "active_plans", []):
        for price in getattr(plan, "prices_today", []):
            charge = _("/ month") if plan.charge == "recurring" else _("once")
            use = "" if plan.acquisition == "standard" else f" ({plan.get_acquisition_display()})"
            rows.append((f"{price.amount} {price.currency} {charge}{use}", plan.code))
    return rows


class PricesColumn(tables.Column):
    """Today's prices of the product's active plans (net of VAT)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("accessor", "pk")
        kwargs.setdefault("orderable", False)
        kwargs.setdefault("verbose_name", _("Price today"))
        super().__init__(**kwargs)

    def render(self, value, record):
        rows = _plan_prices(record)
        if not rows:
            return "—"
        return format_html_join("", '<div title="{}">{}</div>', ((c, t) for t, c in rows))

    def value(self, value, record):
        return "; ".join(text for text, _code in _plan_prices(record))


class ProductTable(tables.Table):
    """The catalogue. Narrow screens show fewer columns; the CSV has them all."""

    code = tables.Column(linkify=True, verbose_name=_("Code"), attrs=_shown_from("md"))
    name = TranslatedNameColumn(linkify=True)
    kind = tables.Column(verbose_name=_("Kind"), attrs=_shown_from("lg"))
    category = tables.Column(verbose_name=_("Category"), attrs=_shown_from("md"))
    prices = PricesColumn()
    tax_class = tables.Column(
        verbose_name=_("Tax class"), order_by="tax_class__code", attrs=_shown_from("xl")
    )
    change_policy = tables.Column(verbose_name=_("Change policy"), attrs=_shown_from("xxl"))
    is_active = YesNoColumn(verbose_name=_("On sale"))

    class Meta:
        model = Product
        fields = [
            "code",
            "name",
            "kind",
            "category",
            "prices",
            "tax_class",
            "change_policy",
            "is_active",
        ]
        attrs = {"class": "table table-hover align-middle", "id": "product-table"}


class PromotionStatusColumn(StatusColumn):
    COLOURS = PROMOTION_STATUS_COLOURS


class DiscountColumn(tables.Column):
    """What the promotion takes off, in words ("10 % off for 12 months")."""

    def __init__(self, **kwargs):
        kwargs.setdefault("accessor", "value")
        kwargs.setdefault("order_by", ("discount_kind", "value"))
        kwargs.setdefault("verbose_name", _("Discount"))
        super().__init__(**kwargs)

    def render(self, value, record):
        return discount_in_words(record)

    def value(self, value, record):
        return discount_in_words(record)


def _user_name(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


class PromotionTable(tables.Table):
    """Promotions with their state and window."""

    code = tables.Column(linkify=True, verbose_name=_("Code"), attrs=NOWRAP)
    name = TranslatedNameColumn(linkify=True)
    discount = DiscountColumn()
    stacking = tables.Column(verbose_name=_("Stacking"), attrs=_shown_from("xxl"))
    priority = tables.Column(verbose_name=_("Priority"), attrs=_shown_from("xl"))
    status = PromotionStatusColumn(verbose_name=_("Status"))
    valid_from = tables.DateColumn(verbose_name=_("From"), format="Y-m-d", attrs=NOWRAP)
    valid_to = tables.DateColumn(
        verbose_name=_("Last day"), format="Y-m-d", default="—", attrs=_shown_from("md")
    )
    created_by = tables.Column(
        verbose_name=_("Designed by"),
        order_by=("created_by__first_name", "created_by__last_name"),
        attrs=_shown_from("xl"),
    )

    class Meta:
        model = Promotion
        fields = [
            "code",
            "name",
            "discount",
            "stacking",
            "priority",
            "status",
            "valid_from",
            "valid_to",
            "created_by",
        ]
        attrs = {"class": "table table-hover align-middle", "id": "promotion-table"}

    def render_created_by(self, value):
        return _user_name(value)

    def value_created_by(self, value):
        return _user_name(value)


def _competitor_url(record) -> str:
    return reverse("products:competitor_offer_detail", args=[record.pk])


class CompetitorOfferTable(tables.Table):
    """Competitors' offers as found in the market."""

    operator = tables.Column(verbose_name=_("Competitor"), linkify=_competitor_url)
    name = tables.Column(verbose_name=_("Offer"), linkify=_competitor_url)
    monthly_price = tables.Column(verbose_name=_("Monthly"), attrs=NUMBER)
    one_time_price = tables.Column(verbose_name=_("One-time"), attrs=NUMBER)
    currency = tables.Column(verbose_name=_("Currency"), attrs=_shown_from("md"))
    prices_include_vat = YesNoColumn(verbose_name=_("VAT included"), attrs=_shown_from("lg"))
    term_months = tables.Column(verbose_name=_("Term, months"), attrs=_shown_from("lg"))
    captured_on = tables.DateColumn(
        verbose_name=_("Seen on"), format="Y-m-d", attrs=_shown_from("sm")
    )
    source_document = tables.Column(
        verbose_name=_("Document"), orderable=False, attrs=_shown_from("xl"), default=""
    )

    class Meta:
        model = CompetitorOffer
        fields = [
            "operator",
            "name",
            "monthly_price",
            "one_time_price",
            "currency",
            "prices_include_vat",
            "term_months",
            "captured_on",
            "source_document",
        ]
        attrs = {"class": "table table-hover align-middle", "id": "competitor-table"}

    def render_source_document(self, value, record):
        url = reverse("products:competitor_offer_document", args=[record.pk])
        return format_html('<a href="{}"><i class="bi bi-file-earmark"></i></a>', url)

    def value_source_document(self, value, record):
        return value.name.rsplit("/", 1)[-1] if value else ""


class SegmentColumn(tables.Column):
    """A customer segment by its label."""

    def render(self, value):
        return CustomerSegment(value).label if value in CustomerSegment.values else value

    def value(self, value):
        return self.render(value)


class StandardOfferTable(tables.Table):
    """Standard offers per segment and the limits Marketing set for them."""

    segment = SegmentColumn(verbose_name=_("Segment"))
    name = TranslatedNameColumn()
    products = tables.Column(
        verbose_name=_("Products"), accessor="pk", orderable=False, attrs=_shown_from("lg")
    )
    min_monthly_price = tables.Column(verbose_name=_("Minimum monthly price"), attrs=NUMBER)
    max_discount_percent = tables.Column(verbose_name=_("Maximum discount, %"), attrs=NUMBER)
    currency = tables.Column(verbose_name=_("Currency"), attrs=_shown_from("md"))
    term_months = tables.Column(verbose_name=_("Term, months"), attrs=_shown_from("md"))
    valid_from = tables.DateColumn(verbose_name=_("Valid from"), format="Y-m-d")
    valid_to = tables.DateColumn(
        verbose_name=_("Until"), format="Y-m-d", default="—", attrs=_shown_from("sm")
    )

    class Meta:
        model = StandardOffer
        fields = [
            "segment",
            "name",
            "products",
            "min_monthly_price",
            "max_discount_percent",
            "currency",
            "term_months",
            "valid_from",
            "valid_to",
        ]
        attrs = {"class": "table table-hover align-middle", "id": "standard-offer-table"}

    def render_products(self, record):
        return ", ".join(p.name for p in record.products.all()) or "—"

    def value_products(self, record):
        return ", ".join(p.code for p in record.products.all())
