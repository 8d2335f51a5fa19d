"""The subscription screens as agents, Back Office and a retailer use them: the list
(filters, CSV, bounded queries), the subscription page and every tab (bounded
queries), the status actions (a refused step is a message, never a 500), the
cancellation request with its fee and the Back Office queue, plan changes with
their preview, resting with its invoice preview, documents, the provisioning
commands, the customer-360 tab and the serial search. The wizard:
``test_wizard_views.py``."""

import csv
import io
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from alux_crm.core import roles as R
from alux_crm.core import selectors as core_selectors
from alux_crm.core.models import OutboxMessage
from products.pricing import BasketItem
from subscriptions import services
from subscriptions.choices import CancellationStatus, ChangeStatus, RestingStatus
from subscriptions.choices import SubscriptionStatus as S
from subscriptions.models import CancellationRequest, ChangeOrder, ContractClause, RestingPeriod
from tests.customers import factories as CF
from tests.customers.factories import PDF_BYTES
from tests.products import factories as PF
from tests.subscriptions import factories as F

pytestmark = pytest.mark.django_db

HTMX_TABLE = {"HX-Request": "true", "HX-Target": "object-table"}
TABS = ("overview", "products", "devices", "timeline", "resting", "changes", "documents")


@pytest.fixture(autouse=True)
def _isolated(settings):
    """No two-factor step, and cache keys of this test only: the Redis cache is shared
    with other test runs (operator settings cached by another would leak in)."""
    settings.OTP_REQUIRED_ROLES = []
    prefix = f"alux-test-{uuid.uuid4().hex[:8]}"
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": prefix}}
    yield
    core_selectors.operator_settings_forget()


@pytest.fixture
def as_role(make_user):
    """``as_role(role)`` → (a client logged in as a new user of that role, the user)."""

    def do(role: str, **kwargs):
        user = make_user(role, **kwargs)
        client = Client()
        client.force_login(user, backend="alux_crm.core.auth_backends.UserBackend")
        return client, user

    return do


@pytest.fixture
def cat():
    return PF.catalogue()


@pytest.fixture
def clauses(db):
    ContractClause.objects.create(
        code="payment", order=1, title_en="Payment", text_en="Invoices are due in 15 days."
    )
    ContractClause.objects.create(
        code="termination", order=2, title_en="Termination", text_en="A fee applies."
    )


def today():
    return timezone.localdate()


def active_subscription(cat, *, customer=None, days_ago=40, **kwargs):
    """A TV + rented box subscription activated ``days_ago`` days ago."""
    signed = today() - timedelta(days=days_ago)
    account = F.account(customer) if customer is not None else None
    subscription = F.subscription(cat, signed_on=signed, billing_account=account, **kwargs)
    return services.subscription_activate(subscription=subscription, on=signed)


def html(response) -> str:
    return response.content.decode()


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


# --- list --------------------------------------------------------------------------------
def test_list_filters_by_status_channel_and_text(as_role, cat):
    client, _ = as_role(R.CUSTOMER_SERVICE)
    pending = F.subscription(cat)
    active = active_subscription(cat, customer=CF.person(last_name="Vlad"))
    serial = active.devices.get().serial

    def numbers(query):
        response = client.get(f"/subscriptions/?{query}", headers=HTMX_TABLE)
        assert response.status_code == 200 and "<html" not in html(response)
        return {s.number for s in (pending, active) if f">{s.number}</a>" in html(response)}

    assert numbers("") == {pending.number, active.number}
    assert numbers("status=active") == {active.number}
    assert numbers("status=pending") == {pending.number}
    assert numbers("channel=retailer") == set()
    assert numbers("q=Vlad") == {active.number}
    assert numbers(f"q={serial[-4:]}") == {active.number}
    assert numbers(f"q={pending.number}") == {pending.number}
    assert numbers(f"q={pending.customer.number}") == {pending.number}


def test_list_csv_has_every_row(as_role, cat):
    client, _ = as_role(R.BACK_OFFICE)
    for _n in range(3):
        F.subscription(cat)
    response = client.get("/subscriptions/?_export=csv")
    header, *rows = csv_rows(response)
    assert header[:2] == ["Number", "Customer"] and "Contract ends" in header
    assert len(rows) == 3 and rows[0][header.index("Status")] == "Pending installation"


def test_list_queries_do_not_grow_with_rows(as_role, cat, django_assert_max_num_queries):
    client, _ = as_role(R.SALES)
    F.subscription(cat)
    client.get("/subscriptions/")
    with django_assert_max_num_queries(15) as few:
        assert client.get("/subscriptions/").status_code == 200
    for _n in range(8):
        F.subscription(cat)
    with django_assert_max_num_queries(15) as many:
        assert client.get("/subscriptions/").status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


def test_retailer_sees_only_its_customers_subscriptions(as_role, cat, partner_a, partner_b):
    mine = F.subscription(cat, billing_account=F.account(CF.person(partner=partner_a)))
    theirs = F.subscription(cat, billing_account=F.account(CF.person(partner=partner_b)))
    client, _ = as_role(R.RETAILER)
    page = html(client.get("/subscriptions/"))
    assert mine.number in page and theirs.number not in page
    assert client.get(f"/subscriptions/{mine.pk}/").status_code == 200
    for url in (
        f"/subscriptions/{theirs.pk}/",
        f"/subscriptions/{theirs.pk}/tabs/devices/",
        f"/subscriptions/{theirs.pk}/change/",
        f"/subscriptions/{theirs.pk}/resting/new/",
        f"/subscriptions/{theirs.pk}/documents/new/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/subscriptions/{theirs.pk}/change/", {}).status_code == 404


# --- the subscription page ---------------------------------------------------------------
def test_page_and_every_tab(as_role, cat):
    client, _ = as_role(R.CUSTOMER_SERVICE)
    subscription = active_subscription(cat)
    page = html(client.get(f"/subscriptions/{subscription.pk}/"))
    assert 'id="status-badge">Active<' in page
    assert subscription.customer.name in page and subscription.billing_account.number in page
    assert "contract-end" in page and "Cooling-off until" in page
    assert 'data-action="resting_create"' in page and 'data-action="subscription_change"' in page
    assert 'data-action="subscription_suspend"' not in page  # collections only
    products = html(client.get(f"/subscriptions/{subscription.pk}/tabs/products/"))
    assert 'data-product="tv-basic"' in products and "Rental" in products
    devices = html(client.get(f"/subscriptions/{subscription.pk}/tabs/devices/"))
    assert subscription.devices.get().serial in devices and "Living room" in devices
    timeline = html(client.get(f"/subscriptions/{subscription.pk}/tabs/timeline/"))
    assert 'data-command="activate"' in timeline and 'data-outbox="pending"' in timeline
    assert "Pending installation" in timeline  # from → to in words
    for tab in (*TABS, "history"):
        response = client.get(f"/subscriptions/{subscription.pk}/tabs/{tab}/")
        assert response.status_code == 200 and "<html" not in html(response), tab
        assert client.get(f"/subscriptions/{subscription.pk}/?tab={tab}").status_code == 200
    assert client.get(f"/subscriptions/{subscription.pk}/tabs/secrets/").status_code == 404
    history = html(client.get(f"/subscriptions/{subscription.pk}/tabs/history/"))
    assert 'data-model="subscriptions.Device"' in history


def test_page_queries_are_bounded(as_role, cat, clauses, django_assert_max_num_queries):
    client, _ = as_role(R.BACK_OFFICE)
    small = active_subscription(cat)
    big = active_subscription(
        cat,
        items=[BasketItem(cat.tv), BasketItem(cat.addon), BasketItem(cat.box, 3, "rental")],
        devices=[services.DeviceSpec(cat.box, f"BIG-{n}", f"Room {n}") for n in range(3)],
    )
    for subscription in (small, big):
        services.contract_generate(subscription=subscription)
    for n in range(3):
        big = services.subscription_suspend(subscription=big, reason=f"unpaid {n}")
        big = services.subscription_reconnect(subscription=big)
        services.contract_generate(subscription=big)
    client.get(f"/subscriptions/{small.pk}/")
    for tab in (*TABS, "history"):
        with django_assert_max_num_queries(30) as one:
            assert client.get(f"/subscriptions/{small.pk}/?tab={tab}").status_code == 200
        with django_assert_max_num_queries(30) as many:
            assert client.get(f"/subscriptions/{big.pk}/?tab={tab}").status_code == 200
        assert len(many.captured_queries) == len(one.captured_queries), tab


# --- status actions ------------------------------------------------------------------------
def test_installation_done_activates(as_role, cat):
    client, user = as_role(R.BACK_OFFICE)
    subscription = F.subscription(cat)
    page = html(client.get(f"/subscriptions/{subscription.pk}/activate/"))
    assert "minimum term starts" in page
    response = client.post(f"/subscriptions/{subscription.pk}/activate/")
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert subscription.status == S.ACTIVE and subscription.activated_on == today()
    assert subscription.timeline.first().actor == user


def test_a_refused_step_is_a_message_not_a_500(as_role, cat):
    client, _ = as_role(R.BACK_OFFICE)
    subscription = active_subscription(cat)
    # Activating an active subscription: the service refuses; a message, back to the page.
    response = client.post(f"/subscriptions/{subscription.pk}/activate/", follow=True)
    assert response.status_code == 200
    assert "Only a subscription waiting for its installation" in html(response)
    # Suspending a pending one: the transition table refuses, on the form (422).
    pending = F.subscription(cat)
    page = html(client.get(f"/subscriptions/{pending.pk}/suspend/"))
    assert "cannot go from Pending installation to Suspended" in page
    refused = client.post(f"/subscriptions/{pending.pk}/suspend/", {"reason": "unpaid"})
    assert refused.status_code == 422
    assert "cannot go from Pending installation" in html(refused)
    pending.refresh_from_db()
    assert pending.status == S.PENDING_INSTALLATION


def test_collections_suspend_and_reconnect_with_a_reason(as_role, cat):
    client, _ = as_role(R.BILLING_FINANCE)
    subscription = active_subscription(cat)
    assert client.post(f"/subscriptions/{subscription.pk}/suspend/", {}).status_code == 422
    client.post(f"/subscriptions/{subscription.pk}/suspend/", {"reason": "Invoice unpaid"})
    subscription.refresh_from_db()
    assert subscription.status == S.SUSPENDED
    assert subscription.timeline.first().reason == "Invoice unpaid"
    client.post(f"/subscriptions/{subscription.pk}/reconnect/", {"reason": "Paid"})
    subscription.refresh_from_db()
    assert subscription.status == S.ACTIVE


def test_roles_that_may_not_act_get_403(as_role, cat):
    subscription = F.subscription(cat)
    sales, _ = as_role(R.SALES)
    assert sales.get(f"/subscriptions/{subscription.pk}/suspend/").status_code == 403
    assert sales.get("/subscriptions/cancellations/").status_code == 403
    marketing, _ = as_role(R.MARKETING)
    assert marketing.get(f"/subscriptions/{subscription.pk}/").status_code == 200
    assert marketing.get("/subscriptions/new/").status_code == 403
    assert marketing.get(f"/subscriptions/{subscription.pk}/change/").status_code == 403


def test_regret_inside_the_cooling_off_window(as_role, cat):
    client, _ = as_role(R.CUSTOMER_SERVICE)
    subscription = F.subscription(cat)
    page = html(client.get(f"/subscriptions/{subscription.pk}/"))
    assert 'data-action="subscription_regret"' in page
    client.post(f"/subscriptions/{subscription.pk}/regret/", {"reason": "Changed my mind"})
    subscription.refresh_from_db()
    assert subscription.status == S.CANCELLED


# --- cancellation request and the Back Office queue -----------------------------------------
def test_cancellation_request_shows_the_fee_then_back_office_approves(as_role, cat):
    agent, _ = as_role(R.CUSTOMER_SERVICE)
    subscription = active_subscription(cat, days_ago=60)
    day = today() + timedelta(days=10)
    page = html(agent.get(f"/subscriptions/{subscription.pk}/terminate/?effective_on={day}"))
    fee, how = services.early_termination_fee(subscription=subscription, on=day)
    assert fee > 0 and f'data-fee="{fee}"' in page and how in page
    partial = agent.get(
        f"/subscriptions/{subscription.pk}/terminate/?effective_on={day}",
        headers={"HX-Request": "true", "HX-Target": "termination-fee"},
    )
    assert "<html" not in html(partial) and str(fee) in html(partial)
    assert agent.post(f"/subscriptions/{subscription.pk}/terminate/", {}).status_code == 422
    response = agent.post(
        f"/subscriptions/{subscription.pk}/terminate/",
        {"effective_on": day.isoformat(), "reason": "Moving abroad"},
    )
    assert response.status_code == 302
    request = CancellationRequest.objects.get()
    assert request.early_termination_fee == fee and request.status == CancellationStatus.OPEN
    # Back Office sees it first in the queue, with the fee and why.
    office, _ = as_role(R.BACK_OFFICE)
    queue = html(office.get("/subscriptions/cancellations/"))
    assert subscription.number in queue and how in queue and f"/{request.pk}/approve/" in queue
    confirm = html(office.get(f"/subscriptions/cancellations/{request.pk}/approve/"))
    assert f"ends on {day}" in confirm and str(fee) in confirm
    office.post(f"/subscriptions/cancellations/{request.pk}/approve/", {"answer": "Done"})
    request.refresh_from_db()
    assert request.status == CancellationStatus.APPROVED and request.answer == "Done"
    again = office.post(f"/subscriptions/cancellations/{request.pk}/reject/", {"answer": "No"})
    assert again.status_code == 422 and "already been handled" in html(again)


def test_reject_needs_an_answer(as_role, cat):
    subscription = active_subscription(cat, days_ago=60)
    request = services.cancellation_request_create(
        subscription=subscription, effective_on=today(), reason="Too expensive"
    )
    office, _ = as_role(R.BACK_OFFICE)
    url = f"/subscriptions/cancellations/{request.pk}/reject/"
    assert office.post(url, {"answer": ""}).status_code == 422
    office.post(url, {"answer": "Retained with a discount"})
    request.refresh_from_db()
    assert request.status == CancellationStatus.REJECTED


# --- plan changes ------------------------------------------------------------------------------
def test_change_preview_is_prorated_and_confirm_places_the_order(as_role, cat):
    client, _ = as_role(R.SALES)
    subscription = active_subscription(cat)
    url = f"/subscriptions/{subscription.pk}/change/"
    assert client.get(url).status_code == 200
    data = {
        "add_product_1": cat.addon.pk,
        "add_quantity_1": "1",
        "add_acquisition_1": "standard",
        "wanted_on": today().isoformat(),
        "action": "preview",
    }
    preview = client.post(url, data, headers={"HX-Request": "true", "HX-Target": "change-preview"})
    assert preview.status_code == 200 and "<html" not in html(preview)
    body = html(preview)
    assert 'data-kind="add_addon"' in body and "Immediately, prorated" in body
    assert 'id="current-after"' in body and 'id="next-period"' in body
    assert "days x 5.00 a month" in body  # the add-on prorated by day
    assert 'id="preview-next-invoice"' in body
    assert not ChangeOrder.objects.exists()
    response = client.post(url, data | {"action": "confirm"})
    assert response.status_code == 302 and response["Location"].endswith("?tab=changes")
    order = ChangeOrder.objects.get()
    assert order.status == ChangeStatus.APPLIED
    assert subscription.items.filter(product=cat.addon, valid_to__isnull=True).exists()


def test_change_errors_are_on_the_form(as_role, cat):
    client, _ = as_role(R.SALES)
    subscription = active_subscription(cat)
    other = active_subscription(cat)
    url = f"/subscriptions/{subscription.pk}/change/"
    empty = client.post(url, {"wanted_on": today().isoformat(), "action": "preview"})
    assert empty.status_code == 422 and "The change is empty." in html(empty)
    used = other.devices.get().serial
    swap = client.post(
        url,
        {
            "swap_device": subscription.devices.get().pk,
            "new_serial": used,
            "wanted_on": today().isoformat(),
            "action": "confirm",
        },
    )
    assert swap.status_code == 422 and "already in use" in " ".join(
        swap.context["form"].errors["new_serial"]
    )
    past = client.post(url, {"wanted_on": "2020-01-01", "action": "preview"})
    assert "wanted_on" in past.context["form"].errors


def test_a_scheduled_change_can_be_cancelled(as_role, cat):
    client, _ = as_role(R.SALES)
    subscription = active_subscription(cat)
    order = services.change_order_create(
        subscription=subscription,
        request=services.ChangeRequest(add=[BasketItem(cat.addon)], remove=[], swaps=[]),
        wanted_on=today() + timedelta(days=5),
    )
    assert order.status == ChangeStatus.SCHEDULED
    tab = html(client.get(f"/subscriptions/{subscription.pk}/tabs/changes/"))
    assert f"/changes/{order.pk}/cancel/" in tab
    client.post(f"/subscriptions/{subscription.pk}/changes/{order.pk}/cancel/")
    order.refresh_from_db()
    assert order.status == ChangeStatus.CANCELLED
    again = client.post(f"/subscriptions/{subscription.pk}/changes/{order.pk}/cancel/", follow=True)
    assert "Only a scheduled change can be cancelled." in html(again)


# --- resting ----------------------------------------------------------------------------------
def test_resting_form_shows_rules_errors_preview_and_books(as_role, cat):
    F.resting_policy(cat.tv, min_days=30, max_days=90, max_per_year=2, notice_days=0)
    client, _ = as_role(R.SALES)
    subscription = active_subscription(cat)
    url = f"/subscriptions/{subscription.pk}/resting/new/"
    page = html(client.get(url))
    assert "lasts 30 to 90 days" in page
    start = today() + timedelta(days=3)
    short = client.post(url, {"starts_on": start, "ends_on": start + timedelta(days=10)})
    assert short.status_code == 422
    assert "lasts 30 to 90 days" in " ".join(short.context["form"].errors["ends_on"])
    query = f"starts_on={start}&ends_on={start + timedelta(days=60)}"
    preview = client.get(
        f"{url}?{query}", headers={"HX-Request": "true", "HX-Target": "resting-preview"}
    )
    body = html(preview)
    assert "<html" not in body and 'data-line="resting"' in body and "resting fee" in body
    assert not RestingPeriod.objects.exists()  # the preview keeps nothing
    assert not OutboxMessage.objects.filter(topic="provisioning.suspend").exists()
    booked = client.post(url, {"starts_on": start, "ends_on": start + timedelta(days=60)})
    assert booked.status_code == 302
    period = RestingPeriod.objects.get()
    assert period.status == RestingStatus.SCHEDULED
    tab = html(client.get(f"/subscriptions/{subscription.pk}/tabs/resting/"))
    assert f"/resting/{period.pk}/end/" in tab
    client.post(f"/subscriptions/{subscription.pk}/resting/{period.pk}/end/")
    period.refresh_from_db()
    assert period.status == RestingStatus.CANCELLED


def test_resting_without_a_policy_is_a_form_error(as_role, cat):
    client, _ = as_role(R.CUSTOMER_SERVICE)
    subscription = active_subscription(cat)
    start = today() + timedelta(days=3)
    response = client.post(
        f"/subscriptions/{subscription.pk}/resting/new/",
        {"starts_on": start, "ends_on": start + timedelta(days=40)},
    )
    assert response.status_code == 422 and "cannot rest" in html(response)


# --- documents --------------------------------------------------------------------------------
def test_generate_download_email_and_upload(as_role, cat, clauses):
    client, user = as_role(R.SALES)
    subscription = F.subscription(cat)
    url = f"/subscriptions/{subscription.pk}/documents/new/"
    form = client.get(url)
    assert "Invoices are due in 15 days." in html(form)  # the standard text, to change
    response = client.post(
        url,
        {
            "clause_payment": "Invoices are due in 30 days.",
            "clause_termination": "A fee applies.",  # unchanged: not sent
        },
    )
    assert response.status_code == 302
    document = subscription.documents.get()
    assert [c["code"] for c in document.modified_clauses] == ["payment"]
    pdf = client.get(f"/contract-documents/{document.pk}/pdf/")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content)[:5] == b"%PDF-"
    client.post(f"/contract-documents/{document.pk}/email/")
    document.refresh_from_db()
    assert document.emailed_at is not None
    fake = SimpleUploadedFile("scan.pdf", b"nope", content_type="application/pdf")
    refused = client.post(f"/contract-documents/{document.pk}/upload/", {"scan": fake})
    assert refused.status_code == 422 and "scan" in refused.context["form"].errors
    scan = SimpleUploadedFile("scan.pdf", PDF_BYTES, content_type="application/pdf")
    client.post(f"/contract-documents/{document.pk}/upload/", {"scan": scan})
    document.refresh_from_db()
    assert document.signed_scan and document.signed_uploaded_by == user
    signed = client.get(f"/contract-documents/{document.pk}/signed/")
    assert b"".join(signed.streaming_content) == PDF_BYTES


def test_another_partners_document_is_404(as_role, cat, partner_b, clauses):
    subscription = F.subscription(cat, billing_account=F.account(CF.person(partner=partner_b)))
    document = services.contract_generate(subscription=subscription)
    client, _ = as_role(R.RETAILER)  # partner A
    assert client.get(f"/contract-documents/{document.pk}/pdf/").status_code == 404
    assert client.get(f"/contract-documents/{document.pk}/email/").status_code == 404


# --- provisioning, customer 360, search ----------------------------------------------------------
def test_provisioning_commands_are_the_outbox_filtered(as_role, cat):
    active_subscription(cat)
    OutboxMessage.objects.create(topic="email.contract", idempotency_key="mail-1")
    client, _ = as_role(R.BACK_OFFICE)
    page = html(client.get("/subscriptions/provisioning/"))
    assert "provisioning.activate" in page and "email.contract" not in page
    assert "Provisioning commands" in page


def test_customer_360_lists_the_subscriptions(as_role, cat):
    client, _ = as_role(R.SALES)
    customer = CF.person()
    subscription = active_subscription(cat, customer=customer)
    tab = html(client.get(f"/customers/{customer.pk}/tabs/subscriptions/"))
    assert subscription.number in tab and subscription.get_absolute_url() in tab
    assert subscription.devices.get().serial in tab and cat.tv.name in tab
    assert f"contract ends {subscription.contract_end}" in tab
    assert f"/subscriptions/new/?customer={customer.pk}" in tab


def test_global_search_finds_a_device_serial(as_role, cat):
    client, _ = as_role(R.CUSTOMER_SERVICE)
    subscription = F.subscription(
        cat, devices=[services.DeviceSpec(cat.box, "ZX81-000777", "Kitchen")]
    )
    dropdown = client.get(
        "/search/?q=zx81-000777", headers={"HX-Request": "true", "HX-Target": "search-results"}
    )
    assert subscription.get_absolute_url() in html(dropdown) and "ZX81-000777" in html(dropdown)
    page = html(client.get("/search/?q=000777"))
    assert subscription.get_absolute_url() in page and "Device" in page
    retailer, _ = as_role(R.RETAILER)  # not its customer
    assert subscription.get_absolute_url() not in html(retailer.get("/search/?q=ZX81-000777"))


def test_prepaid_balance_on_the_overview(as_role, cat):
    client, _ = as_role(R.CUSTOMER_SERVICE)
    subscription = F.subscription(cat, is_prepaid=True)
    services.prepaid_top_up(subscription=subscription, amount=Decimal("20"), idempotency_key="t1")
    page = html(client.get(f"/subscriptions/{subscription.pk}/"))
    assert 'id="prepaid-balance">20.00 EUR' in page
