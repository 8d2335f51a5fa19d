"""Examples of ``price_basket``: what an agent sees on a quote, figure by figure.

The catalogue of ``factories.catalogue()``: TV 10.00, add-on 5.00 (requires a TV
package), broadband 15.00, TV box 99.00 sale / 3.00 rental, installation 25.00,
triple play 30.00 (TV + broadband), pay-per-view 7.50; VAT 21 %; prices net.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from products import choices as C
from products.eligibility import Buyer
from products.models import MaturityReward, StandardOffer
from products.offers import needs_pricing_approval
from products.pricing import BasketItem, price_basket
from tests.core.factories import UserFactory
from tests.customers import factories as CF
from tests.products import factories as F

pytestmark = pytest.mark.django_db
D = Decimal
DAY = date(2026, 11, 23)


@pytest.fixture
def cat():
    return F.catalogue()


@pytest.fixture
def people():
    return UserFactory(role="Marketing"), UserFactory(role="Marketing")


def quote(*items, **kwargs):
    kwargs.setdefault("on_date", DAY)
    kwargs.setdefault("term_months", 12)
    return price_basket(items=list(items), **kwargs)


def test_plain_basket_lines_vat_and_totals(cat):
    q = quote(
        BasketItem(cat.tv), BasketItem(cat.box, 2, C.Acquisition.RENTAL), BasketItem(cat.install)
    )
    by_code = {line.product.code: line for line in q.lines}
    assert by_code["tv-basic"].total == D("12.10")
    assert by_code["box"].gross == D("6.00") and by_code["box"].total == D("7.26")
    assert by_code["install"].charge == C.Charge.ONE_TIME and by_code["install"].total == D("30.25")
    assert q.monthly_total == D("19.36")
    assert q.one_time_total == D("30.25")
    assert q.first_month_total == D("49.61")
    # The installation is charged once: months 2..12 are the recurring part only.
    assert [m.total for m in q.months[1:]] == [D("19.36")] * 11
    assert q.term_total == D("49.61") + 11 * D("19.36")
    assert "2 x 3.00 EUR" in by_code["box"].explanation and "VAT 21 %" in by_code["box"].explanation


def test_device_sale_price_is_one_time(cat):
    q = quote(BasketItem(cat.box, 1, C.Acquisition.SALE))
    assert q.lines[0].charge == C.Charge.ONE_TIME and q.lines[0].net == D("99.00")
    assert len(q.months[1].lines) == 0


def test_bundle_is_one_priced_line_with_its_components_included(cat):
    q = quote(BasketItem(cat.triple))
    assert [(line.product.code, line.net, line.included_in) for line in q.lines] == [
        ("triple", D("30.00"), None),
        ("tv-basic", D("0.00"), cat.triple),
        ("net-300", D("0.00"), cat.triple),
    ]
    assert q.monthly_total == D("36.30")


def test_resting_fee_is_carried_on_the_line(cat):
    assert quote(BasketItem(cat.tv)).lines[0].resting_amount == D("2.00")


def test_scheduled_price_increase_and_vat_change_show_in_later_months(cat):
    plan = cat.tv.price_plans.get()
    price = plan.prices.get()
    price.valid_to = date(2027, 2, 1)
    price.save()
    plan.prices.create(currency="EUR", amount=D("12.00"), valid_from=date(2027, 2, 1))
    rate = cat.tax.rates.get()
    rate.valid_to = date(2027, 5, 1)
    rate.save()
    cat.tax.rates.create(country="RO", rate=D("0.19"), valid_from=date(2027, 5, 1))
    q = quote(BasketItem(cat.tv), on_date=date(2026, 12, 15))
    totals = [(m.starts_on, m.lines[0].unit_price, m.lines[0].tax_rate, m.total) for m in q.months]
    assert totals[0] == (date(2026, 12, 15), D("10.00"), D("0.21"), D("12.10"))
    assert totals[2] == (date(2027, 2, 15), D("12.00"), D("0.21"), D("14.52"))
    assert totals[5] == (date(2027, 5, 15), D("12.00"), D("0.19"), D("14.28"))


# --- promotions ----------------------------------------------------------------------


def test_percentage_for_n_months_then_full_price(cat, people):
    F.promotion(*people, value=D("50"), duration_months=3, categories=["tv_package"])
    q = quote(BasketItem(cat.tv))
    assert [m.lines[0].net for m in q.months[:5]] == [D("5.00")] * 3 + [D("10.00")] * 2
    line = q.lines[0]
    assert line.discounts[0].why == "50 % off for 3 months"
    assert q.applied_promotions == [line.discounts[0].code]


def test_free_months_and_fixed_for_ever(cat, people):
    F.promotion(
        *people, discount_kind=C.DiscountKind.FREE_MONTHS, value=D("2"), products=[cat.broadband]
    )
    F.promotion(*people, discount_kind=C.DiscountKind.FIXED, value=D("4"), products=[cat.tv])
    q = quote(BasketItem(cat.broadband), BasketItem(cat.tv))
    assert [m.lines[0].net for m in q.months[:4]] == [D("0.00"), D("0.00"), D("15.00"), D("15.00")]
    assert {m.lines[1].net for m in q.months} == {D("6.00")}


def test_fixed_discount_larger_than_the_line_stops_at_zero(cat, people):
    F.promotion(*people, discount_kind=C.DiscountKind.FIXED, value=D("80"), products=[cat.tv])
    line = quote(BasketItem(cat.tv)).lines[0]
    assert line.net == D("0.00") and line.discounts[0].amount == D("10.00")


def test_stackable_promotions_apply_by_priority_on_what_is_left(cat, people):
    F.promotion(*people, code="low", value=D("10"), priority=1, products=[cat.tv])
    F.promotion(*people, code="high", value=D("50"), priority=9, products=[cat.tv])
    line = quote(BasketItem(cat.tv)).lines[0]
    assert [(d.code, d.amount) for d in line.discounts] == [("high", D("5.00")), ("low", D("0.50"))]
    assert line.net == D("4.50")


def test_exclusive_promotion_is_alone_on_its_line(cat, people):
    F.promotion(*people, code="excl", value=D("30"), priority=9, stacking=C.Stacking.EXCLUSIVE)
    F.promotion(*people, code="stack", value=D("10"), priority=1)
    q = quote(BasketItem(cat.tv))
    assert [d.code for d in q.lines[0].discounts] == ["excl"]
    rejected = {r.promotion.code: r.reason for r in q.rejected_promotions}
    assert "not combined with excl" in rejected["stack"]


def test_higher_stackable_keeps_a_lower_exclusive_out(cat, people):
    F.promotion(*people, code="stack", value=D("10"), priority=9)
    F.promotion(*people, code="excl", value=D("30"), priority=1, stacking=C.Stacking.EXCLUSIVE)
    q = quote(BasketItem(cat.tv))
    assert [d.code for d in q.lines[0].discounts] == ["stack"]


def test_draft_expired_and_future_promotions_do_not_price(cat, people):
    F.promotion(*people, code="draft", status=C.PromotionStatus.DRAFT)
    F.promotion(*people, code="later", valid_from=DAY + timedelta(days=5))
    F.promotion(
        *people, code="ended", valid_from=date(2025, 1, 1), valid_to=DAY - timedelta(days=1)
    )
    q = quote(BasketItem(cat.tv))
    assert q.lines[0].discounts == []


def test_empty_scope_is_recurring_lines_only(cat, people):
    F.promotion(*people, value=D("20"))
    q = quote(BasketItem(cat.tv), BasketItem(cat.install))
    assert [len(line.discounts) for line in q.lines] == [1, 0]


def test_ineligible_promotion_is_listed_with_its_reason(cat, people):
    F.promotion(
        *people, code="corp", rules=[{"kind": C.EligibilityKind.SEGMENT, "values": ["corporate"]}]
    )
    q = quote(BasketItem(cat.tv), buyer=Buyer.of_segment("mass"))
    assert q.lines[0].discounts == []
    assert [(r.promotion.code, r.reason) for r in q.rejected_promotions] == [
        ("corp", "segment mass is not one of corporate")
    ]
    q = quote(BasketItem(cat.tv), buyer=Buyer.of_segment("corporate"))
    assert q.applied_promotions == ["corp"]


def test_manual_discount_comes_last(cat, people):
    F.promotion(*people, value=D("50"), products=[cat.tv])
    line = quote(BasketItem(cat.tv, manual_discount_percent=D("10"))).lines[0]
    assert [(d.source, d.amount) for d in line.discounts] == [
        ("promotion", D("5.00")),
        ("manual", D("0.50")),
    ]


# --- maturity rewards ------------------------------------------------------------------


def test_maturity_reward_applies_from_the_month_tenure_reaches_it(cat):
    MaturityReward.objects.create(
        code="loyal",
        name_en="Loyalty",
        reward_kind=C.RewardKind.PERCENTAGE,
        value=D("10"),
        after_months=12,
    )
    q = quote(BasketItem(cat.tv), tenure_start=date(2025, 11, 23), term_months=3)
    assert [m.lines[0].net for m in q.months] == [D("9.00"), D("9.00"), D("9.00")]
    q = quote(BasketItem(cat.tv), tenure_start=date(2025, 12, 23), term_months=3)
    assert [m.lines[0].net for m in q.months] == [D("10.00"), D("9.00"), D("9.00")]


def test_credit_reward_is_given_once(cat):
    MaturityReward.objects.create(
        code="credit",
        name_en="Credit",
        reward_kind=C.RewardKind.CREDIT,
        value=D("15"),
        after_months=2,
    )
    q = quote(BasketItem(cat.tv), BasketItem(cat.broadband), term_months=4)
    nets = [[line.net for line in m.lines] for m in q.months]
    assert nets == [
        [D("10.00"), D("15.00")],
        [D("10.00"), D("15.00")],
        [D("0.00"), D("10.00")],
        [D("10.00"), D("15.00")],
    ]


# --- validation -------------------------------------------------------------------------


def _messages(excinfo):
    return " ".join(excinfo.value.messages)


def test_addon_needs_a_tv_package_from_the_basket_a_bundle_or_what_the_customer_has(cat):
    with pytest.raises(ValidationError) as excinfo:
        quote(BasketItem(cat.addon))
    assert "requires TV package" in _messages(excinfo)
    quote(BasketItem(cat.addon), BasketItem(cat.tv))
    quote(BasketItem(cat.addon), BasketItem(cat.triple))
    quote(BasketItem(cat.addon), existing_products=[cat.tv])


def test_excluded_combination_is_refused(cat):
    F.excludes(cat.triple, target=cat.broadband)
    with pytest.raises(ValidationError) as excinfo:
        quote(BasketItem(cat.triple), BasketItem(cat.broadband))
    assert "cannot be combined with" in _messages(excinfo)


def test_every_problem_of_a_basket_is_listed(cat):
    cat.install.is_active = False
    cat.install.save()
    with pytest.raises(ValidationError) as excinfo:
        quote(
            BasketItem(cat.tv, 0),
            BasketItem(cat.broadband, manual_discount_percent=D("120")),
            BasketItem(cat.install),
            BasketItem(cat.box, 4, C.Acquisition.RENTAL),
            currency="EUR",
        )
    text = _messages(excinfo)
    assert "quantity must be at least 1" in text
    assert "between 0 and 100" in text
    assert "is not on sale" in text
    assert "allows 3 TV boxes; the basket has 4" in text


def test_aired_event_and_missing_currency_are_refused(cat):
    cat.ppv.air_starts_at = timezone.now() - timedelta(hours=5)
    cat.ppv.air_ends_at = timezone.now() - timedelta(hours=3)
    cat.ppv.save()
    with pytest.raises(ValidationError, match="already aired"):
        quote(BasketItem(cat.ppv))
    with pytest.raises(ValidationError, match="no price"):
        quote(BasketItem(cat.tv), currency="RON")


def test_empty_basket_and_bad_term_are_refused(cat):
    with pytest.raises(ValidationError, match="empty"):
        quote()
    with pytest.raises(ValidationError, match="term"):
        quote(BasketItem(cat.tv), term_months=0)


# --- offer limits, buyer, languages --------------------------------------------------------


def test_needs_pricing_approval_outside_the_segment_limits(cat):
    StandardOffer.objects.create(
        segment="mass",
        name_en="Mass",
        currency="EUR",
        min_monthly_price=D("12"),
        max_discount_percent=D("15"),
        valid_from=date(2020, 1, 1),
    )
    within = quote(BasketItem(cat.tv), BasketItem(cat.broadband, manual_discount_percent=D("10")))
    assert needs_pricing_approval(within) == []
    too_much = quote(BasketItem(cat.tv), BasketItem(cat.broadband, manual_discount_percent=D("40")))
    assert "exceeds the 15.00 % allowed" in needs_pricing_approval(too_much)[0]
    too_cheap = quote(BasketItem(cat.tv))
    assert "below the 12.00 minimum" in needs_pricing_approval(too_cheap)[0]
    corporate = quote(
        BasketItem(cat.tv, manual_discount_percent=D("1")), buyer=Buyer.of_segment("corporate")
    )
    assert needs_pricing_approval(corporate) == ["No discount limits are set for this segment."]


def test_customer_is_the_buyer(cat, people):
    customer = CF.company(segment="sme")
    F.promotion(*people, code="sme", rules=[{"kind": C.EligibilityKind.SEGMENT, "values": ["sme"]}])
    q = price_basket(customer=customer, items=[BasketItem(cat.tv)], on_date=DAY)
    assert q.buyer.customer == customer and q.applied_promotions == ["sme"]


def test_names_follow_the_language_with_english_fallback(cat):
    cat.tv.name_en, cat.tv.name_ro = "Basic TV", "TV de bază"
    with translation.override("ro"):
        assert cat.tv.name == "TV de bază"
        assert cat.broadband.name == cat.broadband.name_en
    with translation.override("en"):
        assert cat.tv.name == "Basic TV"
