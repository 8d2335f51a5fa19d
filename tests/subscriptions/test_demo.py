"""The demo subscriptions of ``seed_demo``: one in every state with the stories the
screens need, sold through the services (timeline and provisioning commands), loaded
once, and the demo retailer sees only its customers'."""

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from alux_crm.core.models import OutboxMessage, Partner, User
from customers.demo import RETAILER_CODE
from products.choices import ChangePolicy
from products.models import Product
from subscriptions import selectors
from subscriptions.choices import (
    CancellationKind,
    CancellationStatus,
    ChangeKind,
    ChangeStatus,
    RestingStatus,
)
from subscriptions.choices import SubscriptionStatus as S
from subscriptions.models import (
    CancellationRequest,
    ChangeOrder,
    CreditLimit,
    RestingPolicy,
    Subscription,
)

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    """Rows of every subscriptions table (and of their history), of the outbox and of
    the products' history (the demo changes a product's change policy once)."""
    counts = {
        model.__name__: model.objects.count()
        for model in apps.get_app_config("subscriptions").get_models()
    }
    counts["OutboxMessage"] = OutboxMessage.objects.count()
    counts["ProductEvent"] = apps.get_model("products", "ProductEvent").objects.count()
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


def test_a_second_run_changes_nothing(seeded):
    assert seeded["after_second"] == seeded["after_first"]
    assert f"{Subscription.objects.count()} new subscriptions" in seeded["first"]
    assert "0 new subscriptions" in seeded["second"]


def test_every_status_is_there(seeded):
    statuses = set(Subscription.objects.values_list("status", flat=True))
    assert statuses == set(S.values)
    assert Subscription.objects.filter(status=S.ACTIVE).count() >= 5


def test_sold_through_the_services_in_the_past(seeded):
    today = timezone.localdate()
    for subscription in Subscription.objects.exclude(status=S.PENDING_INSTALLATION):
        commands = list(subscription.timeline.exclude(command="").values_list("command", flat=True))
        assert commands, subscription.number
        assert subscription.timeline.filter(outbox_message__isnull=False).count() == len(commands)
    live = Subscription.objects.filter(status=S.ACTIVE)
    assert all(s.activated_on < today and s.contract_end for s in live)
    pending = Subscription.objects.filter(
        status=S.PENDING_INSTALLATION, installation_date__gt=today
    )
    assert pending.exists()
    assert OutboxMessage.objects.filter(topic="provisioning.activate").count() >= 10


def test_products_devices_and_multi_room(seeded):
    def has(*codes):
        return {
            s.pk
            for s in Subscription.objects.filter(status=S.ACTIVE)
            if set(codes)
            <= set(
                s.items.filter(valid_to__isnull=True).values_list("product__category", flat=True)
            )
        }

    assert has("tv_package", "tv_addon", "tv_box")
    assert has("triple_play", "router")
    assert any(
        list(s.items.values_list("product__category", flat=True)) == ["broadband"]
        for s in Subscription.objects.filter(status=S.ACTIVE)
    )
    rooms = [
        s
        for s in Subscription.objects.all()
        if s.devices.filter(product__category="tv_box").count() == 2
    ]
    assert len(rooms) == 1
    assert {d.room for d in rooms[0].devices.all()} == {"Living room", "Bedroom"}
    assert all(d.serial.startswith("DEMO-") for s in rooms for d in s.devices.all())


def test_resting_changes_and_cancellations(seeded):
    for code in ("tv-basic", "tv-family", "tv-premium"):
        policy = RestingPolicy.objects.get(product__code=code)
        assert (policy.min_days, policy.max_days, policy.max_per_year, policy.notice_days) == (
            30,
            90,
            2,
            1,
        )
    resting = Subscription.objects.get(status=S.RESTING)
    assert resting.resting_periods.get().status == RestingStatus.RESTING

    assert Product.objects.get(code="tv-premium").change_policy == ChangePolicy.END_OF_PERIOD
    scheduled = ChangeOrder.objects.get(status=ChangeStatus.SCHEDULED)
    assert scheduled.kind == ChangeKind.DOWNGRADE
    assert scheduled.effective_on > timezone.localdate()
    applied = ChangeOrder.objects.get(status=ChangeStatus.APPLIED, channel="agent")
    assert applied.kind == ChangeKind.UPGRADE
    assert applied.subscription.timeline.filter(command="change_entitlements").exists()

    queue = selectors.cancellation_queue(status=CancellationStatus.OPEN)
    [request] = queue
    assert request.kind == CancellationKind.CANCELLATION and request.early_termination_fee > 0
    regret = CancellationRequest.objects.get(kind=CancellationKind.REGRET)
    assert regret.status == CancellationStatus.DONE and regret.early_termination_fee == 0
    assert regret.subscription.status == S.CANCELLED


def test_credit_limits_for_every_class(seeded):
    assert list(CreditLimit.objects.values_list("credit_class", flat=True)) == list("ABCD")
    assert Subscription.objects.filter(deposit_required__gt=0).exists()


def test_the_demo_retailer_sees_only_its_customers_subscriptions(seeded):
    retailer = User.objects.get(username="retailer")
    partner = Partner.objects.get(code=RETAILER_CODE)
    visible = selectors.subscription_list(user=retailer)
    assert visible.count() >= 3
    assert set(visible.values_list("customer__partner", flat=True)) == {partner.pk}
    sold = Subscription.objects.filter(partner=partner)
    assert set(sold.values_list("channel", flat=True)) == {"retailer"}
    assert set(sold.values_list("pk", flat=True)) == set(visible.values_list("pk", flat=True))
    assert Subscription.objects.exclude(customer__partner=partner).exists()
