"""Manual transactions (BIL-4) as Billing & Finance uses them: a credit note for
some lines of an invoice (service and page), the approval queue where a second
person approves or rejects, and the bill-dispute actions on the invoice page."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from alux_crm.core import roles as R
from billing import services
from billing.choices import TransactionStatus
from billing.models import Invoice, InvoiceLine, ManualTransaction
from billing.services.transactions import transaction_request
from tests.customers import factories as CF
from tests.subscriptions import factories as SF

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture(autouse=True)
def _no_otp(settings):
    settings.OTP_REQUIRED_ROLES = []
    settings.BILLING_APPROVAL_AMOUNT = 100


def invoice_with_lines(account, totals, month=10) -> Invoice:
    """A posted invoice of ``account`` with one line per total (no VAT)."""
    total = sum((D(t) for t in totals), D("0"))
    start, end = date(2026, month, 1), date(2026, month + 1, 1)
    invoice = Invoice.objects.create(
        billing_account=account,
        period_start=start,
        period_end=end,
        currency="EUR",
        net=total,
        tax=D("0"),
        total=total,
    )
    for n, amount in enumerate(totals, 1):
        InvoiceLine.objects.create(
            invoice=invoice,
            source_account=account,
            kind="recurring",
            description=f"Service {n}",
            starts_on=start,
            ends_on=end,
            net=D(amount),
            tax_rate=D("0"),
            tax=D("0"),
            total=D(amount),
            explanation=f"{amount} a month",
        )
    with transaction.atomic():
        services.invoice_post(invoice=invoice, issued_on=start, due_on=start.replace(day=15))
    return invoice


@pytest.fixture
def as_role(make_user):
    """``as_role(role)`` → (a client logged in as a new user of that role, the user)."""
    from django.test import Client

    def do(role: str, **kwargs):
        user = make_user(role, **kwargs)
        client = Client()
        client.force_login(user, backend="alux_crm.core.auth_backends.UserBackend")
        return client, user

    return do


@pytest.fixture
def account(partner_a):
    return SF.account(CF.person(partner=partner_a))


@pytest.fixture
def clerk(make_user):
    return make_user(R.BILLING_FINANCE)


# --- the service: a credit note for invoice lines -------------------------------------------
def test_credit_note_for_two_lines_credits_their_totals(account, clerk):
    invoice = invoice_with_lines(account, ["10.00", "20.50", "7.25"])
    first, _second, third = invoice.lines.all()
    note = transaction_request(
        account=account,
        kind="credit_note",
        amount=None,
        reason="Two services down",
        actor=clerk,
        invoice=invoice,
        lines=[first, third],
    )
    assert note.amount == D("17.25") and note.status == TransactionStatus.POSTED
    assert set(note.invoice_lines.all()) == {first, third}
    assert services.invoice_open_amount(invoice) == D("20.50")
    account.refresh_from_db()
    assert account.balance == D("20.50")


def test_credit_for_lines_never_goes_beyond_what_is_open(account, clerk):
    invoice = invoice_with_lines(account, ["30.00", "20.00"])
    services.payment_record(account=account, amount=D("40"), method="cash", idempotency_key="p")
    line = invoice.lines.get(total=D("30.00"))
    note = transaction_request(
        account=account,
        kind="credit_note",
        amount=None,
        reason="Outage",
        actor=clerk,
        invoice=invoice,
        lines=[line],
    )
    assert note.amount == D("10.00")  # 30 asked, 10 open
    assert services.invoice_open_amount(invoice) == D("0.00")
    with pytest.raises(ValidationError) as nothing_open:
        transaction_request(
            account=account,
            kind="credit_note",
            amount=None,
            reason="Again",
            actor=clerk,
            invoice=invoice,
            lines=[line],
        )
    assert "amount" in nothing_open.value.error_dict


def test_lines_are_checked(account, clerk):
    invoice = invoice_with_lines(account, ["10.00", "5.00"])
    other = invoice_with_lines(account, ["8.00"], month=11)
    line = invoice.lines.first()
    cases = [
        ({"amount": D("12.00"), "lines": [line]}, "amount"),  # more than the line
        ({"amount": None, "lines": [other.lines.get()]}, "invoice_lines"),  # another invoice
        ({"amount": None, "lines": [line], "kind": "debit_note"}, "invoice_lines"),
        ({"amount": None, "lines": [line], "invoice": None}, "invoice"),
    ]
    for changes, field in cases:
        kwargs = {
            "account": account,
            "kind": "credit_note",
            "reason": "r",
            "actor": clerk,
            "invoice": invoice,
            **changes,
        }
        with pytest.raises(ValidationError) as excinfo:
            transaction_request(**kwargs)
        assert field in excinfo.value.error_dict, changes
    assert not ManualTransaction.objects.exists()
    # An amount below the lines' totals is fine.
    note = transaction_request(
        account=account,
        kind="credit_note",
        amount=D("4.00"),
        reason="Part",
        actor=clerk,
        invoice=invoice,
        lines=[line],
    )
    assert note.amount == D("4.00") and list(note.invoice_lines.all()) == [line]


# --- the pages --------------------------------------------------------------------------------
def test_credit_note_from_the_invoice_page_for_two_lines(as_role, account):
    invoice = invoice_with_lines(account, ["12.00", "8.00", "30.00"])
    client, _ = as_role(R.BILLING_FINANCE)
    page = client.get(invoice.get_absolute_url()).content.decode()
    link = re.search(r'href="([^"]+)" id="action-credit"', page).group(1).replace("&amp;", "&")
    form = client.get(link).content.decode()
    assert account.number in form and "Service 1 · 12.00 EUR" in form
    first, second, _third = invoice.lines.all()
    response = client.post(
        link,
        {
            "kind": "credit_note",
            "invoice_lines": [first.pk, second.pk],
            "amount": "",
            "reason": "Channels missing for a week",
            # Posted values of the fixed fields are ignored.
            "account_number": "BA-999999",
        },
    )
    note = ManualTransaction.objects.get()
    assert response.status_code == 302 and note.invoice == invoice
    assert note.amount == D("20.00") and note.status == TransactionStatus.POSTED
    assert note.number.startswith("CN-")
    detail = client.get(response["Location"]).content.decode()
    assert "Service 1" in detail and "Service 2" in detail and "Service 3" not in detail
    after = client.get(invoice.get_absolute_url()).content.decode()
    assert re.search(r'id="invoice-open">30\.00 EUR', after) and note.number in after


def test_a_transaction_without_an_invoice_and_form_errors(as_role, account):
    client, _ = as_role(R.BILLING_FINANCE)
    url = reverse("billing:transaction_create") + f"?account={account.pk}"
    assert account.number in client.get(url).content.decode()
    missing = client.post(url, {"kind": "debit_note", "account_number": account.number})
    assert missing.status_code == 422 and not ManualTransaction.objects.exists()
    no_amount = client.post(
        url, {"kind": "debit_note", "account_number": account.number, "reason": "Fee"}
    )
    assert no_amount.status_code == 422 and "more than zero" in no_amount.content.decode()
    ok = client.post(
        url,
        {"kind": "debit_note", "account_number": account.number, "amount": "9.50", "reason": "Fee"},
    )
    assert ok.status_code == 302
    account.refresh_from_db()
    assert account.balance == D("9.50")


def test_large_transaction_waits_in_the_queue_for_another_person(as_role, account, settings):
    settings.BILLING_APPROVAL_AMOUNT = 50
    requester, _asker = as_role(R.BILLING_FINANCE)
    response = requester.post(
        reverse("billing:transaction_create"),
        {
            "kind": "adjustment_debit",
            "account_number": account.number,
            "amount": "80.00",
            "reason": "Equipment not returned",
        },
    )
    row = ManualTransaction.objects.get()
    assert response.status_code == 302 and row.status == TransactionStatus.PENDING_APPROVAL
    queue_url = reverse("billing:transaction_list") + "?status=pending"
    queue = requester.get(queue_url)
    assert [r.record.pk for r in queue.context["table"].rows] == [row.pk]
    detail_url = reverse("billing:transaction_detail", args=[row.pk])
    own_page = requester.get(detail_url).content.decode()
    assert 'id="action-approve"' not in own_page and 'id="own-request"' in own_page
    # The requester cannot approve it (a message, nothing booked).
    approve_url = reverse("billing:transaction_approve", args=[row.pk])
    refused = requester.post(approve_url, follow=True)
    assert "other than the requester" in refused.content.decode()
    row.refresh_from_db()
    account.refresh_from_db()
    assert row.status == TransactionStatus.PENDING_APPROVAL and account.balance == D("0.00")
    # Another person of Billing & Finance approves it.
    approver, second = as_role(R.BILLING_FINANCE)
    assert 'id="action-approve"' in approver.get(detail_url).content.decode()
    assert approver.get(approve_url).status_code == 200  # the confirmation page
    assert approver.post(approve_url).status_code == 302
    row.refresh_from_db()
    account.refresh_from_db()
    assert row.status == TransactionStatus.POSTED and row.approved_by == second
    assert account.balance == D("80.00")
    assert len(requester.get(queue_url).context["table"].rows) == 0


def test_rejecting_a_waiting_transaction(as_role, account, clerk, settings):
    settings.BILLING_APPROVAL_AMOUNT = 50
    row = transaction_request(
        account=account, kind="refund", amount=D("70"), reason="Refund", actor=clerk
    )
    client, _ = as_role(R.BILLING_FINANCE)
    url = reverse("billing:transaction_reject", args=[row.pk])
    assert client.post(url, {"reason": ""}).status_code == 422
    assert client.post(url, {"reason": "No proof of payment"}).status_code == 302
    row.refresh_from_db()
    account.refresh_from_db()
    assert row.status == TransactionStatus.REJECTED and "No proof of payment" in row.reason
    assert account.balance == D("0.00")


@pytest.mark.parametrize("role", [R.CUSTOMER_SERVICE, R.BACK_OFFICE, R.SALES, R.RETAILER])
def test_only_finance_requests_and_decides(as_role, account, clerk, role, settings):
    settings.BILLING_APPROVAL_AMOUNT = 50
    row = transaction_request(
        account=account, kind="refund", amount=D("70"), reason="Refund", actor=clerk
    )
    client, _ = as_role(role)
    assert client.get(reverse("billing:transaction_create")).status_code == 403
    for name in ("transaction_approve", "transaction_reject"):
        assert client.post(reverse(f"billing:{name}", args=[row.pk])).status_code == 403
    listing = client.get(reverse("billing:transaction_list")).status_code
    assert listing == (200 if role == R.BACK_OFFICE else 403)


def test_dispute_and_resolve_on_the_invoice_page(as_role, account):
    invoice = invoice_with_lines(account, ["25.00"])
    agent, _ = as_role(R.CUSTOMER_SERVICE)
    page = agent.get(invoice.get_absolute_url()).content.decode()
    assert 'id="action-dispute"' in page and 'id="action-credit"' not in page
    url = reverse("billing:invoice_dispute", args=[invoice.pk])
    assert agent.post(url, {"reason": ""}).status_code == 422
    assert agent.post(url, {"reason": "Never ordered HBO"}).status_code == 302
    invoice.refresh_from_db()
    assert invoice.disputed and invoice.dispute_reason == "Never ordered HBO"
    page = agent.get(invoice.get_absolute_url()).content.decode()
    assert 'id="invoice-disputed"' in page and "Never ordered HBO" in page
    assert 'id="action-resolve"' not in page  # agents do not resolve
    resolve_url = reverse("billing:invoice_dispute_resolve", args=[invoice.pk])
    assert agent.post(resolve_url).status_code == 403
    finance, _ = as_role(R.BILLING_FINANCE)
    assert 'id="action-resolve"' in finance.get(invoice.get_absolute_url()).content.decode()
    assert finance.post(resolve_url).status_code == 302
    invoice.refresh_from_db()
    assert not invoice.disputed
    # A retailer may not dispute; another partner's invoice is a 404 for staff-only pages too.
    retailer, _ = as_role(R.RETAILER)
    assert retailer.post(url, {"reason": "x"}).status_code == 403


def test_a_draft_invoice_cannot_be_disputed(as_role, account):
    draft = Invoice.objects.create(
        billing_account=account,
        period_start=date(2026, 12, 1),
        period_end=date(2027, 1, 1),
        currency="EUR",
    )
    client, _ = as_role(R.BILLING_FINANCE)
    assert client.get(reverse("billing:invoice_dispute", args=[draft.pk])).status_code == 404
    assert 'id="action-dispute"' not in client.get(draft.get_absolute_url()).content.decode()


def test_the_demo_shows_every_money_page(django_capture_on_commit_callbacks, settings):
    from django.core.management import call_command

    from billing.models import Payment
    from billing.services import ledger_reconcile

    settings.BILLING_APPROVAL_AMOUNT = 100
    with django_capture_on_commit_callbacks(execute=False):
        call_command("seed_demo", verbosity=0)
    by_agent = Payment.objects.filter(recorded_by__username="agent")
    assert {"cash", "card", "transfer"} <= set(by_agent.values_list("method", flat=True))
    assert Payment.objects.filter(status="reversed").exists()
    notes = ManualTransaction.objects.filter(kind="credit_note")
    posted = notes.get(status=TransactionStatus.POSTED)
    assert posted.number and posted.invoice_lines.exists()
    waiting = notes.get(status=TransactionStatus.PENDING_APPROVAL)
    assert waiting.amount > D("100") and waiting.requested_by.username != "finance"
    assert Invoice.objects.filter(disputed=True).count() == 1
    assert ledger_reconcile() == []
