"""The holds demo (seed_demo): promises open, kept and broken; a payment plan with its
first instalment paid and a broken one; deposits waiting, paid and refunded — made
through the services on accounts that owe and on subscriptions in each state, once."""

from decimal import Decimal

import pytest

from alux_crm.core import roles as R
from billing.services.ledger import ledger_reconcile
from dunning.choices import DepositStatus, InstalmentStatus, PaymentPlanStatus, PromiseStatus
from dunning.demo_holds import seed_holds
from dunning.models import Deposit, PaymentPlan, PromiseToPay
from subscriptions import services as subscription_services
from tests.dunning.holds_world import owing_account
from tests.products import factories as PF
from tests.subscriptions import factories as SF

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def demo_world(make_user):
    for username, role in (
        ("agent", R.CUSTOMER_SERVICE),
        ("finance", R.BILLING_FINANCE),
        ("backoffice", R.BACK_OFFICE),
    ):
        make_user(role, username=username)
    for n in range(5):
        owing_account(f"{90 + n}.00")
    cat = PF.catalogue()
    SF.subscription(cat)  # pending installation
    subscription_services.subscription_activate(subscription=SF.subscription(cat))
    ended = subscription_services.subscription_activate(subscription=SF.subscription(cat))
    subscription_services.subscription_terminate(subscription=ended, reason="Moved")


def test_the_demo_makes_every_kind_of_hold_once(demo_world):
    assert seed_holds() == 8
    assert sorted(PromiseToPay.objects.values_list("status", flat=True)) == sorted(
        [PromiseStatus.OPEN, PromiseStatus.KEPT, PromiseStatus.BROKEN]
    )
    assert PromiseToPay.objects.get(status=PromiseStatus.OPEN).approved_for_reconnection
    active = PaymentPlan.objects.get(status=PaymentPlanStatus.ACTIVE)
    assert [i.status for i in active.instalments.order_by("number")] == [
        InstalmentStatus.PAID,
        InstalmentStatus.DUE,
        InstalmentStatus.DUE,
    ]
    assert PaymentPlan.objects.filter(status=PaymentPlanStatus.BROKEN).count() == 1
    assert sorted(Deposit.objects.values_list("status", flat=True)) == sorted(
        [DepositStatus.REQUESTED, DepositStatus.PAID, DepositStatus.REFUNDED]
    )
    assert ledger_reconcile() == []
    assert seed_holds() == 0  # a second run makes nothing
    assert PromiseToPay.objects.count() == 3 and Deposit.objects.count() == 3
