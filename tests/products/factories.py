"""Catalogue test data, built through the real services.

``catalogue()`` gives a small priced catalogue: standard VAT 21 % in RO from 2020,
a TV package, an add-on that requires a TV package, broadband, a TV box for sale or
rent, an installation fee and a triple-play bundle, all priced in EUR from 2020.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import count

from django.utils import timezone

from products import choices as C
from products import services
from products.models import PricePlan, Product, ProductRule, TaxClass

_serial = count(1)
SINCE = date(2020, 1, 1)


def tax_class(code="standard", rate="0.21", country="RO", since=SINCE) -> TaxClass:
    """A tax class with one rate from ``since`` (created directly: the service refuses
    dates in the past, which is right for people and wrong for test set-up)."""
    tax, _created = TaxClass.objects.get_or_create(code=code, defaults={"name_en": code})
    if not tax.rates.filter(country=country).exists():
        tax.rates.create(country=country, rate=Decimal(rate), valid_from=since)
    return tax


def product(category: str, *, tax=None, code=None, **fields) -> Product:
    """A product of ``category`` (kind from the category)."""
    n = next(_serial)
    data = {
        "code": code or f"{category}-{n}",
        "kind": C.CATEGORY_KIND[category],
        "category": category,
        "name_en": fields.pop("name_en", f"{category} {n}"),
        "tax_class": tax or tax_class(),
    }
    if category == C.ProductCategory.PAY_PER_VIEW:
        start = timezone.now() + timedelta(days=7)
        data.setdefault("air_starts_at", start)
        data.setdefault("air_ends_at", start + timedelta(hours=2))
    if category == C.ProductCategory.MOVIE:
        data.setdefault("rental_hours", 48)
    data.update(fields)
    return services.product_create(**data)


def plan(
    prod: Product,
    amount,
    *,
    charge=None,
    acquisition=C.Acquisition.STANDARD,
    currency="EUR",
    since=SINCE,
    resting=None,
) -> PricePlan:
    """A price plan of ``prod`` with one price from ``since``."""
    if charge is None:
        recurring = prod.kind in (C.ProductKind.SERVICE, C.ProductKind.BUNDLE)
        charge = C.Charge.RECURRING if recurring else C.Charge.ONE_TIME
        if acquisition == C.Acquisition.RENTAL:
            charge = C.Charge.RECURRING
    n = next(_serial)
    price_plan = PricePlan.objects.create(
        product=prod,
        code=f"{prod.code}-{acquisition}-{n}",
        name_en=f"{prod.name_en} {acquisition}",
        charge=charge,
        acquisition=acquisition,
    )
    price_plan.prices.create(
        currency=currency,
        amount=Decimal(str(amount)),
        resting_amount=None if resting is None else Decimal(str(resting)),
        valid_from=since,
    )
    return price_plan


def requires(prod: Product, *, category: str = "", target: Product | None = None) -> ProductRule:
    return ProductRule.objects.create(
        product=prod, kind=C.RuleKind.REQUIRES, target_category=category, target_product=target
    )


def excludes(prod: Product, *, category: str = "", target: Product | None = None) -> ProductRule:
    return ProductRule.objects.create(
        product=prod, kind=C.RuleKind.EXCLUDES, target_category=category, target_product=target
    )


def promotion(actor=None, approver=None, *, status=C.PromotionStatus.ACTIVE, **fields):
    """A promotion; approved (and active when its window started) unless ``status``
    says draft. ``approver`` defaults to a fresh Marketing user."""
    from tests.core.factories import UserFactory

    n = next(_serial)
    data = {
        "code": f"promo-{n}",
        "name_en": f"Promotion {n}",
        "discount_kind": C.DiscountKind.PERCENTAGE,
        "value": Decimal("10"),
        "valid_from": SINCE,
    }
    rules = fields.pop("rules", [])
    data.update(fields)
    actor = actor or UserFactory(role="Marketing")
    promo = services.promotion_create(actor=actor, **data)
    for rule in rules:
        promo.eligibility_rules.create(**rule)
    if status != C.PromotionStatus.DRAFT:
        promo = services.promotion_approve(
            promotion=promo, actor=approver or UserFactory(role="Marketing")
        )
    return promo


@dataclass
class Catalogue:
    tax: TaxClass
    tv: Product
    addon: Product
    broadband: Product
    box: Product
    install: Product
    triple: Product
    ppv: Product


def catalogue() -> Catalogue:
    """The small priced catalogue described in the module docstring."""
    tax = tax_class()
    tv = product(C.ProductCategory.TV_PACKAGE, code="tv-basic", max_devices=3)
    plan(tv, "10.00", resting="2.00")
    addon = product(C.ProductCategory.TV_ADDON, code="hbo")
    plan(addon, "5.00")
    requires(addon, category=C.ProductCategory.TV_PACKAGE)
    broadband = product(C.ProductCategory.BROADBAND, code="net-300", download_mbps=300)
    plan(broadband, "15.00")
    box = product(C.ProductCategory.TV_BOX, code="box")
    plan(box, "99.00", acquisition=C.Acquisition.SALE)
    plan(box, "3.00", acquisition=C.Acquisition.RENTAL)
    install = product(C.ProductCategory.INSTALLATION, code="install")
    plan(install, "25.00")
    triple = product(C.ProductCategory.TRIPLE_PLAY, code="triple")
    plan(triple, "30.00")
    triple.components.create(component=tv)
    triple.components.create(component=broadband)
    ppv = product(
        C.ProductCategory.PAY_PER_VIEW,
        code="fight-night",
        air_starts_at=datetime(2099, 1, 1, 20, tzinfo=timezone.get_current_timezone()),
        air_ends_at=datetime(2099, 1, 1, 23, tzinfo=timezone.get_current_timezone()),
    )
    plan(ppv, "7.50")
    return Catalogue(tax, tv, addon, broadband, box, install, triple, ppv)


def competitor_offer(**fields):
    """A competitor's offer with a PDF leaflet, recorded through the service."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.customers.factories import PDF_BYTES

    data = {
        "operator": "Orion Cable",
        "name": "Orion TV + Net 500",
        "components": "120 channels, 500 Mbit/s",
        "monthly_price": Decimal("30.00"),
        "one_time_price": Decimal("0.00"),
        "currency": "EUR",
        "term_months": 24,
        "captured_on": date(2025, 1, 15),
        "source_document": SimpleUploadedFile("leaflet.pdf", PDF_BYTES),
    }
    data.update(fields)
    return services.competitor_offer_create(actor=None, **data)
