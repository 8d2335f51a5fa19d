"""The core screens, driven through the page patterns as a user would use them:
lists (filters, sorting, pages, htmx, CSV), detail pages with tabs, forms,
confirmation pages, history, the outbox, notifications, settings and profile."""

import csv
import io
import re

import pytest
from pghistory.models import Events

from alux_crm.core import roles as R
from alux_crm.core import selectors
from alux_crm.core.models import Notification, OperatorSettings, OutboxMessage, Partner
from tests.core.factories import OrgUnitFactory, PartnerFactory

pytestmark = pytest.mark.django_db

HTMX_TABLE = {"HX-Request": "true", "HX-Target": "object-table"}


@pytest.fixture(autouse=True)
def _isolated(settings):
    """No two-factor step, and no operator settings cached by another test (Redis
    outlives the test transaction)."""
    settings.OTP_REQUIRED_ROLES = []
    selectors.operator_settings_forget()
    yield
    selectors.operator_settings_forget()


@pytest.fixture
def as_role(make_user, login):
    """``as_role(role)`` → (test client logged in as a new user of that role, the user)."""

    def do(role: str, **kwargs):
        user = make_user(role, **kwargs)
        return login(user), user

    return do


def linked_names(html: str, prefix: str = "/partners/") -> list[str]:
    """Names linked to detail pages under ``prefix`` (a list's name column), in order."""
    return re.findall(rf'<a href="{prefix}\d+/">([^<]+)</a>', html)


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


# --- partner list ---------------------------------------------------------------------
NETWORK = ["Alpha Retail SRL", "Bolt Installers SRL", "Cosmin Shop", "Zeta Retail"]


@pytest.fixture
def network(partner_a):
    """Alpha Retail SRL (R-100, retailer, active) plus three distinct partners."""
    return {
        "alpha": partner_a,
        "bolt": PartnerFactory(
            name="Bolt Installers SRL", code="I-300", kind="installer", email="ops@bolt.example"
        ),
        "cosmin": PartnerFactory(
            name="Cosmin Shop", code="R-400", status="suspended", email="cosmin@shop.example"
        ),
        "zeta": PartnerFactory(name="Zeta Retail", code="Z-999", email="hello@zeta.example"),
    }


def test_partner_list_shows_all_partners_in_name_order(as_role, network):
    client, _ = as_role(R.SALES)
    response = client.get("/partners/")
    assert response.status_code == 200
    assert linked_names(response.content.decode()) == NETWORK
    # Sales may not add partners, so there is no Add button.
    assert 'href="/partners/new/"' not in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=bolt", ["Bolt Installers SRL"]),  # name, case-insensitive
        ("q=R-4", ["Cosmin Shop"]),  # dealer code
        ("q=zeta.example", ["Zeta Retail"]),  # e-mail
        ("kind=installer", ["Bolt Installers SRL"]),
        ("status=suspended", ["Cosmin Shop"]),
        ("kind=retailer&status=active", ["Alpha Retail SRL", "Zeta Retail"]),
    ],
)
def test_partner_list_filters(as_role, network, query, expected):
    client, _ = as_role(R.SALES)
    response = client.get(f"/partners/?{query}")
    assert response.status_code == 200
    assert linked_names(response.content.decode()) == expected


def test_partner_list_sorts_by_name_descending(as_role, network):
    client, _ = as_role(R.SALES)
    html = client.get("/partners/?sort=-name").content.decode()
    assert linked_names(html) == NETWORK[::-1]


def test_partner_list_shows_the_empty_state_when_nothing_matches(as_role, network):
    client, _ = as_role(R.SALES)
    html = client.get("/partners/?q=no-such-partner").content.decode()
    assert 'id="empty-state"' in html
    assert "nothing matches these filters" in html
    assert linked_names(html) == []


def test_partner_list_is_paginated_by_25(as_role):
    client, _ = as_role(R.SALES)  # creates Alpha Retail SRL too
    PartnerFactory.create_batch(30)
    total = Partner.objects.count()
    assert total == 31
    page1 = linked_names(client.get("/partners/").content.decode())
    page2 = linked_names(client.get("/partners/?page=2").content.decode())
    assert len(page1) == 25
    assert len(page2) == total - 25 == 6
    assert not set(page1) & set(page2)
    assert set(page1) | set(page2) == {p.name for p in Partner.objects.all()}


def test_htmx_request_gets_only_the_table_partial(as_role, network):
    client, _ = as_role(R.SALES)
    response = client.get("/partners/?q=bolt", headers=HTMX_TABLE)
    html = response.content.decode()
    assert response.status_code == 200
    assert linked_names(html) == ["Bolt Installers SRL"]
    assert "<html" not in html
    assert 'id="main-nav"' not in html
    assert 'class="navbar' not in html
    # Without the htmx target the whole page comes back.
    assert 'id="main-nav"' in client.get("/partners/?q=bolt").content.decode()


def test_csv_export_has_every_filtered_row_not_just_one_page(as_role):
    # given 30 installers and one retailer (Alpha Retail SRL)
    client, _ = as_role(R.SALES)
    installers = PartnerFactory.create_batch(30, kind="installer")
    # when the installers are exported
    response = client.get("/partners/?kind=installer&_export=csv")
    # then all 30 come back as CSV, with a header row, and Alpha is filtered out
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert re.match(r'attachment; filename="partners-\d{8}\.csv"', response["Content-Disposition"])
    header, *rows = csv_rows(response)
    assert header == ["Name", "Dealer code", "Kind", "Status", "Managed by", "E-mail", "Phone"]
    assert len(rows) == 30
    assert {row[1] for row in rows} == {p.code for p in installers}
    assert {row[2] for row in rows} == {"Installer"}
    assert {row[3] for row in rows} == {"Active"}  # the label, not the badge HTML


def test_partner_list_query_count_does_not_grow_with_rows(as_role, django_assert_max_num_queries):
    client, _ = as_role(R.SALES)
    # Each partner has its own unit, so a missing select_related would show.
    for _ in range(5):
        PartnerFactory(org_unit=OrgUnitFactory())
    client.get("/partners/")  # warm the operator settings cache
    with django_assert_max_num_queries(12) as five:
        assert client.get("/partners/").status_code == 200
    for _ in range(25):
        PartnerFactory(org_unit=OrgUnitFactory())
    with django_assert_max_num_queries(12) as thirty:
        html = client.get("/partners/").content.decode()
    assert len(linked_names(html)) == 25
    assert len(thirty.captured_queries) == len(five.captured_queries)


# --- partner detail ---------------------------------------------------------------------
def test_partner_detail_as_sales_has_badge_tabs_and_no_actions(as_role, partner_a, make_user):
    client, _ = as_role(R.SALES)
    make_user(R.RETAILER, username="ana.alpha")
    html = client.get(f"/partners/{partner_a.pk}/").content.decode()
    assert re.search(r'<span class="badge text-bg-success" id="status-badge">Active</span>', html)
    assert re.findall(r'data-tab="(\w+)"', html) == ["overview", "users", "history"]
    assert 'id="partner-overview"' in html and "R-100" in html
    for action in ("/edit/", "/status/suspended/", "/status/terminated/"):
        assert f"/partners/{partner_a.pk}{action}" not in html
    users_tab = client.get(f"/partners/{partner_a.pk}/tabs/users/")
    assert users_tab.status_code == 200
    assert "ana.alpha" in users_tab.content.decode()
    assert "<html" not in users_tab.content.decode()  # a partial
    history_tab = client.get(f"/partners/{partner_a.pk}/tabs/history/")
    assert 'id="history"' in history_tab.content.decode()
    assert client.get(f"/partners/{partner_a.pk}/tabs/secrets/").status_code == 404
    # ?tab= renders that tab inside the page, with its own data.
    assert "ana.alpha" in client.get(f"/partners/{partner_a.pk}/?tab=users").content.decode()
    assert ">insert</span>" in client.get(f"/partners/{partner_a.pk}/?tab=history").content.decode()
    # An unknown ?tab= on the page falls back to the first tab.
    assert (
        'id="partner-overview"' in client.get(f"/partners/{partner_a.pk}/?tab=x").content.decode()
    )


def test_partner_detail_as_sysadmin_shows_the_actions(as_role, partner_a):
    client, _ = as_role(R.SYSTEM_ADMINISTRATOR)
    html = client.get(f"/partners/{partner_a.pk}/").content.decode()
    for action, label in (
        ("edit", "Edit"),
        ("status/suspended", "Suspend"),
        ("status/terminated", "Terminate"),
    ):
        assert re.search(
            rf'href="/partners/{partner_a.pk}/{action}/"><i [^>]+></i> {label}</a>', html
        )
    assert "Reactivate" not in html  # already active


# --- partner form -----------------------------------------------------------------------
def partner_post(**overrides) -> dict:
    data = {"name": "Gamma Install SRL", "code": "I-777", "kind": "installer", "email": ""}
    data.update({"phone": "", "address": "", "vat_number": "", "org_unit": ""})
    return data | overrides


def test_partner_create_refuses_missing_name_and_duplicate_code(as_role, partner_a):
    client, _ = as_role(R.SYSTEM_ADMINISTRATOR)
    assert client.get("/partners/new/").status_code == 200
    before = Partner.objects.count()
    response = client.post("/partners/new/", partner_post(name="", code="R-100"))
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert set(errors) == {"name", "code"}
    html = response.content.decode()
    assert "This field is required." in html
    assert "Partner with this Dealer code already exists." in html
    assert Partner.objects.count() == before


def test_partner_create_and_edit(as_role):
    client, _ = as_role(R.SYSTEM_ADMINISTRATOR)
    unit = OrgUnitFactory(name="Retail North")
    # when a valid partner is posted, it is created and the browser goes to its page
    response = client.post("/partners/new/", partner_post(org_unit=unit.pk))
    partner = Partner.objects.get(code="I-777")
    assert response.status_code == 302 and response["Location"] == f"/partners/{partner.pk}/"
    assert (partner.name, partner.kind, partner.status) == (
        "Gamma Install SRL",
        "installer",
        "active",
    )
    assert partner.org_unit == unit
    assert "Retail North" in client.get(response["Location"]).content.decode()
    # when it is edited, the fields change
    response = client.post(
        f"/partners/{partner.pk}/edit/",
        partner_post(name="Gamma Installers", phone="+40 721 000 111", org_unit=""),
    )
    assert response.status_code == 302
    partner.refresh_from_db()
    assert (partner.name, partner.phone) == ("Gamma Installers", "+40 721 000 111")
    assert partner.org_unit is None


def test_sales_cannot_create_a_partner(as_role):
    client, _ = as_role(R.SALES)
    before = Partner.objects.count()
    assert client.post("/partners/new/", partner_post()).status_code == 403
    assert Partner.objects.count() == before


# --- partner status ---------------------------------------------------------------------
def test_partner_status_life_cycle(as_role, partner_a, make_user):
    # given a partner with two active users and one disabled user
    client, _ = as_role(R.SYSTEM_ADMINISTRATOR)
    make_user(R.RETAILER)
    make_user(R.INSTALLER)
    make_user(R.RETAILER, is_active=False)
    url = f"/partners/{partner_a.pk}/status"

    # the suspend page says who is locked out
    page = client.get(f"{url}/suspended/")
    assert page.status_code == 200
    assert "Suspend Alpha Retail SRL" in page.content.decode()
    assert "2 users of this partner can no longer log in." in page.content.decode()

    # a reason is required
    response = client.post(f"{url}/suspended/", {"reason": ""})
    assert response.status_code == 422
    assert "This field is required." in response.content.decode()
    partner_a.refresh_from_db()
    assert partner_a.status == "active"

    # with a reason the partner is suspended and the reason is kept in the notes
    response = client.post(f"{url}/suspended/", {"reason": "Unpaid invoices"})
    assert response.status_code == 302 and response["Location"] == f"/partners/{partner_a.pk}/"
    partner_a.refresh_from_db()
    assert partner_a.status == "suspended"
    assert partner_a.notes.endswith("Active → Suspended: Unpaid invoices")

    # then terminated, which is final
    assert "Termination is final" in client.get(f"{url}/terminated/").content.decode()
    response = client.post(f"{url}/terminated/", {"reason": "Contract ended"})
    assert response.status_code == 302
    partner_a.refresh_from_db()
    assert partner_a.status == "terminated"
    assert "Suspended → Terminated: Contract ended" in partner_a.notes

    # reactivating a terminated partner is refused on the page
    response = client.post(f"{url}/active/", {"reason": "Changed our mind"})
    assert response.status_code == 422
    assert "cannot go from Terminated to Active" in response.content.decode()
    partner_a.refresh_from_db()
    assert partner_a.status == "terminated"


def test_unknown_status_slug_redirects_to_the_partner(as_role, partner_a):
    client, _ = as_role(R.SYSTEM_ADMINISTRATOR)
    for method in (client.get, client.post):
        response = method(f"/partners/{partner_a.pk}/status/closed/", {"reason": "x"})
        assert response.status_code == 302
        assert response["Location"] == f"/partners/{partner_a.pk}/"
    partner_a.refresh_from_db()
    assert partner_a.status == "active"


# --- history ------------------------------------------------------------------------------
def test_history_tab_shows_who_changed_what_from_where(as_role, partner_a):
    # given a sysadmin who edits a partner through the form from 192.0.2.55
    client, admin = as_role(R.SYSTEM_ADMINISTRATOR, first_name="Ioana", last_name="Admin")
    data = partner_post(name="Alpha Retail Group", code="R-100", kind="retailer")
    response = client.post(f"/partners/{partner_a.pk}/edit/", data, REMOTE_ADDR="192.0.2.55")
    assert response.status_code == 302

    # then the update event carries who, where and which page
    update = Events.objects.tracks(partner_a).get(pgh_label="update")
    assert update.pgh_context["user"] == admin.pk
    assert update.pgh_context["ip"] == "192.0.2.55"
    assert update.pgh_context["url"] == f"/partners/{partner_a.pk}/edit/"

    # and the History tab shows it, next to the insert event
    html = client.get(f"/partners/{partner_a.pk}/tabs/history/").content.decode()
    assert "Ioana Admin" in html
    assert "192.0.2.55" in html
    change = r"<code>name</code>: <del[^>]*>Alpha Retail SRL</del> → <strong>Alpha Retail Group<"
    assert re.search(change, html)
    assert ">insert</span>" in html and "Created" in html
    assert ">update</span>" in html


# --- organisation units ------------------------------------------------------------------
def test_org_unit_list_and_detail(as_role):
    client, _ = as_role(R.SALES)
    head = OrgUnitFactory(name="Head Office", code="head")
    shop = OrgUnitFactory(name="Shop Cluj", code="shop-cluj", kind="shop", parent=head)
    assert linked_names(client.get("/org-units/").content.decode(), "/org-units/") == [
        "Head Office",
        "Shop Cluj",
    ]
    found = client.get("/org-units/?q=cluj").content.decode()
    assert linked_names(found, "/org-units/") == ["Shop Cluj"]
    detail = client.get(f"/org-units/{head.pk}/").content.decode()
    assert re.search(
        rf'<li class="list-group-item"><a href="/org-units/{shop.pk}/">Shop Cluj', detail
    )
    assert client.get("/org-units/999999/").status_code == 404


def test_deep_org_unit_chain_breadcrumb_and_subtree(as_role):
    # given a chain of 12 units, each below the previous one
    client, _ = as_role(R.SALES)
    chain = [OrgUnitFactory(name="Level 01", code="level-01")]
    for level in range(2, 13):
        chain.append(
            OrgUnitFactory(name=f"Level {level:02d}", code=f"level-{level:02d}", parent=chain[-1])
        )
    root, leaf = chain[0], chain[-1]

    # the leaf's breadcrumb lists its 11 ancestors from the top down
    html = client.get(f"/org-units/{leaf.pk}/").content.decode()
    crumbs = re.findall(r'<li class="breadcrumb-item"><a href="[^"]+">([^<]+)</a></li>', html)
    assert crumbs == [f"Level {n:02d}" for n in range(1, 12)]
    assert '<li class="breadcrumb-item active" aria-current="page">Level 12</li>' in html

    # the root counts every unit below it
    assert sorted(selectors.org_unit_subtree_ids(root=root)) == sorted(u.pk for u in chain)
    overview = client.get(f"/org-units/{root.pk}/tabs/overview/").content.decode()
    assert re.search(r"Units below</dt><dd[^>]*>11</dd>", overview)


# --- outbox ------------------------------------------------------------------------------
@pytest.fixture
def outbox_messages(db):
    """One sent, one pending and one failed message (written directly: no task runs)."""
    from django.utils import timezone

    def make(topic, **fields):
        return OutboxMessage.objects.create(topic=topic, idempotency_key=topic, **fields)

    return {
        "sent": make("demo.sent", status="sent", attempts=1, sent_at=timezone.now()),
        "pending": make("demo.pending"),
        "failed": make("demo.retry", status="failed", attempts=5, last_error="ConnectionError: x"),
    }


def test_outbox_lists_and_filters_messages(as_role, outbox_messages):
    client, _ = as_role(R.BACK_OFFICE)
    html = client.get("/outbox/").content.decode()
    for topic in ("demo.sent", "demo.pending", "demo.retry"):
        assert topic in html
    failed = outbox_messages["failed"]
    html = client.get("/outbox/?status=failed").content.decode()
    assert "demo.retry" in html and "ConnectionError: x" in html
    assert "demo.sent" not in html and "demo.pending" not in html
    assert f'action="/outbox/{failed.pk}/retry/"' in html and ">Retry</button>" in html
    # Only failed messages can be retried.
    html = client.get("/outbox/?status=pending").content.decode()
    assert "/retry/" not in html


def test_outbox_retry_requeues_and_delivers(
    as_role, outbox_messages, django_capture_on_commit_callbacks
):
    client, _ = as_role(R.BACK_OFFICE)
    failed = outbox_messages["failed"]
    assert client.get(f"/outbox/{failed.pk}/retry/").status_code == 405

    # when back office presses Retry, the message gets a fresh set of attempts...
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(f"/outbox/{failed.pk}/retry/", HTTP_REFERER="/outbox/?status=failed")
    assert response.status_code == 302 and response["Location"] == "/outbox/?status=failed"
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("pending", 0)
    assert len(callbacks) == 1

    # ...and once the transaction commits, the (eager) Celery task delivers it through
    # the default RecordingAdapter, which always succeeds: sent on the first attempt.
    for callback in callbacks:
        callback()
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("sent", 1)
    assert failed.sent_at is not None
    assert failed.result == {"recorded": True, "topic": "demo.retry"}


# --- notifications ------------------------------------------------------------------------
@pytest.fixture
def inbox(as_role, make_user):
    client, me = as_role(R.SALES)
    other = make_user(R.SALES)
    mine = [
        Notification.objects.create(recipient=me, title="Order 17 approved", url="/partners/"),
        Notification.objects.create(recipient=me, title="Phishing", url="https://evil.example/"),
    ]
    theirs = Notification.objects.create(recipient=other, title="Someone else's news")
    return client, me, mine, theirs


def test_bell_shows_only_my_notifications(inbox):
    client, *_ = inbox
    html = client.get("/notifications/bell/").content.decode()
    assert "Order 17 approved" in html and "Phishing" in html
    assert "Someone else" not in html
    assert "Mark all read" in html
    assert "<html" not in html


def test_marking_a_notification_read_follows_its_link(inbox):
    client, _, (approved, phishing), _ = inbox
    response = client.post(f"/notifications/{approved.pk}/read/")
    assert response.status_code == 302 and response["Location"] == "/partners/"
    approved.refresh_from_db()
    assert approved.read_at is not None
    # A link to another site is not followed.
    response = client.post(f"/notifications/{phishing.pk}/read/")
    assert response["Location"] == "/notifications/"
    phishing.refresh_from_db()
    assert phishing.read_at is not None


def test_read_all_marks_only_my_notifications(inbox):
    client, me, _, theirs = inbox
    response = client.post("/notifications/read-all/")
    assert response.status_code == 302 and response["Location"] == "/notifications/"
    assert not Notification.objects.filter(recipient=me, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert "Mark all read" not in client.get("/notifications/bell/").content.decode()


def test_another_users_notification_is_a_404(inbox):
    client, _, _, theirs = inbox
    assert client.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


# --- operator settings and profile ----------------------------------------------------------
SETTINGS_POST = {
    "name": "AluxSat Test",
    "time_zone": "Europe/Berlin",
    "currency": "usd",
    "country": "de",
    "business_day_start": "08:30",
    "business_day_end": "18:00",
}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("time_zone", "Mars/Olympus_Mons", "Unknown time zone."),
        ("currency", "EU1", "Use a three-letter ISO 4217 code"),
        ("country", "XX", "Use a two-letter country code"),
    ],
)
def test_operator_settings_refuse_invalid_values(as_role, field, value, message):
    client, _ = as_role(R.SYSTEM_ADMINISTRATOR)
    before = OperatorSettings.objects.values().get()
    response = client.post("/settings/", SETTINGS_POST | {field: value})
    assert response.status_code == 422
    assert message in response.content.decode()
    assert list(response.context["form"].errors) == [field]
    assert OperatorSettings.objects.values().get() == before


def test_operator_settings_saved_and_shown(as_role, django_capture_on_commit_callbacks):
    client, _ = as_role(R.SYSTEM_ADMINISTRATOR)
    # given the current settings are cached by a first page view
    assert 'value="Europe/Bucharest"' in client.get("/settings/").content.decode()
    # when a valid change is saved (the cache is cleared on commit)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/settings/", SETTINGS_POST)
    assert response.status_code == 302 and response["Location"] == "/settings/"
    row = OperatorSettings.objects.get()
    assert (row.time_zone, row.currency, row.country) == ("Europe/Berlin", "USD", "DE")
    # then the next page shows the new values
    html = client.get("/settings/").content.decode()
    assert 'value="Europe/Berlin"' in html and 'value="USD"' in html
    assert "AluxSat Test <span" in html  # the operator name in the top bar


def test_profile_refuses_an_invalid_email(as_role):
    client, user = as_role(R.SALES)
    old_email = user.email
    response = client.post("/profile/", {"language": "en", "email": "not-an-address", "phone": ""})
    assert response.status_code == 422
    assert "Enter a valid email address." in response.content.decode()
    user.refresh_from_db()
    assert user.email == old_email


@pytest.mark.django_db
def test_csv_export_keeps_the_chosen_sort(make_user, login, client, partner_a, partner_b):
    login(make_user(R.SALES))
    rows = client.get("/partners/?sort=-name&_export=csv").getvalue().decode().splitlines()
    names = [row.split(",")[0] for row in rows[1:]]
    assert names == sorted(names, reverse=True)
    assert names[0] == "Beta Retail SRL"


@pytest.mark.django_db
def test_screens_speak_romanian_for_a_romanian_user(make_user, login, client):
    user = make_user(R.SALES)
    user.language = "ro"
    user.save()
    login(user)
    html = client.get("/partners/").content.decode()
    assert "Parteneri" in html
    assert "Oricare" in html  # the empty choice of the filters
    assert ">Partners<" not in html
