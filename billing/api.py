"""API of billing (BIL-1..4, SUB-9): invoices with their explained lines and PDF,
payments (idempotent), billing runs and their steps, credit notes with four-eyes
approval, and voucher redemption.

Reads are scoped to the caller: a dealer's user sees only its customers' invoices,
payments and credit notes, another's is a 404 (and so is a payment or credit note
for another's billing account). Every write is one service of ``billing.services``.
The access matrix decides who may call each URL; a write also needs the action's
rule in ``write_rules`` (list and create share a URL).

Errors are JSON (``alux_crm.core.api_errors``): 400 with the messages of each field,
403, 404, 409 for a step the state does not allow (``invalid_transition``) or another
refused action (``conflict``), 422 for an ``Idempotency-Key`` reused with another
body and for a voucher that cannot be redeemed, 429 when voucher attempts come too
fast.
"""

import io
import re
from decimal import Decimal

import django_filters
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from alux_crm.core.access import (
    BILLING_RUN_APPROVERS,
    BILLING_RUN_OPERATORS,
    CREDIT_NOTE_EDITORS,
    PAYMENT_RECORDERS,
    PAYMENT_REVERSERS,
)
from alux_crm.core.api_permissions import AccessMatrixPermission
from alux_crm.core.errors import DomainError
from alux_crm.core.money import ZERO
from alux_crm.core.selectors import is_partner_user
from customers import selectors as customer_selectors
from customers.api import ERROR_400, ERROR_403, ERROR_404, ApiPagination, WriteRulePermission
from customers.serializers import ErrorSerializer
from subscriptions import selectors as subscription_selectors

from . import choices, selectors, services
from .models import (
    BillingRun,
    Invoice,
    InvoiceLine,
    ManualTransaction,
    Payment,
    PaymentAllocation,
)
from .serializers import (
    BillingReasonSerializer,
    BillingRunCreateSerializer,
    BillingRunDetailSerializer,
    BillingRunSerializer,
    CreditNoteRequestSerializer,
    CreditNoteSerializer,
    InvoiceDetailSerializer,
    InvoiceSerializer,
    PaymentDetailSerializer,
    PaymentReceiptSerializer,
    PaymentRequestSerializer,
    PaymentSerializer,
    VoucherRedeemedSerializer,
    VoucherRedeemRequestSerializer,
)
from .services.documents import invoice_pdf_content
from .services.vouchers import voucher_redeem

IDEMPOTENCY_HEADER = "Idempotency-Key"
# A client's key: 1..100 visible ASCII characters (a UUID is the usual choice). It is
# stored as ``api:<key>`` so it never meets the keys of the pages, the portal or the
# payment runs.
IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,100}$")
IDEMPOTENCY_PREFIX = "api:"

ERROR_409 = OpenApiResponse(
    ErrorSerializer,
    description="The state does not allow it (``invalid_transition``), or another rule "
    "refused it (``conflict``, e.g. approving one's own request).",
)
ERROR_422_IDEMPOTENCY = OpenApiResponse(
    ErrorSerializer,
    description="The ``Idempotency-Key`` was used for a different request "
    "(``idempotency_conflict``); nothing was recorded.",
)
ERROR_422_VOUCHER = OpenApiResponse(
    ErrorSerializer,
    description="The voucher cannot be redeemed (``voucher_refused``: the message does "
    "not say whether the code exists), or the subscription is not prepaid "
    "(``not_prepaid``).",
)
ERROR_429 = OpenApiResponse(ErrorSerializer, description="Too many attempts: wait and retry.")

_integer = extend_schema_field(OpenApiTypes.INT)


# --- what the caller may see -------------------------------------------------------------
# Scoped like ``billing.selectors.invoice_list``: a partner's user sees its customers'
# records only. (Candidates for ``billing/selectors.py``.)
def _partner_scoped(queryset: QuerySet, user) -> QuerySet:
    if is_partner_user(user):
        if not user.partner_id:
            return queryset.none()
        return queryset.filter(billing_account__customer__partner_id=user.partner_id)
    return queryset


def payment_list(*, user) -> QuerySet[Payment]:
    """Payments the user may see (a partner: its customers' only), newest first."""
    queryset = Payment.objects.select_related("billing_account__customer", "recorded_by")
    return _partner_scoped(queryset, user)


def credit_note_list(*, user) -> QuerySet[ManualTransaction]:
    """Credit notes the user may see (a partner: its customers' only), newest first."""
    queryset = (
        ManualTransaction.objects.filter(kind=choices.TransactionKind.CREDIT_NOTE)
        .select_related("billing_account__customer", "invoice", "requested_by", "approved_by")
        .prefetch_related(Prefetch("invoice_lines", queryset=InvoiceLine.objects.order_by("pk")))
    )
    return _partner_scoped(queryset, user)


def invoice_open_amounts(invoices: list[Invoice]) -> dict[int, Decimal]:
    """What is left to pay on each posted invoice of a page, in one query (the rule of
    ``billing.selectors.with_open_amount``; never below 0)."""
    ids = [i.pk for i in invoices if i.status == choices.InvoiceStatus.POSTED]
    if not ids:
        return {}
    rows = selectors.with_open_amount(Invoice.objects.filter(pk__in=ids)).values_list(
        "pk", "open_amount"
    )
    return {pk: max(amount, ZERO) for pk, amount in rows}


# --- filters -------------------------------------------------------------------------------
class InvoiceApiFilter(django_filters.FilterSet):
    """Filters of ``GET /api/v1/invoices/``."""

    billing_account = _integer(
        django_filters.NumberFilter(
            field_name="billing_account_id", help_text=_("Billing account id.")
        )
    )
    customer = _integer(
        django_filters.NumberFilter(
            field_name="billing_account__customer_id", help_text=_("Customer id.")
        )
    )
    status = django_filters.ChoiceFilter(choices=choices.InvoiceStatus.choices)
    run = _integer(django_filters.NumberFilter(field_name="run_id", help_text=_("Billing run id.")))
    disputed = django_filters.BooleanFilter()
    period = django_filters.DateFilter(
        field_name="period_start", help_text=_("The invoices of the period starting this day.")
    )
    period_from = django_filters.DateFilter(
        field_name="period_start",
        lookup_expr="gte",
        help_text=_("Periods starting on or after this day."),
    )
    period_to = django_filters.DateFilter(
        field_name="period_start",
        lookup_expr="lte",
        help_text=_("Periods starting on or before this day."),
    )

    class Meta:
        model = Invoice
        fields = []


class PaymentApiFilter(django_filters.FilterSet):
    """Filters of ``GET /api/v1/payments/``."""

    billing_account = _integer(
        django_filters.NumberFilter(
            field_name="billing_account_id", help_text=_("Billing account id.")
        )
    )
    method = django_filters.ChoiceFilter(choices=choices.PaymentMethod.choices)
    status = django_filters.ChoiceFilter(choices=choices.PaymentStatus.choices)
    received_from = django_filters.DateFilter(
        field_name="received_on", lookup_expr="gte", help_text=_("Received on or after.")
    )
    received_to = django_filters.DateFilter(
        field_name="received_on", lookup_expr="lte", help_text=_("Received on or before.")
    )

    class Meta:
        model = Payment
        fields = []


class BillingRunApiFilter(django_filters.FilterSet):
    """Filters of ``GET /api/v1/billing-runs/``."""

    status = django_filters.ChoiceFilter(choices=choices.RunStatus.choices)
    bill_cycle_day = django_filters.NumberFilter()

    class Meta:
        model = BillingRun
        fields = []


class CreditNoteApiFilter(django_filters.FilterSet):
    """Filters of ``GET /api/v1/credit-notes/``."""

    billing_account = _integer(
        django_filters.NumberFilter(
            field_name="billing_account_id", help_text=_("Billing account id.")
        )
    )
    invoice = _integer(
        django_filters.NumberFilter(field_name="invoice_id", help_text=_("Invoice id."))
    )
    status = django_filters.ChoiceFilter(choices=choices.TransactionStatus.choices)

    class Meta:
        model = ManualTransaction
        fields = []


class FirstRendererNegotiation(DefaultContentNegotiation):
    """The PDF download answers a file whatever the client accepts; its errors are
    JSON (``Accept: application/pdf`` must not turn a 404 into a 406)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


# --- invoices ------------------------------------------------------------------------------
@extend_schema_view(
    list=extend_schema(
        summary="List invoices",
        description="Invoices the caller may see (a retailer: its customers'), newest "
        "period first, paginated, with what is left to pay on each posted one.",
    ),
    retrieve=extend_schema(
        summary="Get an invoice",
        description="With every line, how it was computed (``explanation``) and its "
        "discounts, what is left to pay and whether it is disputed.",
        responses={200: InvoiceDetailSerializer, 404: ERROR_404},
    ),
)
class InvoiceViewSet(viewsets.ReadOnlyModelViewSet):
    """Invoices: drafted by billing runs, posted (numbered, on the ledger) when the
    run is approved, then never changed (corrections are credit notes)."""

    queryset = Invoice.objects.none()  # for the schema; get_queryset scopes per caller
    serializer_class = InvoiceSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = InvoiceApiFilter
    pagination_class = ApiPagination
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Invoice.objects.none()
        return selectors.invoice_list(user=self.request.user)

    def get_serializer_class(self):
        return InvoiceSerializer if self.action == "list" else InvoiceDetailSerializer

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        context = {**self.get_serializer_context(), "open_amounts": invoice_open_amounts(page)}
        return self.get_paginated_response(InvoiceSerializer(page, many=True, context=context).data)

    def retrieve(self, request, *args, **kwargs):
        invoice = selectors.invoice_get(user=request.user, pk=kwargs["pk"])
        context = {**self.get_serializer_context(), "open_amounts": invoice_open_amounts([invoice])}
        return Response(InvoiceDetailSerializer(invoice, context=context).data)

    @extend_schema(
        summary="Download an invoice's PDF",
        description="The PDF sent to the customer (rendered now if the background "
        "rendering has not run yet). A draft invoice has no PDF yet: 409 (``draft``); "
        "it gets its number and its document when its run is approved.",
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            404: ERROR_404,
            409: ERROR_409,
        },
    )
    @action(
        detail=True,
        methods=["get"],
        filter_backends=[],
        pagination_class=None,
        content_negotiation_class=FirstRendererNegotiation,
    )
    def pdf(self, request, pk=None):
        invoice = get_object_or_404(self.get_queryset(), pk=pk)
        content = invoice_pdf_content(invoice=invoice)
        return FileResponse(
            io.BytesIO(content), content_type="application/pdf", filename=f"{invoice.number}.pdf"
        )


# --- payments ------------------------------------------------------------------------------
def _idempotency_key(request) -> str:
    key = request.headers.get(IDEMPOTENCY_HEADER, "")
    if not IDEMPOTENCY_KEY.match(key):
        raise exceptions.ValidationError(
            {
                IDEMPOTENCY_HEADER: [
                    _t(
                        "Send an Idempotency-Key header (1 to 100 visible characters, "
                        "e.g. a UUID) with every payment."
                    )
                ]
            }
        )
    return IDEMPOTENCY_PREFIX + key


@extend_schema_view(
    list=extend_schema(
        summary="List payments",
        description="Payments the caller may see (a retailer: its customers'), newest first.",
    ),
    retrieve=extend_schema(
        summary="Get a payment",
        description="With the invoices it settles (oldest first) and what is left as credit.",
        responses={200: PaymentDetailSerializer, 404: ERROR_404},
    ),
    create=extend_schema(
        summary="Record a payment",
        description="Billing & Finance, Customer Service, Back Office. For a billing "
        "account the caller may see (else 404). The payment settles the account's "
        "oldest open invoices; the rest stays as credit. **Idempotent**: the "
        "``Idempotency-Key`` header is required (400 without). A retry with the same "
        "key and the same body records nothing and is answered exactly as the first "
        "time (201, the same body, header ``Idempotent-Replayed: true``), also when "
        "retries race; the same key with another body is a 422. The answer holds what "
        "never changes about the payment; its status and allocations are on its page.",
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=True,
                description="A unique key per payment (e.g. a UUID), 1-100 characters.",
            )
        ],
        request=PaymentRequestSerializer,
        responses={
            201: PaymentReceiptSerializer,
            400: ERROR_400,
            403: ERROR_403,
            404: ERROR_404,
            422: ERROR_422_IDEMPOTENCY,
        },
    ),
)
class PaymentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Payments. Never edited or deleted: a payment taken back is reversed (a new
    ledger entry), and the invoices it settled are open again."""

    queryset = Payment.objects.none()
    serializer_class = PaymentSerializer
    permission_classes = [AccessMatrixPermission, WriteRulePermission]
    filter_backends = [DjangoFilterBackend]
    filterset_class = PaymentApiFilter
    pagination_class = ApiPagination
    lookup_value_regex = r"\d+"
    write_rules = {"create": PAYMENT_RECORDERS, "reverse": PAYMENT_REVERSERS}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Payment.objects.none()
        return payment_list(user=self.request.user)

    def get_serializer_class(self):
        if self.action == "create":
            return PaymentRequestSerializer
        return PaymentSerializer if self.action == "list" else PaymentDetailSerializer

    def _detail(self, pk) -> Response:
        allocations = PaymentAllocation.objects.select_related("invoice").order_by("pk")
        payment = get_object_or_404(
            self.get_queryset().prefetch_related(Prefetch("allocations", queryset=allocations)),
            pk=pk,
        )
        context = {**self.get_serializer_context(), "unallocated": services.unallocated(payment)}
        return Response(PaymentDetailSerializer(payment, context=context).data)

    def retrieve(self, request, *args, **kwargs):
        return self._detail(kwargs["pk"])

    def create(self, request, *args, **kwargs):
        key = _idempotency_key(request)
        serializer = PaymentRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        visible = customer_selectors.billing_account_list(user=request.user)
        account = get_object_or_404(visible, pk=data["billing_account"])
        try:
            payment, created = services.payment_record(
                account=account,
                amount=data["amount"],
                method=data["method"],
                idempotency_key=key,
                received_on=data["received_on"],
                reference=data["reference"],
                actor=request.user,
                request_fingerprint=services.fingerprint(serializer.fingerprint_data()),
            )
        except services.IdempotencyConflict as exc:
            return Response(
                {"error": exc.code, "detail": str(exc)},
                status=status.HTTP_422_UNPROCESSABLE_ENTITY,
            )
        location = reverse("api:payment-detail", args=[payment.pk])
        headers = {"Location": request.build_absolute_uri(location)}
        if not created:
            headers["Idempotent-Replayed"] = "true"
        return Response(
            PaymentReceiptSerializer(payment).data, status=status.HTTP_201_CREATED, headers=headers
        )

    @extend_schema(
        summary="Reverse a payment",
        description="Billing & Finance: a bounced transfer, a charge-back. A new ledger "
        "entry takes the payment back and the invoices it settled are open again. "
        "Already reversed: 409.",
        request=BillingReasonSerializer,
        responses={
            200: PaymentDetailSerializer,
            400: ERROR_400,
            403: ERROR_403,
            404: ERROR_404,
            409: ERROR_409,
        },
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def reverse(self, request, pk=None):
        payment = self.get_object()
        serializer = BillingReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.payment_reverse(
            payment=payment, reason=serializer.validated_data["reason"], actor=request.user
        )
        return self._detail(payment.pk)


# --- billing runs ----------------------------------------------------------------------------
RUN_STEP_RESPONSES = {
    200: BillingRunDetailSerializer,
    403: ERROR_403,
    404: ERROR_404,
    409: ERROR_409,
}


@extend_schema_view(
    list=extend_schema(
        summary="List billing runs",
        description="Newest period first, with their counters and progress.",
    ),
    retrieve=extend_schema(
        summary="Get a billing run",
        description="Its status, counters, progress, invoices and the accounts it could "
        "not bill (a failed run is resumed to retry them).",
        responses={200: BillingRunDetailSerializer, 404: ERROR_404},
    ),
    create=extend_schema(
        summary="Schedule a billing run",
        description="Back Office. The run of a bill cycle (1-28) for the month starting "
        "``period_start``, which falls on the cycle day; a cycle and period run once "
        "(a second run, or a period not starting on the cycle day: 409).",
        request=BillingRunCreateSerializer,
        responses={
            201: BillingRunDetailSerializer,
            400: ERROR_400,
            403: ERROR_403,
            409: ERROR_409,
        },
    ),
)
class BillingRunViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Billing runs: scheduled → running → draft ready → approved → posting → posted
    (or failed and resumed; or discarded, leaving nothing behind)."""

    queryset = BillingRun.objects.none()
    serializer_class = BillingRunSerializer
    permission_classes = [AccessMatrixPermission, WriteRulePermission]
    filter_backends = [DjangoFilterBackend]
    filterset_class = BillingRunApiFilter
    pagination_class = ApiPagination
    lookup_value_regex = r"\d+"
    write_rules = {
        "create": BILLING_RUN_OPERATORS,
        "start": BILLING_RUN_OPERATORS,
        "resume": BILLING_RUN_OPERATORS,
        "approve": BILLING_RUN_APPROVERS,
        "discard": BILLING_RUN_APPROVERS,
    }

    def get_queryset(self):
        return selectors.run_list().select_related("created_by", "approved_by")

    def get_serializer_class(self):
        if self.action == "create":
            return BillingRunCreateSerializer
        return BillingRunSerializer if self.action == "list" else BillingRunDetailSerializer

    def _detail(self, pk, status_code=status.HTTP_200_OK, headers=None) -> Response:
        run = get_object_or_404(self.get_queryset(), pk=pk)
        context = {
            **self.get_serializer_context(),
            "progress": services.billing_run_progress(run=run),
            "errors": selectors.run_errors(run=run),
        }
        data = BillingRunDetailSerializer(run, context=context).data
        return Response(data, status=status_code, headers=headers)

    def retrieve(self, request, *args, **kwargs):
        return self._detail(kwargs["pk"])

    def create(self, request, *args, **kwargs):
        serializer = BillingRunCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        run = services.billing_run_create(actor=request.user, **serializer.validated_data)
        location = request.build_absolute_uri(reverse("api:billing-run-detail", args=[run.pk]))
        return self._detail(run.pk, status.HTTP_201_CREATED, {"Location": location})

    def _step(self, service) -> Response:
        run = self.get_object()
        service(run=run, actor=self.request.user)
        return self._detail(run.pk)

    @extend_schema(
        summary="Start a scheduled run",
        description="Back Office. The run's accounts are split into chunks worked by "
        "the workers; the run answers ``running`` and becomes ``draft_ready`` (or "
        "``failed``) when every chunk is done. Not scheduled: 409.",
        request=None,
        responses=RUN_STEP_RESPONSES,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def start(self, request, pk=None):
        return self._step(services.billing_run_start)

    @extend_schema(
        summary="Resume a run",
        description="Back Office. A run whose worker died goes on with the chunks not "
        "done; a failed run retries the accounts it could not bill. What was billed "
        "stays billed. Neither running nor failed: 409.",
        request=None,
        responses=RUN_STEP_RESPONSES,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def resume(self, request, pk=None):
        return self._step(services.billing_run_resume)

    @extend_schema(
        summary="Approve a reviewed draft run",
        description="Billing & Finance. The drafts are posted in the background: a "
        "gapless number and a ledger entry each, then their PDFs. Not a draft ready "
        "for review: 409.",
        request=None,
        responses=RUN_STEP_RESPONSES,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def approve(self, request, pk=None):
        return self._step(services.billing_run_approve)

    @extend_schema(
        summary="Discard a run",
        description="Billing & Finance. A scheduled, failed or draft run is thrown away "
        "with its draft invoices; the cycle and period can be run again. Otherwise 409.",
        request=None,
        responses=RUN_STEP_RESPONSES,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def discard(self, request, pk=None):
        return self._step(services.billing_run_discard)


# --- credit notes ----------------------------------------------------------------------------
CREDIT_NOTE_STEP_RESPONSES = {
    200: CreditNoteSerializer,
    403: ERROR_403,
    404: ERROR_404,
    409: ERROR_409,
}


@extend_schema_view(
    list=extend_schema(
        summary="List credit notes",
        description="Credit notes the caller may see (a retailer: its customers'), newest first.",
    ),
    retrieve=extend_schema(
        summary="Get a credit note", responses={200: CreditNoteSerializer, 404: ERROR_404}
    ),
    create=extend_schema(
        summary="Issue a credit note",
        description="Billing & Finance. For a billing account, or for a posted invoice "
        "(at most what is open on it; the lines it is for may be named). Up to the "
        "approval amount it is posted at once, numbered ``CN-...`` and booked; above "
        "it, it waits for another person's approval (``pending``).",
        request=CreditNoteRequestSerializer,
        responses={
            201: CreditNoteSerializer,
            400: ERROR_400,
            403: ERROR_403,
            404: ERROR_404,
        },
    ),
)
class CreditNoteViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Credit notes (manual transactions of kind ``credit_note``). Never edited: a
    posted one is on the ledger; a pending one is approved or rejected."""

    queryset = ManualTransaction.objects.none()
    serializer_class = CreditNoteSerializer
    permission_classes = [AccessMatrixPermission, WriteRulePermission]
    filter_backends = [DjangoFilterBackend]
    filterset_class = CreditNoteApiFilter
    pagination_class = ApiPagination
    lookup_value_regex = r"\d+"
    write_rules = {
        "create": CREDIT_NOTE_EDITORS,
        "approve": CREDIT_NOTE_EDITORS,
        "reject": CREDIT_NOTE_EDITORS,
    }

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ManualTransaction.objects.none()
        return credit_note_list(user=self.request.user)

    def get_serializer_class(self):
        return CreditNoteRequestSerializer if self.action == "create" else CreditNoteSerializer

    def _detail(self, pk, status_code=status.HTTP_200_OK, headers=None) -> Response:
        row = get_object_or_404(self.get_queryset(), pk=pk)
        data = CreditNoteSerializer(row, context=self.get_serializer_context()).data
        return Response(data, status=status_code, headers=headers)

    def retrieve(self, request, *args, **kwargs):
        return self._detail(kwargs["pk"])

    def create(self, request, *args, **kwargs):
        serializer = CreditNoteRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        invoice = None
        if data["invoice"] is not None:
            invoice = get_object_or_404(
                selectors.invoice_list(user=request.user), pk=data["invoice"]
            )
        if data["billing_account"] is not None:
            visible = customer_selectors.billing_account_list(user=request.user)
            account = get_object_or_404(visible, pk=data["billing_account"])
        else:
            account = invoice.billing_account
        lines = []
        if data["lines"]:
            found = {line.pk: line for line in invoice.lines.filter(pk__in=data["lines"])}
            unknown = [str(pk) for pk in data["lines"] if pk not in found]
            if unknown:
                raise exceptions.ValidationError(
                    {
                        "lines": [
                            _t("Not lines of invoice %(invoice)s: %(ids)s.")
                            % {"invoice": invoice, "ids": ", ".join(unknown)}
                        ]
                    }
                )
            lines = list(found.values())
        row = services.transaction_request(
            account=account,
            kind=choices.TransactionKind.CREDIT_NOTE,
            amount=data["amount"],
            reason=data["reason"],
            actor=request.user,
            invoice=invoice,
            lines=lines,
        )
        location = request.build_absolute_uri(reverse("api:credit-note-detail", args=[row.pk]))
        return self._detail(row.pk, status.HTTP_201_CREATED, {"Location": location})

    @extend_schema(
        summary="Approve a credit note",
        description="Billing & Finance, four eyes: not by its requester (409). It is "
        "numbered and booked; more than is open on its invoice now: 409.",
        request=None,
        responses=CREDIT_NOTE_STEP_RESPONSES,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def approve(self, request, pk=None):
        row = self.get_object()
        services.transaction_approve(row=row, actor=request.user)
        return self._detail(row.pk)

    @extend_schema(
        summary="Reject a credit note",
        description="Billing & Finance, with the reason; nothing is booked. Already decided: 409.",
        request=BillingReasonSerializer,
        responses={**CREDIT_NOTE_STEP_RESPONSES, 400: ERROR_400},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def reject(self, request, pk=None):
        row = self.get_object()
        serializer = BillingReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.transaction_reject(
            row=row, actor=request.user, reason=serializer.validated_data["reason"]
        )
        return self._detail(row.pk)


# --- vouchers ------------------------------------------------------------------------------
class VoucherRedeemThrottle(ScopedRateThrottle):
    """Attempts to redeem a voucher per user (``DEFAULT_THROTTLE_RATES["voucher-redeem"]``):
    guessing codes is hopeless (80 bits), and this keeps it so."""


class VoucherRedeemView(APIView):
    """Top up a prepaid subscription with a voucher's code (SUB-9)."""

    throttle_classes = [VoucherRedeemThrottle]
    throttle_scope = "voucher-redeem"

    def get_throttles(self):
        # Only attempts count (a GET is a 405 and tries no code).
        return super().get_throttles() if self.request.method == "POST" else []

    @extend_schema(
        summary="Redeem a voucher",
        description="Tops up the prepaid balance of a subscription the caller may see "
        "(another dealer's: 404) by the voucher's value, once. A code that cannot be "
        "redeemed (unknown, used, expired, void, not valid yet, another currency) is a "
        "422 with one message for all, so the answer never tells whether a code exists. "
        "Attempts are limited per user (429).",
        request=VoucherRedeemRequestSerializer,
        responses={
            200: VoucherRedeemedSerializer,
            400: ERROR_400,
            403: ERROR_403,
            404: ERROR_404,
            422: ERROR_422_VOUCHER,
            429: ERROR_429,
        },
    )
    def post(self, request):
        serializer = VoucherRedeemRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        visible = subscription_selectors.subscription_list(user=request.user)
        subscription = get_object_or_404(visible, pk=data["subscription"])
        try:
            voucher = voucher_redeem(
                code=data["code"], subscription=subscription, actor=request.user
            )
        except DomainError as exc:
            if not subscription.is_prepaid:  # about the subscription, not the code
                body = {"error": "not_prepaid", "detail": str(exc)}
            else:
                body = {
                    "error": "voucher_refused",
                    "detail": _t("This voucher cannot be redeemed. Check the code and retry."),
                }
            return Response(body, status=status.HTTP_422_UNPROCESSABLE_ENTITY)
        subscription.refresh_from_db(fields=["prepaid_balance"])
        answer = {
            "serial": voucher.serial,
            "value": voucher.batch.value,
            "currency": voucher.batch.currency,
            "subscription": subscription.pk,
            "prepaid_balance": subscription.prepaid_balance,
        }
        return Response(VoucherRedeemedSerializer(answer).data)
