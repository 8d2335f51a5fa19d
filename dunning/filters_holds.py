"""List filters of the holds screens (django-filter)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import choices
from .models import Deposit, PaymentPlan, PromiseToPay
from .selectors_holds import promises_due_soon


def _search(queryset, value):
    return queryset.filter(
        Q(billing_account__number__icontains=value)
        | Q(billing_account__customer__display_name__icontains=value)
    )


class PromiseFilter(django_filters.FilterSet):
    """Promises by status, "due in the next days", and account or customer."""

    q = django_filters.CharFilter(label=_("Account or customer"), method="search")
    status = django_filters.ChoiceFilter(
        choices=choices.PromiseStatus.choices, label=_("Status"), empty_label=_("Any")
    )
    due_soon = django_filters.BooleanFilter(
        label=_("Due in the next 3 days"), method="filter_due_soon"
    )

    class Meta:
        model = PromiseToPay
        fields = ["q", "status", "due_soon"]

    def search(self, queryset, name, value):
        return _search(queryset, value)

    def filter_due_soon(self, queryset, name, value):
        return promises_due_soon(queryset) if value else queryset


class PaymentPlanFilter(django_filters.FilterSet):
    """Payment plans by status, and account or customer."""

    q = django_filters.CharFilter(label=_("Account or customer"), method="search")
    status = django_filters.ChoiceFilter(
        choices=choices.PaymentPlanStatus.choices, label=_("Status"), empty_label=_("Any")
    )

    class Meta:
        model = PaymentPlan
        fields = ["q", "status"]

    def search(self, queryset, name, value):
        return _search(queryset, value)


class DepositFilter(django_filters.FilterSet):
    """Deposits by status and reason, and account or customer."""

    q = django_filters.CharFilter(label=_("Account or customer"), method="search")
    status = django_filters.ChoiceFilter(
        choices=choices.DepositStatus.choices, label=_("Status"), empty_label=_("Any")
    )
    reason = django_filters.ChoiceFilter(
        choices=choices.DepositReason.choices, label=_("Reason"), empty_label=_("Any")
    )

    class Meta:
        model = Deposit
        fields = ["q", "status", "reason"]

    def search(self, queryset, name, value):
        return _search(queryset, value)
