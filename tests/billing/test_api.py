"""The billing API: invoices (scoped, explained, PDF), payments (idempotent, also
under 50 concurrent retries), billing runs walked through their steps, credit notes
with four-eyes approval, voucher redemption (throttled), who may do what, and the
schema."""

import json
import threading
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.cache.backends.locmem import LocMemCache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alux_crm.core import roles as R
from billing import services
from billing.api import VoucherRedeemThrottle
from billing.choices import InvoiceStatus, RunStatus
from billing.models import Invoice, LedgerEntry, ManualTransaction, Payment
from billing.services import vouchers as V
from products.pricing import BasketItem
from subscriptions import services as sub_services
from tests.billing.test_payments import posted_invoice
from tests.customers import factories as CF
from tests.products import factories as PF
from tests.subscriptions import factories as SF

pytestmark = pytest.mark.django_db
D = Decimal
DEC = date(2026, 12, 1)
INVOICES = "/api/v1/invoices/"
PAYMENTS = "/api/v1/payments/"
RUNS = "/api/v1/billing-runs/"
NOTES = "/api/v1/credit-notes/"
REDEEM = "/api/v1/vouchers/redeem"


@pytest.fixture(autouse=True)
def _fresh_throttle(monkeypatch):
    """Each test counts voucher attempts from zero: the throttle's history lives in
    Redis, which outlives the test database (and user ids repeat between runs)."""
    monkeypatch.setattr(VoucherRedeemThrottle, "cache", LocMemCache("voucher-throttle", {}))


def post_json(client, url, data=None, **headers):
    return client.post(url, data or {}, content_type="application/json", headers=headers)


def log_in_as(make_user, login, role, **kwargs):
    user = make_user(role, **kwargs)
    login(user)
    return user


def active(cat, account, items=None, on=date(2026, 11, 1), **kwargs):
    subscription = SF.subscription(
        cat, billing_account=account, items=items or [BasketItem(cat.tv)], devices=[], signed_on=on
    )
    return sub_services.subscription_activate(subscription=subscription, on=on, **kwargs)


@pytest.fixture
def cat():
    return PF.catalogue()


@pytest.fixture
def billed(cat, partner_a, partner_b, django_capture_on_commit_callbacks):
    """December's run posted: one invoice for partner A's customer (TV with a 10 %
    discount and broadband), one for partner B's. Their PDFs are not rendered yet."""
    ours = SF.account(CF.person(partner=partner_a))
    theirs = SF.account(CF.person(partner=partner_b))
    active(
        cat,
        ours,
        [BasketItem(cat.tv, manual_discount_percent=D("10")), BasketItem(cat.broadband)],
    )
    active(cat, theirs)
    run = services.billing_run_create(bill_cycle_day=1, period_start=DEC)
    with django_capture_on_commit_callbacks(execute=True):
        services.billing_run_start(run=run)
    services.billing_run_approve(run=run, actor=None)
    services.billing_run_post(run_id=run.pk, today=DEC)
    invoices = {i.billing_account_id: i for i in Invoice.objects.filter(run=run)}
    return SimpleNamespace(
        run=run, ours=ours, theirs=theirs, invoice=invoices[ours.pk], foreign=invoices[theirs.pk]
    )


# --- access ------------------------------------------------------------------------------------
def test_anonymous_is_refused_with_json(client):
    for url in (INVOICES, PAYMENTS, RUNS, NOTES):
        response = client.get(url)
        assert response.status_code == 403
        assert response.json()["error"] == "not_authenticated"


def test_wrong_roles_are_refused_with_json(make_user, login, client, billed, cat):
    note = ManualTransaction.objects.create(
        billing_account=billed.ours, kind="credit_note", amount=D("500"), reason="big"
    )
    payment, _ = services.payment_record(
        account=billed.ours, amount=D("5"), method="cash", idempotency_key="role-test"
    )
    refused = [
        (R.INSTALLER, "get", INVOICES, None),
        (R.SUBSCRIBER, "get", PAYMENTS, None),
        (R.SALES, "get", RUNS, None),
        (R.MARKETING, "post", PAYMENTS, {"billing_account": billed.ours.pk}),
        (R.RETAILER, "post", PAYMENTS, {"billing_account": billed.ours.pk}),
        (R.CUSTOMER_SERVICE, "post", f"{PAYMENTS}{payment.pk}/reverse/", {"reason": "x"}),
        (R.BILLING_FINANCE, "post", RUNS, {"bill_cycle_day": 1, "period_start": "2027-01-01"}),
        (R.BACK_OFFICE, "post", f"{RUNS}{billed.run.pk}/discard/", None),
        (R.CUSTOMER_SERVICE, "post", NOTES, {"billing_account": billed.ours.pk}),
        (R.BACK_OFFICE, "post", f"{NOTES}{note.pk}/approve/", None),
        (R.BILLING_FINANCE, "post", REDEEM, {"code": "x", "subscription": 1}),
    ]
    for role, method, url, data in refused:
        log_in_as(make_user, login, role)
        if method == "get":
            response = client.get(url)
        else:
            response = post_json(client, url, data, **{"Idempotency-Key": "k"})
        assert response.status_code == 403, (role, url, response.status_code)
        assert response.json()["error"] == "permission_denied", (role, url)
    # Nothing happened.
    assert Payment.objects.count() == 1
    assert ManualTransaction.objects.get(pk=note.pk).status == "pending"


# --- invoices ----------------------------------------------------------------------------------
def test_a_partner_sees_only_its_customers_invoices(make_user, login, client, billed):
    log_in_as(make_user, login, R.RETAILER)  # partner A
    rows = client.get(INVOICES).json()["results"]
    assert [row["id"] for row in rows] == [billed.invoice.pk]
    assert client.get(f"{INVOICES}{billed.invoice.pk}/").status_code == 200
    for url in (f"{INVOICES}{billed.foreign.pk}/", f"{INVOICES}{billed.foreign.pk}/pdf/"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json()["error"] == "not_found"
    log_in_as(make_user, login, R.BILLING_FINANCE)
    assert client.get(INVOICES).json()["count"] == 2


def test_invoice_detail_explains_every_line(make_user, login, client, billed):
    log_in_as(make_user, login, R.CUSTOMER_SERVICE)
    body = client.get(f"{INVOICES}{billed.invoice.pk}/").json()
    invoice = billed.invoice
    assert body["number"] == invoice.number and body["status"] == "posted"
    assert body["billing_account"]["id"] == billed.ours.pk
    assert body["total"] == f"{invoice.total:.2f}" and body["currency"] == invoice.currency
    assert body["open_amount"] == body["total"] and body["disputed"] is False
    assert body["pdf_url"].endswith(f"/api/v1/invoices/{invoice.pk}/pdf/")
    lines = {line["product"]["code"]: line for line in body["lines"]}
    assert set(lines) == {"tv-basic", "net-300"}
    assert "31 of 31 days" in lines["tv-basic"]["explanation"]
    assert lines["tv-basic"]["monthly_net"] == "9.00"  # 10.00 less 10 %
    assert lines["tv-basic"]["source_account"] == billed.ours.number
    [discount] = lines["tv-basic"]["discounts"]
    assert discount["source"] == "manual" and D(discount["amount"]) > 0
    assert lines["net-300"]["discounts"] == []
    # Paid in part and disputed: the answer follows.
    services.payment_record(account=billed.ours, amount=D("5"), method="cash", idempotency_key="p")
    services.invoice_dispute(invoice=invoice, reason="Never ordered broadband")
    body = client.get(f"{INVOICES}{invoice.pk}/").json()
    assert D(body["open_amount"]) == invoice.total - D("5")
    assert D(body["open_amount"]) == services.invoice_open_amount(invoice)
    assert body["disputed"] is True and body["dispute_reason"] == "Never ordered broadband"


def test_invoice_filters(make_user, login, client, billed):
    draft = Invoice.objects.create(
        billing_account=billed.ours,
        period_start=date(2027, 1, 1),
        period_end=date(2027, 2, 1),
        currency="EUR",
    )
    log_in_as(make_user, login, R.BILLING_FINANCE)

    def ids(**params):
        return {row["id"] for row in client.get(INVOICES, params).json()["results"]}

    assert ids() == {billed.invoice.pk, billed.foreign.pk, draft.pk}
    assert ids(billing_account=billed.ours.pk) == {billed.invoice.pk, draft.pk}
    assert ids(status="draft") == {draft.pk}
    assert ids(period="2026-12-01") == {billed.invoice.pk, billed.foreign.pk}
    assert ids(period_from="2027-01-01") == {draft.pk}
    assert ids(period_to="2026-12-31", billing_account=billed.ours.pk) == {billed.invoice.pk}
    assert ids(run=billed.run.pk) == {billed.invoice.pk, billed.foreign.pk}
    assert ids(customer=billed.theirs.customer_id) == {billed.foreign.pk}
    rows = client.get(INVOICES, {"status": "draft"}).json()["results"]
    assert rows[0]["open_amount"] is None and rows[0]["pdf_url"] is None
    assert client.get(INVOICES, {"status": "paid"}).status_code == 400


def test_invoice_list_and_detail_queries_do_not_grow(make_user, login, client, billed):
    log_in_as(make_user, login, R.BILLING_FINANCE)
    client.get(INVOICES)  # warm the session and operator settings

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    before = count(INVOICES)
    for month in (7, 8, 9):
        posted_invoice(billed.ours, D("30"), month)
    services.payment_record(account=billed.ours, amount=D("45"), method="cash", idempotency_key="q")
    assert count(INVOICES) == before
    assert count(f"{INVOICES}{billed.invoice.pk}/") <= before + 1  # + the lines


def test_invoice_pdf_is_rendered_once_and_drafts_have_none(make_user, login, client, billed):
    log_in_as(make_user, login, R.RETAILER)  # partner A: its customer's invoice
    url = f"{INVOICES}{billed.invoice.pk}/pdf/"
    response = client.get(url, headers={"Accept": "application/pdf"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"{billed.invoice.number}.pdf" in response["Content-Disposition"]
    content = b"".join(response.streaming_content)
    assert content.startswith(b"%PDF")
    billed.invoice.refresh_from_db()
    assert billed.invoice.pdf  # stored: the next download serves it
    again = client.get(url)
    assert b"".join(again.streaming_content) == content
    draft = Invoice.objects.create(
        billing_account=billed.ours,
        period_start=date(2027, 1, 1),
        period_end=date(2027, 2, 1),
        currency="EUR",
    )
    response = client.get(f"{INVOICES}{draft.pk}/pdf/", headers={"Accept": "application/pdf"})
    assert response.status_code == 409
    assert response.json()["error"] == "draft"


# --- payments ----------------------------------------------------------------------------------
def pay_body(account, amount="10.00", **extra):
    return {"billing_account": account.pk, "amount": amount, "method": "transfer", **extra}


def test_payment_needs_an_idempotency_key(make_user, login, client, billed):
    log_in_as(make_user, login, R.CUSTOMER_SERVICE)
    response = post_json(client, PAYMENTS, pay_body(billed.ours))
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["fields"]
    too_long = post_json(client, PAYMENTS, pay_body(billed.ours), **{"Idempotency-Key": "k" * 101})
    assert too_long.status_code == 400
    assert Payment.objects.count() == 0


def test_payment_is_recorded_replayed_and_a_different_body_is_422(make_user, login, client, billed):
    log_in_as(make_user, login, R.CUSTOMER_SERVICE)
    key = {"Idempotency-Key": "3f1c6a9e-0b7d-4c3e-9a55-1b2f7e8d9c01"}
    first = post_json(client, PAYMENTS, pay_body(billed.ours, reference="TRX-1"), **key)
    assert first.status_code == 201, first.json()
    body = first.json()
    assert body["amount"] == "10.00" and body["billing_account"] == billed.ours.pk
    assert body["method"] == "transfer" and body["reference"] == "TRX-1"
    assert first["Location"].endswith(f"{PAYMENTS}{body['id']}/")
    # The same request again (10 is 10.00): the first answer, nothing new.
    again = post_json(client, PAYMENTS, pay_body(billed.ours, "10", reference="TRX-1"), **key)
    assert (again.status_code, again.json()) == (201, body)
    assert again["Idempotent-Replayed"] == "true"
    assert Payment.objects.count() == 1
    assert LedgerEntry.objects.filter(kind="payment").count() == 1
    # The same key for another payment: 422, nothing recorded.
    other = post_json(client, PAYMENTS, pay_body(billed.ours, "11.00", reference="TRX-1"), **key)
    assert other.status_code == 422
    assert other.json()["error"] == "idempotency_conflict"
    assert Payment.objects.count() == 1
    # The payment settles the invoice.
    detail = client.get(f"{PAYMENTS}{body['id']}/").json()
    assert detail["status"] == "received" and detail["unallocated"] == "0.00"
    assert detail["allocations"] == [
        {
            "invoice": {"id": billed.invoice.pk, "number": billed.invoice.number},
            "amount": "10.00",
            "is_reversed": False,
        }
    ]


def test_payments_are_scoped_to_the_partners_customers(make_user, login, client, billed, partner_b):
    ours, _ = services.payment_record(
        account=billed.ours, amount=D("5"), method="cash", idempotency_key="a"
    )
    theirs, _ = services.payment_record(
        account=billed.theirs, amount=D("5"), method="cash", idempotency_key="b"
    )
    log_in_as(make_user, login, R.RETAILER, partner=partner_b)
    assert [row["id"] for row in client.get(PAYMENTS).json()["results"]] == [theirs.pk]
    response = client.get(f"{PAYMENTS}{ours.pk}/")
    assert response.status_code == 404 and response.json()["error"] == "not_found"
    # Staff cannot pay on an account that does not exist either.
    log_in_as(make_user, login, R.BILLING_FINANCE)
    missing = post_json(
        client, PAYMENTS, pay_body(SimpleNamespace(pk=0)), **{"Idempotency-Key": "z"}
    )
    assert missing.status_code == 404
    assert client.get(PAYMENTS, {"billing_account": billed.ours.pk}).json()["count"] == 1


def test_reversal_by_billing_and_finance_reopens_the_invoice(make_user, login, client, billed):
    payment, _ = services.payment_record(
        account=billed.ours, amount=D("10"), method="transfer", idempotency_key="r"
    )
    log_in_as(make_user, login, R.BILLING_FINANCE)
    url = f"{PAYMENTS}{payment.pk}/reverse/"
    assert post_json(client, url, {}).status_code == 400  # a reason is required
    response = post_json(client, url, {"reason": "Bounced transfer"})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "reversed" and body["reversed_reason"] == "Bounced transfer"
    assert body["allocations"][0]["is_reversed"] is True
    invoice = client.get(f"{INVOICES}{billed.invoice.pk}/").json()
    assert invoice["open_amount"] == invoice["total"]
    again = post_json(client, url, {"reason": "again"})
    assert again.status_code == 409 and again.json()["error"] == "conflict"


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_posts_with_one_key_make_one_payment(make_user):
    account = SF.account()
    user = make_user(R.BILLING_FINANCE)
    session = Client()
    session.force_login(user, backend="alux_crm.core.auth_backends.UserBackend")
    body = json.dumps(pay_body(account, "25.00"))
    barrier = threading.Barrier(50)
    answers, errors = [], []

    def pay():
        client = Client()
        client.cookies = session.cookies
        try:
            barrier.wait()
            response = client.post(
                PAYMENTS, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="same-key"
            )
            answers.append((response.status_code, response.content))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=pay) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(answers) == 50
    assert len(set(answers)) == 1  # every answer identical: same status, same body
    status_code, content = answers[0]
    assert status_code == 201 and json.loads(content)["amount"] == "25.00"
    assert Payment.objects.count() == 1
    assert LedgerEntry.objects.filter(kind="payment").count() == 1
    account.refresh_from_db()
    assert account.balance == D("-25.00")


# --- billing runs ------------------------------------------------------------------------------
def test_a_run_walks_from_scheduled_to_posted(
    make_user, login, client, cat, partner_a, django_capture_on_commit_callbacks
):
    first, second = SF.account(CF.person(partner=partner_a)), SF.account()
    active(cat, first)
    active(cat, second, [BasketItem(cat.broadband)])
    log_in_as(make_user, login, R.BACK_OFFICE)
    created = post_json(client, RUNS, {"bill_cycle_day": 1, "period_start": "2026-12-01"})
    assert created.status_code == 201, created.json()
    run = created.json()
    assert run["status"] == "scheduled" and run["period_end"] == "2027-01-01"
    assert created["Location"].endswith(f"{RUNS}{run['id']}/")
    twice = post_json(client, RUNS, {"bill_cycle_day": 1, "period_start": "2026-12-01"})
    assert twice.status_code == 409
    url = f"{RUNS}{run['id']}/"
    # Back Office starts it: running, then the workers make it a draft.
    with django_capture_on_commit_callbacks(execute=True):
        started = post_json(client, f"{url}start/")
    assert started.status_code == 200 and started.json()["status"] == "running"
    detail = client.get(url).json()
    assert detail["status"] == "draft_ready"
    assert (detail["accounts_total"], detail["accounts_done"], detail["accounts_failed"]) == (
        2,
        2,
        0,
    )
    assert detail["progress_percent"] == 100 and detail["invoices"] == 2
    assert detail["errors"] == []
    listed = client.get(RUNS, {"status": "draft_ready"}).json()["results"]
    assert [(r["id"], r["progress_percent"]) for r in listed] == [(run["id"], 100)]
    assert post_json(client, f"{url}start/").status_code == 409  # not scheduled any more
    assert post_json(client, f"{url}approve/").status_code == 403  # finance approves
    # Billing & Finance approves: the drafts are posted.
    approver = log_in_as(make_user, login, R.BILLING_FINANCE)
    with django_capture_on_commit_callbacks(execute=True):
        approved = post_json(client, f"{url}approve/")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert approved.json()["approved_by"]["id"] == approver.pk
    detail = client.get(url).json()
    assert detail["status"] == "posted" and detail["invoices_posted"] == 2
    assert not Invoice.objects.filter(run_id=run["id"], status=InvoiceStatus.DRAFT).exists()
    discard = post_json(client, f"{url}discard/")
    assert discard.status_code == 409 and discard.json()["error"] == "invalid_transition"


def test_a_run_can_be_resumed_and_discarded(
    make_user, login, client, cat, django_capture_on_commit_callbacks
):
    active(cat, SF.account())
    run = services.billing_run_create(bill_cycle_day=1, period_start=DEC)
    log_in_as(make_user, login, R.BACK_OFFICE)
    assert post_json(client, f"{RUNS}{run.pk}/resume/").status_code == 409  # not started
    services.billing_run_start(run=run)  # the worker never ran (no commit): still running
    with django_capture_on_commit_callbacks(execute=True):
        resumed = post_json(client, f"{RUNS}{run.pk}/resume/")
    assert resumed.status_code == 200
    assert client.get(f"{RUNS}{run.pk}/").json()["status"] == RunStatus.DRAFT_READY
    log_in_as(make_user, login, R.BILLING_FINANCE)
    discarded = post_json(client, f"{RUNS}{run.pk}/discard/")
    assert discarded.status_code == 200 and discarded.json()["status"] == "discarded"
    assert not Invoice.objects.exists()


def test_run_schedule_is_checked(make_user, login, client):
    log_in_as(make_user, login, R.BACK_OFFICE)
    bad_day = post_json(client, RUNS, {"bill_cycle_day": 29, "period_start": "2026-12-29"})
    assert bad_day.status_code == 400 and "bill_cycle_day" in bad_day.json()["fields"]
    off_cycle = post_json(client, RUNS, {"bill_cycle_day": 1, "period_start": "2026-12-02"})
    assert off_cycle.status_code == 409
    later = timezone.now() + timedelta(days=3)
    scheduled = post_json(
        client,
        RUNS,
        {"bill_cycle_day": 5, "period_start": "2026-12-05", "scheduled_for": later.isoformat()},
    )
    assert scheduled.status_code == 201
    assert scheduled.json()["scheduled_for"] is not None
    assert scheduled.json()["created_by"]["username"]


# --- credit notes --------------------------------------------------------------------------------
def test_a_credit_note_is_approved_by_another_person(make_user, login, client, billed, settings):
    settings.BILLING_APPROVAL_AMOUNT = 5
    line = billed.invoice.lines.get(product__code="net-300")
    clerk = log_in_as(make_user, login, R.BILLING_FINANCE)
    response = post_json(
        client,
        NOTES,
        {"invoice": billed.invoice.pk, "amount": "8.00", "reason": "Outage", "lines": [line.pk]},
    )
    assert response.status_code == 201, response.json()
    note = response.json()
    assert note["status"] == "pending" and note["number"] is None
    assert note["billing_account"]["id"] == billed.ours.pk
    assert note["invoice"] == {"id": billed.invoice.pk, "number": billed.invoice.number}
    assert [row["id"] for row in note["lines"]] == [line.pk]
    assert note["requested_by"]["id"] == clerk.pk and note["currency"] == "EUR"
    url = f"{NOTES}{note['id']}/"
    own = post_json(client, f"{url}approve/")
    assert own.status_code == 409 and own.json()["error"] == "conflict"
    # Another person of Billing & Finance approves: numbered and booked.
    other = log_in_as(make_user, login, R.BILLING_FINANCE)
    approved = post_json(client, f"{url}approve/")
    assert approved.status_code == 200
    body = approved.json()
    assert body["status"] == "posted" and body["number"].startswith("CN-")
    assert body["approved_by"]["id"] == other.pk
    invoice = client.get(f"{INVOICES}{billed.invoice.pk}/").json()
    assert D(invoice["open_amount"]) == billed.invoice.total - D("8.00")
    assert post_json(client, f"{url}approve/").status_code == 409  # decided already
    assert client.get(NOTES, {"status": "posted"}).json()["count"] == 1


def test_credit_note_requests_are_checked_and_may_be_rejected(
    make_user, login, client, billed, settings
):
    settings.BILLING_APPROVAL_AMOUNT = 5
    log_in_as(make_user, login, R.BILLING_FINANCE)
    nothing = post_json(client, NOTES, {"amount": "3.00", "reason": "x"})
    assert nothing.status_code == 400 and "billing_account" in nothing.json()["fields"]
    foreign_line = billed.foreign.lines.first()
    wrong_line = post_json(
        client,
        NOTES,
        {"invoice": billed.invoice.pk, "amount": "3", "reason": "x", "lines": [foreign_line.pk]},
    )
    assert wrong_line.status_code == 400 and "lines" in wrong_line.json()["fields"]
    too_much = post_json(
        client, NOTES, {"invoice": billed.invoice.pk, "amount": "999.00", "reason": "x"}
    )
    assert too_much.status_code == 400 and "amount" in too_much.json()["fields"]
    small = post_json(
        client, NOTES, {"billing_account": billed.ours.pk, "amount": "2", "reason": "y"}
    )
    assert small.status_code == 201 and small.json()["status"] == "posted"  # within the limit
    big = post_json(
        client, NOTES, {"billing_account": billed.ours.pk, "amount": "50", "reason": "z"}
    )
    url = f"{NOTES}{big.json()['id']}/reject/"
    log_in_as(make_user, login, R.BILLING_FINANCE)
    assert post_json(client, url, {}).status_code == 400
    rejected = post_json(client, url, {"reason": "No outage on record"})
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert ManualTransaction.objects.get(pk=big.json()["id"]).ledger_entries.count() == 0


def test_credit_notes_are_scoped_to_the_partners_customers(
    make_user, login, client, billed, partner_b
):
    ours = services.transaction_request(
        account=billed.ours, kind="credit_note", amount=D("1"), reason="a", actor=None
    )
    services.transaction_request(
        account=billed.ours, kind="debit_note", amount=D("1"), reason="not a credit", actor=None
    )
    log_in_as(make_user, login, R.RETAILER)  # partner A
    assert [row["id"] for row in client.get(NOTES).json()["results"]] == [ours.pk]
    log_in_as(make_user, login, R.RETAILER, partner=partner_b)
    assert client.get(NOTES).json()["count"] == 0
    assert client.get(f"{NOTES}{ours.pk}/").status_code == 404


# --- vouchers ----------------------------------------------------------------------------------
def prepaid_subscription(cat, customer):
    subscription = SF.subscription(
        cat,
        billing_account=SF.account(customer),
        items=[BasketItem(cat.tv)],
        devices=[],
        is_prepaid=True,
    )
    return sub_services.subscription_activate(subscription=subscription)


def voucher_codes(quantity=2, value="10"):
    today = timezone.localdate()
    batch, pairs = V.voucher_batch_generate(
        value=D(value),
        currency="EUR",
        valid_from=today - timedelta(days=1),
        valid_until=today + timedelta(days=30),
        quantity=quantity,
    )
    return batch, pairs


def test_a_voucher_tops_up_once(make_user, login, client, cat, partner_a, partner_b):
    subscription = prepaid_subscription(cat, CF.person(partner=partner_a))
    before = subscription.prepaid_balance
    _batch, [(serial, code), *_] = voucher_codes()
    log_in_as(make_user, login, R.RETAILER, partner=partner_b)  # another dealer's customer
    data = {"code": code, "subscription": subscription.pk}
    assert post_json(client, REDEEM, data).status_code == 404
    log_in_as(make_user, login, R.RETAILER)  # partner A
    response = post_json(client, REDEEM, {**data, "code": code.lower().replace("-", " ")})
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "serial": serial,
        "value": "10.00",
        "currency": "EUR",
        "subscription": subscription.pk,
        "prepaid_balance": f"{before + D('10'):.2f}",
    }
    # The same code again, and a code that does not exist: one message for both.
    again = post_json(client, REDEEM, data)
    unknown = post_json(client, REDEEM, {**data, "code": "AAAA-BBBB-CCCC-DDDD"})
    assert again.status_code == unknown.status_code == 422
    assert again.json() == unknown.json()
    assert again.json()["error"] == "voucher_refused"
    subscription.refresh_from_db()
    assert subscription.prepaid_balance == before + D("10")


def test_a_voucher_needs_a_prepaid_subscription(make_user, login, client, cat):
    postpaid = active(cat, SF.account(), on=timezone.localdate())
    _batch, [(_serial, code), *_] = voucher_codes()
    log_in_as(make_user, login, R.CUSTOMER_SERVICE)
    response = post_json(client, REDEEM, {"code": code, "subscription": postpaid.pk})
    assert response.status_code == 422 and response.json()["error"] == "not_prepaid"
    assert post_json(client, REDEEM, {"code": code}).status_code == 400


def test_voucher_attempts_are_throttled_per_user(make_user, login, client, cat):
    subscription = prepaid_subscription(cat, CF.person())
    log_in_as(make_user, login, R.CUSTOMER_SERVICE)
    data = {"code": "AAAA-BBBB-CCCC-DDDD", "subscription": subscription.pk}
    statuses = [post_json(client, REDEEM, data).status_code for _ in range(10)]
    assert statuses == [422] * 10
    throttled = post_json(client, REDEEM, data)
    assert throttled.status_code == 429 and throttled.json()["error"] == "throttled"
    assert "Retry-After" in throttled
    log_in_as(make_user, login, R.CUSTOMER_SERVICE)  # another user is not held back
    assert post_json(client, REDEEM, data).status_code == 422


# --- schema ------------------------------------------------------------------------------------
def test_openapi_schema_documents_billing(tmp_path, make_user, login, client):
    call_command("spectacular", fail_on_warn=True, file=str(tmp_path / "schema.yaml"))
    log_in_as(make_user, login, R.BACK_OFFICE)
    paths = client.get("/api/schema/?format=json").json()["paths"]
    assert set(paths[INVOICES]) == {"get"}
    assert (
        "application/pdf" in paths[f"{INVOICES}{{id}}/pdf/"]["get"]["responses"]["200"]["content"]
    )
    create = paths[PAYMENTS]["post"]
    assert {"201", "400", "422"} <= set(create["responses"])
    assert [p["name"] for p in create["parameters"]] == ["Idempotency-Key"]
    assert "post" in paths[f"{PAYMENTS}{{id}}/reverse/"]
    for name in ("start", "resume", "approve", "discard"):
        assert "post" in paths[f"{RUNS}{{id}}/{name}/"], name
    for name in ("approve", "reject"):
        assert "post" in paths[f"{NOTES}{{id}}/{name}/"], name
    assert {"200", "422", "429"} <= set(paths[REDEEM]["post"]["responses"])
    params = {p["name"] for p in paths[INVOICES]["get"]["parameters"]}
    assert {"billing_account", "status", "period", "period_from", "period_to"} <= params
