"""List filters of the catalogue screens (django-filter)."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from customers.choices import CustomerSegment

from . import choices
from .models import CompetitorOffer, Product, Promotion, StandardOffer

ON_SALE_CHOICES = (("yes", _("On sale")), ("no", _("Withdrawn")))


def _search_widget(placeholder) -> forms.TextInput:
    return forms.TextInput(attrs={"type": "search", "placeholder": placeholder})


def _text(queryset, fields: tuple[str, ...], value: str):
    """Rows where any of ``fields`` contains every word of ``value`` (any case)."""
    for word in value.split():
        condition = Q()
        for field in fields:
            condition |= Q(**{f"{field}__icontains": word})
        queryset = queryset.filter(condition)
    return queryset


class ProductFilter(django_filters.FilterSet):
    """Products by code or name (either language), kind, category and whether on sale."""

    q = django_filters.CharFilter(
        label=_("Search"), method="search", widget=_search_widget(_("Code or name…"))
    )
    kind = django_filters.ChoiceFilter(
        choices=choices.ProductKind.choices, label=_("Kind"), empty_label=_("Any")
    )
    category = django_filters.ChoiceFilter(
        choices=choices.ProductCategory.choices, label=_("Category"), empty_label=_("Any")
    )
    on_sale = django_filters.ChoiceFilter(
        choices=ON_SALE_CHOICES, label=_("On sale"), empty_label=_("Any"), method="filter_on_sale"
    )

    class Meta:
        model = Product
        fields = ["q", "kind", "category", "on_sale"]

    def search(self, queryset, name, value):
        return _text(queryset, ("code", "name_en", "name_ro"), value)

    def filter_on_sale(self, queryset, name, value):
        return queryset.filter(is_active=value == "yes") if value else queryset


class PromotionFilter(django_filters.FilterSet):
    """Promotions by code or name, status and kind of discount."""

    q = django_filters.CharFilter(
        label=_("Search"), method="search", widget=_search_widget(_("Code or name…"))
    )
    status = django_filters.ChoiceFilter(
        choices=choices.PromotionStatus.choices, label=_("Status"), empty_label=_("Any")
    )
    discount_kind = django_filters.ChoiceFilter(
        choices=choices.DiscountKind.choices, label=_("Discount"), empty_label=_("Any")
    )

    class Meta:
        model = Promotion
        fields = ["q", "status", "discount_kind"]

    def search(self, queryset, name, value):
        return _text(queryset, ("code", "name_en", "name_ro"), value)


class CompetitorOfferFilter(django_filters.FilterSet):
    """Competitors' offers by competitor, offer name or what they include."""

    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        widget=_search_widget(_("Competitor, offer, contents…")),
    )

    class Meta:
        model = CompetitorOffer
        fields = ["q"]

    def search(self, queryset, name, value):
        return _text(queryset, ("operator", "name", "components"), value)


class StandardOfferFilter(django_filters.FilterSet):
    """Standard offers by segment."""

    segment = django_filters.ChoiceFilter(
        choices=CustomerSegment.choices, label=_("Segment"), empty_label=_("Any")
    )

    class Meta:
        model = StandardOffer
        fields = ["segment"]
