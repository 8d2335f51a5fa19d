"""Property-based tests of ``price_basket`` (hypothesis).

Each example builds its own random catalogue (prices with odd cents, VAT rates,
promotions of every kind, stacking and priority, scopes) inside a savepoint that is
rolled back, prices a random basket, and checks the invariants the issue names:
totals equal the sum of lines; every line is rounded half-up to the cent; no
discount makes a line negative; an exclusive promotion is alone on its line; the
price used on a date is the one effective on that date.
"""

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alux_crm.core.money import round_money
from products import choices as C
from products.models import PlanPrice, PricePlan, Promotion
from products.pricing import BasketItem, price_basket
from tests.core.factories import UserFactory
from tests.products import factories as F

pytestmark = pytest.mark.django_db

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CATEGORIES = [
    C.ProductCategory.TV_PACKAGE,
    C.ProductCategory.BROADBAND,
    C.ProductCategory.TELEPHONY,
    C.ProductCategory.TV_BOX,
    C.ProductCategory.INSTALLATION,
]
cents = st.decimals(min_value=Decimal("0.00"), max_value=Decimal("250.00"), places=2)
rates = st.sampled_from(
    [Decimal("0"), Decimal("0.05"), Decimal("0.09"), Decimal("0.19"), Decimal("0.21")]
)
promotion_specs = st.fixed_dictionaries(
    {
        "discount_kind": st.sampled_from(list(C.DiscountKind)),
        "percent": st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100"), places=2),
        "fixed": st.decimals(min_value=Decimal("0.01"), max_value=Decimal("300"), places=2),
        "months": st.integers(min_value=1, max_value=12),
        "duration": st.one_of(st.none(), st.integers(min_value=1, max_value=24)),
        "stacking": st.sampled_from(list(C.Stacking)),
        "priority": st.integers(min_value=1, max_value=5),
        "scope": st.one_of(st.none(), st.sampled_from(CATEGORIES)),
    }
)
basket_specs = st.lists(
    st.fixed_dictionaries(
        {
            "category": st.sampled_from(CATEGORIES),
            "price": cents,
            "quantity": st.integers(min_value=1, max_value=3),
            "manual": st.sampled_from(
                [Decimal("0"), Decimal("5"), Decimal("12.5"), Decimal("100")]
            ),
        }
    ),
    min_size=1,
    max_size=5,
)


@pytest.fixture
def people(db):
    return UserFactory(role="Marketing"), UserFactory(role="Marketing")


def _build(spec_items, spec_promotions, rate, people):
    tax = F.tax_class(code="prop", rate=str(rate))
    items = []
    for spec in spec_items:
        product = F.product(spec["category"], tax=tax)
        F.plan(product, spec["price"])
        items.append(BasketItem(product, spec["quantity"], manual_discount_percent=spec["manual"]))
    for spec in spec_promotions:
        kind = spec["discount_kind"]
        value = {
            C.DiscountKind.PERCENTAGE: spec["percent"],
            C.DiscountKind.FIXED: spec["fixed"],
            C.DiscountKind.FREE_MONTHS: Decimal(spec["months"]),
        }[kind]
        F.promotion(
            *people,
            discount_kind=kind,
            value=value,
            duration_months=spec["duration"],
            stacking=spec["stacking"],
            priority=spec["priority"],
            categories=[spec["scope"]] if spec["scope"] else [],
        )
    return items


def _half_up(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@SETTINGS
@given(
    spec_items=basket_specs,
    spec_promotions=st.lists(promotion_specs, max_size=4),
    rate=rates,
    term=st.integers(min_value=1, max_value=24),
)
def test_invariants_of_every_priced_basket(people, spec_items, spec_promotions, rate, term):
    with transaction.atomic():
        items = _build(spec_items, spec_promotions, rate, people)
        quote = price_basket(items=items, on_date=date(2026, 3, 31), term_months=term)
        stacking = dict(Promotion.objects.values_list("code", "stacking"))
        transaction.set_rollback(True)

    assert len(quote.months) == term
    for month in quote.months:
        # Totals equal the sum of the lines.
        assert month.total == sum(line.total for line in month.lines)
        assert month.net + month.tax == month.total
        for line in month.lines:
            for amount in (line.gross, line.net, line.tax, line.total, line.discount_total):
                assert amount == amount.quantize(Decimal("0.01"))
            # Half-up per line, to the cent.
            assert line.gross == _half_up(line.unit_price * line.quantity)
            assert line.tax == _half_up(line.net * line.tax_rate)
            assert line.total == line.net + line.tax
            # A discount never makes a line negative.
            assert line.net >= 0
            assert all(d.amount > 0 for d in line.discounts)
            assert line.net == line.gross - line.discount_total
            # An exclusive promotion is alone on its line.
            promos = [d.code for d in line.discounts if d.source == "promotion"]
            if any(stacking[code] == C.Stacking.EXCLUSIVE for code in promos):
                assert len(promos) == 1, promos
    assert quote.term_total == sum(m.total for m in quote.months)
    assert quote.first_month_total == quote.monthly_total + quote.one_time_total


@SETTINGS
@given(
    starts=st.lists(
        st.integers(min_value=0, max_value=900), min_size=1, max_size=6, unique=True
    ).map(sorted),
    amounts=st.lists(cents, min_size=6, max_size=6),
    offset=st.integers(min_value=0, max_value=1000),
)
def test_the_price_on_a_date_is_the_one_effective_that_day(starts, amounts, offset):
    origin = date(2025, 1, 1)
    with transaction.atomic():
        product = F.product(C.ProductCategory.BROADBAND)
        plan = PricePlan.objects.create(
            product=product, code=f"p-{product.code}", name_en="p", charge=C.Charge.RECURRING
        )
        history = []
        for index, start in enumerate(starts):
            valid_from = origin + timedelta(days=start)
            valid_to = (
                origin + timedelta(days=starts[index + 1]) if index + 1 < len(starts) else None
            )
            PlanPrice.objects.create(
                plan=plan,
                currency="EUR",
                amount=amounts[index],
                valid_from=valid_from,
                valid_to=valid_to,
            )
            history.append((valid_from, valid_to, amounts[index]))
        on_date = origin + timedelta(days=offset)
        expected = [a for f, t, a in history if f <= on_date and (t is None or on_date < t)]
        if not expected:
            with pytest.raises(Exception, match="no price"):
                price_basket(items=[BasketItem(product)], on_date=on_date, term_months=3)
        else:
            quote = price_basket(items=[BasketItem(product)], on_date=on_date, term_months=3)
            assert quote.lines[0].unit_price == expected[0]
            for month in quote.months:
                day = month.starts_on
                due = [a for f, t, a in history if f <= day and (t is None or day < t)]
                assert [line.unit_price for line in month.lines] == due[:1]
        transaction.set_rollback(True)


@given(st.decimals(min_value=-10000, max_value=10000, places=3))
def test_round_money_is_half_up_to_the_cent(amount):
    rounded = round_money(amount)
    assert rounded == rounded.quantize(Decimal("0.01"))
    assert abs(rounded - amount) <= Decimal("0.005")
    # Exactly half a cent goes away from zero.
    if abs(amount * 1000) % 10 == 5:
        assert abs(rounded) > abs(amount)
