"""The sale (SUB-1): the deposit by credit class (CUS-3), the installation booking."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from products.pricing import BasketItem
from subscriptions.models import CreditLimit, Subscription
from tests.customers import factories as CF
from tests.products import factories as PF
from tests.subscriptions import factories as F

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def cat():
    return PF.catalogue()


@pytest.fixture
def limits():
    CreditLimit.objects.create(credit_class="A", max_monthly_without_deposit=D("100"))
    CreditLimit.objects.create(
        credit_class="D", max_monthly_without_deposit=D("10"), deposit_months=D("2")
    )


def test_a_good_class_buys_without_a_deposit(cat, limits):
    customer = CF.person()
    customer.credit_class = "A"
    customer.save()
    subscription = F.subscription(cat, billing_account=F.account(customer))
    assert subscription.deposit_required == D("0.00")


def test_a_poor_or_unchecked_class_pays_a_deposit(cat, limits):
    # TV 12.10 + box rental 3.63 = 15.73 a month with VAT, over the 10.00 of class D:
    # a deposit of two months.
    subscription = F.subscription(cat)  # no credit check: the strictest class
    assert subscription.deposit_required == D("31.46")


def test_no_limits_configured_means_no_deposit(cat):
    assert F.subscription(cat).deposit_required == D("0.00")


def test_installation_on_a_working_day_with_a_slot(cat):
    subscription = F.subscription(
        cat,
        signed_on=date(2026, 11, 23),
        installation_date=date(2026, 11, 26),
        installation_slot="morning",
    )
    assert subscription.get_installation_slot_display().startswith("Morning")
    for day, slot, field in [
        (date(2026, 11, 29), "morning", "installation_date"),  # a Sunday
        (date(2026, 12, 1), "morning", "installation_date"),  # Romania's national day
        (date(2026, 11, 20), "morning", "installation_date"),  # before signing
        (date(2026, 11, 26), "", "installation_slot"),
    ]:
        with pytest.raises(ValidationError) as excinfo:
            F.subscription(
                cat, signed_on=date(2026, 11, 23), installation_date=day, installation_slot=slot
            )
        assert field in excinfo.value.message_dict
    assert Subscription.objects.count() == 1


def test_a_basket_the_catalogue_refuses_is_not_sold(cat):
    with pytest.raises(ValidationError, match="requires TV package"):
        F.subscription(cat, items=[BasketItem(cat.addon)], devices=[])
    assert not Subscription.objects.exists()
