"""List filters of the centre screens (django-filter): blocking rules and blocks."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import choices
from .models import AccountBlock, BlockingRule

DATE = forms.DateInput(attrs={"type": "date"})


class BlockingRuleFilter(django_filters.FilterSet):
    """Rules by action and whether they are active."""

    action = django_filters.ChoiceFilter(
        choices=choices.BlockAction.choices, label=_("Action"), empty_label=_("Any")
    )
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = BlockingRule
        fields = ["action", "is_active"]


class AccountBlockFilter(django_filters.FilterSet):
    """Blocks by customer (number or name), rule, action, live or lifted, start day."""

    q = django_filters.CharFilter(
        label=_("Customer"),
        method="search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Number or name…")}),
    )
    rule = django_filters.ModelChoiceFilter(
        queryset=BlockingRule.objects.order_by("name"), label=_("Rule"), empty_label=_("Any")
    )
    action = django_filters.ChoiceFilter(
        choices=choices.BlockAction.choices, label=_("Action"), empty_label=_("Any")
    )
    live = django_filters.BooleanFilter(label=_("In force"), method="filter_live")
    since = django_filters.DateFilter(
        field_name="starts_on", lookup_expr="gte", label=_("From"), widget=DATE
    )
    until = django_filters.DateFilter(
        field_name="starts_on", lookup_expr="lte", label=_("Until"), widget=DATE
    )

    class Meta:
        model = AccountBlock
        fields = ["q", "rule", "action", "live", "since", "until"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(customer__number__icontains=value) | Q(customer__display_name__icontains=value)
        )

    def filter_live(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(lifted_on__isnull=value)
