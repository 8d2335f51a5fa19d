"""``/api/v1/dunning/accounts/`` (engine): the accounts in dunning (open processes)
with their plan, overdue amount and last step, filtered by plan, held or not and
amount; the detail adds the timeline. Read-only; Billing & Finance, Back Office and
Customer Service (the access matrix)."""

import django_filters
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import viewsets

from customers.api import ERROR_403, ERROR_404, ApiPagination

from ..models import DunningActionRecord, DunningProcess
from ..selectors_engine import accounts_in_dunning
from .engine_serializers import DunningAccountDetailSerializer, DunningAccountSerializer

_integer = extend_schema_field(OpenApiTypes.INT)


class DunningAccountApiFilter(django_filters.FilterSet):
    """Filters of ``GET /api/v1/dunning/accounts/``."""

    plan = django_filters.CharFilter(field_name="plan__code", help_text=_("Plan code."))
    billing_account = _integer(
        django_filters.NumberFilter(field_name="billing_account_id", help_text=_("Account id."))
    )
    customer = _integer(
        django_filters.NumberFilter(
            field_name="billing_account__customer_id", help_text=_("Customer id.")
        )
    )
    held = django_filters.BooleanFilter(help_text=_("Held by a promise or a payment plan."))
    min_amount = django_filters.NumberFilter(field_name="overdue_amount", lookup_expr="gte")
    max_amount = django_filters.NumberFilter(field_name="overdue_amount", lookup_expr="lte")

    class Meta:
        model = DunningProcess
        fields = ["plan", "billing_account", "customer", "held", "min_amount", "max_amount"]


@extend_schema_view(
    list=extend_schema(
        summary="Accounts in dunning", responses={200: DunningAccountSerializer, 403: ERROR_403}
    ),
    retrieve=extend_schema(
        summary="An account in dunning with its timeline",
        responses={200: DunningAccountDetailSerializer, 403: ERROR_403, 404: ERROR_404},
    ),
)
class DunningAccountViewSet(viewsets.ReadOnlyModelViewSet):
    """Open dunning processes (an account in dunning); the id is the process's."""

    queryset = DunningProcess.objects.none()  # for the schema; get_queryset reads
    serializer_class = DunningAccountSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = DunningAccountApiFilter
    pagination_class = ApiPagination
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return DunningProcess.objects.none()
        queryset = accounts_in_dunning()
        if self.action == "retrieve":
            records = DunningActionRecord.objects.select_related("step").order_by("done_at", "pk")
            queryset = queryset.prefetch_related(Prefetch("actions", queryset=records))
        return queryset

    def get_serializer_class(self):
        return (
            DunningAccountDetailSerializer
            if self.action == "retrieve"
            else DunningAccountSerializer
        )
