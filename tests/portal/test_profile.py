"""The subscriber's profile in the portal (POR-1): contact details changed with the
password again, communication preferences, language; always the subscriber's own
customer, with the same rules (and the same history) as the agents' screens."""

import re

import pytest
from django.conf import settings
from django.test import Client

from alux_crm.core import roles as R
from alux_crm.core.models import OutboxMessage
from customers import services as customer_services
from customers.models import BillingAccount, Customer
from portal.models import PortalAccount
from portal.services import portal_invite
from tests.customers import factories as CF

pytestmark = pytest.mark.django_db
PASSWORD = "Munte-Verde-2026!"


def subscriber(customer=None, *, language="en") -> tuple[PortalAccount, Client]:
    """A customer invited by an agent, activated from the e-mailed link, logged in
    through the portal's login form."""
    customer = customer or CF.person(language=language)
    account = portal_invite(customer=customer)
    invite = OutboxMessage.objects.filter(idempotency_key__startswith="portal-invite-").latest("id")
    link = re.search(r"(/portal/activate/\S+/)", invite.payload["body"]).group(1)
    Client().post(link, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    client = Client()
    response = client.post("/portal/login/", {"username": customer.number, "password": PASSWORD})
    assert response.status_code == 302
    account.refresh_from_db()
    return account, client


def with_billing(customer, **fields) -> BillingAccount:
    return customer_services.billing_account_create(customer=customer, actor=None, **fields)


def html(response) -> str:
    return response.content.decode()


# --- the profile page ----------------------------------------------------------------------
def test_the_profile_shows_the_subscribers_own_details_and_nobody_elses(make_user):
    mine = CF.person(first_name="Ioana", last_name="Marin", language="en")
    customer_services.address_set(
        customer=mine, kind="installation", line1="Str. Lalelelor 4", city="Brașov"
    )
    theirs = CF.person(first_name="Dan", last_name="Străinu")
    customer_services.address_set(
        customer=theirs, kind="installation", line1="Bd. Unirii 99", city="Iași"
    )
    _account, client = subscriber(mine)
    subscriber(theirs)

    page = html(client.get("/portal/profile/"))
    assert "Ioana Marin" in page and mine.number in page and mine.email in page
    assert mine.phone in page and "Str. Lalelelor 4" in page
    assert "An agent changes addresses for you" in page  # and how to ask
    for foreign in ("Străinu", theirs.number, theirs.email, theirs.phone, "Bd. Unirii 99"):
        assert foreign not in page, foreign
    assert 'id="nav-profile"' in page
    # Nobody else's: a visitor is sent to the login, staff are refused.
    assert Client().get("/portal/profile/").url.startswith("/portal/login/")
    staff = Client()
    staff.force_login(make_user(R.CUSTOMER_SERVICE))
    assert staff.get("/portal/profile/").status_code == 403


# --- contact details -----------------------------------------------------------------------
def test_changing_e_mail_and_phone_needs_the_password_and_is_seen_everywhere(make_user):
    customer = CF.person(language="en")  # the notice is in the customer's language
    billing = with_billing(customer)  # invoices go to the customer's e-mail
    old_email = customer.email
    account, client = subscriber(customer)
    form = html(client.get("/portal/profile/contact/"))
    assert 'name="password"' in form and f'value="{old_email}"' in form

    wrong = client.post(
        "/portal/profile/contact/",
        {"email": "nou@example.com", "phone": "0721 555 123", "password": "nope", "version": 1},
    )
    assert wrong.status_code == 200 and "This is not your current password." in html(wrong)
    assert 'value="nou@example.com"' in html(wrong)  # nothing typed is lost
    customer.refresh_from_db()
    assert customer.email == old_email

    done = client.post(
        "/portal/profile/contact/",
        {
            "email": "Nou@Example.com",
            "phone": "0721 555 123",
            "password": PASSWORD,
            "version": customer.version,
        },
    )
    assert done.status_code == 302 and done.url == "/portal/profile/"
    customer.refresh_from_db()
    account.user.refresh_from_db()
    billing.refresh_from_db()
    assert (customer.email, customer.phone) == ("nou@example.com", "+40721555123")
    assert account.user.email == "nou@example.com"
    assert billing.invoice_email == "nou@example.com"  # invoices follow the address
    assert "Your contact details are saved." in html(client.get("/portal/profile/"))
    # The old address is told; the history records who changed what.
    notice = OutboxMessage.objects.get(idempotency_key__startswith="portal-contact-changed-")
    assert notice.topic == "email" and notice.payload["to"] == [old_email]
    assert "e-mail address and phone number" in notice.payload["body"]
    agent = Client()
    agent.force_login(make_user(R.CUSTOMER_SERVICE))
    history = html(agent.get(f"/customers/{customer.pk}/tabs/history/")).split("<tr")
    rows = [row for row in history if "nou@example.com" in row and "<code>email</code>" in row]
    assert rows and account.user.username in rows[0]  # who: the subscriber's login
    assert "nou@example.com" in html(agent.get(f"/customers/{customer.pk}/"))
    # Login by e-mail uses the new address, no longer the old one.
    by_new = Client().post("/portal/login/", {"username": "nou@example.com", "password": PASSWORD})
    assert by_new["Location"].endswith("/portal/dashboard/")
    stale = Client().post("/portal/login/", {"username": old_email, "password": PASSWORD})
    assert stale.status_code == 200


def test_a_bad_phone_is_shown_next_to_the_field_and_nothing_is_saved():
    account, client = subscriber()
    customer = account.customer
    response = client.post(
        "/portal/profile/contact/",
        {"email": "alt@example.com", "phone": "12", "password": PASSWORD, "version": 1},
    )
    page = html(response)
    assert response.status_code == 200
    assert "is not a valid phone number for RO" in page or "is not a phone number" in page
    assert 'value="alt@example.com"' in page
    customer.refresh_from_db()
    assert customer.email != "alt@example.com"
    assert not OutboxMessage.objects.filter(idempotency_key__startswith="portal-contact").exists()


def test_an_address_of_another_portal_login_is_refused():
    other, _client = subscriber()
    account, client = subscriber()
    response = client.post(
        "/portal/profile/contact/",
        {
            "email": other.customer.email.upper(),
            "phone": account.customer.phone,
            "password": PASSWORD,
            "version": 1,
        },
    )
    assert "This address cannot be used for your login." in html(response)
    account.customer.refresh_from_db()
    assert account.customer.email != other.customer.email


def test_an_agents_change_in_between_is_not_overwritten(make_user):
    account, client = subscriber()
    customer = account.customer
    customer_services.customer_update(
        customer=customer,
        actor=make_user(R.CUSTOMER_SERVICE),
        expected_version=customer.version,
        phone="+40744000111",
    )
    response = client.post(
        "/portal/profile/contact/",
        {"email": customer.email, "phone": "0721 555 999", "password": PASSWORD, "version": 1},
    )
    assert "Someone else changed this customer" in html(response)
    customer.refresh_from_db()
    assert customer.phone == "+40744000111"


def test_guessing_the_password_on_the_contact_form_locks_out_like_the_login():
    account, client = subscriber()
    data = {"email": "x@example.com", "phone": "", "version": 1}
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post("/portal/profile/contact/", {**data, "password": "guess"})
    locked = client.post("/portal/profile/contact/", {**data, "password": PASSWORD})
    assert locked.status_code in (403, 429)
    account.customer.refresh_from_db()
    assert account.customer.email != "x@example.com"


# --- communication preferences ---------------------------------------------------------------
def test_preferences_marketing_off_by_default_and_invoice_delivery(make_user):
    customer = CF.person(language="en")
    billing = with_billing(customer)
    _account, client = subscriber(customer)
    page = html(client.get("/portal/profile/"))
    assert "You receive no offers." in page
    prefix = f"account-{billing.pk}"
    form = html(client.get("/portal/profile/preferences/"))
    assert 'name="marketing_sms"' in form and f'name="{prefix}-invoice_delivery"' in form
    assert "checked" not in re.search(r'<input[^>]*name="marketing_email"[^>]*>', form).group(0)

    base = {"version": customer.version, f"{prefix}-version": billing.version}
    # E-mail delivery without an invoice address: the billing rule, shown next to the field.
    refused = client.post(
        "/portal/profile/preferences/",
        {
            **base,
            "marketing_sms": "on",
            f"{prefix}-invoice_delivery": "email",
            f"{prefix}-invoice_email": "",
        },
    )
    assert "E-mail delivery needs an invoice e-mail." in html(refused)
    customer.refresh_from_db()
    assert customer.marketing_sms is False  # all or nothing

    saved = client.post(
        "/portal/profile/preferences/",
        {
            **base,
            "marketing_sms": "on",
            "marketing_post": "on",
            f"{prefix}-invoice_delivery": "both",
            f"{prefix}-invoice_email": "Facturi@Example.com",
        },
    )
    assert saved.status_code == 302
    customer.refresh_from_db()
    billing.refresh_from_db()
    assert (customer.marketing_email, customer.marketing_sms, customer.marketing_post) == (
        False,
        True,
        True,
    )
    assert (billing.invoice_delivery, billing.invoice_email) == ("both", "facturi@example.com")
    page = html(client.get("/portal/profile/"))
    assert "Your preferences are saved." in page and "facturi@example.com" in page
    # The agents see the consent on the customer page.
    agent = Client()
    agent.force_login(make_user(R.CUSTOMER_SERVICE))
    staff_page = html(agent.get(f"/customers/{customer.pk}/tabs/profile/"))
    consent = re.search(r'id="marketing-consent">(.*?)</dd>', staff_page).group(1)
    assert "SMS" in consent and "Post" in consent and "E-mail" not in consent


def test_another_customers_billing_account_cannot_be_changed_through_the_form():
    other, _client = subscriber()
    theirs = with_billing(other.customer)
    account, client = subscriber()
    client.post(
        "/portal/profile/preferences/",
        {
            "version": account.customer.version,
            f"account-{theirs.pk}-invoice_delivery": "post",
            f"account-{theirs.pk}-version": theirs.version,
        },
    )
    theirs.refresh_from_db()
    assert theirs.invoice_delivery == "email"
    assert theirs.number not in html(client.get("/portal/profile/preferences/"))


def test_the_agents_edit_form_has_the_consent_per_channel(make_user):
    customer = CF.person()
    agent = Client()
    agent.force_login(make_user(R.CUSTOMER_SERVICE))
    form = html(agent.get(f"/customers/{customer.pk}/edit/"))
    assert "Marketing consent" in form
    assert all(f'name="marketing_{c}"' in form for c in ("email", "sms", "post"))
    customer_services.customer_update(
        customer=customer, actor=None, expected_version=customer.version, marketing_post=True
    )
    assert Customer.objects.get(pk=customer.pk).marketing_post is True


# --- language ------------------------------------------------------------------------------
def test_choosing_romanian_shows_the_portal_in_romanian():
    account, client = subscriber(language="en")
    assert 'lang="en"' in html(client.get("/portal/profile/"))
    response = client.post("/portal/profile/language/", {"language": "ro"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ro"
    account.customer.refresh_from_db()
    account.user.refresh_from_db()
    assert account.customer.language == "ro" and account.user.language == "ro"
    page = html(client.get("/portal/profile/"))
    assert 'lang="ro"' in page and "Ieșire" in page and "Facturi" in page  # Log out, Invoices


def test_the_portal_takes_the_customers_language_at_login(make_user):
    account, client = subscriber(language="en")
    client.post("/portal/logout/")
    customer = account.customer
    customer_services.customer_update(  # an agent records that the customer prefers Romanian
        customer=customer, actor=make_user(R.CUSTOMER_SERVICE), expected_version=1, language="ro"
    )
    response = client.post("/portal/login/", {"username": customer.number, "password": PASSWORD})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ro"
    assert 'lang="ro"' in html(client.get("/portal/dashboard/"))


def test_an_unknown_language_is_refused_and_nothing_changes():
    account, client = subscriber(language="en")
    client.post("/portal/profile/language/", {"language": "xx"})
    account.customer.refresh_from_db()
    assert account.customer.language == "en"
    assert "Choose one of the languages offered." in html(client.get("/portal/profile/"))
