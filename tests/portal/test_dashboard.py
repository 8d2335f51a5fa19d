"""The portal dashboard (POR-1): per billing account the balance, the next amount
due and the next invoice's estimate — which is what the billing run then drafts —,
the last invoice, services with devices and status, open requests; in a number of
queries that does not grow with the customer's invoices, payments or requests."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from billing import services as billing_services
from billing.estimates import next_invoice_estimate
from billing.models import Invoice
from cases.choices import CaseStatus
from cases.services import case_create, case_reply, case_set_status
from products.pricing import BasketItem
from subscriptions import services as subscription_services
from tests.dunning.engine_world import posted_invoice
from tests.portal.test_requests import subscriber_of
from tests.products import factories as PF
from tests.subscriptions import factories as SF

pytestmark = pytest.mark.django_db

D = Decimal


def _run_period(cycle_day: int, period_start: date):
    """A billing run of the period, drafted by its chunks (as the workers do)."""
    run = billing_services.billing_run_create(bill_cycle_day=cycle_day, period_start=period_start)
    run = billing_services.billing_run_start(run=run)
    for chunk in run.chunks.all():
        billing_services.billing_run_chunk(chunk_id=chunk.pk)
    run.refresh_from_db()
    return run


def _subscribed_account(cat, *, activated_on: date):
    """A paying account with the TV package and a rented box (with its device),
    activated on ``activated_on``."""
    account = SF.account()
    subscription = SF.subscription(cat, billing_account=account, signed_on=activated_on)
    subscription_services.subscription_activate(subscription=subscription, on=activated_on)
    return account, subscription


def test_the_estimate_is_what_the_run_then_bills_and_moves_on_once_posted():
    cat = PF.catalogue()
    today = date(2026, 3, 20)
    account, _subscription = _subscribed_account(cat, activated_on=date(2026, 3, 10))
    SF.account(account.customer)  # an account with nothing to charge has no estimate

    estimate = next_invoice_estimate(account, today=today)
    assert (estimate.period_start, estimate.period_end) == (date(2026, 3, 1), date(2026, 4, 1))
    assert not estimate.is_draft and estimate.currency == account.currency
    # 22 of 31 days of 10.00 and of 3.00 a month (7.10 + 2.13), plus 21 % VAT on each line
    assert estimate.total == D("11.17")

    run = _run_period(account.bill_cycle_day, estimate.period_start)
    invoice = Invoice.objects.get(billing_account=account, run=run)
    assert invoice.total == estimate.total

    drafted = next_invoice_estimate(account, today=today)
    assert drafted.is_draft and drafted.total == invoice.total
    billing_services.billing_run_approve(run=run, actor=None)
    billing_services.billing_run_post(run_id=run.pk, today=date(2026, 3, 1))

    following = next_invoice_estimate(account, today=today)
    assert (following.period_start, following.total) == (date(2026, 4, 1), D("15.73"))
    april = _run_period(account.bill_cycle_day, date(2026, 4, 1))
    assert Invoice.objects.get(billing_account=account, run=april).total == following.total


def test_a_drafted_cycle_without_the_account_is_skipped_and_non_paying_accounts_have_none():
    cat = PF.catalogue()
    today = date(2026, 3, 20)
    _run_period(1, date(2026, 3, 1))  # drafted before the account existed
    account, _subscription = _subscribed_account(cat, activated_on=date(2026, 3, 10))
    estimate = next_invoice_estimate(account, today=today)
    assert estimate.period_start == date(2026, 4, 1)
    account.is_paying = False
    assert next_invoice_estimate(account, today=today) is None


def _dashboard_world():
    cat = PF.catalogue()
    today = timezone.localdate()
    account, subscription = _subscribed_account(cat, activated_on=today - timedelta(days=40))
    customer = account.customer
    posted_invoice(account, D("40.00"), due_on=today + timedelta(days=10))
    posted_invoice(account, D("7.50"), due_on=today - timedelta(days=5))
    waiting = case_create(
        customer=customer,
        kind="billing",
        channel="portal",
        subject="Question about my bill",
        description="?",
    )
    case_reply(case=waiting, text="Which line?", status=CaseStatus.WAITING_CUSTOMER)
    fresh = case_create(
        customer=customer, kind="technical", channel="portal", subject="No signal", description="!"
    )
    closed = case_create(
        customer=customer,
        kind="information",
        channel="phone",
        subject="Opening hours",
        description="?",
    )
    case_set_status(case=closed, status=CaseStatus.CLOSED)
    return cat, account, subscription, (waiting, fresh, closed)


def test_the_dashboard_shows_money_services_devices_and_open_requests():
    _cat, account, subscription, (waiting, fresh, closed) = _dashboard_world()
    account.refresh_from_db()
    client, _user = subscriber_of(account.customer)
    page = client.get(reverse("portal:dashboard")).content.decode()
    n = account.number
    assert f'id="balance-{n}"' in page and f"{account.balance} {account.currency}" in page
    assert "7.50 EUR overdue" in page
    due_day = (timezone.localdate() + timedelta(days=10)).isoformat()
    assert f'id="next-due-{n}"' in page and f"40.00 EUR due on {due_day}" in page
    assert f'id="estimate-{n}"' in page and "Next invoice" in page
    estimate = next_invoice_estimate(account)
    assert f"{estimate.total} {estimate.currency}" in page
    assert 'id="last-invoice"' in page
    assert subscription.number in page and "Active" in page
    device = subscription.devices.get()
    assert device.serial in page and "installed" in page
    assert 'data-count="2"' in page and "2 open requests" in page
    assert "1 waits for your reply" in page
    for case in (waiting, fresh):
        assert reverse("portal:request_detail", args=[case.pk]) in page
    assert closed.number not in page


def _dashboard(client) -> tuple[int, str]:
    """The dashboard's page and the number of queries it took."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_the_dashboard_queries_do_not_grow_with_invoices_payments_or_requests(monkeypatch):
    monkeypatch.setattr("portal.selectors.ESTIMATE_CACHE_SECONDS", 0)  # always computed
    _cat, account, _subscription, _cases = _dashboard_world()
    client, _user = subscriber_of(account.customer)
    client.get(reverse("portal:dashboard"))  # the operator's settings are cached after it
    first, _page = _dashboard(client)
    today = timezone.localdate()
    for n in range(6):
        posted_invoice(account, D("12.00"), due_on=today - timedelta(days=30 * n + 1))
        billing_services.payment_record(
            account=account, amount=D("5.00"), method="card", idempotency_key=f"dash-{n}"
        )
        case_create(
            customer=account.customer,
            kind="information",
            channel="portal",
            subject=f"Question {n}",
            description="?",
        )
    assert _dashboard(client)[0] == first
    assert first <= 40, first


def test_the_estimate_is_cached_until_the_customers_services_change():
    cat, account, subscription, _cases = _dashboard_world()
    client, _user = subscriber_of(account.customer)
    cold, page = _dashboard(client)
    before = next_invoice_estimate(account)
    assert f"{before.total} {before.currency}" in page
    warm, again = _dashboard(client)
    assert warm <= cold - 10 and f"{before.total} {before.currency}" in again
    # the subscriber adds the HBO add-on today: the estimate follows at once
    subscription_services.change_order_create(
        subscription=subscription,
        request=subscription_services.ChangeRequest(
            add=[BasketItem(cat.addon)], remove=[], swaps=[]
        ),
    )
    after = next_invoice_estimate(account)
    assert after.total > before.total
    assert f"{after.total} {after.currency}" in _dashboard(client)[1]
