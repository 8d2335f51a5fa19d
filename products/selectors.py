"""Reads of the catalogue. The catalogue is the same for every staff member and
partner (retailers sell from it); prices and promotions are read through here."""

from datetime import date

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from pghistory.models import Events

from alux_crm.core.selectors import annotate_history, is_partner_user

from . import choices
from .models import (
    BundleComponent,
    CompetitorOffer,
    PlanPrice,
    PricePlan,
    Product,
    ProductRule,
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


def products_by_reference(*, references) -> dict[str, Product]:
    """The products named by code or by id (as the API receives them), keyed by the
    reference; a reference that names no product is missing from the answer. A code
    wins over an id when both match."""
    refs = {str(ref).strip() for ref in references}
    ids = [int(ref) for ref in refs if ref.isdigit()]
    by_code, by_id = {}, {}
    for product in Product.objects.filter(Q(code__in=refs) | Q(pk__in=ids)).select_related(
        "tax_class"
    ):
        by_code[product.code] = product
        by_id[str(product.pk)] = product
    found = {ref: by_code.get(ref) or by_id.get(ref) for ref in refs}
    return {ref: product for ref, product in found.items() if product is not None}


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


# --- staff screens -----------------------------------------------------------------------


def product_get(*, pk: int) -> Product:
    """One product with everything its detail page shows, or 404."""
    return get_object_or_404(product_detail_queryset(), pk=pk)


def product_list_with_prices(*, day: date, currency: str) -> QuerySet[Product]:
    """Products with their active price plans and the price of each on ``day`` in
    ``currency`` (``plan.prices_today``), in a fixed number of queries."""
    today_prices = Prefetch(
        "prices",
        queryset=PlanPrice.objects.valid_on(day).filter(currency=currency),
        to_attr="prices_today",
    )
    return product_list().prefetch_related(
        Prefetch(
            "price_plans",
            queryset=PricePlan.objects.filter(is_active=True).prefetch_related(today_prices),
            to_attr="active_plans",
        )
    )


def product_history(product: Product, *, limit: int = 300) -> list:
    """History of a product, its price plans and their prices, its bundle components
    and compatibility rules, newest first (three queries whatever the rows)."""
    own = Product._meta.label
    events = list(
        Events.objects.references(product)
        .filter(~Q(pgh_obj_model=own) | Q(pgh_obj_id=str(product.pk)))
        .order_by("-pgh_created_at", "-pgh_id")[:limit]
    )
    plans = list(PricePlan.objects.filter(product=product))
    if plans:
        events += list(
            Events.objects.references(plans)
            .filter(pgh_obj_model=PlanPrice._meta.label)
            .order_by("-pgh_created_at", "-pgh_id")[:limit]
        )
    events.sort(key=lambda e: (e.pgh_created_at, e.pgh_id), reverse=True)
    return annotate_history(events[:limit])


def promotion_list_for(*, user) -> QuerySet[Promotion]:
    """Promotions the user may see: staff see every state; partners (who sell them)
    see the approved, active and expired ones, never drafts."""
    queryset = promotion_list()
    if is_partner_user(user):
        queryset = queryset.exclude(status=choices.PromotionStatus.DRAFT)
    return queryset


def promotion_get(*, user, pk: int) -> Promotion:
    """One promotion the user may see, or 404."""
    return get_object_or_404(promotion_list_for(user=user), pk=pk)


def promotion_history(promotion: Promotion, *, limit: int = 300) -> list:
    """History of a promotion and of its eligibility rules, newest first."""
    own = Promotion._meta.label
    events = (
        Events.objects.references(promotion)
        .filter(~Q(pgh_obj_model=own) | Q(pgh_obj_id=str(promotion.pk)))
        .order_by("-pgh_created_at", "-pgh_id")[:limit]
    )
    return annotate_history(list(events))


def competitor_offer_get(*, pk: int) -> CompetitorOffer:
    """One competitor offer, or 404."""
    return get_object_or_404(CompetitorOffer, pk=pk)


def simulator_products() -> list[Product]:
    """Products the offer simulator may put in a basket: those on sale, in catalogue
    order."""
    return list(product_list(on_sale_only=True).order_by("sort_order", "code"))


SIMULATOR_CUSTOMER_LIMIT = 10


def simulator_customers(*, user, text: str) -> list:
    """Customers the user may see whose number, name or e-mail matches ``text`` (at
    most ``SIMULATOR_CUSTOMER_LIMIT``). A retailer finds only its own customers."""
    from customers.forms import normalise_customer_number
    from customers.lookups import like_escape
    from customers.selectors import customer_list

    text = " ".join((text or "").split())
    if len(text) < 2:
        return []
    like = f"%{like_escape(text)}%"
    condition = Q(number=normalise_customer_number(text)) | Q(display_name__ilike=like)
    if "@" in text:
        condition |= Q(email__ilike=like)
    return list(
        customer_list(user=user)
        .filter(condition)
        .order_by("display_name", "number")[:SIMULATOR_CUSTOMER_LIMIT]
    )


def simulator_customer(*, user, pk) -> object | None:
    """The customer chosen in the simulator, if the user may see it."""
    from customers.selectors import customer_list

    try:
        return customer_list(user=user).filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        return None


def product_rules_about(product: Product) -> QuerySet[ProductRule]:
    """Rules of other products that name ``product`` or its category (what needs it,
    what cannot be combined with it)."""
    return (
        ProductRule.objects.filter(Q(target_product=product) | Q(target_category=product.category))
        .exclude(product=product)
        .select_related("product")
        .order_by("kind", "product__code")
    )


def bundles_containing(product: Product) -> QuerySet[BundleComponent]:
    """The bundles ``product`` is a component of."""
    return product.in_bundles.select_related("bundle").order_by("bundle__code")
