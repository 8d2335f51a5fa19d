"""The demo catalogue of ``seed_demo``: complete, priced with the VAT history, loaded
once (a second run changes nothing, not even the history), and it prices baskets."""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from alux_crm.core.models import User
from products import choices as C
from products.eligibility import Buyer
from products.models import (
    CompetitorOffer,
    MaturityReward,
    PlanPrice,
    Product,
    Promotion,
    StandardOffer,
    TaxRate,
    TvChannel,
)
from products.pricing import BasketItem, price_basket

pytestmark = pytest.mark.django_db

CATALOGUE_MODELS = [
    "TaxClass",
    "TaxRate",
    "TvChannel",
    "Product",
    "BundleComponent",
    "ProductRule",
    "PricePlan",
    "PlanPrice",
    "Promotion",
    "EligibilityRule",
    "MaturityReward",
    "StandardOffer",
    "CompetitorOffer",
]


def _counts() -> dict[str, int]:
    """Rows of every catalogue table, of their history and of the many-to-many links."""
    counts = {}
    for name in CATALOGUE_MODELS:
        counts[name] = apps.get_model("products", name).objects.count()
        counts[f"{name}Event"] = apps.get_model("products", f"{name}Event").objects.count()
    for model, field in ((Product, "channels"), (StandardOffer, "products")):
        counts[f"{model.__name__}.{field}"] = getattr(model, field).through.objects.count()
    counts["Promotion.products"] = Promotion.products.through.objects.count()
    counts["users"] = User.objects.count()
    return counts


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """seed_demo run twice, once for the module, rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        first, second = StringIO(), StringIO()
        call_command("seed_demo", stdout=first)
        after_first = _counts()
        call_command("seed_demo", stdout=second)
        yield {
            "first": first.getvalue(),
            "second": second.getvalue(),
            "after_first": after_first,
            "after_second": _counts(),
        }
        transaction.set_rollback(True)


def _product(code: str) -> Product:
    return Product.objects.get(code=code)


def test_a_second_run_changes_nothing(seeded):
    assert seeded["after_second"] == seeded["after_first"]
    assert f"{Product.objects.count()} new products" in seeded["first"]
    assert "0 new products" in seeded["second"]


def test_catalogue_has_what_the_demo_needs(seeded):
    per_category = dict(Product.objects.values_list("category").annotate(n=Count("id")).order_by())
    assert per_category[C.ProductCategory.TV_PACKAGE] >= 3
    assert per_category[C.ProductCategory.TV_ADDON] == 4
    assert per_category[C.ProductCategory.PAY_PER_VIEW] == 2
    assert per_category[C.ProductCategory.MOVIE] == 3
    assert per_category[C.ProductCategory.TRIPLE_PLAY] == 2
    for category in ("telephony", "tv_box", "router", "remote", "smart_card", "installation"):
        assert per_category[category] >= 1, category
    for category in ("repair", "reconnection", "early_termination"):
        assert per_category[category] >= 1, category
    speeds = Product.objects.filter(category="broadband").values_list("download_mbps", flat=True)
    assert sorted(speeds) == [300, 500, 1000]
    assert not Product.objects.filter(name_ro="").exists()
    assert not Product.objects.filter(description_ro="").exists()
    assert not Product.objects.filter(price_plans__isnull=True).exists()


def test_channels_packages_and_add_ons(seeded):
    assert TvChannel.objects.count() >= 25
    assert len(set(TvChannel.objects.values_list("genre", flat=True))) >= 6
    shared = TvChannel.objects.annotate(n=Count("products")).filter(n__gte=2)
    assert shared.exists()  # a channel in several packages
    devices = Product.objects.filter(category="tv_package").values_list("max_devices", flat=True)
    assert max(devices) >= 4
    for addon in Product.objects.filter(category="tv_addon"):
        assert addon.channels.exists()
        rule = addon.rules.get()
        assert (rule.kind, rule.target_category) == ("requires", "tv_package")
    for bundle in Product.objects.filter(category="triple_play"):
        categories = set(bundle.components.values_list("component__category", flat=True))
        assert categories == {"tv_package", "broadband", "telephony"}


def test_content_devices_and_fees(seeded):
    now = timezone.now()
    for event in Product.objects.filter(category="ppv"):
        assert now < event.air_starts_at < event.air_ends_at
    assert all(m.rental_hours for m in Product.objects.filter(category="movie"))
    box_uses = set(_product("tv-box").price_plans.values_list("acquisition", "charge"))
    assert box_uses == {("sale", "one_time"), ("rental", "recurring")}
    assert set(_product("router").price_plans.values_list("acquisition", flat=True)) == {"rental"}
    recurring = PlanPrice.objects.filter(
        plan__charge="recurring", plan__product__kind__in=["service", "bundle"]
    )
    assert recurring.filter(resting_amount__isnull=False).exists()
    assert not PlanPrice.objects.exclude(currency="EUR").exists()


def test_vat_history_and_a_scheduled_price(seeded):
    standard = TaxRate.objects.filter(tax_class__code="standard", country="RO")
    assert list(standard.order_by("valid_from").values_list("rate", "valid_from", "valid_to")) == [
        (Decimal("0.190000"), date(2017, 1, 1), date(2025, 8, 1)),
        (Decimal("0.210000"), date(2025, 8, 1), None),
    ]
    assert TaxRate.objects.filter(tax_class__code="reduced").count() == 2
    today = timezone.localdate()
    scheduled = PlanPrice.objects.filter(valid_from__gt=today)
    assert scheduled.count() == 1
    assert scheduled.get().plan.product.category == "tv_package"
    assert PlanPrice.objects.filter(valid_to__isnull=False, valid_to__lte=today).exists()


def test_promotions_rewards_offers_and_competitors(seeded):
    on_sale = Promotion.objects.filter(status=C.PromotionStatus.ACTIVE)
    assert on_sale.count() == 2
    for promotion in on_sale:
        assert promotion.approved_by.username == "marketing"
        assert promotion.created_by.username == "marketing2"
        assert "Marketing" in promotion.created_by.role_names
    assert {p.stacking for p in on_sale} == {"exclusive", "stackable"}
    assert Promotion.objects.filter(status=C.PromotionStatus.DRAFT).count() == 1
    assert not User.objects.get(username="marketing2").has_usable_password()

    kinds = dict(MaturityReward.objects.values_list("reward_kind", "after_months"))
    assert kinds == {"percentage": 12, "credit": 24}
    mass = StandardOffer.objects.get(segment="mass")
    assert (mass.max_discount_percent, mass.min_monthly_price) == (
        Decimal("15.00"),
        Decimal("10.00"),
    )
    assert {"sme", "corporate"} <= set(StandardOffer.objects.values_list("segment", flat=True))
    assert CompetitorOffer.objects.values("operator").distinct().count() == 3


def test_a_triple_play_basket_prices(seeded):
    quote = price_basket(
        items=[
            BasketItem(_product("tp-family")),
            BasketItem(_product("tv-box"), acquisition=C.Acquisition.RENTAL),
            BasketItem(_product("fee-installation")),
            BasketItem(_product("addon-hbo")),  # the bundle's TV package is enough
        ],
        buyer=Buyer.of_segment(),
    )
    # 19.00 + 21 % = 22.99; box 2.00 → 2.42; installation 30.00 → 36.30; HBO 4.00 → 4.84
    assert quote.first_month_total == Decimal("66.55")
    assert quote.monthly_total == Decimal("30.25")
    included = {line.product.code for line in quote.lines if line.included_in}
    assert included == {"tv-family", "net-500", "phone-national"}
    # Loyalty: 10 % off every recurring line from the 13th month (27.23 with VAT).
    assert quote.months[11].total == Decimal("30.25")
    assert quote.months[12].total == Decimal("27.23")
    assert {r.promotion.code for r in quote.rejected_promotions} == {
        "black-friday-tv",  # the bundle is not a TV package
        "triple-play-net-3-luni",  # nor broadband
    }


def test_promotions_price_a_new_customers_separate_services(seeded):
    quote = price_basket(
        items=[BasketItem(_product(code)) for code in ("tv-family", "net-500", "phone-national")],
        buyer=Buyer.of_segment(),
    )
    assert quote.applied_promotions == ["black-friday-tv", "triple-play-net-3-luni"]
    assert quote.months[0].net == Decimal("7.50")  # TV 10.00 - 50 %, internet free, phone 2.50


def test_before_august_2025_vat_was_19_percent(seeded):
    quote = price_basket(
        items=[BasketItem(_product("tp-premium"))],
        buyer=Buyer.of_segment(),
        on_date=date(2025, 7, 1),
    )
    assert quote.lines[0].tax_rate == Decimal("0.190000")
    assert quote.months[1].lines[0].tax_rate == Decimal("0.210000")  # from 1 August
    assert quote.first_month_total == Decimal("32.13")  # 27.00 + 5.13
