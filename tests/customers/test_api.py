"""The customers API: search and filters, writes through the services, JSON errors
(400 per field, 403, 404, 409), scoping to the caller, communications with files,
billing accounts and the OpenAPI schema."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from alux_crm.core import roles as R
from customers import services
from customers.models import Attachment, BillingAccount, Communication, Customer
from tests.customers.factories import PDF_BYTES, company, person

pytestmark = pytest.mark.django_db

CUSTOMERS = "/api/v1/customers/"
ACCOUNTS = "/api/v1/billing-accounts/"
VALID_CNP = "1850517400013"  # a valid Romanian personal number (born 1985-05-17)


def _detail(pk: int) -> str:
    return f"{CUSTOMERS}{pk}/"


def _communications(pk: int) -> str:
    return f"{CUSTOMERS}{pk}/communications/"


@pytest.fixture
def agent(make_user, login):
    user = make_user(R.SALES)
    login(user)
    return user


def _person_payload(**fields):
    data = {
        "kind": "person",
        "first_name": "Maria",
        "last_name": "Ionescu",
        "phone": "0745 123 456",
        "email": "Maria.Ionescu@Example.com",
        "date_of_birth": "1985-05-17",
    }
    data.update(fields)
    return data


# --- access ---------------------------------------------------------------------------------
def test_anonymous_calls_are_refused_with_json(client):
    for url in (CUSTOMERS, ACCOUNTS):
        response = client.get(url)
        assert response.status_code == 403
        assert response["Content-Type"] == "application/json"
        assert response.json()["error"] == "not_authenticated"
    assert (
        client.post(CUSTOMERS, _person_payload(), content_type="application/json").status_code
        == 403
    )
    assert not Customer.objects.exists()


def test_billing_and_finance_may_read_but_not_write_customers(make_user, login, client):
    customer = person()
    login(make_user(R.BILLING_FINANCE))
    assert client.get(CUSTOMERS).status_code == 200
    assert client.get(_detail(customer.pk)).status_code == 200
    response = client.post(CUSTOMERS, _person_payload(), content_type="application/json")
    assert response.status_code == 403
    assert response.json()["error"] == "permission_denied"
    response = client.patch(
        _detail(customer.pk),
        {"version": customer.version, "first_name": "X"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert Customer.objects.count() == 1
    customer.refresh_from_db()
    assert customer.first_name == "Ana"


def test_there_is_no_delete(agent, client):
    customer = person()
    response = client.delete(_detail(customer.pk))
    assert response.status_code == 405
    assert response.json()["error"] == "method_not_allowed"
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_retailer_sees_only_its_dealers_customers_and_404_for_others(
    make_user, login, client, partner_a, partner_b
):
    own = person(partner=partner_a)
    other = person(partner=partner_b)
    other_account = services.billing_account_create(customer=other, actor=None)
    own_account = services.billing_account_create(customer=own, actor=None)
    login(make_user(R.RETAILER))  # partner A

    body = client.get(CUSTOMERS).json()
    assert [c["id"] for c in body["results"]] == [own.pk]
    assert [a["id"] for a in client.get(ACCOUNTS).json()["results"]] == [own_account.pk]
    # Filtering by the other dealer finds nothing rather than revealing anything.
    assert client.get(CUSTOMERS, {"partner": partner_b.pk}).json()["count"] == 0

    for url in (
        _detail(other.pk),
        _communications(other.pk),
        f"{ACCOUNTS}{other_account.pk}/",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json()["error"] == "not_found"
    response = client.post(
        _communications(other.pk),
        {"channel": "phone", "subject": "Hello"},
        content_type="application/json",
    )
    assert response.status_code == 404
    response = client.patch(
        _detail(other.pk), {"version": 1, "first_name": "X"}, content_type="application/json"
    )
    assert response.status_code == 404
    assert not Communication.objects.filter(customer=other).exists()


def test_retailer_registers_customers_of_its_own_dealer(make_user, login, client, partner_b):
    retailer = make_user(R.RETAILER)
    login(retailer)
    response = client.post(
        CUSTOMERS, _person_payload(partner=partner_b.pk), content_type="application/json"
    )
    assert response.status_code == 400
    assert "partner" in response.json()["fields"]
    response = client.post(CUSTOMERS, _person_payload(), content_type="application/json")
    assert response.status_code == 201
    customer = Customer.objects.get(pk=response.json()["id"])
    assert customer.partner == retailer.partner
    assert customer.serving_agent == retailer


def test_serving_agent_must_be_staff_or_a_dealers_user(agent, client, make_user):
    colleague = make_user(R.CUSTOMER_SERVICE)
    subscriber = make_user(R.SUBSCRIBER)
    response = client.post(
        CUSTOMERS, _person_payload(serving_agent=subscriber.pk), content_type="application/json"
    )
    assert response.status_code == 400
    assert "serving_agent" in response.json()["fields"]
    response = client.post(
        CUSTOMERS, _person_payload(serving_agent=colleague.pk), content_type="application/json"
    )
    assert response.status_code == 201
    assert response.json()["serving_agent"] == colleague.pk


def test_retailer_can_put_back_what_it_read(make_user, login, client, partner_a):
    staff_agent = make_user(R.SALES)
    customer = person(partner=partner_a, serving_agent=staff_agent)
    login(make_user(R.RETAILER))
    body = client.get(_detail(customer.pk)).json()
    body["first_name"] = "Elena"
    response = client.put(_detail(customer.pk), body, content_type="application/json")
    assert response.status_code == 200, response.json()
    customer.refresh_from_db()
    assert (customer.first_name, customer.serving_agent, customer.partner) == (
        "Elena",
        staff_agent,
        partner_a,
    )


# --- list, search, filters ---------------------------------------------------------------
def test_list_is_paginated_newest_first(agent, client):
    customers = [person() for _ in range(3)]
    body = client.get(CUSTOMERS, {"page_size": 2}).json()
    assert body["count"] == 3
    assert [c["id"] for c in body["results"]] == [customers[2].pk, customers[1].pk]
    assert body["next"] is not None
    second = client.get(CUSTOMERS, {"page_size": 2, "page": 2}).json()
    assert [c["id"] for c in second["results"]] == [customers[0].pk]
    row = body["results"][0]
    assert row["number"] == customers[2].number
    assert row["monthly_value"] == "0.00"
    assert row["web_url"].endswith(f"/customers/{customers[2].pk}/")
    assert "confirm_duplicates" not in row


def test_search_by_number_phone_email_name_and_id(agent, client):
    ana = person(last_name="Vasilescu", phone="+40745000111", id_number=VALID_CNP)
    firm = company(company_name="Lumina Tehnic SRL", email="contact@lumina.example")
    account = services.billing_account_create(customer=firm, actor=None)
    person(last_name="Other")

    def found(q):
        return [c["id"] for c in client.get(CUSTOMERS, {"q": q}).json()["results"]]

    assert found(ana.number) == [ana.pk]
    assert found(ana.number.replace("-", "").lower()) == [ana.pk]
    assert found(account.number) == [firm.pk]
    assert found("0745 000 111") == [ana.pk]  # national format → E.164
    assert found("000111") == [ana.pk]  # digits anywhere in the phone
    assert found("lumina.example") == [firm.pk]
    assert found("vasiles") == [ana.pk]
    assert found("LUMINA") == [firm.pk]
    assert found(VALID_CNP) == [ana.pk]
    assert found("100%_x") == []  # wildcards are matched literally
    too_long = client.get(CUSTOMERS, {"q": "C" + "9" * 5000})
    assert too_long.status_code == 400
    assert "q" in too_long.json()["fields"]


def test_filters(agent, client, make_user, partner_a):
    other_agent = make_user(R.SALES)
    residential = person()
    firm = company(segment="sme", serving_agent=other_agent, partner=partner_a)
    Customer.objects.filter(pk=residential.pk).update(tier="gold")

    def ids(**params):
        return {c["id"] for c in client.get(CUSTOMERS, params).json()["results"]}

    assert ids(kind="company") == {firm.pk}
    assert ids(category="residential") == {residential.pk}
    assert ids(segment="sme") == {firm.pk}
    assert ids(tier="gold") == {residential.pk}
    assert ids(status="active") == {residential.pk, firm.pk}
    assert ids(status="blocked") == set()
    assert ids(serving_agent=other_agent.pk) == {firm.pk}
    assert ids(partner=partner_a.pk) == {firm.pk}
    today = timezone.localdate()
    assert ids(created_after=today.isoformat(), created_before=today.isoformat()) == {
        residential.pk,
        firm.pk,
    }
    assert ids(created_after=(today + timedelta(days=1)).isoformat()) == set()
    assert ids(created_before=(today - timedelta(days=1)).isoformat()) == set()
    response = client.get(CUSTOMERS, {"kind": "robot"})
    assert response.status_code == 400
    assert "kind" in response.json()["fields"]


# --- create --------------------------------------------------------------------------------
def test_create_person_normalises_and_assigns_a_number(agent, client):
    response = client.post(
        CUSTOMERS, _person_payload(id_number=VALID_CNP), content_type="application/json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    customer = Customer.objects.get(pk=body["id"])
    assert body["number"] == customer.number and customer.number.startswith("C-")
    assert body["phone"] == "+40745123456"
    assert body["email"] == "maria.ionescu@example.com"
    assert body["category"] == "residential"
    assert body["display_name"] == "Maria Ionescu"
    assert body["version"] == 1
    assert body["serving_agent"] == agent.pk
    assert body["tier"] == "bronze"
    assert response["Location"].endswith(_detail(customer.pk))


def test_read_only_fields_are_ignored_on_create(agent, client):
    response = client.post(
        CUSTOMERS,
        _person_payload(number="C-999999", version=7, tier="platinum", monthly_value="99.00"),
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["number"] != "C-999999"
    assert (body["version"], body["tier"], body["monthly_value"]) == (1, "bronze", "0.00")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (_person_payload(phone="12"), "phone"),
        (_person_payload(id_number="1850517400014"), "id_number"),  # wrong check digit
        (_person_payload(last_name=""), "last_name"),
        (_person_payload(kind="robot"), "kind"),
        (_person_payload(email="not-an-email"), "email"),
        (
            {"kind": "company", "company_name": "Firma SRL", "vat_number": "RO18547291"},
            "vat_number",
        ),
    ],
)
def test_invalid_input_is_400_with_the_field(agent, client, payload, field):
    response = client.post(CUSTOMERS, payload, content_type="application/json")
    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["error"] == "invalid"
    assert field in body["fields"], body
    assert all(isinstance(m, str) for m in body["fields"][field])
    assert not Customer.objects.exists()


def test_possible_duplicates_409_then_confirmed_201(agent, client):
    first = person(phone="+40745123456")
    response = client.post(CUSTOMERS, _person_payload(), content_type="application/json")
    assert response.status_code == 409
    body = response.json()
    assert body["error"] == "possible_duplicates"
    assert body["detail"]
    assert body["hidden_duplicates"] == 0
    [duplicate] = body["duplicates"]
    assert duplicate["id"] == first.pk
    assert duplicate["number"] == first.number
    assert duplicate["name"] == first.name
    assert duplicate["url"].endswith(_detail(first.pk))
    assert Customer.objects.count() == 1

    response = client.post(
        CUSTOMERS, _person_payload(confirm_duplicates=True), content_type="application/json"
    )
    assert response.status_code == 201
    assert Customer.objects.count() == 2


def test_another_dealers_duplicates_are_only_counted(make_user, login, client, partner_b):
    person(phone="+40745123456", partner=partner_b)
    login(make_user(R.RETAILER))  # partner A
    response = client.post(CUSTOMERS, _person_payload(), content_type="application/json")
    assert response.status_code == 409
    body = response.json()
    assert body["duplicates"] == []
    assert body["hidden_duplicates"] == 1


def test_same_id_number_twice_is_400_on_id_number(agent, client):
    person(id_number=VALID_CNP)
    response = client.post(
        CUSTOMERS,
        _person_payload(id_number=VALID_CNP, confirm_duplicates=True),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "id_number" in response.json()["fields"]
    assert Customer.objects.count() == 1


def test_script_in_a_name_is_returned_as_typed(agent, client):
    name = '<script>alert("x")</script>'
    response = client.post(
        CUSTOMERS, _person_payload(last_name=name), content_type="application/json"
    )
    assert response.status_code == 201
    assert response["Content-Type"] == "application/json"
    assert response.json()["last_name"] == name
    assert client.get(_detail(response.json()["id"])).json()["last_name"] == name


# --- update --------------------------------------------------------------------------------
def test_update_with_the_loaded_version(agent, client):
    customer = person()
    response = client.patch(
        _detail(customer.pk),
        {"version": customer.version, "phone": "0745 999 888", "segment": "high_value"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["phone"] == "+40745999888"
    assert body["segment"] == "high_value"
    assert body["version"] == customer.version + 1


def test_full_update_with_put(agent, client):
    customer = person()
    payload = {**_person_payload(), "version": customer.version}
    response = client.put(_detail(customer.pk), payload, content_type="application/json")
    assert response.status_code == 200, response.json()
    customer.refresh_from_db()
    assert (customer.first_name, customer.last_name) == ("Maria", "Ionescu")


def test_update_needs_a_version(agent, client):
    customer = person()
    response = client.patch(
        _detail(customer.pk), {"first_name": "Elena"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "version" in response.json()["fields"]


def test_stale_version_is_409_and_nothing_changes(agent, client):
    customer = person()
    services.customer_update(
        customer=customer, actor=None, expected_version=1, first_name="Someone"
    )
    response = client.patch(
        _detail(customer.pk),
        {"version": 1, "first_name": "Elena", "email": "elena@example.com"},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response.json()["error"] == "concurrent_edit"
    customer.refresh_from_db()
    assert customer.first_name == "Someone"
    assert customer.email != "elena@example.com"
    assert customer.version == 2


def test_invalid_update_is_400_with_the_field(agent, client):
    customer = person()
    response = client.patch(
        _detail(customer.pk),
        {"version": customer.version, "phone": "12"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "phone" in response.json()["fields"]
    customer.refresh_from_db()
    assert customer.version == 1


# --- communications ------------------------------------------------------------------------
def test_communications_log_with_a_pdf_and_list(agent, client):
    customer = person()
    upload = SimpleUploadedFile("call.pdf", PDF_BYTES, content_type="application/pdf")
    response = client.post(
        _communications(customer.pk),
        {"channel": "phone", "direction": "in", "subject": "Invoice question", "files": [upload]},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["agent"] == agent.pk
    assert body["customer"] == customer.pk
    [attachment] = body["attachments"]
    stored = Attachment.objects.get()
    assert attachment["name"] == "call.pdf"
    assert attachment["content_type"] == "application/pdf"
    assert attachment["size"] == len(PDF_BYTES)
    assert attachment["download_url"].endswith(f"/attachments/{stored.pk}/")

    listed = client.get(_communications(customer.pk)).json()
    assert listed["count"] == 1
    assert listed["results"][0]["subject"] == "Invoice question"
    assert listed["results"][0]["attachments"][0]["id"] == stored.pk
    download = client.get(attachment["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES


def test_communication_as_json_without_files(agent, client):
    customer = person()
    response = client.post(
        _communications(customer.pk),
        {"channel": "email", "direction": "out", "subject": "Offer sent", "notes": "<b>hi</b>"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["attachments"] == []
    assert response.json()["notes"] == "<b>hi</b>"


def test_disallowed_file_is_400_and_nothing_is_stored(agent, client):
    customer = person()
    good = SimpleUploadedFile("call.pdf", PDF_BYTES, content_type="application/pdf")
    bad = SimpleUploadedFile("invoice.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(
        _communications(customer.pk),
        {"channel": "phone", "subject": "Two files", "files": [good, bad]},
    )
    assert response.status_code == 400
    body = response.json()
    assert "files" in body["fields"]
    assert "invoice.pdf" in body["fields"]["files"][0]
    assert not Communication.objects.exists()
    assert not Attachment.objects.exists()


def test_communication_needs_a_subject_and_a_known_channel(agent, client):
    customer = person()
    response = client.post(
        _communications(customer.pk), {"channel": "pigeon"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert {"channel", "subject"} <= set(response.json()["fields"])


# --- billing accounts --------------------------------------------------------------------------
def test_billing_account_under_a_parent_shows_the_paying_account(agent, client):
    firm = company()
    top = services.billing_account_create(customer=firm, actor=None, name="Head office")
    response = client.post(
        ACCOUNTS,
        {"customer": firm.pk, "parent": top.pk, "is_paying": False, "name": "Branch"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"].startswith("BA-")
    assert body["is_paying"] is False
    assert body["paying_account"] == top.number
    assert body["balance"] == "0.00"
    assert body["invoice_email"] == firm.email
    detail = client.get(f"{ACCOUNTS}{body['id']}/").json()
    assert detail["paying_account"] == top.number
    assert client.get(f"{ACCOUNTS}{top.pk}/").json()["paying_account"] == top.number


def test_billing_account_rule_of_the_model_is_a_400(agent, client):
    firm = company()
    response = client.post(
        ACCOUNTS,
        {"customer": firm.pk, "invoice_delivery": "email", "invoice_email": ""},
        content_type="application/json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid"
    assert "E-mail delivery needs an invoice e-mail." in body["detail"]
    assert not BillingAccount.objects.exists()


def test_billing_account_filters(agent, client):
    firm, other = company(), company()
    top = services.billing_account_create(customer=firm, actor=None)
    sub = services.billing_account_create(customer=firm, actor=None, parent=top, is_paying=False)
    elsewhere = services.billing_account_create(customer=other, actor=None)

    def ids(**params):
        return {a["id"] for a in client.get(ACCOUNTS, params).json()["results"]}

    assert ids() == {top.pk, sub.pk, elsewhere.pk}
    assert ids(customer=firm.pk) == {top.pk, sub.pk}
    assert ids(is_paying="false") == {sub.pk}
    assert ids(status="closed") == set()


def test_billing_account_for_an_invisible_customer_is_refused(make_user, login, client, partner_b):
    other = person(partner=partner_b)
    login(make_user(R.RETAILER))  # partner A
    response = client.post(ACCOUNTS, {"customer": other.pk}, content_type="application/json")
    assert response.status_code == 400
    assert "customer" in response.json()["fields"]
    assert not BillingAccount.objects.exists()


def test_billing_account_parent_must_be_in_the_customers_organisation(agent, client):
    firm, stranger = company(), company()
    foreign = services.billing_account_create(customer=stranger, actor=None)
    response = client.post(
        ACCOUNTS,
        {"customer": firm.pk, "parent": foreign.pk, "is_paying": False},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "parent" in response.json()["fields"]
    branch = company(parent=firm)
    top = services.billing_account_create(customer=firm, actor=None)
    response = client.post(
        ACCOUNTS,
        {"customer": branch.pk, "parent": top.pk, "is_paying": False},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["paying_account"] == top.number


def test_billing_account_update_with_version(agent, client):
    account = services.billing_account_create(customer=company(), actor=None)
    url = f"{ACCOUNTS}{account.pk}/"
    response = client.patch(
        url, {"version": 1, "bill_cycle_day": 15}, content_type="application/json"
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["bill_cycle_day"], response.json()["version"]) == (15, 2)
    stale = client.patch(url, {"version": 1, "bill_cycle_day": 20}, content_type="application/json")
    assert stale.status_code == 409
    assert stale.json()["error"] == "concurrent_edit"
    out_of_range = client.patch(
        url, {"version": 2, "bill_cycle_day": 31}, content_type="application/json"
    )
    assert out_of_range.status_code == 400
    assert "bill_cycle_day" in out_of_range.json()["fields"]
    account.refresh_from_db()
    assert (account.bill_cycle_day, account.version) == (15, 2)


def test_billing_and_finance_may_open_billing_accounts(make_user, login, client):
    firm = company()
    login(make_user(R.BILLING_FINANCE))
    response = client.post(ACCOUNTS, {"customer": firm.pk}, content_type="application/json")
    assert response.status_code == 201


def test_marketing_may_not_open_billing_accounts(make_user, login, client):
    firm = company()
    login(make_user(R.MARKETING))
    assert client.get(ACCOUNTS).status_code == 200
    response = client.post(ACCOUNTS, {"customer": firm.pk}, content_type="application/json")
    assert response.status_code == 403


# --- schema -----------------------------------------------------------------------------------
def test_openapi_schema_has_no_warnings_and_documents_the_endpoints(
    tmp_path, make_user, login, client
):
    call_command("spectacular", fail_on_warn=True, file=str(tmp_path / "schema.yaml"))
    login(make_user(R.BACK_OFFICE))
    schema = client.get("/api/schema/?format=json").json()
    paths = schema["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/customers/"])
    assert {"get", "put", "patch"} <= set(paths["/api/v1/customers/{id}/"])
    assert "delete" not in paths["/api/v1/customers/{id}/"]
    assert {"get", "post"} <= set(paths["/api/v1/customers/{id}/communications/"])
    assert {"get", "post"} <= set(paths["/api/v1/billing-accounts/"])
    create = paths["/api/v1/customers/"]["post"]["responses"]
    assert create["409"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/DuplicatesError"
    )
    assert "400" in create
    update = paths["/api/v1/customers/{id}/"]["patch"]["responses"]
    assert "409" in update
    params = {p["name"] for p in paths["/api/v1/customers/"]["get"]["parameters"]}
    assert {"q", "kind", "status", "tier", "created_after", "page"} <= params
    upload = paths["/api/v1/customers/{id}/communications/"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in upload
