"""The ``__any`` lookup: one array parameter instead of a placeholder per value."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customers.models import BillingAccount
from tests.customers.factories import make_customer_world


@pytest.mark.django_db
def test_any_matches_the_listed_ids_in_one_parameter(partner_a):
    _customer, account, _attachment = make_customer_world(partner_a)
    other = BillingAccount.objects.exclude(pk=account.pk).first()
    ids = [account.pk, 10**12, 10**12 + 1]
    with CaptureQueriesContext(connection) as queries:
        found = list(BillingAccount.objects.filter(pk__any=ids).values_list("pk", flat=True))
    assert found == [account.pk]
    assert "= ANY(" in queries[0]["sql"]
    assert other is None or other.pk not in found
    assert not BillingAccount.objects.filter(pk__any=[]).exists()
    assert BillingAccount.objects.filter(customer__any=[account.customer_id]).count() == 1
