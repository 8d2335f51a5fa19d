"""The portal's API (/api/v1/portal/, POR-1/POR-3): every call is scoped to the
logged-in subscriber's own customer — another customer's invoice, PDF, subscription
or request is a 404 with the JSON error body, on every URL that takes an id; staff
and partners are refused; requests are validated and stored as cases."""

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alux_crm.core import roles as R
from billing import services as billing_services
from billing.models import Invoice, InvoiceLine
from cases.choices import CaseStatus
from cases.models import Case, CaseReply
from cases.services import case_create, case_reply
from portal.models import PortalAccount
from portal.services import portal_disable
from tests.core.factories import UserFactory
from tests.customers.factories import PDF_BYTES
from tests.dunning.engine_world import debtor
from tests.portal.test_invoices import subscriber
from tests.products import factories as PF
from tests.subscriptions import factories as SF

pytestmark = pytest.mark.django_db

API = "/api/v1/portal/"
PAST_DUE = date(2025, 1, 15)  # before any day these tests run: the invoice is overdue

# Every portal API URL that takes an id, and which of the world's objects the id is.
URLS_WITH_IDS = {
    "api:portal-invoice-detail": "invoice",
    "api:portal-invoice-pdf": "invoice",
    "api:portal-subscription-detail": "subscription",
    "api:portal-request-detail": "case",
}
POST_URLS_WITH_IDS = {"api:portal-request-reply": "case"}
LISTS = ["invoices", "payments", "subscriptions", "requests"]


def explained_invoice(account, month: int = 3) -> Invoice:
    """A posted invoice of ``account`` with one explained line and its PDF stored,
    due in a month."""
    invoice = Invoice.objects.create(
        billing_account=account,
        period_start=date(2026, month, 1),
        period_end=date(2026, month + 1, 1),
        currency="EUR",
        net=Decimal("10.00"),
        tax=Decimal("2.10"),
        total=Decimal("12.10"),
    )
    InvoiceLine.objects.create(
        invoice=invoice,
        source_account=account,
        kind="recurring",
        description="TV package",
        starts_on=date(2026, month, 1),
        ends_on=date(2026, month + 1, 1),
        net=Decimal("10.00"),
        tax_rate=Decimal("0.21"),
        tax=Decimal("2.10"),
        total=Decimal("12.10"),
        explanation="10.00 a month, 31 of 31 days",
    )
    with transaction.atomic():
        billing_services.invoice_post(
            invoice=invoice,
            issued_on=timezone.localdate(),
            due_on=timezone.localdate() + timedelta(days=30),  # not overdue
        )
    invoice.pdf.save("portal-api.pdf", ContentFile(PDF_BYTES), save=True)
    return invoice


def customer_world(cat, tag: str) -> dict:
    """A customer owing 40.00 (overdue) with an explained invoice, a payment, a
    subscription with a TV box and a request made in the portal."""
    account = debtor(cat, due_on=PAST_DUE)
    invoice = explained_invoice(account)
    payment, _created = billing_services.payment_record(
        account=account, amount=Decimal("5.00"), method="cash", idempotency_key=f"portal-{tag}"
    )
    subscription = SF.subscription(cat, billing_account=account)  # TV package and a box
    case = case_create(
        customer=account.customer,
        kind="information",
        channel="portal",
        subject=f"Question of {tag}",
        description="Which channels are in my package?",
    )
    return {
        "account": account,
        "customer": account.customer,
        "invoice": invoice,
        "payment": payment,
        "subscription": subscription,
        "case": case,
    }


@pytest.fixture
def two():
    cat = PF.catalogue()
    a, b = customer_world(cat, "a"), customer_world(cat, "b")
    a["client"], b["client"] = subscriber(a["account"]), subscriber(b["account"])
    a["cat"] = b["cat"] = cat
    return a, b


def post_json(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


# --- me and lists ---------------------------------------------------------------------------
def test_me_is_the_subscribers_customer_with_balances(two):
    a, _b = two
    body = a["client"].get(f"{API}me/").json()
    customer, account = a["customer"], a["account"]
    account.refresh_from_db()
    assert (body["number"], body["name"], body["email"]) == (
        customer.number,
        customer.name,
        customer.email,
    )
    [balance] = body["balances"]
    assert balance["billing_account"] == account.number
    assert balance["balance"] == f"{account.balance:.2f}"
    assert balance["overdue"] == "35.00"  # 40.00 overdue, 5.00 paid on the oldest invoice
    assert balance["overdue_invoices"] == 1
    assert balance["next_due_on"] == a["invoice"].due_on.isoformat()  # the one not yet due
    assert balance["next_due_amount"] == "12.10"
    assert balance["last_payment_on"] == timezone.localdate().isoformat()


def test_lists_show_only_the_subscribers_own_objects(two):
    a, b = two
    for client, own, other in ((a["client"], a, b), (b["client"], b, a)):
        invoices = ids(client.get(f"{API}invoices/"))
        assert own["invoice"].pk in invoices and other["invoice"].pk not in invoices
        assert invoices == set(own["account"].invoices.values_list("pk", flat=True))
        assert ids(client.get(f"{API}payments/")) == {own["payment"].pk}
        subscriptions = ids(client.get(f"{API}subscriptions/"))
        assert own["subscription"].pk in subscriptions
        assert other["subscription"].pk not in subscriptions
        assert ids(client.get(f"{API}requests/")) == {own["case"].pk}


def test_lists_are_paginated_like_the_staff_api(two):
    a, _b = two
    body = a["client"].get(f"{API}invoices/?page_size=1").json()
    assert body["count"] == 2 and len(body["results"]) == 1 and body["next"]


def test_invoice_with_explained_lines_and_its_pdf(two):
    a, _b = two
    invoice = a["invoice"]
    body = a["client"].get(f"{API}invoices/{invoice.pk}/").json()
    assert body["number"] == invoice.number and body["open_amount"] == "12.10"
    assert [line["explanation"] for line in body["lines"]] == ["10.00 a month, 31 of 31 days"]
    assert body["pdf_url"].endswith(f"{API}invoices/{invoice.pk}/pdf/")
    pdf = a["client"].get(body["pdf_url"], HTTP_ACCEPT="application/json")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert f'filename="{invoice.number}.pdf"' in pdf["Content-Disposition"]


def test_a_draft_invoice_of_the_subscriber_is_not_shown(two):
    a, _b = two
    draft = Invoice.objects.create(
        billing_account=a["account"],
        period_start=date(2026, 5, 1),
        period_end=date(2026, 6, 1),
        currency="EUR",
        net=Decimal("1.00"),
        tax=Decimal("0.00"),
        total=Decimal("1.00"),
    )
    assert draft.pk not in ids(a["client"].get(f"{API}invoices/"))
    assert a["client"].get(f"{API}invoices/{draft.pk}/").status_code == 404


def test_subscription_with_products_devices_and_contract_end(two):
    a, _b = two
    subscription = a["subscription"]
    body = a["client"].get(f"{API}subscriptions/{subscription.pk}/").json()
    assert body["number"] == subscription.number and body["status"] == subscription.status
    assert [p["product"]["code"] for p in body["products"]] == ["tv-basic"]
    assert [(d["product"]["code"], d["serial"]) for d in body["devices"]] == [
        ("box", subscription.devices.get().serial)
    ]
    assert body["contract_end"] == (
        subscription.contract_end.isoformat() if subscription.contract_end else None
    )
    rows = a["client"].get(f"{API}subscriptions/").json()["results"]
    row = next(s for s in rows if s["id"] == subscription.pk)
    assert [p["product"]["code"] for p in row["products"]] == ["tv-basic"]


def test_lists_take_a_fixed_number_of_queries(two):
    a, _b = two

    def queries(url) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert a["client"].get(url).status_code == 200
        return len(captured)

    urls = [f"{API}me/", *[f"{API}{name}/" for name in LISTS]]
    for url in urls:  # warm the caches (operator settings, content types)
        queries(url)
    before = {url: queries(url) for url in urls}
    for month in (4, 5, 6):  # more rows of every kind: the number of queries stays the same
        SF.subscription(a["cat"], billing_account=a["account"])
        explained_invoice(a["account"], month)
        billing_services.payment_record(
            account=a["account"], amount=Decimal("1.00"), method="cash", idempotency_key=f"q{month}"
        )
        case_create(
            customer=a["customer"], kind="billing", channel="portal", subject="s", description="d"
        )
    assert {url: queries(url) for url in urls} == before


# --- another customer's objects: 404 ---------------------------------------------------------
def test_every_portal_api_url_with_an_id_is_a_404_for_another_subscriber(two):
    a, b = two
    for name, key in URLS_WITH_IDS.items():
        url = reverse(name, kwargs={"pk": a[key].pk})
        assert a["client"].get(url).status_code == 200, name  # A reaches its own
        response = b["client"].get(url)
        assert response.status_code == 404, name
        assert response.json()["error"] == "not_found", name
    for name, key in POST_URLS_WITH_IDS.items():
        url = reverse(name, kwargs={"pk": a[key].pk})
        response = post_json(b["client"], url, {"text": "Let me in"})
        assert response.status_code == 404, name
        assert response.json()["error"] == "not_found", name
    assert not CaseReply.objects.filter(text="Let me in").exists()
    for name in [*URLS_WITH_IDS, *POST_URLS_WITH_IDS]:  # and ids of nothing at all
        url = reverse(name, kwargs={"pk": 987654321})
        method = a["client"].post if name in POST_URLS_WITH_IDS else a["client"].get
        assert method(url).status_code == 404, name


# --- who may call ----------------------------------------------------------------------------
PORTAL_API_GETS = [f"{API}me/", *[f"{API}{name}/" for name in LISTS]]


@pytest.mark.parametrize("role", [R.CUSTOMER_SERVICE, R.BACK_OFFICE, R.RETAILER])
def test_staff_and_partners_are_refused(two, role, make_user):
    a, _b = two
    client = Client()
    client.force_login(make_user(role), backend="alux_crm.core.auth_backends.UserBackend")
    for url in [*PORTAL_API_GETS, f"{API}invoices/{a['invoice'].pk}/"]:
        response = client.get(url)
        assert response.status_code == 403, (url, response.status_code)
        assert response.json()["error"] == "permission_denied"
    assert post_json(client, f"{API}requests/", {"subject": "x"}).status_code == 403
    # and the staff API is theirs as before
    if role != R.RETAILER:
        assert client.get(f"/api/v1/invoices/{a['invoice'].pk}/").status_code == 200


def test_anonymous_and_disabled_are_refused_a_login_without_portal_account_is_404(two):
    a, _b = two
    for url in PORTAL_API_GETS:
        assert Client().get(url).status_code == 403, url
    admin = UserFactory(is_superuser=True)  # passes the matrix, but is no subscriber
    client = Client()
    client.force_login(admin, backend="alux_crm.core.auth_backends.UserBackend")
    assert client.get(f"{API}me/").status_code == 404
    assert client.get(f"{API}invoices/").status_code == 404
    portal_disable(account=PortalAccount.objects.get(customer=a["customer"]), actor=admin)
    assert a["client"].get(f"{API}me/").status_code == 403


def test_writes_need_the_csrf_token_of_the_session(two):
    a, _b = two
    client = Client(enforce_csrf_checks=True)
    client.force_login(
        PortalAccount.objects.get(customer=a["customer"]).user,
        backend="alux_crm.core.auth_backends.UserBackend",
    )
    data = {"category": "information", "subject": "Hi", "text": "Hello"}
    refused = post_json(client, f"{API}requests/", data)
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    client.get("/portal/dashboard/")  # the portal's pages set the csrftoken cookie
    token = client.cookies["csrftoken"].value
    accepted = client.post(
        f"{API}requests/", json.dumps(data), content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert accepted.status_code == 201


# --- requests --------------------------------------------------------------------------------
def test_a_request_is_validated_and_nothing_is_stored_on_bad_input(two):
    a, _b = two
    before = Case.objects.count()
    missing = post_json(a["client"], f"{API}requests/", {})
    assert missing.status_code == 400
    assert set(missing.json()["fields"]) == {"category", "subject", "text"}
    bad = post_json(
        a["client"],
        f"{API}requests/",
        {"category": "free-beer", "subject": "x" * 201, "text": "  "},
    )
    assert bad.status_code == 400
    assert set(bad.json()["fields"]) == {"category", "subject", "text"}
    assert Case.objects.count() == before


def test_a_request_is_a_portal_case_of_the_subscribers_customer(two):
    a, _b = two
    response = post_json(
        a["client"],
        f"{API}requests/",
        {"category": "billing", "subject": "Invoice of March", "text": "Why 12.10?"},
    )
    assert response.status_code == 201
    body = response.json()
    case = Case.objects.get(pk=body["id"])
    assert (case.customer, case.channel, case.kind) == (a["customer"], "portal", "billing")
    assert case.created_by == PortalAccount.objects.get(customer=a["customer"]).user
    assert (body["number"], body["text"], body["status"]) == (case.number, "Why 12.10?", "open")
    assert case.pk in ids(a["client"].get(f"{API}requests/"))


def test_replies_are_shown_and_the_subscriber_replies(two):
    a, _b = two
    case = a["case"]
    case_reply(case=case, text="Do you mean HBO?", status=CaseStatus.WAITING_CUSTOMER)
    detail = a["client"].get(f"{API}requests/{case.pk}/").json()
    assert detail["status"] == "waiting"
    assert [(r["from_customer"], r["text"]) for r in detail["replies"]] == [
        (False, "Do you mean HBO?")
    ]
    url = f"{API}requests/{case.pk}/reply/"
    assert post_json(a["client"], url, {"text": ""}).json()["fields"].keys() == {"text"}
    answered = post_json(a["client"], url, {"text": "Yes, HBO."})
    assert answered.status_code == 201 and answered.json()["from_customer"] is True
    detail = a["client"].get(f"{API}requests/{case.pk}/").json()
    assert detail["status"] == "open"  # the answer the operator waited for
    assert [r["text"] for r in detail["replies"]] == ["Do you mean HBO?", "Yes, HBO."]


def test_a_request_closed_long_ago_takes_no_reply(two):
    a, _b = two
    case = a["case"]
    Case.objects.filter(pk=case.pk).update(
        status=CaseStatus.CLOSED, closed_at=timezone.now() - timedelta(days=60)
    )
    response = post_json(a["client"], f"{API}requests/{case.pk}/reply/", {"text": "Again?"})
    assert response.status_code == 409 and case.number in response.json()["detail"]
    assert not case.replies.exists()


def test_requests_are_the_customers_cases_as_the_requests_page_shows_them(two):
    a, b = two
    phone = case_create(
        customer=a["customer"],
        kind="complaint",
        channel="phone",
        subject="Called about the box",
        description="The box reboots.",
    )
    assert phone.pk in ids(a["client"].get(f"{API}requests/"))
    assert phone.pk not in ids(b["client"].get(f"{API}requests/"))
    page = a["client"].get(reverse("portal:request_list")).content.decode()
    assert phone.number in page


# --- schema ----------------------------------------------------------------------------------
def test_openapi_schema_documents_the_portal_api(tmp_path, make_user, login, client):
    call_command("spectacular", fail_on_warn=True, file=str(tmp_path / "schema.yaml"))
    login(make_user(R.BACK_OFFICE))
    paths = client.get("/api/schema/?format=json").json()["paths"]
    assert set(paths[f"{API}requests/"]) == {"get", "post"}
    assert set(paths[f"{API}requests/{{id}}/reply/"]) == {"post"}
    assert set(paths[f"{API}invoices/"]) == {"get"}  # read-only
    pdf = paths[f"{API}invoices/{{id}}/pdf/"]["get"]["responses"]
    assert "application/pdf" in pdf["200"]["content"] and "404" in pdf
    assert all(
        operation["tags"] == ["portal"]
        for path, item in paths.items()
        if path.startswith(API)
        for operation in item.values()
    )
