"""The customer screens, used as an agent or a retailer would: list (filters, CSV),
create and edit (validation, duplicates, concurrent edits, hostile input), the
customer-360 page and its tabs (bounded queries), communications with attachments,
billing accounts, status, moves, addresses, credit checks and the global search."""

import csv
import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from alux_crm.core import roles as R
from alux_crm.core import selectors as core_selectors
from customers import services
from customers.models import Address, Attachment, BillingAccount, Communication, Customer
from tests.customers.factories import PDF_BYTES, PNG_BYTES, company, pdf, person

pytestmark = pytest.mark.django_db

VALID_CNP = "1800101221144"
VALID_VAT = "RO18547290"
HTMX_TABLE = {"HX-Request": "true", "HX-Target": "object-table"}
HTMX_SEARCH = {"HX-Request": "true", "HX-Target": "search-results"}


@pytest.fixture(autouse=True)
def _isolated(settings):
    """No two-factor step, and no operator settings cached by another test."""
    settings.OTP_REQUIRED_ROLES = []
    core_selectors.operator_settings_forget()
    yield
    core_selectors.operator_settings_forget()


@pytest.fixture
def as_role(make_user, login):
    """``as_role(role)`` → (client logged in as a new user of that role, the user)."""

    def do(role: str, **kwargs):
        user = make_user(role, **kwargs)
        return login(user), user

    return do


@pytest.fixture
def agent(as_role):
    """A customer-service agent (may create, edit and change status)."""
    return as_role(R.CUSTOMER_SERVICE, first_name="Dana", last_name="Agent")


def html_of(response) -> str:
    return response.content.decode()


def linked_numbers(html: str) -> list[str]:
    """Customer numbers linked from the list's number column, in order."""
    return re.findall(r'<a href="/customers/\d+/">(C-\d{6})</a>', html)


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def person_post(**overrides) -> dict:
    data = {
        "kind": "person",
        "first_name": "Maria",
        "last_name": "Ionescu",
        "id_number": "",
        "date_of_birth": "1980-01-01",
        "phone": "0744 123 456",
        "email": "Maria.Ionescu@Example.com",
        "country": "RO",
        "language": "ro",
        "category": "",
        "segment": "mass",
        "line_type": "fixed",
        "payment_type": "postpaid",
        "serving_agent": "",
        "partner": "",
        "parent_number": "",
        "address_line1": "",
        "address_line2": "",
        "address_postal_code": "",
        "address_city": "",
        "address_region": "",
        "declared_monthly_income": "",
        "credit_history": "",
    }
    return data | overrides


def company_post(**overrides) -> dict:
    data = person_post(kind="company")
    for name in ("first_name", "last_name", "id_number", "date_of_birth"):
        data.pop(name)
    data |= {
        "company_name": "Nord Cable SRL",
        "registration_number": "",
        "vat_number": VALID_VAT,
        "phone": "+40 31 123 4567",
        "email": "office@nordcable.example",
    }
    return data | overrides


# --- list -------------------------------------------------------------------------------
@pytest.fixture
def base(as_role):
    """Four customers that differ in every filtered column."""
    other_agent = as_role(R.SALES, first_name="Sorin", last_name="Sales")[1]
    ana = person(first_name="Ana", last_name="Albu", phone="+40721000001")
    Customer.objects.filter(pk=ana.pk).update(tier="gold")
    firm = company(company_name="Brad Media SRL", segment="sme", serving_agent=other_agent)
    gov = company(company_name="Primaria Cluj", category="government")
    Customer.objects.filter(pk=gov.pk).update(status="blocked")
    old = person(first_name="Vlad", last_name="Vechi", phone="+40721000004")
    Customer.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    return {"ana": ana, "firm": firm, "gov": gov, "old": old, "sorin": other_agent}


def test_customer_list_filters(agent, base):
    client, _ = agent
    everyone = linked_numbers(html_of(client.get("/customers/")))
    assert set(everyone) == {c.number for k, c in base.items() if k != "sorin"}

    def numbers(query):
        response = client.get(f"/customers/?{query}")
        assert response.status_code == 200
        return set(linked_numbers(html_of(response)))

    assert numbers("kind=company") == {base["firm"].number, base["gov"].number}
    assert numbers("category=government") == {base["gov"].number}
    assert numbers("segment=sme") == {base["firm"].number}
    assert numbers("status=blocked") == {base["gov"].number}
    assert numbers("tier=gold") == {base["ana"].number}
    assert numbers(f"serving_agent={base['sorin'].pk}") == {base["firm"].number}
    since = (timezone.localdate() - timedelta(days=10)).isoformat()
    assert base["old"].number not in numbers(f"created_from={since}")
    until = (timezone.localdate() - timedelta(days=30)).isoformat()
    assert numbers(f"created_to={until}") == {base["old"].number}
    assert numbers("q=albu") == {base["ana"].number}  # name, any case
    assert numbers("q=0721 000 004") == {base["old"].number}  # phone as typed
    assert numbers(f"q={base['firm'].number.lower()}") == {base["firm"].number}
    # htmx gets the table alone
    partial = html_of(client.get("/customers/?kind=company", headers=HTMX_TABLE))
    assert "<html" not in partial and base["firm"].number in partial


def test_customer_list_csv_has_the_filtered_rows(agent, base):
    client, _ = agent
    response = client.get("/customers/?kind=company&_export=csv")
    assert response.status_code == 200
    assert re.match(r'attachment; filename="customers-\d{8}\.csv"', response["Content-Disposition"])
    header, *rows = csv_rows(response)
    assert header[:2] == ["Number", "Name"] and "Status" in header and "Tier" in header
    assert {r[1] for r in rows} == {"Brad Media SRL", "Primaria Cluj"}
    status = header.index("Status")
    assert {r[status] for r in rows} == {"Active", "Blocked"}  # labels, not badge HTML
    agent_col = header.index("Serving agent")
    assert "Sorin Sales" in {r[agent_col] for r in rows}


def test_customer_list_queries_do_not_grow_with_rows(agent, django_assert_max_num_queries):
    client, _ = agent
    for _ in range(3):
        person(serving_agent=agent[1])
    client.get("/customers/")
    with django_assert_max_num_queries(15) as few:
        client.get("/customers/")
    for _ in range(20):
        person(serving_agent=agent[1])
    with django_assert_max_num_queries(15) as many:
        assert len(linked_numbers(html_of(client.get("/customers/")))) == 23
    assert len(many.captured_queries) == len(few.captured_queries)


# --- create ------------------------------------------------------------------------------
def test_create_starts_with_the_kind_choice(agent):
    client, _ = agent
    html = html_of(client.get("/customers/new/"))
    assert 'href="?kind=person"' in html and 'href="?kind=company"' in html
    person_form = html_of(client.get("/customers/new/?kind=person"))
    assert 'name="last_name"' in person_form and 'name="date_of_birth"' in person_form
    assert 'name="company_name"' not in person_form and 'name="vat_number"' not in person_form
    company_form = html_of(client.get("/customers/new/?kind=company"))
    assert 'name="company_name"' in company_form and 'name="vat_number"' in company_form
    assert 'name="last_name"' not in company_form and 'name="id_number"' not in company_form
    assert 'value="corporate" selected' in company_form  # the default category


def test_create_person_with_address_and_credit_check(agent):
    client, me = agent
    response = client.post(
        "/customers/new/",
        person_post(
            id_number=VALID_CNP,
            address_line1="Str. Lalelelor 5",
            address_city="Cluj-Napoca",
            address_postal_code="400001",
            declared_monthly_income="2000",
            credit_history="good",
        ),
    )
    customer = Customer.objects.get(last_name="Ionescu")
    assert response.status_code == 302 and response["Location"] == f"/customers/{customer.pk}/"
    assert customer.kind == "person" and customer.category == "residential"
    assert customer.phone == "+40744123456"  # E.164
    assert customer.email == "maria.ionescu@example.com"
    assert customer.id_number == VALID_CNP
    assert customer.serving_agent == me
    address = customer.addresses.get()
    assert (address.kind, address.city, address.valid_from) == (
        "legal",
        "Cluj-Napoca",
        timezone.localdate(),
    )
    assert customer.credit_class == "B"
    page = html_of(client.get(response["Location"]))
    assert f"Customer {customer.number} created." in page
    assert "Str. Lalelelor 5" in page


def test_create_company(agent):
    client, _ = agent
    response = client.post("/customers/new/", company_post())
    assert response.status_code == 302
    firm = Customer.objects.get(company_name="Nord Cable SRL")
    assert (firm.kind, firm.category, firm.vat_number) == ("company", "corporate", VALID_VAT)
    assert firm.phone == "+40311234567"


@pytest.mark.parametrize(
    ("post", "field", "message"),
    [
        (company_post(vat_number="RO123"), "vat_number", "VAT number “RO123” is not valid"),
        (
            person_post(id_number="1800101221145"),
            "id_number",
            "ID number “1800101221145” is not valid",
        ),
        (person_post(phone="12345"), "phone", "“12345” is not a valid phone number for RO."),
        (person_post(phone="call me"), "phone", "“call me” is not a phone number."),
        (person_post(email="not-an-email"), "email", "Enter a valid email address."),
        (
            person_post(date_of_birth=(date.today() - timedelta(days=365 * 10)).isoformat()),
            "date_of_birth",
            "must be at least 18 years old",
        ),
        (person_post(last_name=""), "last_name", "This field is required."),
        (company_post(country="XX"), "country", "“XX” is not a country code."),
    ],
)
def test_create_refuses_invalid_data_on_the_field(agent, post, field, message):
    client, _ = agent
    before = Customer.objects.count()
    response = client.post("/customers/new/", post)
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message in " ".join(errors[field])
    assert message.replace("“", "&ldquo;")[:10] in html_of(response) or message in html_of(response)
    assert Customer.objects.count() == before


def test_possible_duplicate_phone_warns_then_creates_when_confirmed(agent):
    client, _ = agent
    existing = person(first_name="Ion", last_name="Dup", phone="+40744123456")
    before = Customer.objects.count()
    response = client.post("/customers/new/", person_post(last_name="Alt"))
    assert response.status_code == 409
    html = html_of(response)
    assert 'id="duplicates"' in html
    assert f'href="/customers/{existing.pk}/"' in html and existing.number in html
    assert "same phone" in html
    assert 'name="confirm_duplicates"' in html
    assert 'value="Alt"' in html  # typed values kept
    assert Customer.objects.count() == before
    # when the agent confirms, it is created
    response = client.post("/customers/new/", person_post(last_name="Alt", confirm_duplicates="on"))
    assert response.status_code == 302
    assert Customer.objects.filter(last_name="Alt", phone="+40744123456").exists()


def test_exact_id_number_duplicate_is_refused_even_when_confirmed(agent):
    client, _ = agent
    existing = person(last_name="Primul", id_number=VALID_CNP)
    response = client.post(
        "/customers/new/",
        person_post(id_number=VALID_CNP, phone="", email="", confirm_duplicates="on"),
    )
    assert response.status_code == 422
    errors = response.context["form"].errors["id_number"]
    assert f"{existing.number} {existing.name} already has this ID number." in errors
    assert Customer.objects.filter(id_number=VALID_CNP).count() == 1


HOSTILE = {
    "script": "<script>alert(1)</script>",
    "quotes": 'O\'Brien "Bobby" & Sons',
    "emoji": "Zoë 🚀📡 Ștefănescu",
    "long": "L" * 100,
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_names_are_stored_as_typed_and_rendered_escaped(agent, kind):
    client, _ = agent
    name = HOSTILE[kind]
    response = client.post(
        "/customers/new/",
        person_post(first_name=name, last_name=name, phone="", email=""),
    )
    assert response.status_code == 302, response.context and response.context["form"].errors
    customer = Customer.objects.get(last_name=name)
    assert customer.first_name == name
    services.communication_log(
        customer=customer, actor=None, channel="phone", direction="in", subject=name
    )
    pages = [
        client.get(f"/customers/{customer.pk}/"),
        client.get(f"/customers/{customer.pk}/tabs/communications/"),
        client.get(f"/customers/{customer.pk}/tabs/history/"),
        client.get(f"/customers/{customer.pk}/edit/"),
        client.get("/customers/"),
        client.get("/search/", {"q": customer.number}),
        client.get("/search/", {"q": customer.number}, headers=HTMX_SEARCH),
    ]
    for page in pages:
        html = html_of(page)
        assert page.status_code == 200
        assert "<script>alert" not in html
        if kind == "script":
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        if kind == "emoji":
            assert name in html
        if kind == "long":
            assert "L" * 100 in html
        if kind == "quotes":
            assert "O&#x27;Brien &quot;Bobby&quot; &amp; Sons" in html


# --- edit --------------------------------------------------------------------------------
def test_edit_changes_the_customer(agent):
    client, _ = agent
    customer = person(first_name="Ana", last_name="Vechi", id_number=VALID_CNP)
    form = client.get(f"/customers/{customer.pk}/edit/")
    assert 'name="version" value="1"' in html_of(form)
    assert 'name="company_name"' not in html_of(form)
    post = person_post(last_name="Nou", id_number=VALID_CNP, version="1", phone=customer.phone)
    response = client.post(f"/customers/{customer.pk}/edit/", post)
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.last_name, customer.version, customer.kind) == ("Nou", 2, "person")


def test_concurrent_edit_keeps_the_first_save_and_tells_the_second(as_role, login, make_user):
    customer = person(first_name="Ana", last_name="Start")
    first, second = make_user(R.CUSTOMER_SERVICE), make_user(R.SALES)
    from django.test import Client

    one, two = Client(), Client()
    one.force_login(first, backend="alux_crm.core.auth_backends.UserBackend")
    two.force_login(second, backend="alux_crm.core.auth_backends.UserBackend")
    url = f"/customers/{customer.pk}/edit/"
    version = re.search(r'name="version" value="(\d+)"', html_of(one.get(url))).group(1)
    assert re.search(r'name="version" value="(\d+)"', html_of(two.get(url))).group(1) == version
    data = {"version": version, "phone": customer.phone, "email": customer.email}
    assert one.post(url, person_post(**data, last_name="FirstSave")).status_code == 302
    response = two.post(url, person_post(**data, last_name="SecondSave"))
    assert response.status_code == 409
    html = html_of(response)
    assert "Someone else changed this customer" in html
    assert 'value="SecondSave"' in html  # the second agent's typing is not lost
    customer.refresh_from_db()
    assert customer.last_name == "FirstSave"


# --- the customer-360 page ------------------------------------------------------------------
@pytest.fixture
def rich_customer(make_user):
    """A gold company with a branch below it, an address, a credit check, an account
    tree and a logged call."""
    hq = company(company_name="Holding Alfa SRL")
    Customer.objects.filter(pk=hq.pk).update(tier="gold", segment="corporate")
    branch = company(company_name="Alfa Filiala Iasi", parent=hq)
    sub = company(company_name="Alfa Depozit", parent=branch)
    services.address_set(
        customer=branch, kind="legal", line1="Bd. Unirii 1", city="Iasi", actor=None
    )
    services.credit_check_run(
        customer=branch, declared_monthly_income=Decimal("5000"), credit_history="good", actor=None
    )
    top = services.billing_account_create(customer=hq, actor=None, name="Alfa central")
    own = services.billing_account_create(
        customer=branch, actor=None, name="Iasi office", parent=top, is_paying=False
    )
    services.billing_account_create(customer=sub, actor=None, name="Depozit", parent=own)
    services.communication_log(
        customer=branch,
        actor=None,
        channel="phone",
        direction="in",
        subject="Asked for a new line",
        files=[pdf("contract.pdf")],
    )
    return {"hq": hq, "branch": branch, "sub": sub, "top": top, "own": own}


def test_customer_360_header_and_profile(agent, rich_customer):
    client, _ = agent
    branch = Customer.objects.get(pk=rich_customer["branch"].pk)
    html = html_of(client.get(f"/customers/{branch.pk}/"))
    assert 'id="customer-name"' in html and "Alfa Filiala Iasi" in html
    assert branch.number in html
    assert re.search(r'<span class="badge text-bg-success" id="status-badge">Active</span>', html)
    assert 'class="badge app-tier app-tier-bronze" id="tier-badge"' in html
    assert re.search(r'id="credit-badge"[^>]*>Credit A<', html)
    assert "Corporate · Mass market" in html
    assert re.findall(r'data-tab="(\w+)"', html) == [
        "profile",
        "communications",
        "subscriptions",
        "invoices",
        "payments",
        "balance",
        "collections",  # dunning (issue 7): agents see the collections timeline
        "cases",
        "leads",
        "documents",
        "devices",
        "history",
    ]
    # profile: addresses, organisation breadcrumb and tree, billing tree, credit check
    assert "Bd. Unirii 1" in html
    crumbs = re.search(r'id="org-breadcrumb">(.*?)</ol>', html, re.S).group(1)
    assert "Holding Alfa SRL" in crumbs and "Alfa Filiala Iasi" in crumbs
    tree = re.search(r'id="org-tree">(.*?)</div>', html, re.S).group(1)
    assert tree.count('<ul class="app-tree">') == 2  # branch → depot
    assert "Alfa Depozit" in tree
    billing = re.search(r'id="billing-tree">(.*?)</section>', html, re.S).group(1)
    own, top = rich_customer["own"], rich_customer["top"]
    assert own.number in billing and "Iasi office" in billing and "Paid by parent" in billing
    assert "Depozit" in billing and "0.00 EUR" in billing
    assert "Alfa Depozit" in billing  # an account of the branch below says whose it is
    assert top.number not in billing  # the holding's own account is above this customer
    assert "Good history and income of 3000 or more" in html


def test_customer_360_actions_follow_role_and_status(as_role, rich_customer):
    branch = rich_customer["branch"]
    client, _ = as_role(R.CUSTOMER_SERVICE)
    html = html_of(client.get(f"/customers/{branch.pk}/"))
    for action in (
        "edit/",
        "communications/new/",
        "billing-accounts/new/",
        "addresses/new/",
        "credit-check/",
        "move/",
        "status/blocked/",
        "status/inactive/",
    ):
        assert f'href="/customers/{branch.pk}/{action}"' in html, action
    assert f"/customers/{branch.pk}/status/active/" not in html  # already active
    # Marketing may only look (and log a contact)
    client, _ = as_role(R.MARKETING)
    html = html_of(client.get(f"/customers/{branch.pk}/"))
    assert f'href="/customers/{branch.pk}/communications/new/"' in html
    for action in ("edit/", "status/blocked/", "move/", "credit-check/"):
        assert f'href="/customers/{branch.pk}/{action}"' not in html, action
    # Sales may edit but not change the status
    client, _ = as_role(R.SALES)
    html = html_of(client.get(f"/customers/{branch.pk}/"))
    assert f'href="/customers/{branch.pk}/edit/"' in html
    assert "/status/" not in html


def _grow(customer, accounts: int, communications: int):
    for n in range(accounts):
        services.billing_account_create(customer=customer, actor=None, name=f"Account {n}")
    services.address_set(customer=customer, kind="installation", line1="X 1", city="Y")
    for n in range(communications):
        services.communication_log(
            customer=customer,
            actor=None,
            channel="email",
            direction="out",
            subject=f"Mail {n}",
            files=[pdf(f"f{n}.pdf")],
        )


def test_customer_360_makes_a_bounded_number_of_queries(agent, django_assert_max_num_queries):
    client, _ = agent
    small, big = company(), company()
    branch = company(parent=big)
    services.credit_check_run(
        customer=big, declared_monthly_income=Decimal("900"), credit_history="fair", actor=None
    )
    services.credit_check_run(
        customer=small, declared_monthly_income=Decimal("900"), credit_history="fair", actor=None
    )
    _grow(small, accounts=1, communications=1)
    _grow(big, accounts=10, communications=20)
    _grow(branch, accounts=3, communications=0)
    company(parent=small)  # both have one branch level
    client.get(f"/customers/{small.pk}/")  # warm caches
    with django_assert_max_num_queries(25) as one:
        assert client.get(f"/customers/{small.pk}/").status_code == 200
    with django_assert_max_num_queries(25) as many:
        html = html_of(client.get(f"/customers/{big.pk}/"))
    assert html.count('class="app-account"') == 13
    assert len(many.captured_queries) == len(one.captured_queries)
    # The communications and history tabs are bounded too.
    for tab in ("communications", "history"):
        with django_assert_max_num_queries(15) as one:
            client.get(f"/customers/{small.pk}/tabs/{tab}/")
        with django_assert_max_num_queries(15) as many:
            client.get(f"/customers/{big.pk}/tabs/{tab}/")
        assert len(many.captured_queries) == len(one.captured_queries), tab


@pytest.mark.parametrize(
    ("tab", "text"),
    [
        ("subscriptions", "Subscriptions sold to this customer will appear here."),
        ("invoices", "No invoices yet."),
        ("payments", "No payments yet."),
        ("cases", "No cases yet."),
        ("leads", "No leads or offers yet."),
        ("documents", "No documents yet."),
        ("devices", "No devices yet."),
    ],
)
def test_tabs_without_an_app_show_what_will_appear(agent, tab, text):
    client, _ = agent
    customer = person()
    response = client.get(f"/customers/{customer.pk}/tabs/{tab}/")
    assert response.status_code == 200
    assert text in html_of(response) and "<html" not in html_of(response)
    assert text in html_of(client.get(f"/customers/{customer.pk}/?tab={tab}"))


def test_unknown_tab_is_404(agent):
    client, _ = agent
    assert client.get(f"/customers/{person().pk}/tabs/secrets/").status_code == 404


def test_communications_tab_newest_first_with_attachments(agent):
    client, _ = agent
    customer = person()
    now = timezone.now()
    services.communication_log(
        customer=customer,
        actor=None,
        channel="phone",
        direction="in",
        subject="Older call",
        occurred_at=now - timedelta(days=2),
    )
    newer = services.communication_log(
        customer=customer,
        actor=None,
        channel="email",
        direction="out",
        subject="Newer mail",
        occurred_at=now,
        files=[pdf("offer.pdf")],
    )
    html = html_of(client.get(f"/customers/{customer.pk}/tabs/communications/"))
    assert html.index("Newer mail") < html.index("Older call")
    attachment = newer.attachments.get()
    assert f'href="/attachments/{attachment.pk}/"' in html and "offer.pdf" in html


def test_history_tab_covers_customer_addresses_accounts_and_contacts(agent):
    client, _ = agent
    response = client.post("/customers/new/", person_post(phone=""))
    customer = Customer.objects.get(last_name="Ionescu")
    client.post(
        f"/customers/{customer.pk}/edit/",
        person_post(last_name="Ionescu-Pop", version="1", phone=""),
    )
    services.address_set(customer=customer, kind="legal", line1="Str. Mare 2", city="Arad")
    account = services.billing_account_create(customer=customer, actor=None, name="Casa")
    services.communication_log(
        customer=customer, actor=None, channel="walk_in", direction="in", subject="Visit"
    )
    other = person(last_name="Strain")  # another customer's events stay out
    assert response.status_code == 302
    html = html_of(client.get(f"/customers/{customer.pk}/tabs/history/"))
    assert "Customer" in html and "Dana Agent" in html
    assert re.search(
        r"<code>last_name</code>: <del[^>]*>Ionescu</del> → <strong>Ionescu-Pop<", html
    )
    assert "Legal / residence address: Str. Mare 2, Arad" in html
    assert f"Billing account {account.number} Casa" in html
    assert "Contact: Visit" in html
    assert "Strain" not in html and other.number not in html
    # newest first
    times = re.findall(r'<td class="text-nowrap">([\d\- :]+)</td>', html)
    assert times == sorted(times, reverse=True)


# --- communications and attachments ----------------------------------------------------------
def test_log_a_contact_with_a_pdf_and_download_it(agent, make_user, login):
    client, me = agent
    customer = person()
    form = html_of(client.get(f"/customers/{customer.pk}/communications/new/"))
    assert 'enctype="multipart/form-data"' in form and "multiple" in form
    upload = SimpleUploadedFile("Contract semnat.pdf", PDF_BYTES, content_type="application/pdf")
    image = SimpleUploadedFile("poza.png", PNG_BYTES, content_type="image/png")
    response = client.post(
        f"/customers/{customer.pk}/communications/new/",
        {
            "channel": "walk_in",
            "direction": "in",
            "subject": "Signed the contract",
            "notes": "Brought the ID",
            "files": [upload, image],
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/customers/{customer.pk}/?tab=communications"
    communication = Communication.objects.get(customer=customer)
    assert communication.agent == me
    pdf_row = communication.attachments.get(original_name="Contract semnat.pdf")
    assert (pdf_row.content_type, pdf_row.size) == ("application/pdf", len(PDF_BYTES))
    assert communication.attachments.count() == 2
    download = client.get(f"/attachments/{pdf_row.pk}/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]
    assert "Contract semnat.pdf" in download["Content-Disposition"]
    assert b"".join(download.streaming_content) == PDF_BYTES


def test_attachment_of_another_partners_customer_is_404(make_user, login, partner_b):
    from tests.customers.factories import make_customer_world

    _customer, _account, attachment = make_customer_world(partner_b)
    client = login(make_user(R.RETAILER))  # a retailer of partner A
    assert client.get(f"/attachments/{attachment.pk}/").status_code == 404
    assert client.get("/attachments/999999/").status_code == 404


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile(
                "notes.pdf", b"just some text, not a PDF", content_type="application/pdf"
            ),
            "“notes.pdf” is not an allowed file. Attach images, PDF or audio recordings.",
        ),
        (
            SimpleUploadedFile("big.pdf", PDF_BYTES + b"0" * 2048, content_type="application/pdf"),
            "“big.pdf” is 0.0 MB; the limit is 0.0 MB.",
        ),
    ],
    ids=["disguised-text", "too-large"],
)
def test_refused_attachment_stores_nothing(agent, settings, upload, message):
    settings.MAX_UPLOAD_SIZE = 1024
    client, _ = agent
    customer = person()
    good = pdf("fine.pdf")
    response = client.post(
        f"/customers/{customer.pk}/communications/new/",
        {"channel": "email", "direction": "in", "subject": "Files", "files": [good, upload]},
    )
    assert response.status_code == 422
    assert message in response.context["form"].errors["files"]
    assert message.replace("“", "&ldquo;").replace("”", "&rdquo;") in html_of(
        response
    ) or message in html_of(response)
    assert not Communication.objects.filter(customer=customer).exists()
    assert not Attachment.objects.exists()


# --- billing accounts ---------------------------------------------------------------------
def test_billing_account_create_detail_edit_and_move(agent):
    client, _ = agent
    customer = company(company_name="Contul SRL", email="plati@contul.example")
    address = services.address_set(
        customer=customer, kind="billing", line1="Str. Plata 3", city="Brasov"
    )
    top = services.billing_account_create(customer=customer, actor=None, name="Central")
    form = html_of(client.get(f"/customers/{customer.pk}/billing-accounts/new/"))
    assert 'value="Contul SRL"' in form and "Str. Plata 3" in form and top.number in form
    response = client.post(
        f"/customers/{customer.pk}/billing-accounts/new/",
        {
            "name": "Filiala",
            "currency": "eur",
            "bill_cycle_day": "5",
            "payment_method": "transfer",
            "billing_address": address.pk,
            "invoice_delivery": "email",
            "invoice_email": "filiala@contul.example",
            "parent": top.pk,
            "is_paying": "",
        },
    )
    child = BillingAccount.objects.get(name="Filiala")
    assert response.status_code == 302 and response["Location"] == f"/billing-accounts/{child.pk}/"
    assert (child.parent, child.is_paying, child.billing_address, child.currency) == (
        top,
        False,
        address,
        "EUR",
    )
    # the detail page says the parent receives the invoice
    html = html_of(client.get(f"/billing-accounts/{child.pk}/"))
    assert re.search(rf'id="paying-account"><a href="/billing-accounts/{top.pk}/">', html)
    assert "Filiala" in html_of(client.get(f"/billing-accounts/{top.pk}/"))  # a sub-account
    assert 'id="history"' in html_of(client.get(f"/billing-accounts/{child.pk}/tabs/history/"))
    # a cycle is refused, with the service's message
    response = client.post(f"/billing-accounts/{top.pk}/move/", {"parent": child.pk})
    assert response.status_code == 422
    assert "cannot be moved under itself or its sub-accounts" in html_of(response)
    top.refresh_from_db()
    assert top.parent is None
    # a move to the top makes it pay
    response = client.post(f"/billing-accounts/{child.pk}/move/", {"parent": ""})
    assert response.status_code == 302
    child.refresh_from_db()
    assert (child.parent, child.is_paying) == (None, True)
    # an edit with the loaded version works; a stale version is refused with 409
    edit = {
        "name": "Filiala Nord",
        "currency": "EUR",
        "bill_cycle_day": "5",
        "payment_method": "card",
        "billing_address": address.pk,
        "invoice_delivery": "post",
        "invoice_email": "",
        "is_paying": "on",
        "version": str(child.version),
    }
    assert client.post(f"/billing-accounts/{child.pk}/edit/", edit).status_code == 302
    child.refresh_from_db()
    assert (child.name, child.payment_method) == ("Filiala Nord", "card")
    stale = client.post(f"/billing-accounts/{child.pk}/edit/", edit | {"name": "Late"})
    assert stale.status_code == 409
    assert "Someone else changed this account" in html_of(stale)
    child.refresh_from_db()
    assert child.name == "Filiala Nord"


def test_billing_account_form_refuses_bad_input(agent):
    client, _ = agent
    customer = person(email="")
    response = client.post(
        f"/customers/{customer.pk}/billing-accounts/new/",
        {
            "name": "X",
            "currency": "EUR",
            "bill_cycle_day": "31",
            "payment_method": "transfer",
            "invoice_delivery": "email",
            "invoice_email": "",
            "is_paying": "on",
        },
    )
    assert response.status_code == 422
    assert "bill_cycle_day" in response.context["form"].errors
    response = client.post(
        f"/customers/{customer.pk}/billing-accounts/new/",
        {
            "name": "X",
            "currency": "EUR",
            "bill_cycle_day": "1",
            "payment_method": "transfer",
            "invoice_delivery": "email",
            "invoice_email": "",
            "is_paying": "on",
        },
    )
    assert response.status_code == 422
    assert "E-mail delivery needs an invoice e-mail." in html_of(response)
    assert not BillingAccount.objects.filter(customer=customer).exists()


# --- status, move, address, credit check --------------------------------------------------------
def test_status_change_and_refused_transition(agent):
    client, _ = agent
    customer = person()
    page = client.get(f"/customers/{customer.pk}/status/blocked/")
    assert page.status_code == 200
    assert f"Block {customer.name}" in html_of(page)
    response = client.post(f"/customers/{customer.pk}/status/blocked/")
    assert response.status_code == 302 and response["Location"] == f"/customers/{customer.pk}/"
    customer.refresh_from_db()
    assert customer.status == "blocked"
    assert "is now blocked" in html_of(client.get(response["Location"]))
    client.post(f"/customers/{customer.pk}/status/inactive/")
    customer.refresh_from_db()
    assert customer.status == "inactive"
    refused = client.post(f"/customers/{customer.pk}/status/blocked/")
    assert refused.status_code == 422
    assert "A customer cannot go from Inactive to Blocked." in html_of(refused)
    customer.refresh_from_db()
    assert customer.status == "inactive"
    assert client.get(f"/customers/{customer.pk}/status/deleted/").status_code == 302


def test_move_in_the_organisation_tree(agent):
    client, _ = agent
    hq, branch = company(company_name="HQ SRL"), company(company_name="Branch SRL")
    page = html_of(client.get(f"/customers/{branch.pk}/move/"))
    assert "Now a top-level customer." in page
    digits = str(int(hq.number.split("-")[1]))
    response = client.post(f"/customers/{branch.pk}/move/", {"parent_number": f"c{digits}"})
    assert response.status_code == 302
    branch.refresh_from_db()
    assert branch.parent == hq
    # a cycle is refused with the service's message
    response = client.post(f"/customers/{hq.pk}/move/", {"parent_number": branch.number})
    assert response.status_code == 422
    assert "cannot be placed under itself or its own branches" in html_of(response)
    hq.refresh_from_db()
    assert hq.parent is None
    # an unknown number says so on the field
    response = client.post(f"/customers/{hq.pk}/move/", {"parent_number": "C-999999"})
    assert response.status_code == 422
    assert "No customer C-999999 that you can see." in html_of(response)
    # back to the top
    assert client.post(f"/customers/{branch.pk}/move/", {"parent_number": ""}).status_code == 302
    branch.refresh_from_db()
    assert branch.parent is None


def test_new_address_from_a_date_and_refused_earlier_date(agent):
    client, _ = agent
    customer = person()
    today = timezone.localdate()
    post = {"kind": "installation", "line1": "Str. Noua 1", "city": "Sibiu", "country": "RO"}
    response = client.post(
        f"/customers/{customer.pk}/addresses/new/", post | {"valid_from": today.isoformat()}
    )
    assert response.status_code == 302
    earlier = client.post(
        f"/customers/{customer.pk}/addresses/new/",
        post | {"line1": "Str. Veche 9", "valid_from": (today - timedelta(days=3)).isoformat()},
    )
    assert earlier.status_code == 422
    assert (
        f"The new address must start after {today}." in earlier.context["form"].errors["valid_from"]
    )
    later = client.post(
        f"/customers/{customer.pk}/addresses/new/",
        post | {"line1": "Str. Viitoare 3", "valid_from": (today + timedelta(days=10)).isoformat()},
    )
    assert later.status_code == 302
    rows = list(Address.objects.filter(customer=customer).order_by("valid_from"))
    assert [(a.line1, a.valid_to) for a in rows] == [
        ("Str. Noua 1", today + timedelta(days=10)),
        ("Str. Viitoare 3", None),
    ]
    missing = client.post(f"/customers/{customer.pk}/addresses/new/", {"kind": "postal"})
    assert missing.status_code == 422
    assert {"line1", "city"} <= set(missing.context["form"].errors)


def test_credit_check_shows_the_class_and_rule(agent):
    client, _ = agent
    customer = person()
    assert client.get(f"/customers/{customer.pk}/credit-check/").status_code == 200
    response = client.post(
        f"/customers/{customer.pk}/credit-check/",
        {"declared_monthly_income": "900", "currency": "eur", "credit_history": "none"},
    )
    assert response.status_code == 302
    html = html_of(client.get(response["Location"]))
    assert "Credit class C — fair (rule: Income of 800 or more, no bad history)." in html
    customer.refresh_from_db()
    assert customer.credit_class == "C"
    bad = client.post(
        f"/customers/{customer.pk}/credit-check/",
        {"declared_monthly_income": "-5", "currency": "EUR", "credit_history": "good"},
    )
    assert bad.status_code == 422
    assert "declared_monthly_income" in bad.context["form"].errors


# --- search -----------------------------------------------------------------------------------
@pytest.fixture
def searchable():
    return {
        "exact": person(first_name="Ion", last_name="Pop", phone="+40721555111"),
        "prefix": person(first_name="Ion", last_name="Popescu-Lung", phone="+40721555222"),
    }


def test_search_partial_for_htmx_and_full_page(agent, searchable):
    client, _ = agent
    partial = client.get("/search/", {"q": "0721 555 111"}, headers=HTMX_SEARCH)
    html = html_of(partial)
    assert partial.status_code == 200 and "<html" not in html
    assert f'href="/customers/{searchable["exact"].pk}/"' in html
    assert "Ion Pop" in html and "/search/?q=0721%20555%20111" in html
    assert html_of(client.get("/search/", {"q": "x"}, headers=HTMX_SEARCH)) == ""
    page = client.get("/search/", {"q": searchable["prefix"].number})
    assert page.status_code == 200 and 'id="main-nav"' in html_of(page)
    assert "Ion Popescu-Lung" in html_of(page)
    assert 'id="search-hint"' in html_of(client.get("/search/"))
    assert 'id="search-empty"' in html_of(client.get("/search/", {"q": "zzzzqqq"}))


def test_search_ranks_exact_matches_first(agent, searchable):
    client, _ = agent
    html = html_of(client.get("/search/", {"q": "+40721555111"}))
    ranks = re.findall(r'data-rank="(\d)"', html)
    assert ranks and ranks[0] == "0" and ranks == sorted(ranks)
    first = re.search(r'<a class="list-group-item[^"]*" href="(/customers/\d+/)"', html).group(1)
    assert first == f"/customers/{searchable['exact'].pk}/"


def test_header_search_box_is_wired(agent):
    client, _ = agent
    html = html_of(client.get("/customers/"))
    assert 'hx-get="/search/"' in html and 'hx-target="#search-results"' in html
    assert 'id="search-results"' in html
    assert 'id="search-phone"' in html  # the icon for phones
    assert 'id="global-search"' in html and "disabled" not in re.search(
        r'<input[^>]+id="global-search"[^>]*>', html, re.S
    ).group(0)


# --- a retailer sees only its own customers -------------------------------------------------------
def test_retailer_sees_only_its_partners_customers(as_role, partner_a, partner_b):
    client, _ = as_role(R.RETAILER)
    mine = person(first_name="Mihai", last_name="Alpha", partner=partner_a, phone="+40721777001")
    theirs = person(first_name="Mihai", last_name="Beta", partner=partner_b, phone="+40721777002")
    html = html_of(client.get("/customers/"))
    assert mine.number in html and theirs.number not in html
    found = html_of(client.get("/search/", {"q": "Mihai"}))
    assert "Mihai Alpha" in found and "Mihai Beta" not in found
    found = html_of(client.get("/search/", {"q": theirs.phone}, headers=HTMX_SEARCH))
    assert "Mihai Beta" not in found
    for url in (
        f"/customers/{theirs.pk}/",
        f"/customers/{theirs.pk}/tabs/profile/",
        f"/customers/{theirs.pk}/tabs/history/",
        f"/customers/{theirs.pk}/tabs/communications/",
        f"/customers/{theirs.pk}/edit/",
        f"/customers/{theirs.pk}/move/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.get(f"/customers/{mine.pk}/").status_code == 200


def test_retailer_creates_customers_for_its_own_partner(as_role, partner_a):
    client, retailer = as_role(R.RETAILER)
    form = html_of(client.get("/customers/new/?kind=person"))
    assert 'name="partner"' not in form
    response = client.post("/customers/new/", person_post(partner=""))
    assert response.status_code == 302
    customer = Customer.objects.get(last_name="Ionescu")
    assert customer.partner == partner_a and customer.serving_agent == retailer
    assert client.get(response["Location"]).status_code == 200


def test_duplicates_of_another_dealer_are_counted_not_shown(as_role, partner_b):
    client, _ = as_role(R.RETAILER)
    theirs = person(last_name="Ascuns", partner=partner_b, phone="+40744123456")
    response = client.post("/customers/new/", person_post())
    html = html_of(response)
    assert response.status_code == 409
    assert "1 customer of another dealer shares these details." in html
    assert theirs.number not in html and "Ascuns" not in html


def test_parent_account_must_belong_to_the_customer_or_above(agent):
    client, _ = agent
    hq = company(company_name="Sus SRL")
    branch = company(company_name="Jos SRL", parent=hq)
    stranger = company(company_name="Strain SRL")
    above = services.billing_account_create(customer=hq, actor=None, name="Sus")
    elsewhere = services.billing_account_create(customer=stranger, actor=None, name="Strain")
    form = html_of(client.get(f"/customers/{branch.pk}/billing-accounts/new/"))
    assert above.number in form and elsewhere.number not in form
    post = {
        "name": "Jos",
        "currency": "EUR",
        "bill_cycle_day": "1",
        "payment_method": "transfer",
        "invoice_delivery": "post",
        "invoice_email": "",
        "parent": elsewhere.pk,
    }
    response = client.post(f"/customers/{branch.pk}/billing-accounts/new/", post)
    assert response.status_code == 422 and "parent" in response.context["form"].errors
    response = client.post(
        f"/customers/{branch.pk}/billing-accounts/new/", post | {"parent": above.pk}
    )
    assert response.status_code == 302
    assert BillingAccount.objects.get(name="Jos").parent == above


def test_admin_lists_the_customer_models(admin_client):
    from tests.customers.factories import make_customer_world

    customer, _account, attachment = make_customer_world(None)
    for url in (
        "/admin/customers/customer/",
        f"/admin/customers/customer/{customer.pk}/change/",
        "/admin/customers/address/",
        "/admin/customers/billingaccount/",
        "/admin/customers/creditclassrule/",
        "/admin/customers/tierrule/",
        "/admin/customers/creditcheck/",
        "/admin/customers/communication/",
        f"/admin/customers/communication/{attachment.communication_id}/change/",
    ):
        assert admin_client.get(url).status_code == 200, url
    html = html_of(
        admin_client.get(f"/admin/customers/communication/{attachment.communication_id}/change/")
    )
    assert "recording.pdf" in html
