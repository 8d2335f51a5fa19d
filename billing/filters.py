"""List filters of the billing screens (django-filter)."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import choices
from .models import BillingRun, Invoice


class RunFilter(django_filters.FilterSet):
    """Billing runs by status and bill-cycle day."""

    status = django_filters.ChoiceFilter(
        choices=choices.RunStatus.choices, label=_("Status"), empty_label=_("Any")
    )
    bill_cycle_day = django_filters.NumberFilter(label=_("Bill-cycle day"))

    class Meta:
        model = BillingRun
        fields = ["status", "bill_cycle_day"]


class InvoiceFilter(django_filters.FilterSet):
    """Invoices by status and run, and a text found in the invoice number, the billing
    account number or the customer's name."""

    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Number or account…")}),
    )
    status = django_filters.ChoiceFilter(
        choices=choices.InvoiceStatus.choices, label=_("Status"), empty_label=_("Any")
    )
    run = django_filters.ModelChoiceFilter(
        queryset=BillingRun.objects.all(), label=_("Billing run"), empty_label=_("Any")
    )

    class Meta:
        model = Invoice
        fields = ["q", "status", "run"]

    def search(self, queryset, name, value):
        for word in value.split():
            queryset = queryset.filter(
                Q(number__icontains=word)
                | Q(billing_account__number__icontains=word)
                | Q(billing_account__customer__number__icontains=word)
                | Q(billing_account__customer__display_name__icontains=word)
            )
        return queryset
