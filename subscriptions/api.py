"""API of subscriptions (SUB-1..6): the sale, reads scoped to the caller, and one
action per step of the life cycle.

Reads come from the selectors: a dealer's user sees only its customers'
subscriptions, another's is a 404, and so is a sale on another's billing account.
Every action is a small view calling one service (a termination approved at once by
Back Office calls two, in one transaction). The access matrix decides who may call
each URL; a write also needs the action's rule in ``write_rules``.

Errors are JSON (``alux_crm.core.api_errors``): 400 with the messages of each field
(a basket the catalogue refuses: on ``items``, or ``add`` for a change), 403, 404,
and 409 for a step the life cycle does not allow (``invalid_transition``) or another
refused action (``conflict``).
"""

import django_filters
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from alux_crm.core import roles as R
from alux_crm.core.access import (
    COLLECTIONS_OPERATORS,
    SUBSCRIPTION_OPERATORS,
    SUBSCRIPTION_SELLERS,
    roles,
)
from alux_crm.core.api_permissions import AccessMatrixPermission
from alux_crm.core.errors import InvalidTransition
from alux_crm.core.selectors import is_partner_user
from customers import selectors as customer_selectors
from customers.api import ERROR_400, ERROR_403, ERROR_404, ApiPagination, WriteRulePermission
from customers.serializers import ErrorSerializer
from products.pricing import BasketItem

from . import choices, selectors, services
from .models import CancellationRequest, ChangeOrder, Subscription
from .serializers import (
    ChangeOrderSerializer,
    ChangePreviewSerializer,
    ChangeRequestSerializer,
    ReasonSerializer,
    RestingPeriodSerializer,
    RestRequestSerializer,
    SubscriptionCreateSerializer,
    SubscriptionDetailSerializer,
    SubscriptionSerializer,
    TerminateRequestSerializer,
    TerminationSerializer,
    sales_channel_of,
)

# Who may approve a termination at once (``approve: true``): Back Office's queue.
CANCELLATION_APPROVERS = roles(R.BACK_OFFICE)
# Fields of the sale a service error may name; other names are a device's.
SALE_FIELDS = {"installation_date", "installation_slot", "items", NON_FIELD_ERRORS}

ERROR_409 = OpenApiResponse(
    ErrorSerializer,
    description="The subscription's state does not allow it (``invalid_transition``), "
    "or another rule refused it (``conflict``).",
)

_integer = extend_schema_field(OpenApiTypes.INT)


# What a step of the life cycle answers: the subscription, or why not.
STEP_RESPONSES = {
    200: SubscriptionDetailSerializer,
    403: ERROR_403,
    404: ERROR_404,
    409: ERROR_409,
}


class SubscriptionFilter(django_filters.FilterSet):
    """Filters of ``GET /api/v1/subscriptions/``."""

    status = django_filters.ChoiceFilter(choices=choices.SubscriptionStatus.choices)
    customer = _integer(
        django_filters.NumberFilter(field_name="customer_id", help_text=_("Customer id."))
    )
    billing_account = _integer(
        django_filters.NumberFilter(
            field_name="billing_account_id", help_text=_("Billing account id.")
        )
    )

    class Meta:
        model = Subscription
        fields = []


def _on_field(exc: DjangoValidationError, field: str) -> DjangoValidationError:
    """A service's list of messages (the catalogue refusing a basket) under the
    request's ``field``; messages already per field stay as they are."""
    if hasattr(exc, "error_dict"):
        return exc
    return DjangoValidationError({field: exc.messages})


def _sale_error(exc: DjangoValidationError) -> DjangoValidationError:
    """The sale's errors per request field: the basket's under ``items``, the
    installation booking's under its fields, a device's (its ``serial``) under
    ``devices``."""
    if not hasattr(exc, "error_dict"):
        return _on_field(exc, "items")
    fields: dict[str, list] = {}
    for name, messages in exc.message_dict.items():
        fields.setdefault(name if name in SALE_FIELDS else "devices", []).extend(messages)
    return DjangoValidationError(fields)


@extend_schema_view(
    list=extend_schema(
        summary="List subscriptions",
        description="Subscriptions the caller may see (a retailer: its customers'), "
        "newest first, paginated, with the products subscribed now.",
    ),
    retrieve=extend_schema(
        summary="Get a subscription",
        description="With its items (and the promotions granted at the sale), devices, "
        "timeline with the provisioning commands and their delivery, resting periods, "
        "change orders, cancellation requests, contract term and deposit.",
        responses={200: SubscriptionDetailSerializer, 404: ERROR_404},
    ),
    create=extend_schema(
        summary="Sell a subscription",
        description="For a billing account the caller may see (another dealer's: 404). "
        "The basket is priced and checked by the catalogue: what it refuses (a missing "
        "prerequisite, a product not on sale, too many TV boxes) is a 400 on ``items`` "
        "listing every problem. The subscription waits for its installation; the credit "
        "limits may ask a deposit. A retailer's user sells through the retailer channel.",
        request=SubscriptionCreateSerializer,
        responses={
            201: SubscriptionDetailSerializer,
            400: ERROR_400,
            403: ERROR_403,
            404: ERROR_404,
        },
    ),
)
class SubscriptionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Subscriptions. No update or delete: every change is an action (a plan change
    is an order, an end is a request to Back Office), and history stays."""

    queryset = Subscription.objects.none()  # for the schema; get_queryset scopes per caller
    serializer_class = SubscriptionSerializer
    permission_classes = [AccessMatrixPermission, WriteRulePermission]
    filter_backends = [DjangoFilterBackend]
    filterset_class = SubscriptionFilter
    pagination_class = ApiPagination
    lookup_value_regex = r"\d+"  # ``/subscriptions/abc/`` is a 404, never a lookup error
    # The same rules as the access matrix gives the actions' own URLs; ``create``
    # shares its URL with the list (readers), so it is checked here.
    write_rules = {
        "create": SUBSCRIPTION_SELLERS,
        "change": SUBSCRIPTION_SELLERS,
        "rest": SUBSCRIPTION_SELLERS,
        "resume": SUBSCRIPTION_SELLERS,
        "suspend": COLLECTIONS_OPERATORS,
        "reconnect": COLLECTIONS_OPERATORS,
        "terminate": SUBSCRIPTION_OPERATORS,
        "activate": SUBSCRIPTION_OPERATORS,
    }

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Subscription.objects.none()
        if self.action == "list":
            return selectors.subscription_list_with_products(user=self.request.user)
        return selectors.subscription_list(user=self.request.user)

    def get_serializer_class(self):
        if self.action == "create":
            return SubscriptionCreateSerializer
        if self.action == "list":
            return SubscriptionSerializer
        return SubscriptionDetailSerializer

    def _detail(self, pk, status_code=status.HTTP_200_OK, headers=None) -> Response:
        subscription = selectors.subscription_get(user=self.request.user, pk=pk)
        data = SubscriptionDetailSerializer(subscription, context=self.get_serializer_context())
        return Response(data.data, status=status_code, headers=headers)

    def retrieve(self, request, *args, **kwargs):
        return self._detail(kwargs["pk"])

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        visible = customer_selectors.billing_account_list(user=request.user)
        account = get_object_or_404(visible, pk=data.pop("billing_account"))
        try:
            subscription = services.subscription_create(
                billing_account=account,
                items=[BasketItem(**item) for item in data.pop("items")],
                devices=[services.DeviceSpec(**device) for device in data.pop("devices")],
                actor=request.user,
                partner=request.user.partner if is_partner_user(request.user) else None,
                **data,
            )
        except DjangoValidationError as exc:
            raise _sale_error(exc) from exc
        location = reverse("api:subscription-detail", args=[subscription.pk])
        return self._detail(
            subscription.pk,
            status.HTTP_201_CREATED,
            {"Location": request.build_absolute_uri(location)},
        )

    # --- plan changes -------------------------------------------------------------------
    @extend_schema(
        summary="Change products or devices (or preview the change)",
        description="Add products, end current items (``remove``: item ids) and swap "
        "devices, wanted on a day (default today). The products' change policy sets the "
        "effective day (now, prorated; the next billing period; the contract end). With "
        "``preview: true`` nothing is created: the answer (200) is the change's kind, "
        "policy, effective day and the invoices line by line — the current period "
        "before and after, the adjustment and the next period. Otherwise the answer "
        "(201) is the change order: applied at once when effective today, else "
        "scheduled. What the catalogue refuses is a 400 on ``add``.",
        request=ChangeRequestSerializer,
        responses={
            200: ChangePreviewSerializer,
            201: ChangeOrderSerializer,
            400: ERROR_400,
            403: ERROR_403,
            404: ERROR_404,
            409: ERROR_409,
        },
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def change(self, request, pk=None):
        subscription = self.get_object()
        serializer = ChangeRequestSerializer(
            data=request.data,
            context={**self.get_serializer_context(), "subscription": subscription},
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        change = services.ChangeRequest(
            add=[BasketItem(**item) for item in data["add"]],
            remove=data["remove"],
            swaps=[services.DeviceSwap(**swap) for swap in data["swaps"]],
        )
        try:
            if data["preview"]:
                preview = services.change_preview(
                    subscription=subscription,
                    request=change,
                    requested_on=data["wanted_on"] or timezone.localdate(),
                )
                return Response(ChangePreviewSerializer(preview).data)
            order = services.change_order_create(
                subscription=subscription,
                request=change,
                actor=request.user,
                channel=sales_channel_of(request.user),
                reason=data["reason"],
                wanted_on=data["wanted_on"],
            )
        except DjangoValidationError as exc:
            raise _on_field(exc, "add") from exc
        order = ChangeOrder.objects.prefetch_related("lines__product").get(pk=order.pk)
        return Response(ChangeOrderSerializer(order).data, status=status.HTTP_201_CREATED)

    # --- resting ------------------------------------------------------------------------
    @extend_schema(
        summary="Book a resting period",
        description="Under the resting policy of the subscription's products (length, "
        "periods a year, notice: 400 per field); only an active subscription rests "
        "(409). Starting today, it starts at once; else on its first day.",
        request=RestRequestSerializer,
        responses={
            201: RestingPeriodSerializer,
            400: ERROR_400,
            403: ERROR_403,
            404: ERROR_404,
            409: ERROR_409,
        },
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def rest(self, request, pk=None):
        subscription = self.get_object()
        serializer = RestRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        period = services.resting_request(
            subscription=subscription,
            actor=request.user,
            channel=sales_channel_of(request.user),
            **serializer.validated_data,
        )
        return Response(RestingPeriodSerializer(period).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Come back from resting early",
        description="Ends the resting period under way today; the contract end moves by "
        "the days actually rested where the policy says so. Not resting: 409.",
        request=None,
        responses=STEP_RESPONSES,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def resume(self, request, pk=None):
        subscription = self.get_object()
        period = selectors.resting_period_current(subscription=subscription)
        if subscription.status != choices.SubscriptionStatus.RESTING or period is None:
            raise InvalidTransition(_("Only a resting subscription comes back from resting."))
        services.resting_end(period=period, actor=request.user)
        return self._detail(subscription.pk)

    # --- collections ----------------------------------------------------------------------
    @extend_schema(
        summary="Suspend for non-payment",
        request=ReasonSerializer,
        responses=STEP_RESPONSES,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def suspend(self, request, pk=None):
        return self._transition(services.subscription_suspend)

    @extend_schema(
        summary="Reconnect a suspended or disconnected subscription",
        request=ReasonSerializer,
        responses=STEP_RESPONSES,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def reconnect(self, request, pk=None):
        return self._transition(services.subscription_reconnect)

    def _transition(self, service) -> Response:
        subscription = self.get_object()
        serializer = ReasonSerializer(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        service(subscription=subscription, actor=self.request.user, **serializer.validated_data)
        return self._detail(subscription.pk)

    # --- installation and the end -----------------------------------------------------------
    @extend_schema(
        summary="The installation is done: start the service",
        description="A subscription pending installation becomes active today and its "
        "contract term starts (a disconnected one is reactivated); otherwise 409.",
        request=None,
        responses=STEP_RESPONSES,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def activate(self, request, pk=None):
        subscription = self.get_object()
        services.subscription_activate(subscription=subscription, actor=request.user)
        return self._detail(subscription.pk)

    @extend_schema(
        summary="Ask to end the subscription",
        description="Creates a request in Back Office's queue to end the subscription on "
        "``effective_on``, with the early-termination fee for the rest of the minimum "
        "term (none inside the cooling-off window: then it is a regret, cancelled when "
        "approved). A Back Office user may send ``approve: true`` to approve it at once "
        "(another role: 403); a request due today then ends the subscription. An ended "
        "subscription: 409; a pending request already: 400.",
        request=TerminateRequestSerializer,
        responses={
            201: TerminationSerializer,
            400: ERROR_400,
            403: ERROR_403,
            404: ERROR_404,
            409: ERROR_409,
        },
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def terminate(self, request, pk=None):
        subscription = self.get_object()
        serializer = TerminateRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data["approve"] and not CANCELLATION_APPROVERS.allows(request.user):
            raise exceptions.PermissionDenied(_("Only Back Office approves a cancellation."))
        with transaction.atomic():
            cancellation = services.cancellation_request_create(
                subscription=subscription,
                effective_on=data["effective_on"],
                reason=data["reason"],
                actor=request.user,
                channel=sales_channel_of(request.user),
            )
            if data["approve"]:
                services.cancellation_approve(
                    request=cancellation, actor=request.user, answer=data["answer"]
                )
        cancellation = CancellationRequest.objects.select_related("subscription").get(
            pk=cancellation.pk
        )
        return Response(TerminationSerializer(cancellation).data, status=status.HTTP_201_CREATED)
