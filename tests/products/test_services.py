"""Writes of the catalogue: effective-dated prices and rates, products, promotions."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from alux_crm.core.errors import DomainError, InvalidTransition
from products import choices as C
from products import services
from products.models import PlanPrice, Promotion
from tests.core.factories import UserFactory
from tests.products import factories as F

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = date(2026, 11, 23)


@pytest.fixture
def plan():
    return F.plan(F.product(C.ProductCategory.BROADBAND), "15.00", since=date(2026, 1, 1))


def prices(plan):
    return list(plan.prices.order_by("valid_from").values_list("amount", "valid_from", "valid_to"))


def test_new_price_ends_the_current_one_and_keeps_the_past(plan):
    services.plan_price_schedule(
        plan=plan, currency="EUR", amount=D("17"), valid_from=date(2027, 1, 1), today=TODAY
    )
    assert prices(plan) == [
        (D("15.00"), date(2026, 1, 1), date(2027, 1, 1)),
        (D("17.00"), date(2027, 1, 1), None),
    ]
    # A price between today and a scheduled one is bounded by the scheduled one.
    services.plan_price_schedule(
        plan=plan, currency="EUR", amount=D("16"), valid_from=date(2026, 12, 1), today=TODAY
    )
    assert prices(plan) == [
        (D("15.00"), date(2026, 1, 1), date(2026, 12, 1)),
        (D("16.00"), date(2026, 12, 1), date(2027, 1, 1)),
        (D("17.00"), date(2027, 1, 1), None),
    ]


@pytest.mark.parametrize(
    ("amount", "valid_from", "field", "message"),
    [
        (D("-1"), date(2027, 1, 1), "amount", "cannot be negative"),
        (D("10"), date(2026, 11, 22), "valid_from", "past is never rewritten"),
        (D("10"), date(2026, 1, 1), "valid_from", "past is never rewritten"),
    ],
)
def test_bad_prices_are_refused_with_a_field_error(plan, amount, valid_from, field, message):
    with pytest.raises(ValidationError) as excinfo:
        services.plan_price_schedule(
            plan=plan, currency="EUR", amount=amount, valid_from=valid_from, today=TODAY
        )
    assert message in " ".join(excinfo.value.message_dict[field])
    assert len(prices(plan)) == 1


def test_two_prices_starting_the_same_day_are_refused(plan):
    services.plan_price_schedule(
        plan=plan, currency="EUR", amount=D("17"), valid_from=date(2027, 1, 1), today=TODAY
    )
    with pytest.raises(ValidationError, match="already starts"):
        services.plan_price_schedule(
            plan=plan, currency="EUR", amount=D("18"), valid_from=date(2027, 1, 1), today=TODAY
        )


def test_the_database_refuses_overlapping_prices(plan):
    with pytest.raises(IntegrityError, match="planprice_no_overlap"), transaction.atomic():
        PlanPrice.objects.create(
            plan=plan, currency="EUR", amount=D("1"), valid_from=date(2026, 6, 1)
        )
    # Another currency is another price list.
    PlanPrice.objects.create(plan=plan, currency="RON", amount=D("75"), valid_from=date(2026, 6, 1))


def test_the_database_refuses_negative_prices(plan):
    with pytest.raises(IntegrityError, match="planprice_amount_not_negative"), transaction.atomic():
        PlanPrice.objects.create(
            plan=plan, currency="USD", amount=D("-1"), valid_from=date(2026, 6, 1)
        )


def test_overlap_is_a_validation_error_in_forms(plan):
    row = PlanPrice(plan=plan, currency="EUR", amount=D("1"), valid_from=date(2026, 6, 1))
    with pytest.raises(ValidationError, match="Another price of this plan"):
        row.full_clean()


def test_resting_fee_only_on_recurring_plans():
    fee = F.plan(F.product(C.ProductCategory.INSTALLATION), "25")
    with pytest.raises(ValidationError, match="Only recurring"):
        services.plan_price_schedule(
            plan=fee,
            currency="EUR",
            amount=D("20"),
            resting_amount=D("1"),
            valid_from=TODAY,
            today=TODAY,
        )


def test_tax_rate_schedule():
    tax = F.tax_class(code="std", rate="0.19", since=date(2017, 1, 1))
    services.tax_rate_schedule(
        tax_class=tax, country="ro", rate=D("0.21"), valid_from=date(2027, 1, 1), today=TODAY
    )
    rates = list(tax.rates.order_by("valid_from").values_list("rate", "valid_to"))
    assert rates == [(D("0.190000"), date(2027, 1, 1)), (D("0.210000"), None)]


def test_product_kind_must_match_category_and_content_needs_its_times():
    tax = F.tax_class()
    with pytest.raises(ValidationError) as excinfo:
        services.product_create(
            code="x", kind="service", category="tv_box", name_en="X", tax_class=tax
        )
    assert "kind Physical item" in excinfo.value.message_dict["category"][0]
    with pytest.raises(ValidationError) as excinfo:
        services.product_create(
            code="ppv", kind="content", category="ppv", name_en="Fight", tax_class=tax
        )
    assert "air time" in excinfo.value.message_dict["air_starts_at"][0]
    with pytest.raises(ValidationError) as excinfo:
        services.product_create(
            code="m", kind="content", category="movie", name_en="Film", tax_class=tax
        )
    assert "rental window" in excinfo.value.message_dict["rental_hours"][0]


def test_product_update_keeps_rules():
    product = F.product(C.ProductCategory.BROADBAND)
    services.product_update(product=product, name_ro="Internet 300", download_mbps=300)
    product.refresh_from_db()
    assert (product.name_ro, product.download_mbps) == ("Internet 300", 300)
    with pytest.raises(ValidationError):
        services.product_update(product=product, category="tv_box")


# --- promotions --------------------------------------------------------------------------


@pytest.fixture
def designer():
    return UserFactory(role="Marketing")


@pytest.fixture
def approver():
    return UserFactory(role="Marketing")


def draft(designer, **fields):
    data = {
        "code": "bf",
        "name_en": "Black Friday",
        "discount_kind": "percentage",
        "value": D("50"),
        "valid_from": timezone.localdate(),
    }
    data.update(fields)
    return services.promotion_create(actor=designer, **data)


def test_promotion_is_designed_as_draft_and_approved_by_someone_else(designer, approver):
    promotion = draft(designer)
    assert promotion.status == C.PromotionStatus.DRAFT and promotion.created_by == designer
    with pytest.raises(DomainError, match="someone other than its designer"):
        services.promotion_approve(promotion=promotion, actor=designer)
    promotion = services.promotion_approve(promotion=promotion, actor=approver)
    # Its window has started: it is active at once.
    assert promotion.status == C.PromotionStatus.ACTIVE
    assert promotion.approved_by == approver and promotion.approved_at is not None


def test_future_promotion_waits_for_its_first_day(designer, approver):
    start = timezone.localdate() + timedelta(days=3)
    promotion = services.promotion_approve(
        promotion=draft(designer, valid_from=start, valid_to=start + timedelta(days=4)),
        actor=approver,
    )
    assert promotion.status == C.PromotionStatus.APPROVED
    assert services.promotions_refresh(today=start - timedelta(days=1)) == {
        "activated": 0,
        "expired": 0,
    }
    assert services.promotions_refresh(today=start) == {"activated": 1, "expired": 0}
    assert services.promotions_refresh(today=start) == {"activated": 0, "expired": 0}
    assert services.promotions_refresh(today=start + timedelta(days=5)) == {
        "activated": 0,
        "expired": 1,
    }
    promotion.refresh_from_db()
    assert promotion.status == C.PromotionStatus.EXPIRED
    assert promotion.valid_to == start + timedelta(days=4)


def test_only_drafts_change_and_transitions_are_checked(designer, approver):
    promotion = services.promotion_approve(promotion=draft(designer), actor=approver)
    with pytest.raises(DomainError, match="Only a draft"):
        services.promotion_update(promotion=promotion, actor=designer, value=D("60"))
    with pytest.raises(InvalidTransition):
        services.promotion_return_to_draft(promotion=promotion, actor=designer)
    promotion = services.promotion_expire(promotion=promotion, today=TODAY)
    assert promotion.status == C.PromotionStatus.EXPIRED
    with pytest.raises(InvalidTransition):
        services.promotion_activate(promotion=promotion)


def test_withdrawn_promotion_ends_yesterday(designer, approver):
    promotion = services.promotion_approve(
        promotion=draft(designer, valid_from=date(2026, 1, 1)), actor=approver
    )
    promotion = services.promotion_expire(promotion=promotion, today=TODAY)
    assert promotion.valid_to == TODAY - timedelta(days=1)


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("percentage", D("101"), "cannot exceed 100"),
        ("free_months", D("1.5"), "whole number"),
        ("fixed", D("0"), ""),
    ],
)
def test_bad_promotion_values_are_refused(designer, kind, value, message):
    with pytest.raises(ValidationError) as excinfo:
        draft(designer, discount_kind=kind, value=value)
    assert message in " ".join(excinfo.value.message_dict["value"])
    assert not Promotion.objects.exists()


def test_the_database_refuses_a_percentage_above_100(designer):
    promotion = draft(designer)
    with (
        pytest.raises(IntegrityError, match="promotion_percentage_at_most_100"),
        transaction.atomic(),
    ):
        Promotion.objects.filter(pk=promotion.pk).update(value=D("150"))


def test_refresh_task_runs_the_service(designer, approver):
    from products.tasks import refresh_promotions

    start = timezone.localdate()
    promotion = draft(
        designer, valid_from=start - timedelta(days=10), valid_to=start - timedelta(days=1)
    )
    Promotion.objects.filter(pk=promotion.pk).update(status=C.PromotionStatus.ACTIVE)
    assert refresh_promotions.delay().get() == {"activated": 0, "expired": 1}
