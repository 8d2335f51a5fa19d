"""Passwords and sessions of the portal (POR-1): change when logged in, reset by an
e-mailed one-time link that never tells whether an account exists, a new session id
at every login, and an agent disabling a portal login (its sessions end at once)."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from alux_crm.core import roles as R
from alux_crm.core.models import OutboxMessage
from portal.models import PortalAccount
from portal.services import portal_invite
from portal.services_profile import RESET_EMAIL_WINDOW_SECONDS
from tests.customers import factories as CF

pytestmark = pytest.mark.django_db
PASSWORD = "Munte-Verde-2026!"
NEW_PASSWORD = "Deal-Albastru-2027?"
SAME_ANSWER = "If the customer number or e-mail address belongs to a self-care account"


def invite_link(customer) -> tuple[PortalAccount, str]:
    account = portal_invite(customer=customer)
    invite = OutboxMessage.objects.filter(idempotency_key__startswith="portal-invite-").latest("id")
    return account, re.search(r"(/portal/activate/\S+/)", invite.payload["body"]).group(1)


def activated(customer=None) -> PortalAccount:
    account, link = invite_link(customer or CF.person(language="en"))
    Client().post(link, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    account.refresh_from_db()
    return account


def logged_in(account, password=PASSWORD) -> Client:
    client = Client()
    response = client.post(
        "/portal/login/", {"username": account.customer.number, "password": password}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def reset_messages():
    return OutboxMessage.objects.filter(idempotency_key__startswith="portal-reset-")


def reset_link(message) -> str:
    return re.search(r"https?://\S+(/portal/password-reset/\S+/)", message.payload["body"]).group(1)


def html(response) -> str:
    return response.content.decode()


# --- new session ids --------------------------------------------------------------------
def test_activation_and_login_each_start_a_new_session():
    account, link = invite_link(CF.person())
    client = Client()
    before = client.session.session_key
    client.post(link, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    after_activation = client.session.session_key
    assert after_activation and after_activation != before
    assert client.get("/portal/dashboard/").status_code == 200
    client.post("/portal/logout/")
    anonymous = client.session.session_key
    client.post("/portal/login/", {"username": account.customer.number, "password": PASSWORD})
    assert client.session.session_key not in (anonymous, after_activation)


# --- password change ------------------------------------------------------------------------
def test_changing_the_password_keeps_this_session_and_ends_the_others():
    account = activated()
    phone, laptop = logged_in(account), logged_in(account)
    before = phone.session.session_key
    wrong = phone.post(
        "/portal/profile/password/",
        {"old_password": "nope", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert "This is not your current password." in html(wrong)
    weak = phone.post(
        "/portal/profile/password/",
        {"old_password": PASSWORD, "new_password1": "123", "new_password2": "123"},
    )
    assert weak.status_code == 200 and "too short" in html(weak)
    done = phone.post(
        "/portal/profile/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 302
    assert "Your password is changed." in html(phone.get("/portal/profile/"))
    assert phone.session.session_key != before
    assert laptop.get("/portal/profile/").url.startswith("/portal/login/")  # logged out
    notice = OutboxMessage.objects.get(idempotency_key__startswith="portal-password-changed-")
    assert notice.payload["to"] == [account.customer.email]
    logged_in(account, NEW_PASSWORD)


# --- password reset -------------------------------------------------------------------------
def test_reset_by_number_or_e_mail_with_a_one_time_link():
    account = activated()
    customer = account.customer
    form = html(Client().get("/portal/login/"))
    assert 'href="/portal/password-reset/"' in form

    visitor = Client()
    response = visitor.post("/portal/password-reset/", {"identifier": customer.email.upper()})
    assert response.status_code == 302 and response.url == "/portal/password-reset/sent/"
    assert SAME_ANSWER in html(visitor.get(response.url))
    message = reset_messages().get()
    assert message.topic == "email" and message.payload["to"] == [customer.email]
    assert message.payload["body"].count(settings.PORTAL_BASE_URL.rstrip("/")) == 1
    link = reset_link(message)

    assert 'id="password-reset-confirm-form"' in html(visitor.get(link))
    visitor.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert "_auth_user_id" not in visitor.session  # log in with it, through the login
    logged_in(account, NEW_PASSWORD)
    # One-time: used, the link says so and changes nothing.
    again = Client().post(link, {"new_password1": "Alt-Parola-2028!", "new_password2": "x"})
    assert 'id="password-reset-invalid"' in html(again)
    # By customer number too (after the window in which asking again sends nothing).
    later = timezone.now() + timedelta(seconds=RESET_EMAIL_WINDOW_SECONDS + 1)
    with time_machine.travel(later):
        Client().post("/portal/password-reset/", {"identifier": customer.number.lower()})
    assert reset_messages().count() == 2


def test_the_answer_is_the_same_whether_or_not_the_account_exists(make_user):
    account = activated()
    staff = make_user(R.CUSTOMER_SERVICE, email="agent@aluxsat.example")
    answers = []
    for identifier in (account.customer.number, "C-999999", "nobody@example.com", staff.email):
        response = Client().post("/portal/password-reset/", {"identifier": identifier})
        answers.append((response.status_code, response.url))
    assert len(set(answers)) == 1
    assert reset_messages().count() == 1  # only the real subscriber got a link
    assert reset_messages().get().payload["to"] == [account.customer.email]


def test_asking_again_at_once_sends_no_second_e_mail():
    account = activated()
    for _ in range(3):
        Client().post("/portal/password-reset/", {"identifier": account.customer.number})
    assert reset_messages().count() == 1


def test_staff_cannot_reset_through_the_portal(make_user):
    staff = make_user(R.CUSTOMER_SERVICE, username="C-000777", email="staff@aluxsat.example")
    customer = CF.person(email="staff@aluxsat.example")
    PortalAccount.objects.create(user=staff, customer=customer)  # a misconfigured link
    Client().post("/portal/password-reset/", {"identifier": customer.number})
    Client().post("/portal/password-reset/", {"identifier": "staff@aluxsat.example"})
    assert not reset_messages().exists()


def test_a_reset_lets_a_locked_out_owner_back_in():
    account = activated()
    number = account.customer.number
    attacker = Client()
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        attacker.post("/portal/login/", {"username": number, "password": "guess"})
    Client().post("/portal/password-reset/", {"identifier": number})
    owner = Client()
    owner.post(
        reset_link(reset_messages().get()),
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert owner.post("/portal/login/", {"username": number, "password": NEW_PASSWORD})[
        "Location"
    ].endswith("/portal/dashboard/")


# --- disabling a portal login ---------------------------------------------------------------
def test_an_agent_disables_a_login_and_its_session_ends_at_once(make_user):
    account = activated()
    customer = account.customer
    subscriber = logged_in(account)
    assert subscriber.get("/portal/profile/").status_code == 200
    agent = Client()
    agent_user = make_user(R.CUSTOMER_SERVICE, first_name="Radu", last_name="Agent")
    agent.force_login(agent_user)
    card = html(agent.get(f"/customers/{customer.pk}/tabs/profile/"))
    assert 'id="portal-disable"' in card

    response = agent.post(f"/customers/{customer.pk}/portal-disable/")
    assert response.status_code == 302 and response.url == f"/customers/{customer.pk}/"
    account.refresh_from_db()
    account.user.refresh_from_db()
    assert account.disabled_at is not None and account.disabled_by == agent_user
    assert account.user.is_active is False
    assert not Session.objects.filter(session_key=subscriber.session.session_key).exists()
    refused = subscriber.get("/portal/profile/")
    assert refused.status_code == 302 and refused.url.startswith("/portal/login/")
    card = html(agent.get(f"/customers/{customer.pk}/tabs/profile/"))
    assert "Login disabled on" in card and "Radu Agent" in card and 'id="portal-enable"' in card
    assert 'id="portal-invite"' not in card

    # Disabled: no login (the usual generic message), no reset.
    denied = Client().post("/portal/login/", {"username": customer.number, "password": PASSWORD})
    assert denied.status_code == 200 and "Please enter a correct" in html(denied)
    Client().post("/portal/password-reset/", {"identifier": customer.number})
    assert not reset_messages().exists()

    agent.post(f"/customers/{customer.pk}/portal-enable/")
    account.refresh_from_db()
    assert account.disabled_at is None
    assert logged_in(account).get("/portal/profile/").status_code == 200


def test_a_reset_link_sent_before_disabling_stops_working(make_user):
    account = activated()
    Client().post("/portal/password-reset/", {"identifier": account.customer.number})
    link = reset_link(reset_messages().get())
    agent = Client()
    agent.force_login(make_user(R.BACK_OFFICE))
    agent.post(f"/customers/{account.customer.pk}/portal-disable/")
    response = Client().post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert 'id="password-reset-invalid"' in html(response)
    account.user.refresh_from_db()
    assert account.user.check_password(PASSWORD)


def test_who_may_disable_and_a_customer_without_a_portal_login(make_user):
    account = activated()
    finance = Client()
    finance.force_login(make_user(R.BILLING_FINANCE))
    assert 'id="portal-disable"' not in html(
        finance.get(f"/customers/{account.customer.pk}/tabs/profile/")
    )
    assert finance.post(f"/customers/{account.customer.pk}/portal-disable/").status_code == 403
    subscriber = logged_in(account)
    assert subscriber.post(f"/customers/{account.customer.pk}/portal-disable/").status_code == 403
    agent = Client()
    agent.force_login(make_user(R.SALES))
    assert agent.post(f"/customers/{CF.person().pk}/portal-disable/").status_code == 404
    account.refresh_from_db()
    assert account.disabled_at is None
