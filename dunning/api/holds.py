"""``/api/v1/promises-to-pay/`` (holds): list (filters: status, billing account),
record, read, cancel and approve for reconnection. Every write is one service of
``dunning.services.promises``; errors are the project's JSON (400 with each field's
messages, 404 for an account or promise the caller may not see, 409 when the state
does not allow the step or the account already has an open promise)."""

import django_filters
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from alux_crm.core import roles as R
from alux_crm.core.access import COLLECTIONS_OPERATORS, roles
from alux_crm.core.api_permissions import AccessMatrixPermission
from customers.api import ERROR_400, ERROR_403, ERROR_404, ApiPagination, WriteRulePermission
from customers.selectors import billing_account_list
from customers.serializers import ErrorSerializer

from ..choices import PromiseStatus
from ..models import PromiseToPay
from ..selectors_holds import promise_list
from ..services.promises import promise_approve_for_reconnection, promise_cancel, promise_create
from .holds_serializers import PromiseToPayCreateSerializer, PromiseToPaySerializer

PROMISE_RECORDERS = roles(R.CUSTOMER_SERVICE, COLLECTIONS_OPERATORS.roles)
PROMISE_APPROVERS = roles(R.BILLING_FINANCE)
ERROR_409 = OpenApiResponse(
    ErrorSerializer,
    description="The promise is not open (``invalid_transition``), the account already "
    "has an open promise (``open_promise``), or one approves one's own (``conflict``).",
)
_integer = extend_schema_field(OpenApiTypes.INT)


class PromiseToPayFilter(django_filters.FilterSet):
    """Filters of ``GET /api/v1/promises-to-pay/``."""

    billing_account = _integer(
        django_filters.NumberFilter(
            field_name="billing_account_id", help_text=_("Billing account id.")
        )
    )
    status = django_filters.ChoiceFilter(choices=PromiseStatus.choices)

    class Meta:
        model = PromiseToPay
        fields = []


class PromiseToPayViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Promises to pay: dunning and disconnection hold the account until ``pay_by``."""

    queryset = PromiseToPay.objects.none()
    serializer_class = PromiseToPaySerializer
    permission_classes = [AccessMatrixPermission, WriteRulePermission]
    filter_backends = [DjangoFilterBackend]
    filterset_class = PromiseToPayFilter
    pagination_class = ApiPagination
    lookup_value_regex = r"\d+"
    write_rules = {
        "create": PROMISE_RECORDERS,
        "cancel": PROMISE_RECORDERS,
        "approve": PROMISE_APPROVERS,
    }

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PromiseToPay.objects.none()
        return promise_list(user=self.request.user)

    def _detail(self, pk, status_code=status.HTTP_200_OK, headers=None) -> Response:
        row = get_object_or_404(self.get_queryset(), pk=pk)
        data = PromiseToPaySerializer(row, context=self.get_serializer_context()).data
        return Response(data, status=status_code, headers=headers)

    @extend_schema(
        summary="Record a promise to pay",
        description="The account must owe at least the amount; ``pay_by`` from today to "
        "``DUNNING_PROMISE_MAX_DAYS`` ahead; one open promise per account (409).",
        request=PromiseToPayCreateSerializer,
        responses={
            201: PromiseToPaySerializer,
            400: ERROR_400,
            403: ERROR_403,
            404: ERROR_404,
            409: ERROR_409,
        },
    )
    def create(self, request, *args, **kwargs):
        serializer = PromiseToPayCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        account = get_object_or_404(
            billing_account_list(user=request.user), pk=data["billing_account"]
        )
        promise = promise_create(
            account=account,
            amount=data["amount"],
            pay_by=data["pay_by"],
            note=data["note"],
            actor=request.user,
        )
        location = request.build_absolute_uri(
            reverse("api:promise-to-pay-detail", args=[promise.pk])
        )
        return self._detail(promise.pk, status.HTTP_201_CREATED, {"Location": location})

    @extend_schema(
        summary="Cancel a promise to pay",
        description="An open promise only (else 409); dunning resumes.",
        request=None,
        responses={200: PromiseToPaySerializer, 403: ERROR_403, 404: ERROR_404, 409: ERROR_409},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def cancel(self, request, pk=None):
        promise_cancel(promise=self.get_object(), actor=request.user)
        return self._detail(pk)

    @extend_schema(
        summary="Approve a promise for reconnection",
        description="Billing & Finance, not the person who recorded it (409); an open "
        "promise not yet approved (else 409).",
        request=None,
        responses={200: PromiseToPaySerializer, 403: ERROR_403, 404: ERROR_404, 409: ERROR_409},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def approve(self, request, pk=None):
        promise_approve_for_reconnection(promise=self.get_object(), actor=request.user)
        return self._detail(pk)
