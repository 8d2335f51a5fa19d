"""List filters of the disconnection and reconnection runs and the save desk
(django-filter)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from .choices import RunKind, SaveDeskStatus, ServiceRunStatus
from .models import SaveDeskEntry, ServiceRun


class ServiceRunFilter(django_filters.FilterSet):
    """Runs by kind, status and whether the periodic task made them."""

    kind = django_filters.ChoiceFilter(
        choices=RunKind.choices, label=_("Kind"), empty_label=_("Any")
    )
    status = django_filters.ChoiceFilter(
        choices=ServiceRunStatus.choices, label=_("Status"), empty_label=_("Any")
    )
    automatic = django_filters.BooleanFilter(label=_("Automatic"))

    class Meta:
        model = ServiceRun
        fields = ["kind", "status", "automatic"]


class SaveDeskFilter(django_filters.FilterSet):
    """The call list by status (open calls by default on the page)."""

    status = django_filters.ChoiceFilter(
        choices=SaveDeskStatus.choices, label=_("Status"), empty_label=_("Any")
    )
    tier = django_filters.CharFilter(label=_("Tier"))

    class Meta:
        model = SaveDeskEntry
        fields = ["status", "tier"]
