"""List filters of the subscription screens (django-filter)."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from products.choices import SalesChannel

from . import choices
from .models import CancellationRequest, Device, Subscription


class SubscriptionFilter(django_filters.FilterSet):
    """Subscriptions by status and sales channel, and a text found in the subscription
    or customer number, the customer's name or a device serial."""

    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Number, customer or serial…")}
        ),
    )
    status = django_filters.ChoiceFilter(
        choices=choices.SubscriptionStatus.choices, label=_("Status"), empty_label=_("Any")
    )
    channel = django_filters.ChoiceFilter(
        choices=SalesChannel.choices, label=_("Sold through"), empty_label=_("Any")
    )

    class Meta:
        model = Subscription
        fields = ["q", "status", "channel"]

    def search(self, queryset, name, value):
        for word in value.split():
            serial = Device.objects.filter(
                subscription=OuterRef("pk"), serial__icontains=word
            ).only("pk")
            queryset = queryset.filter(
                Q(number__icontains=word)
                | Q(customer__number__icontains=word)
                | Q(customer__display_name__icontains=word)
                | Exists(serial)
            )
        return queryset


class CancellationFilter(django_filters.FilterSet):
    """The back-office queue by status and kind (open first, by date)."""

    status = django_filters.ChoiceFilter(
        choices=choices.CancellationStatus.choices, label=_("Status"), empty_label=_("Any")
    )
    kind = django_filters.ChoiceFilter(
        choices=choices.CancellationKind.choices, label=_("Request"), empty_label=_("Any")
    )

    class Meta:
        model = CancellationRequest
        fields = ["status", "kind"]
