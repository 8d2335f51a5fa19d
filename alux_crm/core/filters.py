"""List filters of the core screens (django-filter)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import choices
from .models import Notification, OrgUnit, OutboxMessage, Partner


class PartnerFilter(django_filters.FilterSet):
    """Search partners by name, code or e-mail; filter by kind and status."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    kind = django_filters.ChoiceFilter(
        choices=choices.PartnerKind.choices, label=_("Kind"), empty_label=_("Any")
    )
    status = django_filters.ChoiceFilter(
        choices=choices.PartnerStatus.choices, label=_("Status"), empty_label=_("Any")
    )

    class Meta:
        model = Partner
        fields = ["q", "kind", "status"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value) | Q(code__icontains=value) | Q(email__icontains=value)
        )


class OrgUnitFilter(django_filters.FilterSet):
    """Search organisation units by name or code."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    kind = django_filters.ChoiceFilter(
        choices=choices.OrgUnitKind.choices, label=_("Kind"), empty_label=_("Any")
    )

    class Meta:
        model = OrgUnit
        fields = ["q", "kind"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value))


class OutboxFilter(django_filters.FilterSet):
    """Filter outbox messages by status and topic."""

    status = django_filters.ChoiceFilter(
        choices=choices.OutboxStatus.choices, label=_("Status"), empty_label=_("Any")
    )
    topic = django_filters.CharFilter(lookup_expr="startswith", label=_("Topic"))

    class Meta:
        model = OutboxMessage
        fields = ["status", "topic"]


class NotificationFilter(django_filters.FilterSet):
    """Unread only, or all."""

    unread = django_filters.BooleanFilter(
        field_name="read_at", lookup_expr="isnull", label=_("Unread only")
    )

    class Meta:
        model = Notification
        fields = ["unread"]
