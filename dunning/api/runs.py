"""``/api/v1/disconnection-runs/`` (runs): disconnection and reconnection runs —
list (filters: kind, status, automatic), create (the selection), read with totals,
``preview``, ``execute``, ``cancel``, and the run's accounts (``items``, filter by
outcome) with ``exclude`` / ``include`` of one. Every write is one service of
``dunning.services.runs``; errors are the project's JSON (400 per field, 404 for
what does not exist, 409 when the run's state does not allow the step)."""

import django_filters
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from alux_crm.core import roles as R
from alux_crm.core.access import roles
from alux_crm.core.api_permissions import AccessMatrixPermission
from customers.api import ERROR_400, ERROR_403, ERROR_404, ApiPagination, WriteRulePermission
from customers.serializers import ErrorSerializer

from ..choices import RunItemOutcome, RunKind, ServiceRunStatus
from ..models import ServiceRun, ServiceRunItem
from ..selectors_runs import service_run_items, service_run_list
from ..services import runs as services
from .runs_serializers import (
    ServiceRunCreateSerializer,
    ServiceRunItemSerializer,
    ServiceRunSerializer,
)

RUN_OPERATORS = roles(R.BACK_OFFICE)
ERROR_409 = OpenApiResponse(
    ErrorSerializer,
    description="The run's state does not allow the step (``invalid_transition``), or "
    "there is nothing to execute (``conflict``).",
)


class ServiceRunFilter(django_filters.FilterSet):
    """Filters of ``GET /api/v1/disconnection-runs/``."""

    kind = django_filters.ChoiceFilter(choices=RunKind.choices)
    status = django_filters.ChoiceFilter(choices=ServiceRunStatus.choices)
    automatic = django_filters.BooleanFilter()

    class Meta:
        model = ServiceRun
        fields = []


class ServiceRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Disconnection and reconnection runs (BIL-7): Back Office previews and executes;
    Billing & Finance and System Administrators read."""

    queryset = ServiceRun.objects.none()
    serializer_class = ServiceRunSerializer
    permission_classes = [AccessMatrixPermission, WriteRulePermission]
    filter_backends = [DjangoFilterBackend]
    filterset_class = ServiceRunFilter
    pagination_class = ApiPagination
    lookup_value_regex = r"\d+"
    write_rules = dict.fromkeys(
        ("create", "preview", "execute", "cancel", "item_exclude", "item_include"), RUN_OPERATORS
    )

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ServiceRun.objects.none()
        return service_run_list()

    def _detail(self, run, status_code=status.HTTP_200_OK, headers=None) -> Response:
        run.refresh_from_db()
        data = ServiceRunSerializer(run, context=self.get_serializer_context()).data
        return Response(data, status=status_code, headers=headers)

    @extend_schema(
        summary="Create a run",
        description="A draft run with its selection; ``POST …/preview/`` lists its accounts.",
        request=ServiceRunCreateSerializer,
        responses={201: ServiceRunSerializer, 400: ERROR_400, 403: ERROR_403},
    )
    def create(self, request, *args, **kwargs):
        serializer = ServiceRunCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        run = services.service_run_create(actor=request.user, **serializer.validated_data)
        location = request.build_absolute_uri(
            reverse("api:disconnection-run-detail", args=[run.pk])
        )
        return self._detail(run, status.HTTP_201_CREATED, {"Location": location})

    @extend_schema(
        summary="Preview a run",
        description="List the accounts the selection finds now, with the totals; a "
        "preview again replaces them and keeps the hand exclusions.",
        request=None,
        responses={200: ServiceRunSerializer, 403: ERROR_403, 404: ERROR_404, 409: ERROR_409},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def preview(self, request, pk=None):
        return self._detail(services.service_run_preview(run=self.get_object(), actor=request.user))

    @extend_schema(
        summary="Execute a run",
        description="A previewed run; the accounts are handled by Celery in chunks (poll "
        "the run for ``accounts_done`` and ``status``). Answers 202.",
        request=None,
        responses={202: ServiceRunSerializer, 403: ERROR_403, 404: ERROR_404, 409: ERROR_409},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def execute(self, request, pk=None):
        run = services.service_run_execute(run=self.get_object(), actor=request.user)
        return self._detail(run, status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Cancel a run",
        description="A draft or previewed run only (else 409).",
        request=None,
        responses={200: ServiceRunSerializer, 403: ERROR_403, 404: ERROR_404, 409: ERROR_409},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def cancel(self, request, pk=None):
        return self._detail(services.service_run_cancel(run=self.get_object(), actor=request.user))

    @extend_schema(
        summary="The accounts of a run",
        parameters=[
            OpenApiParameter("outcome", str, enum=RunItemOutcome.values, description="Only these.")
        ],
        responses={200: ServiceRunItemSerializer(many=True), 404: ERROR_404},
    )
    @action(
        detail=True, methods=["get"], filter_backends=[], serializer_class=ServiceRunItemSerializer
    )
    def items(self, request, pk=None):
        outcome = request.query_params.get("outcome", "")
        rows = service_run_items(
            run=self.get_object(), outcome=outcome if outcome in RunItemOutcome.values else ""
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(ServiceRunItemSerializer(page, many=True).data)

    def _toggle(self, request, pk, item_pk, exclude: bool) -> Response:
        run = self.get_object()
        item = get_object_or_404(ServiceRunItem.objects.filter(run=run), pk=item_pk)
        item = services.service_run_item_exclude(item=item, exclude=exclude, actor=request.user)
        item = service_run_items(run=run).get(pk=item.pk)
        return Response(ServiceRunItemSerializer(item).data)

    @extend_schema(
        summary="Exclude an account from a run",
        description="A previewed run only (else 409); the totals follow.",
        request=None,
        responses={200: ServiceRunItemSerializer, 403: ERROR_403, 404: ERROR_404, 409: ERROR_409},
    )
    @action(
        detail=True, methods=["post"], filter_backends=[], url_name="item-exclude",
        url_path=r"items/(?P<item_pk>\d+)/exclude", serializer_class=ServiceRunItemSerializer,
    )  # fmt: skip
    def item_exclude(self, request, pk=None, item_pk=None):
        return self._toggle(request, pk, item_pk, exclude=True)

    @extend_schema(
        summary="Include an excluded account again",
        description="A previewed run only (else 409); the totals follow.",
        request=None,
        responses={200: ServiceRunItemSerializer, 403: ERROR_403, 404: ERROR_404, 409: ERROR_409},
    )
    @action(
        detail=True, methods=["post"], filter_backends=[], url_name="item-include",
        url_path=r"items/(?P<item_pk>\d+)/include", serializer_class=ServiceRunItemSerializer,
    )  # fmt: skip
    def item_include(self, request, pk=None, item_pk=None):
        return self._toggle(request, pk, item_pk, exclude=False)
