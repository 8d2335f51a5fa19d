"""Reads of the catalogue. The catalogue is the same for every staff member and
partner (retailers sell from it); prices and promotions are read through here."""

from datetime import date

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from . import choices
from .models import (
    CompetitorOffer,
    PlanPrice,
    PricePlan,
    Product,
    Promotion,
    StandardOffer,
    TaxRate,
)


def product_list(*, on_sale_only: bool = False) -> QuerySet[Product]:
    """Products with their tax class, newest catalogue order first."""
    queryset = Product.objects.select_related("tax_class")
    if on_sale_only:
        queryset = queryset.filter(is_active=True)
    return queryset


def product_detail_queryset() -> QuerySet[Product]:
    """Products with everything their detail page shows, in a fixed number of queries."""
    return Product.objects.select_related("tax_class").prefetch_related(
        "channels",
        "components__component",
        "rules__target_product",
        Prefetch(
            "price_plans",
            queryset=PricePlan.objects.prefetch_related(
                Prefetch("prices", queryset=PlanPrice.objects.order_by("currency", "-valid_from"))
            ),
        ),
    )


def price_plan_list() -> QuerySet[PricePlan]:
    """Price plans with their product and every price (current, past and scheduled)."""
    return PricePlan.objects.select_related("product").prefetch_related(
        Prefetch("prices", queryset=PlanPrice.objects.order_by("currency", "-valid_from"))
    )


def price_on(*, plan: PricePlan, currency: str, day: date) -> PlanPrice | None:
    """The price of ``plan`` in ``currency`` effective on ``day``."""
    return PlanPrice.objects.valid_on(day).filter(plan=plan, currency=currency).first()


def tax_rate_on(*, tax_class_id: int, country: str, day: date) -> TaxRate | None:
    """The VAT rate of a tax class in a country effective on ``day``."""
    return TaxRate.objects.valid_on(day).filter(tax_class_id=tax_class_id, country=country).first()


def promotion_list() -> QuerySet[Promotion]:
    """Promotions with who designed and approved them."""
    return Promotion.objects.select_related("created_by", "approved_by").prefetch_related(
        "products", "eligibility_rules"
    )


def promotions_on_sale(*, day: date | None = None) -> QuerySet[Promotion]:
    """Promotions that price baskets on ``day`` (approved or active, inside their window)."""
    day = day or timezone.localdate()
    return (
        promotion_list()
        .filter(status__in=choices.PRICING_STATUSES, valid_from__lte=day)
        .exclude(valid_to__lt=day)
    )


def competitor_offer_list() -> QuerySet[CompetitorOffer]:
    """Competitors' offers, by competitor."""
    return CompetitorOffer.objects.all()


def standard_offer_list() -> QuerySet[StandardOffer]:
    """Standard offers per segment with their products."""
    return StandardOffer.objects.prefetch_related("products")
