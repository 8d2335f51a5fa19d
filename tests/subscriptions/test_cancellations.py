"""Cancellations and regrets (SUB-4): the back-office queue, the early-termination
fee from the remaining term, and the end on the chosen date."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from alux_crm.core.errors import DomainError
from products.pricing import BasketItem
from subscriptions import services
from subscriptions.choices import CancellationKind, CancellationStatus
from subscriptions.choices import SubscriptionStatus as S
from tests.products import factories as PF
from tests.subscriptions import factories as F

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def cat():
    return PF.catalogue()


@pytest.fixture
def subscription(cat):
    subscription = F.subscription(
        cat,
        items=[BasketItem(cat.tv), BasketItem(cat.broadband)],
        devices=[],
        signed_on=date(2026, 1, 10),
    )
    return services.subscription_activate(subscription=subscription, on=date(2026, 1, 10))


def test_fee_is_the_remaining_term_at_the_monthly_price(subscription):
    # Contract until 2028-01-10; leaving on 2026-12-25: 12 months and 16 days left at 25.00.
    fee, how = services.early_termination_fee(subscription=subscription, on=date(2026, 12, 25))
    # 25.00 x 12 + 25.00 x 16 / 30 = 300.00 + 13.333... -> 313.33
    assert fee == D("313.33")
    assert "12 months and 16 days left" in how


def test_no_fee_after_the_minimum_term(subscription):
    fee, how = services.early_termination_fee(subscription=subscription, on=date(2028, 1, 10))
    assert fee == D("0.00") and "term is over" in how


def test_cancellation_goes_to_back_office_and_ends_on_its_date(subscription, make_user):
    agent, clerk = make_user("Customer Service"), make_user("Back Office")
    request = services.cancellation_request_create(
        subscription=subscription,
        effective_on=date(2026, 12, 31),
        reason="Moving abroad",
        actor=agent,
        today=date(2026, 12, 1),
    )
    assert (request.kind, request.status) == (
        CancellationKind.CANCELLATION,
        CancellationStatus.OPEN,
    )
    assert request.early_termination_fee > 0
    with pytest.raises((ValidationError, IntegrityError)):
        services.cancellation_request_create(
            subscription=subscription,
            effective_on=date(2026, 12, 31),
            reason="again",
            today=date(2026, 12, 1),
        )
    request = services.cancellation_approve(request=request, actor=clerk, today=date(2026, 12, 1))
    assert request.status == CancellationStatus.APPROVED and request.handled_by == clerk
    assert services.cancellations_run(today=date(2026, 12, 30)) == 0
    assert services.cancellations_run(today=date(2026, 12, 31)) == 1
    subscription.refresh_from_db()
    assert subscription.status == S.TERMINATED and subscription.ended_on == date(2026, 12, 31)
    with pytest.raises(DomainError, match="already been handled"):
        services.cancellation_approve(request=request, actor=clerk)


def test_regret_inside_the_window_is_free_and_immediate(cat, make_user):
    subscription = F.subscription(cat, signed_on=date(2026, 12, 1))
    request = services.cancellation_request_create(
        subscription=subscription,
        effective_on=date(2026, 12, 5),
        reason="Changed my mind",
        today=date(2026, 12, 5),
    )
    assert request.kind == CancellationKind.REGRET and request.early_termination_fee == 0
    services.cancellation_approve(
        request=request, actor=make_user("Back Office"), today=date(2026, 12, 5)
    )
    subscription.refresh_from_db()
    assert subscription.status == S.CANCELLED


def test_rejection_needs_an_answer_and_keeps_the_subscription(subscription, make_user):
    request = services.cancellation_request_create(
        subscription=subscription,
        effective_on=date(2026, 12, 31),
        reason="Too expensive",
        today=date(2026, 12, 1),
    )
    with pytest.raises(ValidationError):
        services.cancellation_reject(request=request, actor=make_user("Back Office"), answer=" ")
    request = services.cancellation_reject(
        request=request, actor=make_user("Back Office"), answer="Retained with 20 % off"
    )
    assert request.status == CancellationStatus.REJECTED
    subscription.refresh_from_db()
    assert subscription.status == S.ACTIVE


def test_bad_requests_are_refused(subscription):
    with pytest.raises(ValidationError) as excinfo:
        services.cancellation_request_create(
            subscription=subscription,
            effective_on=date(2026, 11, 30),
            reason="x",
            today=date(2026, 12, 1),
        )
    assert "past" in excinfo.value.message_dict["effective_on"][0]
    with pytest.raises(ValidationError) as excinfo:
        services.cancellation_request_create(
            subscription=subscription,
            effective_on=date(2026, 12, 30),
            reason="",
            today=date(2026, 12, 1),
        )
    assert "reason" in excinfo.value.message_dict


def test_fee_uses_the_price_of_the_month_left_not_the_first_months_promotion(cat):
    PF.promotion(value=50, duration_months=3, products=[cat.tv])
    subscription = F.subscription(
        cat, items=[BasketItem(cat.tv)], devices=[], signed_on=date(2026, 1, 10)
    )
    subscription = services.subscription_activate(subscription=subscription, on=date(2026, 1, 10))
    # In month 2 the promotion still halves the price; in month 12 it is over.
    early, _how = services.early_termination_fee(subscription=subscription, on=date(2026, 2, 10))
    late, _how = services.early_termination_fee(subscription=subscription, on=date(2026, 12, 10))
    assert early == D("5.00") * 23
    assert late == D("10.00") * 13
