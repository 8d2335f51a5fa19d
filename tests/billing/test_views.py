"""The billing screens: runs (list, scheduling, the run page with its live progress,
review and role-checked actions) and invoices (list with filters and CSV, the
invoice with every line explained, a retailer's scoping)."""

import uuid
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from alux_crm.core import roles as R
from alux_crm.core import selectors as core_selectors
from billing import services
from billing.choices import RunStatus
from billing.models import BillingRun
from products.pricing import BasketItem
from subscriptions import services as sub_services
from tests.customers import factories as CF
from tests.products import factories as PF
from tests.subscriptions import factories as SF

pytestmark = pytest.mark.django_db
DEC = date(2026, 12, 1)


@pytest.fixture(autouse=True)
def _isolated(settings):
    settings.OTP_REQUIRED_ROLES = []
    prefix = f"alux-test-{uuid.uuid4().hex[:8]}"
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": prefix}}
    yield
    core_selectors.operator_settings_forget()


@pytest.fixture
def as_role(make_user):
    def do(role: str, **kwargs):
        user = make_user(role, **kwargs)
        client = Client()
        client.force_login(user, backend="alux_crm.core.auth_backends.UserBackend")
        return client, user

    return do


def active(cat, account, items):
    on = date(2026, 11, 1)
    subscription = SF.subscription(
        cat, billing_account=account, items=items, devices=[], signed_on=on
    )
    return sub_services.subscription_activate(subscription=subscription, on=on)


@pytest.fixture
def world(partner_a):
    """Partner A's customer and a direct customer, each with an active subscription."""
    cat = PF.catalogue()
    own = SF.account(CF.person(partner=partner_a))
    other = SF.account()
    active(cat, own, [BasketItem(cat.tv), BasketItem(cat.broadband)])
    active(cat, other, [BasketItem(cat.tv)])
    return {"own": own, "other": other, "cat": cat}


@pytest.fixture
def draft_run(world, django_capture_on_commit_callbacks):
    run = services.billing_run_create(bill_cycle_day=1, period_start=DEC)
    with django_capture_on_commit_callbacks(execute=True):
        services.billing_run_start(run=run)
    run.refresh_from_db()
    assert run.status == RunStatus.DRAFT_READY
    return run


def test_run_pages_by_role(as_role, draft_run):
    for role in (R.BILLING_FINANCE, R.BACK_OFFICE, R.SYSTEM_ADMINISTRATOR):
        client, _ = as_role(role)
        assert client.get(reverse("billing:run_list")).status_code == 200
        assert client.get(draft_run.get_absolute_url()).status_code == 200
    for role in (R.RETAILER, R.SALES, R.CUSTOMER_SERVICE):
        client, _ = as_role(role)
        assert client.get(reverse("billing:run_list")).status_code == 403
        assert client.get(draft_run.get_absolute_url()).status_code == 403
    client, _ = as_role(R.BILLING_FINANCE)
    assert client.get(reverse("billing:run_create")).status_code == 403


def test_schedule_form_errors_are_field_errors(as_role):
    client, _ = as_role(R.BACK_OFFICE)
    url = reverse("billing:run_create")
    response = client.post(url, {"bill_cycle_day": 5, "period_start": "2026-12-01"})
    assert response.status_code == 422
    assert "period_start" in response.context["form"].errors
    assert not BillingRun.objects.exists()
    response = client.post(url, {"bill_cycle_day": 31, "period_start": "2026-12-31"})
    assert "bill_cycle_day" in response.context["form"].errors

    response = client.post(url, {"bill_cycle_day": 1, "period_start": "2026-12-01"})
    run = BillingRun.objects.get()
    assert response.status_code == 302 and response["Location"] == run.get_absolute_url()
    # The same cycle and period again: the service's refusal is on the period field.
    response = client.post(url, {"bill_cycle_day": 1, "period_start": "2026-12-01"})
    assert response.status_code == 422
    assert "period_start" in response.context["form"].errors


def test_progress_partial_returns_the_counts_and_polls_while_running(as_role, world):
    client, _ = as_role(R.BACK_OFFICE)
    run = services.billing_run_create(bill_cycle_day=1, period_start=DEC)
    BillingRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, accounts_total=4, accounts_done=2, accounts_failed=1
    )
    url = reverse("billing:run_progress", args=[run.pk])
    response = client.get(url, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-count="total">4<' in body and 'data-count="done">2<' in body
    assert 'data-count="failed">1<' in body and 'value="75"' in body
    assert 'hx-trigger="every 2s"' in body and "HX-Refresh" not in response
    page = client.get(run.get_absolute_url()).content.decode()
    assert 'hx-trigger="every 2s"' in page and 'id="action-resume"' in page

    BillingRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED)
    response = client.get(url, headers={"HX-Request": "true"})
    assert "every 2s" not in response.content.decode()  # polling stops
    assert response["HX-Refresh"] == "true"  # the page reloads once


def test_run_page_shows_the_review(as_role, draft_run):
    client, _ = as_role(R.BILLING_FINANCE)
    response = client.get(draft_run.get_absolute_url())
    body = response.content.decode()
    assert 'id="review-by-product"' in body and 'id="review-by-segment"' in body
    assert 'id="run-chart-data"' in body and "<script src=" in body
    assert "every 2s" not in body
    first = draft_run.invoices.order_by("pk").first()
    assert first.get_absolute_url() in body  # outliers (first invoices) link to them
    assert 'id="action-approve"' in body and 'id="action-discard"' in body
    assert 'id="action-start"' not in body


def test_approve_by_billing_finance(as_role, draft_run, django_capture_on_commit_callbacks):
    url = reverse("billing:run_action", args=[draft_run.pk, "approve"])
    back_office, _ = as_role(R.BACK_OFFICE)
    assert back_office.post(url).status_code == 403
    assert back_office.get(url).status_code == 302  # a message, back to the run
    draft_run.refresh_from_db()
    assert draft_run.status == RunStatus.DRAFT_READY

    client, user = as_role(R.BILLING_FINANCE)
    assert client.get(url).status_code == 200  # the confirmation page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    draft_run.refresh_from_db()
    assert draft_run.status == RunStatus.POSTED and draft_run.approved_by == user
    assert draft_run.invoices_posted == 2


def test_a_refused_transition_is_a_message_not_a_500(as_role, world):
    run = services.billing_run_create(bill_cycle_day=1, period_start=DEC)
    client, _ = as_role(R.BILLING_FINANCE)
    response = client.post(reverse("billing:run_action", args=[run.pk, "approve"]), follow=True)
    assert response.status_code == 200
    assert "cannot go from" in response.content.decode()
    run.refresh_from_db()
    assert run.status == RunStatus.SCHEDULED
    bad = client.post(reverse("billing:run_action", args=[run.pk, "explode"]))
    assert bad.status_code == 404


def test_start_by_back_office(as_role, world, django_capture_on_commit_callbacks):
    run = services.billing_run_create(bill_cycle_day=1, period_start=DEC)
    client, _ = as_role(R.BACK_OFFICE)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("billing:run_action", args=[run.pk, "start"]))
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == RunStatus.DRAFT_READY and run.invoices.count() == 2


def test_retailer_sees_only_its_customers_invoices(as_role, world, draft_run, partner_b):
    own = draft_run.invoices.get(billing_account=world["own"])
    other = draft_run.invoices.get(billing_account=world["other"])
    client, _ = as_role(R.RETAILER)
    listing = client.get(reverse("billing:invoice_list")).content.decode()
    assert own.get_absolute_url() in listing and other.get_absolute_url() not in listing
    assert client.get(own.get_absolute_url()).status_code == 200
    assert client.get(other.get_absolute_url()).status_code == 404
    intruder, _ = as_role(R.RETAILER, partner=partner_b)
    assert intruder.get(own.get_absolute_url()).status_code == 404


def test_invoice_detail_explains_every_line(as_role, world, draft_run):
    invoice = draft_run.invoices.get(billing_account=world["own"])
    client, _ = as_role(R.CUSTOMER_SERVICE)
    body = client.get(invoice.get_absolute_url()).content.decode()
    for line in invoice.lines.all():
        assert line.description in body
        assert line.explanation.splitlines()[0] in body
    assert "31 of 31 days" in body
    assert str(invoice.total) in body and world["own"].number in body


def test_invoice_list_filters_csv_and_bounded_queries(
    as_role, world, draft_run, django_assert_max_num_queries
):
    client, _ = as_role(R.BILLING_FINANCE)
    url = reverse("billing:invoice_list")
    with django_assert_max_num_queries(14):
        response = client.get(url)
    assert response.status_code == 200
    for account in (world["own"], world["other"]):
        response = client.get(url, {"q": account.number})
        assert len(response.context["table"].rows) == 1
    response = client.get(url, {"status": "posted"})
    assert len(response.context["table"].rows) == 0
    response = client.get(url, {"run": draft_run.pk, "status": "draft"})
    assert len(response.context["table"].rows) == 2
    csv_response = client.get(url, {"_export": "csv"})
    text = b"".join(csv_response.streaming_content).decode()
    assert csv_response["Content-Type"].startswith("text/csv")
    assert world["own"].number in text and world["other"].number in text
    htmx = client.get(url, headers={"HX-Request": "true", "HX-Target": "object-table"})
    assert b"<html" not in htmx.content


def test_run_page_lists_errors_and_nav_has_billing(as_role, world):
    from billing.models import BillingRunError

    run = services.billing_run_create(bill_cycle_day=1, period_start=DEC)
    BillingRunError.objects.create(run=run, billing_account=world["other"], message="No price")
    client, _ = as_role(R.BACK_OFFICE)
    body = client.get(run.get_absolute_url()).content.decode()
    assert 'id="run-errors"' in body and "No price" in body and world["other"].number in body
    assert reverse("billing:run_list") in body and reverse("billing:invoice_list") in body
    retailer, _ = as_role(R.RETAILER)
    nav = retailer.get(reverse("billing:invoice_list")).content.decode()
    assert reverse("billing:run_list") not in nav
