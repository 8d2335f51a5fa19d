"""API of the customers app: customers (with their communications) and billing accounts.

Reads come from the selectors, scoped to the caller: a dealer's user sees only its
dealer's customers, and another's customer, communication or billing account is a
404. Writes go through the services. The access matrix decides who may call each URL;
a write (POST, PUT, PATCH) also needs the action's rule in ``write_rules`` (e.g.
Billing & Finance may read customers but not change them: 403).

Errors are JSON (``alux_crm.core.api_errors``): 400 with the messages of each field,
403, 404, and 409 for a conflict (a stale ``version``, possible duplicates).
"""

import logging
import re
from datetime import date, datetime, time, timedelta

import django_filters
from django.db.models import Q
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
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response

from alux_crm.core.access import ACCOUNT_EDITORS, CUSTOMER_EDITORS, CUSTOMER_VIEWERS
from alux_crm.core.api_permissions import AccessMatrixPermission
from alux_crm.core.net import client_ip
from alux_crm.core.selectors import operator_settings

from . import choices, selectors, services
from .lookups import like_escape
from .models import BillingAccount, Customer
from .serializers import (
    BillingAccountDetailSerializer,
    BillingAccountSerializer,
    BillingAccountUpdateSerializer,
    CommunicationSerializer,
    CustomerSerializer,
    CustomerUpdateSerializer,
    DuplicateCustomerSerializer,
    DuplicatesErrorSerializer,
    ErrorSerializer,
    ValidationErrorSerializer,
)
from .validation import phone_search_forms

security_log = logging.getLogger("alux.security")


class WriteRulePermission(BasePermission):
    """A write needs the rule the view declares for the action in ``write_rules``
    (on top of the access matrix, which every call passes first). An action without a
    rule is refused; a method the view does not offer is left to answer 405."""

    message = _("Your role may not change these records.")

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS or getattr(view, "action", None) is None:
            return True
        rule = getattr(view, "write_rules", {}).get(view.action)
        allowed = rule is not None and rule.allows(request.user)
        if not allowed:
            security_log.warning(
                "refused API write: user=%s ip=%s method=%s path=%s",
                request.user.get_username(),
                client_ip(request),
                request.method,
                request.path,
            )
        return allowed


class ApiPagination(PageNumberPagination):
    """``?page=`` and ``?page_size=`` (at most 200)."""

    page_size_query_param = "page_size"
    max_page_size = 200


# Documented error answers.
ERROR_400 = OpenApiResponse(ValidationErrorSerializer, description="Invalid input, per field.")
ERROR_403 = OpenApiResponse(ErrorSerializer, description="Not logged in, or the role may not.")
ERROR_404 = OpenApiResponse(ErrorSerializer, description="No such object visible to the caller.")
ERROR_409_VERSION = OpenApiResponse(
    ErrorSerializer,
    description="Someone else saved in between (``concurrent_edit``): reload and redo.",
)
ERROR_409_DUPLICATES = OpenApiResponse(
    DuplicatesErrorSerializer,
    description="Possible duplicates (``possible_duplicates``): check them, then send "
    "``confirm_duplicates: true`` to create anyway.",
)


# --- filters -----------------------------------------------------------------------------
CUSTOMER_NUMBER = re.compile(r"^C-?(\d+)$")
ACCOUNT_NUMBER = re.compile(r"^BA-?(\d+)$")


def customer_search_condition(query: str) -> Q:
    """The ``?q=`` condition: every branch is served by an index, so PostgreSQL
    combines them with a BitmapOr and never scans the table.

    - a customer number (``C-000123``, ``c123``) finds that customer only (unique
      index), a billing-account number (``BA-000045``) its customer only;
    - ID, VAT or registration number typed exactly: their B-tree indexes;
    - phone in any format: its E.164 form exactly, or its digits anywhere (trigram);
    - name and e-mail: anywhere in them from 3 characters (trigram GIN indexes serve
      ``ILIKE '%x%'``), as a prefix below that.
    """
    text = " ".join(query.split())
    if not text:
        return Q()
    compact = text.upper().replace(" ", "")
    if match := CUSTOMER_NUMBER.match(compact):
        return Q(number=f"C-{int(match[1]):06d}")
    if match := ACCOUNT_NUMBER.match(compact):
        # Resolved first: the customer's id is then looked up by primary key.
        number = f"BA-{int(match[1]):06d}"
        ids = BillingAccount.objects.filter(number=number).values_list("customer_id", flat=True)
        return Q(pk__in=list(ids))
    condition = Q(pk__in=[])
    if len(compact) >= 4:
        condition |= Q(id_number=compact) | Q(vat_number=compact) | Q(registration_number=text)
    digits = re.sub(r"\D", "", text)
    if len(digits) >= 4 and len(digits) >= len(compact) - 3:
        for e164 in phone_search_forms(text, operator_settings().country):
            condition |= Q(phone=e164)
        condition |= Q(phone__ilike=f"%{digits}%")
    pattern = f"%{like_escape(text)}%" if len(text) >= 3 else f"{like_escape(text)}%"
    condition |= Q(display_name__ilike=pattern) | Q(email__ilike=pattern)
    return condition


def _start_of(day: date) -> datetime:
    """Midnight of ``day`` in the operator's time zone: ``created_after`` and
    ``created_before`` (both inclusive) compare ``created_at`` with the days' bounds:
    a plain range, which a B-tree on ``created_at`` could serve (``created_at::date``
    could not)."""
    return timezone.make_aware(datetime.combine(day, time.min))


_integer = extend_schema_field(OpenApiTypes.INT)  # ids are integers, not any number


class CustomerFilter(django_filters.FilterSet):
    """Filters of ``GET /api/v1/customers/``."""

    q = django_filters.CharFilter(
        method="search",
        max_length=100,
        help_text=_(
            "Customer or billing-account number, phone in any format, e-mail, name, "
            "or an exact ID/VAT/registration number."
        ),
    )
    kind = django_filters.ChoiceFilter(choices=choices.CustomerKind.choices)
    category = django_filters.ChoiceFilter(choices=choices.CustomerCategory.choices)
    segment = django_filters.ChoiceFilter(choices=choices.CustomerSegment.choices)
    status = django_filters.ChoiceFilter(choices=choices.CustomerStatus.choices)
    tier = django_filters.ChoiceFilter(choices=choices.Tier.choices)
    serving_agent = _integer(
        django_filters.NumberFilter(
            field_name="serving_agent_id", help_text=_("User id of the serving agent.")
        )
    )
    partner = _integer(
        django_filters.NumberFilter(field_name="partner_id", help_text=_("Dealer id."))
    )
    created_after = django_filters.DateFilter(
        method="created_from", help_text=_("Created on or after this day (operator's time).")
    )
    created_before = django_filters.DateFilter(
        method="created_until", help_text=_("Created on or before this day (operator's time).")
    )

    class Meta:
        model = Customer
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(customer_search_condition(value))

    def created_from(self, queryset, name, value):
        return queryset.filter(created_at__gte=_start_of(value))

    def created_until(self, queryset, name, value):
        return queryset.filter(created_at__lt=_start_of(value + timedelta(days=1)))


class BillingAccountFilter(django_filters.FilterSet):
    """Filters of ``GET /api/v1/billing-accounts/``."""

    customer = _integer(
        django_filters.NumberFilter(field_name="customer_id", help_text=_("Customer id."))
    )
    status = django_filters.ChoiceFilter(choices=choices.BillingAccountStatus.choices)
    is_paying = django_filters.BooleanFilter()

    class Meta:
        model = BillingAccount
        fields = []


# --- customers -----------------------------------------------------------------------------
@extend_schema_view(
    list=extend_schema(
        summary="List customers",
        description="Customers the caller may see, newest first, paginated. "
        "``q`` searches; the other parameters filter.",
    ),
    retrieve=extend_schema(
        summary="Get a customer", responses={200: CustomerSerializer, 404: ERROR_404}
    ),
    create=extend_schema(
        summary="Register a customer",
        description="A person or a company. Phones and ID/VAT/registration numbers are "
        "checked by the country's rules and stored normalised. Possible duplicates (same "
        "ID/VAT/registration number, phone or e-mail) answer 409 until "
        "``confirm_duplicates`` is true; the same ID number twice is always refused (400).",
        responses={
            201: CustomerSerializer,
            400: ERROR_400,
            403: ERROR_403,
            409: ERROR_409_DUPLICATES,
        },
    ),
    update=extend_schema(
        summary="Change a customer",
        request=CustomerUpdateSerializer,
        responses={
            200: CustomerSerializer,
            400: ERROR_400,
            403: ERROR_403,
            404: ERROR_404,
            409: ERROR_409_VERSION,
        },
    ),
    partial_update=extend_schema(
        summary="Change some fields of a customer",
        request=CustomerUpdateSerializer,
        responses={
            200: CustomerSerializer,
            400: ERROR_400,
            403: ERROR_403,
            404: ERROR_404,
            409: ERROR_409_VERSION,
        },
    ),
)
class CustomerViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Customers (persons and companies). There is no delete: customers are
    deactivated, and their history stays."""

    queryset = Customer.objects.none()  # for the schema; get_queryset scopes per caller
    serializer_class = CustomerSerializer
    permission_classes = [AccessMatrixPermission, WriteRulePermission]
    filter_backends = [DjangoFilterBackend]
    filterset_class = CustomerFilter
    pagination_class = ApiPagination
    write_rules = {
        "create": CUSTOMER_EDITORS,
        "update": CUSTOMER_EDITORS,
        "partial_update": CUSTOMER_EDITORS,
        # Like the page: whoever may see the customer may log a contact with it.
        "communications": CUSTOMER_VIEWERS,
    }

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Customer.objects.none()
        return selectors.customer_list(user=self.request.user)

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return CustomerUpdateSerializer
        if self.action == "communications":
            return CommunicationSerializer
        return CustomerSerializer

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            customer = serializer.save()
        except services.DuplicateWarning as warning:
            return self._duplicates_answer(warning)
        location = request.build_absolute_uri(reverse("api:customer-detail", args=[customer.pk]))
        return Response(
            serializer.data, status=status.HTTP_201_CREATED, headers={"Location": location}
        )

    def _duplicates_answer(self, warning: services.DuplicateWarning) -> Response:
        """The duplicates the caller may see, by number and name; the others (another
        dealer's customers) only counted (the service scopes them)."""
        body = {
            "error": warning.code,
            "detail": str(warning),
            "duplicates": DuplicateCustomerSerializer(
                warning.duplicates, many=True, context=self.get_serializer_context()
            ).data,
            "hidden_duplicates": warning.hidden_count,
        }
        return Response(body, status=status.HTTP_409_CONFLICT)

    @extend_schema(
        methods=["GET"],
        summary="List a customer's communications",
        description="Newest first, with their attachments.",
        responses={200: CommunicationSerializer(many=True), 404: ERROR_404},
    )
    @extend_schema(
        methods=["POST"],
        summary="Log a communication with a customer",
        description="JSON, or multipart/form-data with ``files`` (repeat the field for "
        "several). Images, PDF and audio are accepted, checked by their content; one "
        "refused file stores nothing.",
        request={
            "multipart/form-data": CommunicationSerializer,
            "application/json": CommunicationSerializer,
        },
        responses={
            201: CommunicationSerializer,
            400: ERROR_400,
            403: ERROR_403,
            404: ERROR_404,
        },
    )
    @action(
        detail=True,
        methods=["get", "post"],
        url_path="communications",
        filter_backends=[],
        parser_classes=[JSONParser, MultiPartParser, FormParser],
    )
    def communications(self, request, pk=None):
        customer = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(selectors.communication_list(customer=customer))
            serializer = self.get_serializer(page, many=True)
            return self.get_paginated_response(serializer.data)
        serializer = self.get_serializer(
            data=request.data, context={**self.get_serializer_context(), "customer": customer}
        )
        serializer.is_valid(raise_exception=True)
        serializer.save()
        return Response(serializer.data, status=status.HTTP_201_CREATED)


# --- billing accounts ------------------------------------------------------------------------
@extend_schema_view(
    list=extend_schema(
        summary="List billing accounts",
        description="Billing accounts of the customers the caller may see.",
    ),
    retrieve=extend_schema(
        summary="Get a billing account",
        responses={200: BillingAccountDetailSerializer, 404: ERROR_404},
    ),
    create=extend_schema(
        summary="Open a billing account",
        description="For a customer the caller may see, at the top or under a parent account "
        "(the customer's own or one of the companies it belongs to).",
        request=BillingAccountDetailSerializer,
        responses={201: BillingAccountDetailSerializer, 400: ERROR_400, 403: ERROR_403},
    ),
    update=extend_schema(
        summary="Change a billing account",
        request=BillingAccountUpdateSerializer,
        responses={
            200: BillingAccountDetailSerializer,
            400: ERROR_400,
            403: ERROR_403,
            404: ERROR_404,
            409: ERROR_409_VERSION,
        },
    ),
    partial_update=extend_schema(
        summary="Change some fields of a billing account",
        request=BillingAccountUpdateSerializer,
        responses={
            200: BillingAccountDetailSerializer,
            400: ERROR_400,
            403: ERROR_403,
            404: ERROR_404,
            409: ERROR_409_VERSION,
        },
    ),
)
class BillingAccountViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Billing accounts: what invoices and payments attach to. No delete (an account
    is closed, not removed)."""

    queryset = BillingAccount.objects.none()  # for the schema; get_queryset scopes per caller
    permission_classes = [AccessMatrixPermission, WriteRulePermission]
    filter_backends = [DjangoFilterBackend]
    filterset_class = BillingAccountFilter
    pagination_class = ApiPagination
    write_rules = {
        "create": ACCOUNT_EDITORS,
        "update": ACCOUNT_EDITORS,
        "partial_update": ACCOUNT_EDITORS,
    }

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return BillingAccount.objects.none()
        return selectors.billing_account_list(user=self.request.user)

    def get_serializer_class(self):
        if self.action == "list":
            return BillingAccountSerializer
        if self.action in ("update", "partial_update"):
            return BillingAccountUpdateSerializer
        return BillingAccountDetailSerializer
