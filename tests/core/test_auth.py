"""Login, navigation per role, lockout, password reset and two-factor authentication."""

import re
import time

import pytest
from django.core import mail
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from alux_crm.core import choices
from alux_crm.core import roles as R
from tests.core.factories import PASSWORD

# What each role must see in the main navigation, and what it must not.
NAV_EXPECTATIONS = {
    R.SALES: ({"dashboard", "core:partner_list"}, {"core:outbox_list", "core:operator_settings"}),
    R.CUSTOMER_SERVICE: ({"core:partner_list"}, {"core:outbox_list", "admin:index"}),
    R.INVENTORY: ({"core:orgunit_list"}, {"core:outbox_list"}),
    R.BILLING_FINANCE: ({"core:partner_list"}, {"core:operator_settings"}),
    R.MARKETING: ({"core:partner_list"}, {"core:outbox_list"}),
    R.TECHNICAL_SUPPORT: ({"core:partner_list"}, {"admin:index"}),
    R.BACK_OFFICE: ({"core:outbox_list", "admin:index"}, {"core:operator_settings"}),
    R.SYSTEM_ADMINISTRATOR: (
        {"core:operator_settings", "core:outbox_list", "admin:index", "api-docs"},
        set(),
    ),
    R.RETAILER: ({"dashboard", "core:partner_detail"}, {"core:partner_list", "core:outbox_list"}),
    R.INSTALLER: ({"dashboard", "core:partner_detail"}, {"core:orgunit_list", "api-docs"}),
}


def nav_names(html: str) -> set[str]:
    nav = html.split('id="main-nav"', 1)[1].split("</nav>", 1)[0]
    return set(re.findall(r'data-nav="([^"]+)"', nav))


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(NAV_EXPECTATIONS))
def test_every_role_logs_in_and_sees_its_own_navigation(role, make_user):
    user = make_user(role)
    client = Client(REMOTE_ADDR="192.0.2.10")
    response = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    page = client.get("/")
    assert page.status_code == 200
    names = nav_names(page.content.decode())
    must, must_not = NAV_EXPECTATIONS[role]
    assert must <= names, f"{role} misses {must - names}"
    assert not (must_not & names), f"{role} sees {must_not & names}"


@pytest.mark.django_db
def test_retailer_opening_a_back_office_url_gets_403(make_user, login, client, caplog):
    login(make_user(R.RETAILER))
    with caplog.at_level("WARNING", logger="alux.security"):
        response = client.get("/outbox/")
    assert response.status_code == 403
    assert "not allowed" in response.content.decode()
    assert any("refused" in r.message and "/outbox/" in r.message for r in caplog.records)


@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get("/partners/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/partners/")


@pytest.mark.django_db
def test_five_wrong_passwords_lock_that_login_from_that_address_only(make_user, caplog):
    user = make_user(R.CUSTOMER_SERVICE)
    attacker = Client(REMOTE_ADDR="203.0.113.66")
    with caplog.at_level("WARNING", logger="alux.security"):
        for _ in range(5):
            response = attacker.post("/login/", {"username": user.username, "password": "nope"})
    assert sum("login failed" in r.message for r in caplog.records) >= 5
    # Locked from the attacker's address, even with the right password.
    response = attacker.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "locked" in response.content.decode()
    # The real user at another address still gets in.
    office = Client(REMOTE_ADDR="198.51.100.7")
    response = office.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert office.get("/").status_code == 200


@pytest.mark.django_db
def test_lockout_ends_after_the_cool_off(make_user, settings):
    from datetime import timedelta

    from axes.models import AccessAttempt

    user = make_user(R.SALES)
    attacker = Client(REMOTE_ADDR="203.0.113.67")
    for _ in range(5):
        attacker.post("/login/", {"username": user.username, "password": "nope"})
    assert (
        attacker.post("/login/", {"username": user.username, "password": PASSWORD}).status_code
        == 429
    )
    # Pretend the cool-off has passed.
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.first().attempt_time
        - settings.AXES_COOLOFF_TIME
        - timedelta(seconds=1)
    )
    assert (
        attacker.post("/login/", {"username": user.username, "password": PASSWORD}).status_code
        == 302
    )


@pytest.mark.django_db
def test_users_of_a_suspended_partner_cannot_log_in(make_user, partner_a):
    user = make_user(R.RETAILER)
    partner_a.status = choices.PartnerStatus.SUSPENDED
    partner_a.save()
    response = Client().post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 200
    assert "suspended" in response.content.decode()


@pytest.mark.django_db
def test_logout_is_a_post_and_ends_the_session(make_user, login, client):
    login(make_user(R.SALES))
    assert client.get("/").status_code == 200
    response = client.post("/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_password_reset_by_email(make_user, client):
    user = make_user(R.SALES, email="ioana@aluxsat.example")
    response = client.post("/password/reset/", {"email": "ioana@aluxsat.example"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0]
    new = "a-brand-new-Passphrase-42"
    response = client.post(set_url, {"new_password1": new, "new_password2": new})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new)


@pytest.mark.django_db
def test_password_change(make_user, login, client):
    user = make_user(R.SALES)
    login(user)
    new = "another-Good-passphrase-7"
    response = client.post(
        "/password/change/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new)


def _current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.mark.django_db
def test_required_role_must_enrol_and_then_verify_two_factor(make_user, settings):
    settings.OTP_REQUIRED_ROLES = [R.SYSTEM_ADMINISTRATOR, R.BILLING_FINANCE]
    user = make_user(R.BILLING_FINANCE)
    client = Client(REMOTE_ADDR="192.0.2.20")
    client.post("/login/", {"username": user.username, "password": PASSWORD})
    # Without a device: every page sends to the enrolment page.
    response = client.get("/partners/")
    assert response.status_code == 302
    assert response["Location"].startswith("/two-factor/setup/")
    page = client.get("/two-factor/setup/")
    assert b"<svg" in page.content
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    bad = client.post("/two-factor/setup/", {"token": "000000"})
    assert b"not valid" in bad.content
    time.sleep(1.1)  # django-otp throttles the next try after a failure
    good = client.post("/two-factor/setup/", {"token": _current_code(device)})
    assert good.status_code == 302
    assert client.get("/partners/").status_code == 200
    # Next login: the code is asked for.
    client.post("/logout/")
    client.post("/login/", {"username": user.username, "password": PASSWORD})
    response = client.get("/")
    assert response["Location"].startswith("/two-factor/")
    device.refresh_from_db()
    device.last_t = -1  # allow the same time step again in this test
    device.save()
    client.post("/two-factor/", {"token": _current_code(device)})
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_two_factor_is_optional_in_the_local_demo(make_user, settings):
    settings.OTP_REQUIRED_ROLES = []
    user = make_user(R.SYSTEM_ADMINISTRATOR)
    client = Client()
    client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert client.get("/settings/").status_code == 200


@pytest.mark.django_db
def test_user_language_from_profile(make_user, login, client):
    user = make_user(R.SALES)
    login(user)
    response = client.post(
        "/profile/", {"language": "ro", "email": user.email, "phone": ""}, follow=True
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.language == "ro"
    assert '<html lang="ro">' in client.get("/").content.decode()


@pytest.mark.django_db
def test_suspending_a_partner_ends_its_users_sessions(make_user, login, client, partner_a):
    from alux_crm.core.services import partner_change_status

    login(make_user(R.RETAILER))
    assert client.get("/").status_code == 200
    partner_change_status(partner=partner_a, status="suspended", reason="audit", actor=None)
    response = client.get(f"/partners/{partner_a.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_two_factor_redirect_keeps_the_page_asked_for(make_user, login, client, settings):
    settings.OTP_REQUIRED_ROLES = [R.SYSTEM_ADMINISTRATOR]
    login(make_user(R.SYSTEM_ADMINISTRATOR))
    response = client.get("/partners/?kind=retailer&status=active")
    assert (
        response["Location"]
        == "/two-factor/setup/?next=%2Fpartners%2F%3Fkind%3Dretailer%26status%3Dactive"
    )
