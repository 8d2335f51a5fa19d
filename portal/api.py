"""The portal's API (POR-1, POR-3) under ``/api/v1/portal/``: what a phone app of the
subscriber needs — the customer and balances, invoices (lines explained, the PDF),
payments, subscriptions, and information requests with their replies.

Every call is scoped to the logged-in subscriber's own customer in one place,
``PortalCustomerMixin``: each queryset starts from ``portal_customer(request.user)``,
so another customer's invoice, PDF, subscription or request is a 404 (the JSON error
body of ``alux_crm.core.api_errors``), for reads and writes alike.

Who may call: the access matrix gives these URLs to the Subscriber role only, so
staff and partner users get 403 (their APIs are unchanged) and an anonymous caller
403 like the rest of the API; a login of another role that passes the matrix (a
superuser) but has no portal account gets 404. Authentication is the session of the
portal login (``/portal/login/``); writes need Django's CSRF token
(``X-CSRFToken`` header, from the ``csrftoken`` cookie) as every session-authenticated
DRF call does. Writes go through ``cases.services``; bad input is a 400 with the
messages per field.
"""

import io
from datetime import date

from django.db.models import Prefetch, Value
from django.db.models.functions import Greatest
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from alux_crm.core.api_permissions import AccessMatrixPermission
from alux_crm.core.money import ZERO
from billing.api import FirstRendererNegotiation
from billing.models import Invoice, InvoiceLine, Payment
from billing.selectors import customer_balances
from billing.services.documents import invoice_pdf_content
from cases.choices import CaseChannel
from cases.models import Case, CaseReply
from cases.selectors import requests_of_customer
from cases.services import case_create, case_reply
from customers.api import ERROR_400, ERROR_403, ApiPagination
from customers.serializers import ErrorSerializer
from subscriptions.models import Subscription

from .selectors import (
    DashboardAccount,
    portal_customer,
    portal_invoices,
    portal_payments,
)
from .selectors_services import portal_service, portal_services
from .serializers import (
    PortalInvoiceDetailSerializer,
    PortalInvoiceSerializer,
    PortalMeSerializer,
    PortalPaymentSerializer,
    PortalReplyCreateSerializer,
    PortalRequestCreateSerializer,
    PortalRequestDetailSerializer,
    PortalRequestReplySerializer,
    PortalRequestSerializer,
    PortalSubscriptionDetailSerializer,
    PortalSubscriptionSerializer,
)

PORTAL_TAG = "portal"  # the subscriber's API, one group in the API docs
ERROR_404_OWN = OpenApiResponse(
    ErrorSerializer,
    description="No such object of the subscriber's customer (another customer's is a 404 "
    "too), or the login has no portal account.",
)
ERROR_409 = OpenApiResponse(ErrorSerializer, description="The request's state does not allow it.")


# --- reads ---------------------------------------------------------------------------------------
def portal_balances(*, customer, today: date | None = None) -> list[DashboardAccount]:
    """Per billing account of ``customer`` what the dashboard shows of it: balance,
    what is overdue, the next amount falling due with its day and the last payment
    (``billing.selectors.customer_balances``). Three queries. (A candidate for
    ``portal/selectors.py``, beside ``portal_dashboard``.)"""
    today = today or timezone.localdate()
    return [DashboardAccount(row) for row in customer_balances(customer=customer, today=today)]


# --- the one place that scopes every call -------------------------------------------------------
class PortalCustomerMixin:
    """Scopes a portal API view to the logged-in subscriber's customer: ``customer``
    is ``portal_customer(request.user)`` (404 without a portal account) and every
    queryset is built from it by ``customer_queryset``; ``get_object`` looks ids up in
    that queryset only, so another customer's id is a 404."""

    permission_classes = [AccessMatrixPermission]
    parser_classes = [JSONParser]  # a phone app's JSON; attachments: the web page
    lookup_value_regex = r"\d+"

    @property
    def customer(self):
        if not hasattr(self, "_portal_customer"):
            self._portal_customer = portal_customer(self.request.user)
        return self._portal_customer

    def customer_queryset(self, customer):  # pragma: no cover - each view defines it
        """The objects of ``customer`` the view lists (a queryset or a list)."""
        raise NotImplementedError

    def customer_object(self, customer, pk: int):
        """The object ``pk`` among those of ``customer``, or 404."""
        return get_object_or_404(self.customer_queryset(customer), pk=pk)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema is built with no user
            return self.queryset
        return self.customer_queryset(self.customer)

    def get_object(self):
        obj = self.customer_object(self.customer, int(self.kwargs[self.lookup_field]))
        self.check_object_permissions(self.request, obj)
        return obj


class PortalViewSet(PortalCustomerMixin, viewsets.GenericViewSet):
    """Base of the portal's collections: scoped as the mixin says, paginated like the
    staff API (``?page=``, ``?page_size=``)."""

    pagination_class = ApiPagination


# --- me -------------------------------------------------------------------------------------------
@extend_schema(tags=[PORTAL_TAG])
class PortalMeView(PortalCustomerMixin, GenericAPIView):
    """The subscriber's customer (number, name, contacts, language) and balances."""

    serializer_class = PortalMeSerializer

    @extend_schema(
        summary="The subscriber's customer and balances",
        description="Number, name, e-mail, phone and language of the logged-in "
        "subscriber's customer, and per billing account (as the dashboard shows it) the "
        "balance (positive: owed), what is overdue, the next amount falling due and its "
        "day, and the last payment.",
        responses={200: PortalMeSerializer, 403: ERROR_403, 404: ERROR_404_OWN},
    )
    def get(self, request):
        customer = self.customer
        customer.balances = portal_balances(customer=customer)
        return Response(PortalMeSerializer(customer, context=self.get_serializer_context()).data)


# --- invoices and payments ------------------------------------------------------------------------
@extend_schema_view(
    list=extend_schema(
        summary="The subscriber's invoices",
        description="Posted invoices of the subscriber's billing accounts, newest first, "
        "with what is left to pay on each; paginated.",
        responses={200: PortalInvoiceSerializer(many=True), 403: ERROR_403},
    ),
    retrieve=extend_schema(
        summary="One of the subscriber's invoices",
        description="With every line and how it was computed (``explanation``).",
        responses={200: PortalInvoiceDetailSerializer, 403: ERROR_403, 404: ERROR_404_OWN},
    ),
)
@extend_schema(tags=[PORTAL_TAG])
class PortalInvoiceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PortalViewSet):
    """The subscriber's posted invoices (drafts are never shown), with their PDF."""

    queryset = Invoice.objects.none()
    serializer_class = PortalInvoiceSerializer

    def customer_queryset(self, customer):
        invoices = portal_invoices(customer=customer).annotate(
            left_to_pay=Greatest("open_amount", Value(ZERO))
        )
        if self.action == "list":
            return invoices
        lines = InvoiceLine.objects.select_related("product", "source_account", "subscription")
        return invoices.prefetch_related(Prefetch("lines", queryset=lines.order_by("pk")))

    def get_serializer_class(self):
        return PortalInvoiceDetailSerializer if self.action == "retrieve" else self.serializer_class

    @extend_schema(
        summary="The PDF of one of the subscriber's invoices",
        description="The document sent to the customer (rendered now if the background "
        "rendering has not run yet).",
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            403: ERROR_403,
            404: ERROR_404_OWN,
        },
    )
    @action(
        detail=True,
        methods=["get"],
        pagination_class=None,
        content_negotiation_class=FirstRendererNegotiation,
    )
    def pdf(self, request, pk=None):
        invoice = self.get_object()
        return FileResponse(
            io.BytesIO(invoice_pdf_content(invoice=invoice)),
            content_type="application/pdf",
            filename=f"{invoice.number}.pdf",
        )


@extend_schema_view(
    list=extend_schema(
        summary="The subscriber's payments",
        description="Payments received for the subscriber's billing accounts, newest "
        "first; paginated.",
        responses={200: PortalPaymentSerializer(many=True), 403: ERROR_403},
    ),
)
@extend_schema(tags=[PORTAL_TAG])
class PortalPaymentViewSet(mixins.ListModelMixin, PortalViewSet):
    """Payments received for the subscriber's billing accounts."""

    queryset = Payment.objects.none()
    serializer_class = PortalPaymentSerializer

    def customer_queryset(self, customer):
        return portal_payments(customer=customer)


# --- subscriptions --------------------------------------------------------------------------------
@extend_schema_view(
    list=extend_schema(
        summary="The subscriber's subscriptions",
        description="Live ones first, then newest first, with their status, contract end "
        "and the products they have now; paginated.",
        responses={200: PortalSubscriptionSerializer(many=True), 403: ERROR_403},
    ),
    retrieve=extend_schema(
        summary="One of the subscriber's subscriptions",
        description="With its products, devices, recent pay-per-view purchases, resting "
        "periods planned or under way, renewal and cooling-off end.",
        responses={200: PortalSubscriptionDetailSerializer, 403: ERROR_403, 404: ERROR_404_OWN},
    ),
)
@extend_schema(tags=[PORTAL_TAG])
class PortalSubscriptionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PortalViewSet):
    """The subscriber's subscriptions as the portal's services pages show them
    (``portal.selectors_services``)."""

    queryset = Subscription.objects.none()
    serializer_class = PortalSubscriptionSerializer

    def customer_queryset(self, customer):
        return portal_services(customer=customer)

    def customer_object(self, customer, pk: int):
        return portal_service(customer=customer, pk=pk)

    def get_serializer_class(self):
        if self.action == "retrieve":
            return PortalSubscriptionDetailSerializer
        return self.serializer_class


# --- requests (cases) -----------------------------------------------------------------------------
@extend_schema_view(
    list=extend_schema(
        summary="The subscriber's requests",
        description="The customer's requests (cases), the last updated first, with "
        "their status; paginated.",
        responses={200: PortalRequestSerializer(many=True), 403: ERROR_403},
    ),
    retrieve=extend_schema(
        summary="One of the subscriber's requests",
        description="With its text and the replies, oldest first.",
        responses={200: PortalRequestDetailSerializer, 403: ERROR_403, 404: ERROR_404_OWN},
    ),
    create=extend_schema(
        summary="Make a request",
        description="Opens a case of the portal channel for the subscriber's customer "
        "(category, subject, text; JSON). Attachments: the portal's web page.",
        request=PortalRequestCreateSerializer,
        responses={201: PortalRequestDetailSerializer, 400: ERROR_400, 403: ERROR_403},
    ),
)
@extend_schema(tags=[PORTAL_TAG])
class PortalRequestViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, PortalViewSet
):
    """Information requests of the subscriber: the cases of their customer, as the
    portal's requests pages show them (``cases.selectors``); new ones and replies go
    through ``cases.services``."""

    queryset = Case.objects.none()
    serializer_class = PortalRequestSerializer

    def customer_queryset(self, customer):
        replies = CaseReply.objects.order_by("created_at", "id")
        return requests_of_customer(customer=customer).prefetch_related(
            Prefetch("replies", queryset=replies)
        )

    def get_serializer_class(self):
        return {
            "retrieve": PortalRequestDetailSerializer,
            "create": PortalRequestCreateSerializer,
            "reply": PortalReplyCreateSerializer,
        }.get(self.action, self.serializer_class)

    def create(self, request, *args, **kwargs):
        serializer = PortalRequestCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        case = case_create(
            customer=self.customer,
            kind=data["category"],
            channel=CaseChannel.PORTAL,
            subject=data["subject"],
            description=data["text"],
            actor=request.user,
        )
        case = self.customer_object(self.customer, case.pk)
        answer = PortalRequestDetailSerializer(case, context=self.get_serializer_context())
        return Response(answer.data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Reply on one of the subscriber's requests",
        description="Adds the subscriber's message; a request waiting for the customer "
        "is open again.",
        request=PortalReplyCreateSerializer,
        responses={
            201: PortalRequestReplySerializer,
            400: ERROR_400,
            403: ERROR_403,
            404: ERROR_404_OWN,
            409: ERROR_409,
        },
    )
    @action(detail=True, methods=["post"], pagination_class=None)
    def reply(self, request, pk=None):
        case = self.get_object()
        serializer = PortalReplyCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reply = case_reply(
            case=case,
            text=serializer.validated_data["text"],
            actor=request.user,
            from_customer=True,
        )
        return Response(PortalRequestReplySerializer(reply).data, status=status.HTTP_201_CREATED)
