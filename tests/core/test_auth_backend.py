"""The user of every request in one query (alux_crm.core.auth_backends.UserBackend):
roles, partner and portal account come with it, and an inactive user is nobody."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alux_crm.core import roles as R
from alux_crm.core.auth_backends import UserBackend
from portal.models import PortalAccount
from tests.customers import factories as CF

pytestmark = pytest.mark.django_db


def test_roles_partner_and_portal_account_come_in_one_query(make_user, django_assert_num_queries):
    retailer = make_user(R.RETAILER)
    retailer.groups.add(Group.objects.get(name=R.INSTALLER))
    customer = CF.person()
    subscriber = make_user(R.SUBSCRIBER)
    PortalAccount.objects.create(user=subscriber, customer=customer)
    with django_assert_num_queries(1):
        user = UserBackend().get_user(retailer.pk)
        assert user.role_names == {R.RETAILER, R.INSTALLER}
        assert user.partner.code == retailer.partner.code
    with django_assert_num_queries(1):
        user = UserBackend().get_user(subscriber.pk)
        assert user.role_names == {R.SUBSCRIBER}
        assert user.portal_account.customer.number == customer.number


def test_a_user_without_roles_has_none_and_an_inactive_user_is_nobody(make_user):
    user = make_user()
    assert UserBackend().get_user(user.pk).role_names == frozenset()
    user.is_active = False
    user.save()
    assert UserBackend().get_user(user.pk) is None
    assert UserBackend().get_user(user.pk + 1000) is None


def test_a_page_of_a_portal_login_reads_user_and_customer_once(client, make_user):
    customer = CF.person()
    subscriber = make_user(R.SUBSCRIBER)
    PortalAccount.objects.create(user=subscriber, customer=customer)
    client.force_login(subscriber, backend="alux_crm.core.auth_backends.UserBackend")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/portal/invoices/").status_code == 200
    tables = " ".join(q["sql"] for q in queries.captured_queries)
    assert tables.count('FROM "core_user"') == 1
    assert 'FROM "portal_portalaccount"' not in tables  # joined to the user's query
    assert 'FROM "django_session"' not in tables  # read from Redis
