"""The GL journal (BIL-5): a mixed period with exact figures, debits equal credits,
accounts from the BILLING_GL_ACCOUNTS setting, vouchers, the CSV export and a
journal that does not balance."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from alux_crm.core import roles as R
from billing import services
from billing.choices import InvoiceKind
from billing.models import Invoice, InvoiceLine, LedgerEntry, Voucher, VoucherBatch
from billing.services.gl import UnbalancedJournal, gl_journal
from tests.products import factories as PF
from tests.subscriptions import factories as SF

pytestmark = pytest.mark.django_db
D = Decimal


def invoice_with_lines(account, lines, *, issued_on=None, due_on=None, currency="EUR"):
    """A posted one-off invoice of ``lines`` — (product or None, net, tax) — issued
    on ``issued_on`` (today by default), posted through ``invoice_post``."""
    issued_on = issued_on or timezone.localdate()
    net = sum((line[1] for line in lines), D("0.00"))
    tax = sum((line[2] for line in lines), D("0.00"))
    invoice = Invoice.objects.create(
        billing_account=account,
        kind=InvoiceKind.ONE_OFF,
        period_start=issued_on,
        period_end=issued_on + timedelta(days=30),
        currency=currency,
        net=net,
        tax=tax,
        total=net + tax,
    )
    for product, line_net, line_tax in lines:
        InvoiceLine.objects.create(
            invoice=invoice,
            source_account=account,
            product=product,
            kind="one_time",
            description=product.code if product else "Charge",
            starts_on=issued_on,
            ends_on=issued_on,
            net=line_net,
            tax_rate=D("0.21"),
            tax=line_tax,
            total=line_net + line_tax,
            explanation="test",
        )
    with transaction.atomic():
        services.invoice_post(
            invoice=invoice, issued_on=issued_on, due_on=due_on or issued_on + timedelta(days=15)
        )
    return invoice


def totals(journal) -> dict[str, tuple[Decimal, Decimal]]:
    return {row.account: (row.debit, row.credit) for row in journal.by_account}


@pytest.fixture
def clerk(make_user, settings):
    settings.BILLING_APPROVAL_AMOUNT = 1000
    return make_user(R.BILLING_FINANCE)


@pytest.fixture
def mixed(clerk):
    """One account's day: an invoice of a TV package and an installation, payments
    (one reversed), a credit note, a write-off, a refund, a debit note and a credit
    adjustment."""
    account = SF.account()
    tv = PF.product("tv_package")
    installation = PF.product("installation")
    invoice = invoice_with_lines(
        account, [(tv, D("100.00"), D("21.00")), (installation, D("50.00"), D("10.50"))]
    )
    services.payment_record(
        account=account, amount=D("100.00"), method="transfer", idempotency_key="gl-p1"
    )
    cash, _ = services.payment_record(
        account=account, amount=D("20.00"), method="cash", idempotency_key="gl-p2"
    )
    services.payment_reverse(payment=cash, reason="Counterfeit note")

    def manual(kind, amount, invoice=None):
        services.transaction_request(
            account=account, kind=kind, amount=amount, reason="r", actor=clerk, invoice=invoice
        )

    manual("credit_note", D("60.50"), invoice)
    manual("write_off", D("21.00"), invoice)
    manual("refund", D("5.00"))
    manual("debit_note", D("12.10"))
    manual("adjustment_credit", D("3.00"))
    return account, invoice


def today_period():
    today = timezone.localdate()
    return today, today + timedelta(days=1)


def test_mixed_period_debits_equal_credits_with_exact_figures(mixed):
    account, _invoice = mixed
    start, end = today_period()

    journal = gl_journal(start=start, end=end)

    assert journal.balanced
    journal.assert_balanced()
    assert journal.totals == {"EUR": (D("423.10"), D("423.10"))}
    assert totals(journal) == {
        "4111": (D("218.60"), D("204.50")),  # receivables
        "4427": (D("10.50"), D("31.50")),  # VAT: the credit note's share back
        "5121": (D("100.00"), D("5.00")),  # bank: transfer in, refund out
        "5311": (D("20.00"), D("20.00")),  # cash, reversed
        "654": (D("21.00"), D("0.00")),  # write-off
        "704": (D("0.00"), D("112.10")),  # TV package and the debit note
        "708": (D("3.00"), D("50.00")),  # installation fee; the credit adjustment
        "709": (D("50.00"), D("0.00")),  # credit note, net of VAT
    }
    # The receivables account moves by the sum of the period's ledger entries.
    account.refresh_from_db()
    assert journal.receivables_movement("EUR") == account.balance == D("14.10")
    # The invoice's own lines: Dr receivables / Cr revenue per category / Cr VAT.
    invoice_lines = {
        (line.account, line.debit, line.credit, line.entries)
        for line in journal.lines
        if line.description == "Invoices"
    }
    assert invoice_lines == {
        ("4111", D("181.50"), D("0.00"), 1),
        ("704", D("0.00"), D("100.00"), 1),
        ("708", D("0.00"), D("50.00"), 1),
        ("4427", D("0.00"), D("31.50"), 1),
    }
    payments = [line for line in journal.lines if line.description.startswith("Payment:")]
    assert {(line.account, line.debit, line.credit, line.entries) for line in payments} == {
        ("5121", D("100.00"), D("0.00"), 1),
        ("5311", D("20.00"), D("0.00"), 1),
        ("4111", D("0.00"), D("100.00"), 1),
        ("4111", D("0.00"), D("20.00"), 1),
    }


def test_a_period_without_the_day_is_empty(mixed):
    today = timezone.localdate()
    journal = gl_journal(start=today + timedelta(days=1), end=today + timedelta(days=40))
    assert journal.lines == [] and journal.balanced


def test_invoices_without_product_lines_go_to_the_default_revenue_account(clerk):
    account = SF.account()
    invoice_with_lines(account, [(None, D("10.00"), D("2.10"))])
    bare = Invoice.objects.create(
        billing_account=account,
        kind=InvoiceKind.ONE_OFF,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 2, 1),
        currency="EUR",
        net=D("5.00"),
        tax=D("0.00"),
        total=D("5.00"),
    )
    with transaction.atomic():
        today = timezone.localdate()
        services.invoice_post(invoice=bare, issued_on=today, due_on=today)

    journal = gl_journal(start=today, end=today + timedelta(days=1))

    assert totals(journal) == {
        "4111": (D("17.10"), D("0.00")),
        "704": (D("0.00"), D("15.00")),
        "4427": (D("0.00"), D("2.10")),
    }


def test_the_accounts_come_from_the_setting(mixed):
    start, end = today_period()
    mapping = {
        "receivables": "411.01",
        "revenue": {"default": "704.01", "installation": "704.02"},
        "vat_payable": "4427.1",
        "payments": "512.00",
        "credit_notes": "709.1",
        "debit_notes": "704.09",
        "adjustments": "758",
        "refunds": "512.9",
        "write_offs": "6588",
        "deposits": "419",
        "vouchers_outstanding": "472",
        "prepaid_balances": "4191",
    }
    with override_settings(BILLING_GL_ACCOUNTS=mapping):
        journal = gl_journal(start=start, end=end)
    assert journal.balanced
    assert set(totals(journal)) == {
        "411.01",
        "704.01",
        "704.02",
        "704.09",
        "4427.1",
        "512.00",
        "709.1",
        "758",
        "512.9",
        "6588",
    }
    assert totals(journal)["512.00"] == (D("120.00"), D("20.00"))  # transfer and cash alike


def test_a_mapping_without_a_role_is_refused(mixed):
    from django.core.exceptions import ImproperlyConfigured

    with (
        override_settings(BILLING_GL_ACCOUNTS={"receivables": "4111"}),
        pytest.raises(ImproperlyConfigured, match="revenue"),
    ):
        gl_journal(start=date(2026, 1, 1), end=date(2026, 2, 1))


def test_redeemed_vouchers_move_from_outstanding_to_prepaid_balances(make_user):
    subscription = SF.subscription()
    batch = VoucherBatch.objects.create(
        number="B-1",
        value=D("25.00"),
        currency="EUR",
        valid_from=date(2026, 1, 1),
        valid_until=date(2027, 12, 31),
        quantity=3,
    )
    now = timezone.now()
    for n, status in enumerate(["redeemed", "redeemed", "issued"]):
        Voucher.objects.create(
            batch=batch,
            serial=f"S-{n}",
            code_hash=f"h{n}",
            status=status,
            redeemed_at=now if status == "redeemed" else None,
            subscription=subscription if status == "redeemed" else None,
        )
    start, end = today_period()

    journal = gl_journal(start=start, end=end)

    assert totals(journal) == {"472": (D("50.00"), D("0.00")), "4191": (D("0.00"), D("50.00"))}
    assert {line.entries for line in journal.lines} == {2}


def test_a_journal_that_does_not_balance_is_not_exported(make_user):
    account = SF.account()
    invoice = invoice_with_lines(account, [(None, D("10.00"), D("0.00"))])
    # A corrupted fact: an invoice entry that differs from the invoice's total.
    LedgerEntry.objects.create(
        billing_account=account,
        kind="invoice",
        amount=D("3.00"),
        currency="EUR",
        booked_on=invoice.issued_on,
        idempotency_key="corrupt",
        invoice=invoice,
    )
    start, end = today_period()
    journal = gl_journal(start=start, end=end)
    assert not journal.balanced
    with pytest.raises(UnbalancedJournal):
        journal.assert_balanced()

    client = Client()
    client.force_login(make_user(R.BILLING_FINANCE))
    url = reverse("billing:gl_journal")
    response = client.get(url, {"start": start, "end": end, "format": "csv"})
    assert response.status_code == 409
    page = client.get(url, {"start": start, "end": end})
    assert b'id="journal-unbalanced"' in page.content


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def test_csv_download_and_page(mixed, make_user):
    start, end = today_period()
    client = Client()
    client.force_login(make_user(R.BILLING_FINANCE))
    url = reverse("billing:gl_journal")

    response = client.get(url, {"start": start, "end": end, "format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _csv(response)
    assert rows[0] == ["date", "account", "currency", "debit", "credit", "description", "entries"]
    assert sum(D(r[3]) for r in rows[1:]) == sum(D(r[4]) for r in rows[1:]) == D("423.10")
    assert [start.isoformat(), "4111", "EUR", "181.50", "0.00", "Invoices", "1"] in rows

    page = client.get(url, {"start": start, "end": end})
    assert page.status_code == 200
    content = page.content.decode()
    assert 'id="journal-chart-data"' in content and "<script>" not in content
    assert 'data-account="4111"' in content


def test_the_setting_changes_the_csv(mixed, make_user):
    start, end = today_period()
    client = Client()
    client.force_login(make_user(R.BILLING_FINANCE))
    params = {"start": start, "end": end, "format": "csv"}
    url = reverse("billing:gl_journal")
    from django.conf import settings

    mapping = {**settings.BILLING_GL_ACCOUNTS, "receivables": "411.99"}
    with override_settings(BILLING_GL_ACCOUNTS=mapping):
        rows = _csv(client.get(url, params))
    accounts = {row[1] for row in rows[1:]}
    assert "411.99" in accounts and "4111" not in accounts


def test_the_default_period_is_this_month_and_a_bad_period_falls_back(mixed, make_user):
    client = Client()
    client.force_login(make_user(R.BACK_OFFICE))
    url = reverse("billing:gl_journal")
    first = timezone.localdate().replace(day=1)
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["start"] == first
    bad = client.get(url, {"start": "2026-05-01", "end": "2026-04-01"})
    assert bad.status_code == 200 and bad.context["start"] == first
    assert "ends after it starts" in bad.content.decode()


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (R.BILLING_FINANCE, True),
        (R.BACK_OFFICE, True),
        (R.SYSTEM_ADMINISTRATOR, True),
        (R.SALES, False),
        (R.CUSTOMER_SERVICE, False),
        (R.RETAILER, False),
    ],
)
def test_who_may_open_the_journal(role, allowed, make_user):
    client = Client()
    client.force_login(make_user(role))
    url = reverse("billing:gl_journal")
    for params in ({}, {"format": "csv"}):
        response = client.get(url, params)
        assert response.status_code == (200 if allowed else 403), (role, params)


def test_anonymous_is_sent_to_login():
    response = Client().get(reverse("billing:gl_journal") + "?format=csv")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
