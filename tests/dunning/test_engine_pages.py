"""Pages of the dunning engine per role: plans and steps (templates checked, move,
delete, preview), runs (start, live progress), accounts in dunning with filters and
CSV, the agency CSV, letters to print, an account's collection settings and the
customer-360 Collections tab."""

import csv
import io
import zipfile
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from alux_crm.core import roles as R
from dunning.choices import DunningRunStatus
from dunning.models import AccountCollectionSettings, DunningActionRecord, DunningRun, DunningStep
from dunning.services import engine
from tests.dunning.engine_world import DUE, debtor, full_plan, run_day
from tests.products import factories as PF

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture(autouse=True)
def _no_otp(settings):
    settings.OTP_REQUIRED_ROLES = []


@pytest.fixture
def as_role(make_user):
    def do(role):
        client = Client()
        client.force_login(make_user(role), backend="alux_crm.core.auth_backends.UserBackend")
        return client

    return do


@pytest.fixture
def plan():
    return full_plan()


def test_back_office_edits_plans_others_read(as_role, plan):
    office, agent = as_role(R.BACK_OFFICE), as_role(R.CUSTOMER_SERVICE)
    page = agent.get(reverse("dunning:plan_detail", args=[plan.pk])).content.decode()
    assert "Friendly reminder" in page and 'id="step-create"' not in page
    assert agent.get(reverse("dunning:step_create", args=[plan.pk])).status_code == 403
    assert as_role(R.RETAILER).get(reverse("dunning:plan_list")).status_code == 403

    response = office.post(
        reverse("dunning:step_create", args=[plan.pk]),
        {"name": "Last call", "days_after_due": 100, "action": "email",
         "subject": "Still {{ amount }}", "body": "Pay {{ amount }}", "fee_amount": "0"},
    )  # fmt: skip
    assert response.status_code == 302
    step = plan.steps.get(name="Last call")
    assert step.position == 9  # added at the end


def test_a_template_syntax_error_is_a_form_error(as_role, plan):
    office = as_role(R.BACK_OFFICE)
    step = plan.steps.get(action="email")
    response = office.post(
        reverse("dunning:step_edit", args=[step.pk]),
        {"name": step.name, "days_after_due": 3, "action": "email",
         "subject": "Hi", "body": "Dear {% if customer %}", "fee_amount": "0"},
    )  # fmt: skip
    assert response.status_code == 422
    assert "This template has an error" in response.content.decode()
    step.refresh_from_db()
    assert step.body.startswith("Dear {{ customer.display_name }}")


def test_steps_move_up_and_down_and_an_unused_one_is_deleted(as_role, plan):
    office = as_role(R.BACK_OFFICE)
    sms = plan.steps.get(action="sms")
    office.post(reverse("dunning:step_move", args=[sms.pk, "up"]))
    assert list(plan.steps.order_by("position").values_list("action", flat=True))[:2] == [
        "sms",
        "email",
    ]
    office.post(reverse("dunning:step_move", args=[sms.pk, "down"]))
    assert plan.steps.get(position=1).action == "email"
    response = office.post(reverse("dunning:step_delete", args=[sms.pk]))
    assert response.status_code == 302
    assert not DunningStep.objects.filter(pk=sms.pk).exists()
    assert list(plan.steps.order_by("position").values_list("position", flat=True)) == list(
        range(1, 8)
    )


def test_preview_renders_the_step_for_an_account(as_role, plan):
    account = debtor(owes=D("55.10"))
    step = plan.steps.get(action="email")
    page = as_role(R.BILLING_FINANCE).get(
        reverse("dunning:step_preview", args=[step.pk]), {"account": account.number}
    )
    html = page.content.decode()
    assert "Overdue 55.10 EUR" in html and account.customer.display_name in html


def test_back_office_runs_todays_dunning_and_sees_progress(
    as_role, plan, django_capture_on_commit_callbacks
):
    office = as_role(R.BACK_OFFICE)
    assert "Run today" in office.get(reverse("dunning:dunning_run_list")).content.decode()
    assert (
        "Run today"
        not in as_role(R.BILLING_FINANCE).get(reverse("dunning:dunning_run_list")).content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = office.post(reverse("dunning:dunning_run_start"))
    run = DunningRun.objects.get()
    assert response["Location"] == reverse("dunning:dunning_run_detail", args=[run.pk])
    assert run.status == DunningRunStatus.DONE
    progress = office.get(
        reverse("dunning:dunning_run_progress", args=[run.pk]), HTTP_HX_REQUEST="true"
    )
    assert progress["HX-Refresh"] == "true"  # done: the page reloads once


def test_accounts_in_dunning_filters_csv_and_agency_export(
    as_role, plan, django_capture_on_commit_callbacks
):
    big, small = debtor(owes=D("300.00")), debtor(owes=D("20.00"))
    for offset in range(3, 100):
        run_day(DUE + timedelta(days=offset), django_capture_on_commit_callbacks)
    client = as_role(R.CUSTOMER_SERVICE)
    url = reverse("dunning:account_list")
    page = client.get(url, {"min_amount": "100"}).content.decode()
    assert big.number in page and small.number not in page
    rows = list(
        csv.reader(
            io.StringIO(b"".join(client.get(url, {"_export": "csv"}).streaming_content).decode())
        )
    )
    assert len(rows) == 3 and rows[0][0] == "Account"
    agency = client.get(reverse("dunning:agency_export"))
    lines = list(csv.reader(io.StringIO(b"".join(agency.streaming_content).decode())))
    assert lines[0][:4] == ["Account", "Customer", "Customer number", "ID number"]
    by_account = {line[0]: line for line in lines[1:]}
    assert by_account[big.number][7] == "300.00"
    assert by_account[big.number][9] == DUE.isoformat()
    assert by_account[big.number][5] == big.customer.phone


def test_letters_to_print_as_one_pdf_or_zip_then_marked_printed(
    as_role, plan, django_capture_on_commit_callbacks
):
    accounts = [debtor(), debtor()]
    run_day(DUE + timedelta(days=14), django_capture_on_commit_callbacks)  # e-mail
    run_day(DUE + timedelta(days=15), django_capture_on_commit_callbacks)  # SMS
    run_day(DUE + timedelta(days=16), django_capture_on_commit_callbacks)  # letter
    letters = DunningActionRecord.objects.filter(action="letter")
    assert letters.count() == 2 and all(letter.document for letter in letters)
    office = as_role(R.BACK_OFFICE)
    page = office.get(reverse("dunning:letter_list")).content.decode()
    assert all(a.number in page for a in accounts)
    first = letters.first()
    response = office.post(reverse("dunning:letter_print"), {"format": "zip", "letter": [first.pk]})
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert len(archive.namelist()) == 1 and archive.read(archive.namelist()[0])[:4] == b"%PDF"
    response = office.post(reverse("dunning:letter_print"), {"format": "pdf"})
    assert response["Content-Type"] == "application/pdf" and response.content[:4] == b"%PDF"
    assert not letters.filter(printed_at__isnull=True).exists()
    assert "No letters to print" in office.get(reverse("dunning:letter_list")).content.decode()
    assert as_role(R.CUSTOMER_SERVICE).post(reverse("dunning:letter_print")).status_code == 403


def test_collection_settings_from_the_billing_account_page(as_role, plan):
    account = debtor(owes=D("0"))
    office = as_role(R.BACK_OFFICE)
    detail = office.get(reverse("customers:billing_account_detail", args=[account.pk]))
    url = reverse("dunning:account_settings", args=[account.pk])
    assert url in detail.content.decode()
    refused = office.post(url, {"never_disconnect": "on", "reason": ""})
    assert refused.status_code == 422
    office.post(url, {"never_disconnect": "on", "reason": "Spitalul Județean"})
    settings_row = AccountCollectionSettings.objects.get(billing_account=account)
    assert settings_row.never_disconnect and settings_row.reason == "Spitalul Județean"
    agent_page = as_role(R.CUSTOMER_SERVICE).get(
        reverse("customers:billing_account_detail", args=[account.pk])
    )
    assert url not in agent_page.content.decode()


def test_customer_360_collections_tab_shows_the_timeline(
    as_role, plan, django_capture_on_commit_callbacks
):
    cat = PF.catalogue()
    account = debtor(cat, owes=D("77.00"))
    AccountCollectionSettings.objects.create(
        billing_account=account, never_disconnect=True, reason="VIP"
    )
    for offset in (3, 7, 14):
        run_day(DUE + timedelta(days=offset), django_capture_on_commit_callbacks)
    customer = account.customer
    html = (
        as_role(R.CUSTOMER_SERVICE)
        .get(reverse("customers:customer_tab", args=[customer.pk, "collections"]))
        .content.decode()
    )
    assert "Friendly reminder" in html and "SMS reminder" in html and "Formal letter" in html
    assert 'data-flag="never-disconnect"' in html and "77.00 EUR" in html
    letter = DunningActionRecord.objects.get(action="letter")
    assert reverse("dunning:letter_pdf", args=[letter.pk]) in html
    retailer = as_role(R.RETAILER)
    page = retailer.get(reverse("customers:customer_detail", args=[customer.pk]))
    assert 'data-tab="collections"' not in page.content.decode()


def test_api_lists_accounts_in_dunning_and_the_timeline(
    as_role, plan, django_capture_on_commit_callbacks
):
    account = debtor(owes=D("90.00"))
    debtor(owes=D("15.00"))
    for offset in (3, 7):
        run_day(DUE + timedelta(days=offset), django_capture_on_commit_callbacks)
    client = as_role(R.BILLING_FINANCE)
    listing = client.get("/api/v1/dunning/accounts/", {"min_amount": "50"}).json()
    assert [row["account_number"] for row in listing["results"]] == [account.number]
    row = listing["results"][0]
    assert (row["overdue_amount"], row["plan"], row["current_step"]) == (
        "90.00",
        "residential",
        "SMS reminder",
    )
    detail = client.get(f"/api/v1/dunning/accounts/{row['id']}/").json()
    assert [(s["action"], s["outcome"]) for s in detail["timeline"]] == [
        ("email", "done"),
        ("sms", "done"),
    ]
    assert as_role(R.RETAILER).get("/api/v1/dunning/accounts/").status_code == 403


def test_run_page_lists_the_steps_done(as_role, plan, django_capture_on_commit_callbacks):
    account = debtor()
    run = run_day(DUE + timedelta(days=3), django_capture_on_commit_callbacks)
    html = (
        as_role(R.BILLING_FINANCE)
        .get(reverse("dunning:dunning_run_detail", args=[run.pk]))
        .content.decode()
    )
    assert account.number in html and "Friendly reminder" in html
    assert engine.dunning_run_progress(run=run) == 100


def test_collections_tab_queries_do_not_grow_with_accounts_and_steps(
    as_role, plan, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.customers import factories as CF

    def queries(customer) -> int:
        client = as_role(R.CUSTOMER_SERVICE)
        url = reverse("customers:customer_tab", args=[customer.pk, "collections"])
        client.get(url)  # warm the caches (operator settings, session)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    one = CF.person()
    debtor(customer=one)
    many = CF.person()
    for _ in range(3):
        debtor(customer=many)
    for offset in (3, 7, 14):
        run_day(DUE + timedelta(days=offset), django_capture_on_commit_callbacks)
    assert queries(many) == queries(one)
