"""List filters of the accounts in dunning (django-filter): plan, current step,
held or not, overdue amount."""

import django_filters
from django.utils.translation import gettext_lazy as _

from .models import DunningPlan, DunningProcess, DunningStep


class AccountInDunningFilter(django_filters.FilterSet):
    """Accounts in dunning by plan, last step done, hold and amount."""

    plan = django_filters.ModelChoiceFilter(
        queryset=DunningPlan.objects.all(), label=_("Plan"), empty_label=_("Any")
    )
    step = django_filters.ModelChoiceFilter(
        queryset=DunningStep.objects.select_related("plan"),
        label=_("Last step"),
        empty_label=_("Any"),
        method="filter_step",
    )
    held = django_filters.BooleanFilter(label=_("Held (promise, payment plan)"))
    min_amount = django_filters.NumberFilter(
        field_name="overdue_amount", lookup_expr="gte", label=_("Overdue at least")
    )
    max_amount = django_filters.NumberFilter(
        field_name="overdue_amount", lookup_expr="lte", label=_("Overdue at most")
    )

    class Meta:
        model = DunningProcess
        fields = ["plan", "step", "held", "min_amount", "max_amount"]

    def filter_step(self, queryset, name, value):
        return queryset.filter(current_step_id=value.pk)
