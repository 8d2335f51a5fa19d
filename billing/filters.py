"""List filters of the billing screens (django-filter)."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import choices
from .models import BillingRun, Invoice, ManualTransaction, Payment


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


# --- payments, ledger, manual transactions ---------------------------------------------
def _date_input():
    return forms.DateInput(attrs={"type": "date"})


def _by_account_number(queryset, name, value):
    """Rows of the billing account typed (``BA-000045``, ``ba 45``) or containing it."""
    from .forms import account_number_form

    wanted = account_number_form(value)
    return queryset.filter(
        Q(billing_account__number=wanted) | Q(billing_account__number__icontains=value.strip())
    )


class PaymentFilter(django_filters.FilterSet):
    """Payments by the day received (from, until), method, status and account."""

    received_from = django_filters.DateFilter(
        field_name="received_on", lookup_expr="gte", label=_("Received from"), widget=_date_input()
    )
    received_until = django_filters.DateFilter(
        field_name="received_on", lookup_expr="lte", label=_("Received until"), widget=_date_input()
    )
    method = django_filters.ChoiceFilter(
        choices=choices.PaymentMethod.choices, label=_("Method"), empty_label=_("Any")
    )
    status = django_filters.ChoiceFilter(
        choices=choices.PaymentStatus.choices, label=_("Status"), empty_label=_("Any")
    )
    account = django_filters.CharFilter(
        label=_("Billing account"),
        method="search_account",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "BA-000045"}),
    )

    class Meta:
        model = Payment
        fields = ["received_from", "received_until", "method", "status", "account"]

    def search_account(self, queryset, name, value):
        return _by_account_number(queryset, name, value)


class TransactionFilter(django_filters.FilterSet):
    """Manual transactions by status (``pending``: the approval queue), kind and
    account."""

    status = django_filters.ChoiceFilter(
        choices=choices.TransactionStatus.choices, label=_("Status"), empty_label=_("Any")
    )
    kind = django_filters.ChoiceFilter(
        choices=choices.TransactionKind.choices, label=_("Kind"), empty_label=_("Any")
    )
    account = django_filters.CharFilter(
        label=_("Billing account"),
        method="search_account",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "BA-000045"}),
    )

    class Meta:
        model = ManualTransaction
        fields = ["status", "kind", "account"]

    def search_account(self, queryset, name, value):
        return _by_account_number(queryset, name, value)
