"""List filters of the customer screens (django-filter)."""

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters import fields as filter_fields

from alux_crm.core.selectors import is_partner_user

from . import choices
from .lookups import like_escape
from .models import Customer


def _serving_agents(request):
    """Who may be chosen as serving agent: the partner's own users for a partner
    login, every active user for staff."""
    users = get_user_model().objects.filter(is_active=True).order_by("first_name", "last_name")
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and is_partner_user(user):
        return users.filter(partner_id=user.partner_id)
    return users


class AgentChoiceField(filter_fields.ModelChoiceField):
    """A user shown by full name (username when the name is empty)."""

    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.username


class AgentChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = AgentChoiceField


class CustomerFilter(django_filters.FilterSet):
    """Search customers by name, number, phone, e-mail or ID/VAT number; filter by
    kind, category, segment, status, tier, serving agent and creation date."""

    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Name, number, phone, e-mail, ID…")}
        ),
    )
    kind = django_filters.ChoiceFilter(
        choices=choices.CustomerKind.choices, label=_("Kind"), empty_label=_("Any")
    )
    category = django_filters.ChoiceFilter(
        choices=choices.CustomerCategory.choices, label=_("Category"), empty_label=_("Any")
    )
    segment = django_filters.ChoiceFilter(
        choices=choices.CustomerSegment.choices, label=_("Segment"), empty_label=_("Any")
    )
    status = django_filters.ChoiceFilter(
        choices=choices.CustomerStatus.choices, label=_("Status"), empty_label=_("Any")
    )
    tier = django_filters.ChoiceFilter(
        choices=choices.Tier.choices, label=_("Tier"), empty_label=_("Any")
    )
    serving_agent = AgentChoiceFilter(
        queryset=_serving_agents, label=_("Serving agent"), empty_label=_("Anyone")
    )
    created_from = django_filters.DateFilter(
        field_name="created_at",
        lookup_expr="date__gte",
        label=_("Created from"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    created_to = django_filters.DateFilter(
        field_name="created_at",
        lookup_expr="date__lte",
        label=_("Created until"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Customer
        fields = [
            "q",
            "kind",
            "category",
            "segment",
            "status",
            "tier",
            "serving_agent",
            "created_from",
            "created_to",
        ]

    def search(self, queryset, name, value):
        text = " ".join(value.split())
        if not text:
            return queryset
        compact = text.upper().replace(" ", "")
        like = f"%{like_escape(text)}%"
        condition = (
            Q(display_name__ilike=like)
            | Q(email__ilike=like)
            | Q(number__iexact=compact)
            | Q(id_number=compact)
            | Q(vat_number=compact)
            | Q(registration_number__iexact=text)
        )
        digits = "".join(ch for ch in text if ch.isdigit())
        if len(digits) >= 4 and not any(ch.isalpha() for ch in text):  # a phone, as typed
            condition |= Q(phone__contains=digits.lstrip("0") or digits)
        return queryset.filter(condition)
