"""The demo blocking rules (centre part): made once, evaluated, idempotent."""

from decimal import Decimal

import pytest

from customers.models import Customer
from dunning.demo_centre import BLOCK_RULE, DEMO_DEALER_CODE, UNBLOCK_RULE, seed_centre
from dunning.models import AccountBlock, BlockingRule
from tests.core.factories import PartnerFactory
from tests.customers import factories as CF

pytestmark = pytest.mark.django_db


def test_the_demo_blocks_and_unblocks_and_can_run_twice():
    dealer = PartnerFactory(code=DEMO_DEALER_CODE)
    values = {"mid": "120.00", "top": "200.00", "low": "50.00"}
    people = {}
    for name, value in values.items():
        person = CF.person(partner=dealer)
        Customer.objects.filter(pk=person.pk).update(monthly_value=Decimal(value))
        people[name] = person
    seed_centre()
    seed_centre()
    assert set(BlockingRule.objects.values_list("name", flat=True)) == {BLOCK_RULE, UNBLOCK_RULE}
    status = dict(Customer.objects.filter(partner=dealer).values_list("pk", "status"))
    assert status[people["mid"].pk] == "blocked"
    assert status[people["top"].pk] == "active"  # blocked, then cleared by the unblock rule
    assert status[people["low"].pk] == "active"
    assert AccountBlock.objects.filter(action="block").count() == 2
    assert AccountBlock.objects.filter(action="unblock").count() == 1
