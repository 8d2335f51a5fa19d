"""The subscriber portal's door (POR-1): invitation by an agent, activation from the
e-mailed one-time link, login by customer number or e-mail, lockout with cool-off,
disabled logins, and the dashboard scoped to the subscriber's own customer."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from alux_crm.core import roles as R
from alux_crm.core.models import OutboxMessage
from portal.models import PortalAccount
from portal.services import portal_invite
from tests.customers import factories as CF
from tests.products import factories as PF
from tests.subscriptions import factories as SF

pytestmark = pytest.mark.django_db
PASSWORD = "Munte-Verde-2026!"


def invited(customer=None):
    customer = customer or CF.person()
    account = portal_invite(customer=customer)
    message = OutboxMessage.objects.filter(idempotency_key__startswith="portal-invite-").latest(
        "id"
    )
    link = re.search(r"https?://\S+(/portal/activate/\S+/)", message.payload["body"]).group(1)
    return account, link


def activated(client, customer=None):
    account, link = invited(customer)
    client.post(link, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    client.logout()
    return account


def test_an_agent_invites_and_the_subscriber_activates_from_the_link(make_user, login, client):
    customer = CF.person(language="en")  # the portal speaks the customer's language
    agent_client = login(make_user(R.CUSTOMER_SERVICE))
    response = agent_client.post(f"/customers/{customer.pk}/portal-invite/")
    assert response.status_code == 302
    account = PortalAccount.objects.get(customer=customer)
    assert account.invited_at is not None and account.activated_at is None
    assert R.SUBSCRIBER in account.user.role_names and not account.user.has_usable_password()
    message = OutboxMessage.objects.get(idempotency_key__startswith="portal-invite-")
    assert message.topic == "email" and message.payload["to"] == [customer.email]
    link = re.search(r"(/portal/activate/\S+/)", message.payload["body"]).group(1)

    visitor = Client()
    assert 'id="portal-activate-form"' in visitor.get(link).content.decode()
    response = visitor.post(link, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert response.status_code == 302 and response.url == "/portal/dashboard/"
    account.refresh_from_db()
    assert account.activated_at is not None
    assert f"Hello, {customer.name}" in visitor.get("/portal/dashboard/").content.decode()
    # The link is one-time: used, it changes nothing any more.
    again = Client().post(
        link, {"new_password1": "Other-Pass-99!", "new_password2": "Other-Pass-99!"}
    )
    assert 'id="portal-link-invalid"' in again.content.decode()


def test_a_customer_without_e_mail_or_already_active_is_not_invited(client):
    from alux_crm.core.errors import DomainError

    with pytest.raises(DomainError):
        portal_invite(customer=CF.person(email=""))
    account = activated(client)
    with pytest.raises(DomainError):
        portal_invite(customer=account.customer)


def test_login_by_customer_number_or_e_mail_and_a_new_session(client):
    account = activated(client)
    client.get("/portal/login/")
    before = client.session.session_key
    for identifier in (account.customer.number, account.customer.email.upper()):
        response = client.post("/portal/login/", {"username": identifier, "password": PASSWORD})
        assert response.status_code == 302 and response.url == "/portal/dashboard/"
        assert client.session.session_key != before
        client.logout()
    wrong = client.post("/portal/login/", {"username": account.customer.number, "password": "x"})
    assert wrong.status_code == 200 and "portal-login-form" in wrong.content.decode()


def test_staff_cannot_use_the_portal_login(make_user, client):
    agent = make_user(R.CUSTOMER_SERVICE)
    agent.set_password(PASSWORD)
    agent.save()
    response = client.post("/portal/login/", {"username": agent.username, "password": PASSWORD})
    assert response.status_code == 200  # refused: not a portal login
    assert "_auth_user_id" not in client.session


def test_lockout_cools_off_so_a_real_customer_gets_back_in(client, settings):
    account = activated(client)
    number = account.customer.number
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post("/portal/login/", {"username": number, "password": "guess"})
    locked = client.post("/portal/login/", {"username": number, "password": PASSWORD})
    assert locked.status_code in (403, 429) and "_auth_user_id" not in client.session
    with time_machine.travel(timezone.now() + settings.AXES_COOLOFF_TIME + timedelta(minutes=1)):
        back = client.post("/portal/login/", {"username": number, "password": PASSWORD})
        assert back.status_code == 302


def test_a_disabled_login_loses_its_session(client):
    account = activated(client)
    client.post("/portal/login/", {"username": account.customer.number, "password": PASSWORD})
    assert client.get("/portal/dashboard/").status_code == 200
    account.user.is_active = False
    account.user.save()
    response = client.get("/portal/dashboard/")
    assert response.status_code == 302 and response.url.startswith("/portal/login/")


def test_dashboard_shows_only_the_subscribers_own_balance_and_services(client, make_user):
    cat = PF.catalogue()
    mine = SF.subscription(cat)
    theirs = SF.subscription(cat)
    account = activated(client, mine.customer)
    client.post("/portal/login/", {"username": account.customer.number, "password": PASSWORD})
    page = client.get("/portal/dashboard/").content.decode()
    assert mine.number in page and theirs.number not in page
    assert f'id="balance-{mine.billing_account.number}"' in page
    assert theirs.billing_account.number not in page
    # Staff are refused the portal's pages; visitors are sent to the portal login.
    assert Client().get("/portal/dashboard/").url.startswith("/portal/login/")
    staff = Client()
    staff.force_login(make_user(R.CUSTOMER_SERVICE))
    assert staff.get("/portal/dashboard/").status_code == 403


def test_the_customer_page_shows_the_portal_state_and_the_invite_button(make_user, login):
    customer = CF.person()
    agent = login(make_user(R.CUSTOMER_SERVICE))
    page = agent.get(f"/customers/{customer.pk}/").content.decode()
    assert 'id="portal-invite"' in page and "Not invited yet." in page
    agent.post(f"/customers/{customer.pk}/portal-invite/")
    page = agent.get(f"/customers/{customer.pk}/").content.decode()
    assert "not activated yet" in page and "Send a new invitation" in page
    finance = Client()
    finance.force_login(make_user(R.BILLING_FINANCE))
    page = finance.get(f"/customers/{customer.pk}/").content.decode()
    assert 'id="portal-invite"' not in page  # finance does not invite


def test_the_demo_subscriber_logs_in_with_the_printed_customer_number(client):
    from io import StringIO

    from django.core.management import call_command

    from alux_crm.core.management.demo import DEMO_PASSWORD
    from portal.demo import seed_portal
    from tests.dunning.engine_world import debtor

    owing = debtor(PF.catalogue())
    account = seed_portal()
    assert account.customer == owing.customer and seed_portal() == account  # once
    out = StringIO()
    call_command("demo_logins", stdout=out)
    assert f"customer number {owing.customer.number}" in out.getvalue()
    response = client.post(
        "/portal/login/", {"username": owing.customer.number, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert owing.number in client.get("/portal/dashboard/").content.decode()


def test_a_subscriber_is_sent_to_the_portal_from_the_staff_login(client):
    account = activated(client)
    response = client.post("/login/", {"username": account.user.username, "password": PASSWORD})
    assert response.status_code == 200 and "/portal/" in response.content.decode()
    assert "_auth_user_id" not in client.session
