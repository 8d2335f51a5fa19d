"""Every eligibility rule of promotions (PRD-3), holding and not holding."""

from datetime import date

import pytest

from products import choices as C
from products.eligibility import Buyer, Sale, promotion_failure, rule_failure
from products.models import EligibilityRule, Promotion

DAY = date(2026, 11, 23)


def sale(**kwargs):
    buyer = kwargs.pop("buyer", Buyer.of_segment("mass"))
    return Sale(buyer=buyer, on_date=kwargs.pop("on_date", DAY), **kwargs)


def rule(kind, values=(), **kwargs):
    return EligibilityRule(kind=kind, values=list(values), **kwargs)


@pytest.mark.parametrize(
    ("kind", "field", "good", "bad"),
    [
        (C.EligibilityKind.SEGMENT, "segment", "sme", "mass"),
        (C.EligibilityKind.CATEGORY, "category", "corporate", "residential"),
        (C.EligibilityKind.TIER, "tier", "gold", "bronze"),
    ],
)
def test_customer_attribute_rules(kind, field, good, bad):
    the_rule = rule(kind, [good, "other"])
    holds = Buyer(**{**Buyer.of_segment().__dict__, field: good})
    fails = Buyer(**{**Buyer.of_segment().__dict__, field: bad})
    assert rule_failure(the_rule, sale(buyer=holds)) is None
    assert rule_failure(the_rule, sale(buyer=fails)) == f"{field} {bad} is not one of {good}, other"


def test_channel_rule():
    the_rule = rule(C.EligibilityKind.CHANNEL, ["portal"])
    assert rule_failure(the_rule, sale(channel="portal")) is None
    assert "channel agent" in rule_failure(the_rule, sale(channel="agent"))


def test_new_customer_rule_counts_days_and_accepts_prospects():
    the_rule = rule(C.EligibilityKind.NEW_CUSTOMER, ["60"])
    recent = Buyer(
        segment="mass",
        category="residential",
        tier="bronze",
        country="RO",
        customer_since=date(2026, 10, 1),
        is_prospect=False,
    )
    old = Buyer(
        segment="mass",
        category="residential",
        tier="bronze",
        country="RO",
        customer_since=date(2024, 1, 1),
        is_prospect=False,
    )
    assert rule_failure(the_rule, sale(buyer=recent)) is None
    assert rule_failure(the_rule, sale(buyer=Buyer.of_segment())) is None  # a prospect
    assert "not within 60 days" in rule_failure(the_rule, sale(buyer=old))
    default = rule(C.EligibilityKind.NEW_CUSTOMER)
    assert "not within 30 days" in rule_failure(default, sale(buyer=recent))


def test_basket_rules():
    by_product = rule(C.EligibilityKind.BASKET_PRODUCT, ["net-1000"])
    by_category = rule(C.EligibilityKind.BASKET_CATEGORY, ["broadband"])
    full = sale(product_codes=frozenset({"net-1000"}), product_categories=frozenset({"broadband"}))
    empty = sale(product_codes=frozenset({"tv"}), product_categories=frozenset({"tv_package"}))
    assert rule_failure(by_product, full) is None
    assert rule_failure(by_category, full) is None
    assert rule_failure(by_product, empty) == "the basket has none of net-1000"
    assert rule_failure(by_category, empty) == "the basket has no product of broadband"


def test_date_window_rule_is_inclusive():
    the_rule = rule(
        C.EligibilityKind.DATE_WINDOW, date_from=date(2026, 11, 27), date_to=date(2026, 11, 30)
    )
    assert rule_failure(the_rule, sale(on_date=date(2026, 11, 27))) is None
    assert rule_failure(the_rule, sale(on_date=date(2026, 11, 30))) is None
    assert rule_failure(the_rule, sale(on_date=date(2026, 11, 26))) == "only from 2026-11-27"
    assert rule_failure(the_rule, sale(on_date=date(2026, 12, 1))) == "only until 2026-11-30"


def test_every_kind_has_a_check():
    from products.eligibility import CHECKS

    assert set(CHECKS) == set(C.EligibilityKind)


@pytest.mark.django_db
def test_promotion_window_and_all_rules_must_hold():
    promotion = Promotion.objects.create(
        code="p",
        name_en="P",
        discount_kind="percentage",
        value=10,
        valid_from=date(2026, 11, 1),
        valid_to=date(2026, 11, 30),
    )
    promotion.eligibility_rules.create(kind=C.EligibilityKind.SEGMENT, values=["mass"])
    promotion.eligibility_rules.create(kind=C.EligibilityKind.CHANNEL, values=["portal"])
    assert promotion_failure(promotion, sale(channel="portal")) is None
    assert "channel" in promotion_failure(promotion, sale(channel="agent"))
    assert promotion_failure(promotion, sale(on_date=date(2026, 10, 31), channel="portal")) == (
        "on sale from 2026-11-01"
    )
    assert promotion_failure(promotion, sale(on_date=date(2026, 12, 1), channel="portal")) == (
        "on sale until 2026-11-30"
    )
