"""Plan changes (SUB-2): orders with a status, the products' change policy, the
preview of the next invoices, and applying on the day."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from alux_crm.core.errors import InvalidTransition
from alux_crm.core.models import OutboxMessage
from products import choices as PC
from products import services as product_services
from products.pricing import BasketItem
from subscriptions import services
from subscriptions.choices import ChangeKind, ChangeStatus
from subscriptions.services import ChangeRequest, DeviceSwap
from tests.products import factories as PF
from tests.subscriptions import factories as F

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = date(2026, 12, 11)  # bill cycle day 1: the period is December


@pytest.fixture
def cat():
    cat = PF.catalogue()
    premium = PF.product(PC.ProductCategory.TV_PACKAGE, code="tv-premium")
    PF.plan(premium, "20.00")
    cat.premium = premium
    return cat


@pytest.fixture
def subscription(cat):
    subscription = F.subscription(cat, signed_on=date(2026, 11, 20))
    return services.subscription_activate(subscription=subscription, on=date(2026, 11, 20))


def tv_item(subscription, cat):
    return subscription.items.get(product=cat.tv)


def request(add=(), remove=(), swaps=()):
    return ChangeRequest(add=list(add), remove=list(remove), swaps=list(swaps))


def test_upgrade_now_is_prorated_on_the_next_invoice(cat, subscription):
    change = request(add=[BasketItem(cat.premium)], remove=[tv_item(subscription, cat)])
    preview = services.change_preview(subscription=subscription, request=change, requested_on=TODAY)
    assert preview.kind == ChangeKind.UPGRADE
    assert preview.policy == PC.ChangePolicy.IMMEDIATE and preview.effective_on == TODAY
    after = [(line.product.code, line.days, line.net) for line in preview.current_after.lines]
    # December: basic TV 1-10 (10 days), premium 11-31 (21 days), the box all month.
    assert after == [
        ("tv-basic", 10, D("3.23")),
        ("box", 31, D("3.00")),
        ("tv-premium", 21, D("13.55")),
    ]
    assert preview.current_before.net == D("13.00")
    # The adjustment is after minus before, VAT included: (3.23 + 3.00 + 13.55) - 13.00
    assert preview.adjustment == D("23.94") - D("15.73")
    assert [line.product.code for line in preview.next_period.lines] == ["box", "tv-premium"]
    assert preview.next_invoice_total == preview.next_period.total + preview.adjustment


def test_change_is_an_order_applied_on_its_day_with_one_command(cat, subscription):
    change = request(add=[BasketItem(cat.premium)], remove=[tv_item(subscription, cat)])
    order = services.change_order_create(subscription=subscription, request=change, today=TODAY)
    assert order.status == ChangeStatus.APPLIED and order.effective_on == TODAY
    open_items = subscription.items.filter(valid_to__isnull=True).values_list(
        "product__code", flat=True
    )
    assert sorted(open_items) == ["box", "tv-premium"]
    assert tv_item(subscription, cat).valid_to == TODAY
    command = OutboxMessage.objects.filter(topic="provisioning.change_entitlements").get()
    assert command.payload["entitlements"] == ["box", "tv-premium"]
    # Applying again changes nothing.
    services.change_order_apply(order=order)
    assert OutboxMessage.objects.filter(topic="provisioning.change_entitlements").count() == 1


def test_downgrade_waits_for_the_end_of_the_period(cat, subscription):
    product_services.product_update(product=cat.tv, change_policy=PC.ChangePolicy.END_OF_PERIOD)
    cheap = PF.product(PC.ProductCategory.TV_PACKAGE, code="tv-mini")
    PF.plan(cheap, "6.00")
    change = request(add=[BasketItem(cheap)], remove=[tv_item(subscription, cat)])
    order = services.change_order_create(subscription=subscription, request=change, today=TODAY)
    assert (order.kind, order.status, order.effective_on) == (
        ChangeKind.DOWNGRADE,
        ChangeStatus.SCHEDULED,
        date(2027, 1, 1),
    )
    assert tv_item(subscription, cat).valid_to is None
    assert services.change_orders_apply_due(today=date(2026, 12, 31)) == 0
    assert services.change_orders_apply_due(today=date(2027, 1, 1)) == 1
    assert services.change_orders_apply_due(today=date(2027, 1, 1)) == 0
    assert tv_item(subscription, cat).valid_to == date(2027, 1, 1)


def test_end_of_term_policy_waits_for_the_contract_end(cat, subscription):
    product_services.product_update(product=cat.tv, change_policy=PC.ChangePolicy.END_OF_TERM)
    change = request(remove=[tv_item(subscription, cat)], add=[BasketItem(cat.premium)])
    order = services.change_order_create(subscription=subscription, request=change, today=TODAY)
    assert order.effective_on == subscription.contract_end == date(2028, 11, 20)


def test_add_on_on_a_chosen_date_and_cancel_before_it(cat, subscription):
    change = request(add=[BasketItem(cat.addon)])
    order = services.change_order_create(
        subscription=subscription, request=change, wanted_on=date(2027, 2, 1), today=TODAY
    )
    assert (order.kind, order.status) == (ChangeKind.ADD_ADDON, ChangeStatus.SCHEDULED)
    services.change_order_cancel(order=order)
    assert services.change_orders_apply_due(today=date(2027, 2, 1)) == 0


def test_add_on_needs_a_package_that_stays(cat, subscription):
    change = request(add=[BasketItem(cat.addon)], remove=[tv_item(subscription, cat)])
    with pytest.raises(ValidationError, match="requires TV package"):
        services.change_preview(subscription=subscription, request=change, requested_on=TODAY)


def test_device_swap_returns_the_old_box(cat, subscription):
    old = subscription.devices.get()
    change = request(swaps=[DeviceSwap(old, "SN-NEW-1")])
    order = services.change_order_create(subscription=subscription, request=change, today=TODAY)
    assert order.kind == ChangeKind.DEVICE_SWAP
    old.refresh_from_db()
    assert old.returned_on == TODAY
    assert subscription.devices.get(returned_on__isnull=True).serial == "SN-NEW-1"
    with pytest.raises(ValidationError, match="already in use"):
        services.change_preview(
            subscription=subscription,
            request=request(
                swaps=[DeviceSwap(subscription.devices.get(serial="SN-NEW-1"), "SN-NEW-1")]
            ),
            requested_on=TODAY,
        )


def test_ended_subscriptions_and_empty_changes_are_refused(cat, subscription):
    with pytest.raises(ValidationError, match="empty"):
        services.change_preview(subscription=subscription, request=request(), requested_on=TODAY)
    services.subscription_terminate(subscription=subscription)
    subscription.refresh_from_db()
    with pytest.raises(InvalidTransition, match="cannot be changed"):
        services.change_preview(
            subscription=subscription,
            request=request(add=[BasketItem(cat.addon)]),
            requested_on=TODAY,
        )


def test_a_change_cannot_go_back_in_time(cat, subscription):
    with pytest.raises(ValidationError) as excinfo:
        services.change_order_create(
            subscription=subscription,
            request=request(add=[BasketItem(cat.addon)]),
            wanted_on=date(2026, 12, 1),
            today=TODAY,
        )
    assert "back in time" in excinfo.value.message_dict["wanted_on"][0]


def test_a_portal_only_promotion_is_earned_through_the_portal_not_an_agent(cat):
    PF.promotion(code="web-10", rules=[{"kind": PC.EligibilityKind.CHANNEL, "values": ["portal"]}])
    earned = {}
    for channel in ("agent", "portal"):
        subscription = services.subscription_activate(
            subscription=F.subscription(cat, signed_on=date(2026, 11, 20)), on=date(2026, 11, 20)
        )
        add = request(add=[BasketItem(cat.addon)])
        preview = services.change_preview(
            subscription=subscription, request=add, requested_on=TODAY, channel=channel
        )
        services.change_order_create(
            subscription=subscription, request=add, channel=channel, today=TODAY
        )
        item = subscription.items.get(product=cat.addon)
        earned[channel] = (list(item.promotions.values_list("code", flat=True)), preview)
    assert earned["agent"][0] == [] and earned["portal"][0] == ["web-10"]
    # the preview shown before confirming already counts the portal's discount
    assert earned["portal"][1].next_period.total < earned["agent"][1].next_period.total
