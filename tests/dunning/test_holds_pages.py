"""The holds pages per role: an agent records a promise from the customer's page
(prefilled with the overdue amount), finance approves it, a payment plan previewed
by htmx then agreed, deposits asked by Back Office and paid, the lists' filters;
retailers and other roles are refused."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from alux_crm.core import roles as R
from dunning.choices import DepositStatus, PaymentPlanStatus, PromiseStatus
from dunning.models import Deposit, PaymentPlan, PromiseToPay
from dunning.selectors_holds import customer_holds
from dunning.services.deposits import deposit_request
from dunning.services.promises import promise_create
from tests.dunning.holds_world import owing_account

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture(autouse=True)
def _no_otp(settings):
    settings.OTP_REQUIRED_ROLES = []


@pytest.fixture
def as_role(make_user):
    def do(role: str, **kwargs):
        user = make_user(role, **kwargs)
        client = Client()
        client.force_login(user, backend="alux_crm.core.auth_backends.UserBackend")
        return client, user

    return do


def holds_html(customer, user) -> str:
    """The customer-360 Collections tab's holds partial, as the engine's tab renders it."""
    request = RequestFactory().get("/")
    request.user = user
    return render_to_string(
        "dunning/holds/_customer_holds.html", customer_holds(customer=customer), request=request
    )


def test_an_agent_records_a_promise_from_the_customer_page(as_role):
    account = owing_account("45.50")
    client, agent = as_role(R.CUSTOMER_SERVICE)
    # Given the customer's page, the agent follows "Promise to pay" of the account
    html = holds_html(account.customer, agent)
    link = re.search(r'href="([^"]+)" data-action="promise"', html).group(1).replace("&amp;", "&")
    form = client.get(link).content.decode()
    # Then the form is filled in with the account and the overdue amount
    assert account.number in form and 'value="45.50"' in form
    assert 'id="account-overdue"' in form
    pay_by = timezone.localdate() + timedelta(days=3)
    response = client.post(
        link,
        {"account_number": account.number, "amount": "45.50", "pay_by": pay_by, "note": "Salary"},
    )
    promise = PromiseToPay.objects.get()
    assert response.status_code == 302 and response["Location"] == promise.get_absolute_url()
    assert promise.created_by == agent and promise.amount == D("45.50")
    page = client.get(promise.get_absolute_url()).content.decode()
    assert "Open" in page and 'id="action-approve"' not in page  # agents do not approve
    # And the customer's page shows the open promise and that dunning is held
    html = holds_html(account.customer, agent)
    assert f'data-promise="{promise.pk}" data-status="open"' in html and "Dunning held" in html


def test_a_promise_form_error_is_shown_on_the_form(as_role):
    account = owing_account("20.00")
    client, _agent = as_role(R.CUSTOMER_SERVICE)
    far = timezone.localdate() + timedelta(days=30)
    response = client.post(
        reverse("dunning:promise_create"),
        {"account_number": account.number, "amount": "10", "pay_by": far},
    )
    assert response.status_code == 422
    assert "within 14 days" in response.content.decode()
    assert not PromiseToPay.objects.exists()


def test_finance_approves_a_promise_an_agent_recorded(as_role, make_user):
    account = owing_account("60.00")
    promise = promise_create(
        account=account,
        amount=D("60"),
        pay_by=timezone.localdate(),
        actor=make_user(R.CUSTOMER_SERVICE),
    )
    agent_client, _agent = as_role(R.CUSTOMER_SERVICE)
    url = reverse("dunning:promise_approve", args=[promise.pk])
    assert agent_client.post(url).status_code == 403
    client, finance = as_role(R.BILLING_FINANCE)
    page = client.get(promise.get_absolute_url()).content.decode()
    assert 'id="action-approve"' in page
    response = client.post(url)
    assert response.status_code == 302
    promise.refresh_from_db()
    assert promise.approved_for_reconnection and promise.approved_by == finance
    # Cancel from the page: the promise is no longer open
    client.post(reverse("dunning:promise_cancel", args=[promise.pk]))
    promise.refresh_from_db()
    assert promise.status == PromiseStatus.CANCELLED


def test_the_promise_list_filters_open_and_due_soon(as_role):
    today = timezone.localdate()
    soon = promise_create(account=owing_account("10"), amount=D("10"), pay_by=today)
    later = promise_create(
        account=owing_account("10"), amount=D("10"), pay_by=today + timedelta(days=10)
    )
    client, _user = as_role(R.BACK_OFFICE)
    page = client.get(reverse("dunning:promise_list") + "?due_soon=true").content.decode()
    assert soon.billing_account.number in page and later.billing_account.number not in page
    page = client.get(reverse("dunning:promise_list") + "?status=kept").content.decode()
    assert soon.billing_account.number not in page


def test_a_payment_plan_is_previewed_by_htmx_then_agreed(as_role):
    account = owing_account("100.00")
    client, agent = as_role(R.CUSTOMER_SERVICE)
    url = reverse("dunning:payment_plan_create") + f"?account={account.pk}"
    form = client.get(url).content.decode()
    assert 'value="100.00"' in form and 'id="instalment-preview"' in form
    first = timezone.localdate() + timedelta(days=7)
    data = {"account_number": account.number, "total": "100.00", "count": 3, "first_due_on": first}
    preview = client.post(url, data, HTTP_HX_REQUEST="true").content.decode()
    assert preview.count("<tr data-number=") == 3 and "33.34" in preview
    assert not PaymentPlan.objects.exists()  # a preview saves nothing
    response = client.post(url, data)
    plan = PaymentPlan.objects.get()
    assert response["Location"] == plan.get_absolute_url()
    assert plan.status == PaymentPlanStatus.ACTIVE and plan.created_by == agent
    page = client.get(plan.get_absolute_url()).content.decode()
    assert page.count('data-status="due"') == 3 and 'id="action-cancel"' in page
    # More than the account owes: the form says so
    response = client.post(url, {**data, "total": "150.00"})
    assert response.status_code == 422 and "more than the" in response.content.decode()


def test_back_office_asks_a_deposit_from_the_account_page_and_finance_records_it(as_role):
    account = owing_account("10.00")
    client, _bo = as_role(R.BACK_OFFICE)
    account_page = client.get(account.get_absolute_url()).content.decode()
    url = reverse("dunning:deposit_create") + f"?account={account.pk}"
    assert url.replace("&", "&amp;") in account_page or url in account_page
    response = client.post(
        url, {"account_number": account.number, "amount": "150", "why": "12 SIMs ordered"}
    )
    deposit = Deposit.objects.get()
    assert response.status_code == 302
    assert deposit.status == DepositStatus.REQUESTED and deposit.why == "12 SIMs ordered"
    finance, _user = as_role(R.BILLING_FINANCE)
    detail = finance.get(reverse("dunning:deposit_detail", args=[deposit.pk])).content.decode()
    assert 'id="action-pay"' in detail and "Nothing booked" in detail
    finance.post(
        reverse("dunning:deposit_pay", args=[deposit.pk]),
        {"received_on": timezone.localdate(), "method": "transfer", "reference": "TRF-7"},
    )
    deposit.refresh_from_db()
    assert deposit.status == DepositStatus.PAID
    detail = finance.get(reverse("dunning:deposit_detail", args=[deposit.pk])).content.decode()
    assert "TRF-7" in detail and 'id="refund-later"' in detail
    listing = finance.get(reverse("dunning:deposit_list") + "?status=paid").content.decode()
    assert account.number in listing
    listing = finance.get(reverse("dunning:deposit_list") + "?status=requested").content.decode()
    assert account.number not in listing


def test_an_agent_sees_the_promise_buttons_on_the_account_page_not_the_deposit_one(as_role):
    account = owing_account("10.00")
    client, _agent = as_role(R.CUSTOMER_SERVICE)
    page = client.get(account.get_absolute_url()).content.decode()
    assert reverse("dunning:promise_create") in page
    assert reverse("dunning:payment_plan_create") in page
    assert reverse("dunning:deposit_create") not in page
    assert client.get(reverse("dunning:deposit_list")).status_code == 403


@pytest.mark.parametrize("role", [R.RETAILER, R.SUBSCRIBER, R.SALES, R.MARKETING])
def test_roles_outside_collections_are_refused(as_role, role):
    client, _user = as_role(role)
    for name in ("promise_list", "payment_plan_list", "deposit_list", "promise_create"):
        assert client.get(reverse(f"dunning:{name}")).status_code == 403, name


def test_customer_holds_lists_deposits_and_plans(make_user):
    account = owing_account("10.00")
    deposit_request(account=account, amount=D("40"), why="fraud")
    html = holds_html(account.customer, make_user(R.BILLING_FINANCE))
    assert "Requested" in html and "40.00" in html and "No payment plans." in html


def test_the_customer_page_collections_tab_links_to_a_prefilled_promise(as_role):
    account = owing_account("33.30")
    client, _agent = as_role(R.CUSTOMER_SERVICE)
    url = reverse("customers:customer_tab", args=[account.customer.pk, "collections"])
    tab = client.get(url).content.decode()
    assert 'id="customer-holds"' in tab  # the engine's tab includes the holds
    link = re.search(r'href="([^"]+)" data-action="promise"', tab).group(1).replace("&amp;", "&")
    assert 'value="33.30"' in client.get(link).content.decode()
