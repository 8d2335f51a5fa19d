"""API of the catalogue (PRD-1..6): products, price plans, promotions and quotes.

The catalogue is the same for every staff member and partner (retailers sell from
it); the access matrix decides who may call each URL, and a write also needs the
action's rule in ``write_rules`` (Sales and Back Office keep products and prices,
Marketing approves promotions). Writes go through ``products.services``; a quote is
``products.pricing.price_basket``, the one pricing service of the system.

Errors are JSON (``alux_crm.core.api_errors``): 400 with the messages of each field,
403, 404, and 409 for a refused transition (e.g. approving one's own promotion).
"""

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.urls import reverse
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
from rest_framework.response import Response
from rest_framework.views import APIView

from alux_crm.core.access import PRICE_EDITORS
from alux_crm.core.api_permissions import AccessMatrixPermission
from alux_crm.core.selectors import operator_settings
from customers import selectors as customer_selectors
from customers.api import ERROR_400, ERROR_403, ERROR_404, ApiPagination, WriteRulePermission
from customers.serializers import ErrorSerializer

from . import choices, selectors, services
from .eligibility import Buyer
from .models import PlanPrice, PricePlan, Product, Promotion
from .offers import needs_pricing_approval
from .pricing import BasketItem, price_basket
from .serializers import (
    PlanPriceScheduleSerializer,
    PlanPriceSerializer,
    PricePlanSerializer,
    ProductSerializer,
    ProductWriteSerializer,
    PromotionSerializer,
    QuoteRequestSerializer,
    QuoteSerializer,
)

ERROR_409 = OpenApiResponse(
    ErrorSerializer, description="The state does not allow it (e.g. approving one's own design)."
)

_integer = extend_schema_field(OpenApiTypes.INT)


# --- filters -------------------------------------------------------------------------------
class ProductFilter(django_filters.FilterSet):
    """Filters of ``GET /api/v1/products/``."""

    q = django_filters.CharFilter(
        method="search", max_length=100, help_text=_("Code or name (English or Romanian).")
    )
    kind = django_filters.ChoiceFilter(choices=choices.ProductKind.choices)
    category = django_filters.ChoiceFilter(choices=choices.ProductCategory.choices)
    on_sale = django_filters.BooleanFilter(field_name="is_active")

    class Meta:
        model = Product
        fields = []

    def search(self, queryset, name, value):
        text = " ".join(value.split())
        if not text:
            return queryset
        # A few hundred rows: no index needed; icontains escapes the wildcards.
        return queryset.filter(
            Q(code__icontains=text) | Q(name_en__icontains=text) | Q(name_ro__icontains=text)
        )


class PricePlanFilter(django_filters.FilterSet):
    """Filters of ``GET /api/v1/price-plans/``."""

    product = _integer(
        django_filters.NumberFilter(field_name="product_id", help_text=_("Product id."))
    )
    currency = django_filters.CharFilter(
        method="priced_in", max_length=3, help_text=_("Plans with a price in this currency.")
    )

    class Meta:
        model = PricePlan
        fields = []

    def priced_in(self, queryset, name, value):
        plans = PlanPrice.objects.filter(currency=value.upper()).values("plan_id")
        return queryset.filter(pk__in=plans)


class PromotionFilter(django_filters.FilterSet):
    """Filters of ``GET /api/v1/promotions/``."""

    status = django_filters.ChoiceFilter(choices=choices.PromotionStatus.choices)

    class Meta:
        model = Promotion
        fields = []


# --- products ----------------------------------------------------------------------------
@extend_schema_view(
    list=extend_schema(
        summary="List products",
        description="The catalogue in catalogue order, with channels, bundle components, "
        "rules and each price plan's price valid today per currency.",
    ),
    retrieve=extend_schema(
        summary="Get a product", responses={200: ProductSerializer, 404: ERROR_404}
    ),
    create=extend_schema(
        summary="Add a product",
        description="Sales and Back Office. Kind and category must agree; pay-per-view "
        "events need their air time, movies their rental window. Prices are scheduled "
        "on the product's price plans.",
        request=ProductWriteSerializer,
        responses={201: ProductSerializer, 400: ERROR_400, 403: ERROR_403},
    ),
    update=extend_schema(
        summary="Change a product",
        request=ProductWriteSerializer,
        responses={200: ProductSerializer, 400: ERROR_400, 403: ERROR_403, 404: ERROR_404},
    ),
    partial_update=extend_schema(
        summary="Change some fields of a product",
        request=ProductWriteSerializer,
        responses={200: ProductSerializer, 400: ERROR_400, 403: ERROR_403, 404: ERROR_404},
    ),
)
class ProductViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Products of the catalogue. No delete: a product is taken off sale
    (``is_active: false``), its history and the subscriptions to it stay."""

    queryset = Product.objects.none()  # for the schema; get_queryset loads the rest
    serializer_class = ProductSerializer
    permission_classes = [AccessMatrixPermission, WriteRulePermission]
    filter_backends = [DjangoFilterBackend]
    filterset_class = ProductFilter
    pagination_class = ApiPagination
    write_rules = {
        "create": PRICE_EDITORS,
        "update": PRICE_EDITORS,
        "partial_update": PRICE_EDITORS,
    }

    def get_queryset(self):
        return selectors.product_detail_queryset()

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return ProductWriteSerializer
        return ProductSerializer

    def _answer(self, product: Product, status_code: int, headers=None) -> Response:
        fresh = selectors.product_detail_queryset().get(pk=product.pk)
        data = ProductSerializer(fresh, context=self.get_serializer_context()).data
        return Response(data, status=status_code, headers=headers)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        product = serializer.save()
        location = request.build_absolute_uri(reverse("api:product-detail", args=[product.pk]))
        return self._answer(product, status.HTTP_201_CREATED, {"Location": location})

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return self._answer(serializer.save(), status.HTTP_200_OK)


# --- price plans -------------------------------------------------------------------------
@extend_schema_view(
    list=extend_schema(
        summary="List price plans",
        description="Every plan with all its prices: past, current (``is_current``) and "
        "scheduled (``is_scheduled``).",
    ),
    retrieve=extend_schema(
        summary="Get a price plan", responses={200: PricePlanSerializer, 404: ERROR_404}
    ),
)
class PricePlanViewSet(viewsets.ReadOnlyModelViewSet):
    """How products are charged, with their effective-dated prices."""

    queryset = PricePlan.objects.none()
    serializer_class = PricePlanSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = PricePlanFilter
    pagination_class = ApiPagination

    def get_queryset(self):
        return selectors.price_plan_list()

    @extend_schema(
        summary="Schedule a new price",
        description="Sales and Back Office. The plan's price in ``currency`` from "
        "``valid_from`` (today or later); the price valid then ends that day and a price "
        "scheduled later bounds the new one. The past is never rewritten; a negative "
        "amount or a second price starting the same day is refused (400).",
        request=PlanPriceScheduleSerializer,
        responses={201: PlanPriceSerializer, 400: ERROR_400, 403: ERROR_403, 404: ERROR_404},
    )
    @action(detail=True, methods=["post"], url_path="prices", filter_backends=[])
    def prices(self, request, pk=None):
        plan = self.get_object()
        serializer = PlanPriceScheduleSerializer(
            data=request.data, context={**self.get_serializer_context(), "plan": plan}
        )
        serializer.is_valid(raise_exception=True)
        price = serializer.save()
        data = PlanPriceSerializer(price, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)


# --- promotions --------------------------------------------------------------------------
@extend_schema_view(
    list=extend_schema(
        summary="List promotions",
        description="Highest priority first. Partners do not see drafts.",
    ),
    retrieve=extend_schema(
        summary="Get a promotion", responses={200: PromotionSerializer, 404: ERROR_404}
    ),
)
class PromotionViewSet(viewsets.ReadOnlyModelViewSet):
    """Promotions designed and approved by Marketing."""

    queryset = Promotion.objects.none()
    serializer_class = PromotionSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = PromotionFilter
    pagination_class = ApiPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Promotion.objects.none()
        return selectors.promotion_list_for(user=self.request.user)

    @extend_schema(
        summary="Approve a promotion",
        description="Marketing; four eyes: not by its designer (409). It goes on sale at "
        "once when its window has started, else on its first day.",
        request=None,
        responses={200: PromotionSerializer, 403: ERROR_403, 404: ERROR_404, 409: ERROR_409},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def approve(self, request, pk=None):
        promotion = services.promotion_approve(promotion=self.get_object(), actor=request.user)
        fresh = selectors.promotion_list().get(pk=promotion.pk)
        return Response(PromotionSerializer(fresh, context=self.get_serializer_context()).data)


# --- quotes ------------------------------------------------------------------------------
class QuotePriceView(APIView):
    """Price a basket with the one pricing service (the offer simulator, dealers'
    shops and the website use it)."""

    @extend_schema(
        summary="Price a basket",
        description="For a customer the caller may see (another dealer's customer: 404), "
        "or for a new customer of a segment. Answers month 1's lines with their "
        "discounts and VAT, the totals, every month of the term, the promotions that did "
        "not apply and why the quote would need Pricing approval. A basket the catalogue "
        "refuses (a missing prerequisite, a product not on sale, no price) is a 400 on "
        "``items`` listing every problem.",
        request=QuoteRequestSerializer,
        responses={200: QuoteSerializer, 400: ERROR_400, 403: ERROR_403, 404: ERROR_404},
    )
    def post(self, request):
        serializer = QuoteRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        customer, buyer = None, None
        if data.get("customer") is not None:
            visible = customer_selectors.customer_list(user=request.user)
            customer = get_object_or_404(visible, pk=data["customer"])
        else:
            buyer = Buyer.of_segment(
                data["segment"],
                category=data["category"],
                tier=data["tier"],
                country=operator_settings().country,
            )
        items = [BasketItem(**item) for item in data["items"]]
        try:
            quote = price_basket(
                items=items,
                customer=customer,
                buyer=buyer,
                on_date=data.get("on_date"),
                channel=data["channel"],
                term_months=data.get("term_months"),
                currency=data.get("currency"),
            )
        except DjangoValidationError as exc:
            raise DjangoValidationError({"items": exc.messages}) from exc
        context = {"request": request, "approval_reasons": needs_pricing_approval(quote)}
        return Response(QuoteSerializer(quote, context=context).data)
