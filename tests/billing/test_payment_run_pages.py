"""The payment-run and mandate screens: who may open and act (Billing & Finance
runs, Back Office looks), drafting with a date check, the preview and exclusions,
export and the file download, the rejection upload with per-row errors, and the
Mandates tab and form of a billing account."""

import uuid
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alux_crm.core import roles as R
from alux_crm.core import selectors as core_selectors
from billing.choices import PaymentRunStatus
from billing.models import DirectDebitMandate, PaymentRun
from billing.services import payment_runs as pr
from tests.billing.test_payment_runs import collection_day, debtor
from tests.subscriptions import factories as SF

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture(autouse=True)
def _isolated(settings):
    settings.OTP_REQUIRED_ROLES = []
    prefix = f"alux-test-{uuid.uuid4().hex[:8]}"
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": prefix}}
    yield
    core_selectors.operator_settings_forget()


@pytest.fixture
def as_role(make_user):
    def do(role: str):
        user = make_user(role)
        client = Client()
        client.force_login(user, backend="alux_crm.core.auth_backends.UserBackend")
        return client, user

    return do


@pytest.fixture
def draft():
    accounts = [debtor(n)[0] for n in (1, 2, 3)]
    return pr.payment_run_create(collection_date=collection_day()), accounts


def test_roles_on_the_payment_run_pages(as_role, draft):
    run, _ = draft
    finance, _ = as_role(R.BILLING_FINANCE)
    back_office, _ = as_role(R.BACK_OFFICE)
    sales, _ = as_role(R.SALES)
    detail = reverse("billing:payment_run_detail", args=[run.pk])
    export = reverse("billing:payment_run_action", args=[run.pk, "export"])

    for client in (finance, back_office):
        assert client.get(reverse("billing:payment_run_list")).status_code == 200
        assert client.get(detail).status_code == 200
    assert sales.get(reverse("billing:payment_run_list")).status_code == 403
    assert sales.get(detail).status_code == 403

    # Back Office looks but does not draft, exclude, export or upload.
    page = back_office.get(detail).content.decode()
    assert 'id="action-export"' not in page and 'name="items"' not in page
    assert back_office.get(reverse("billing:payment_run_create")).status_code == 403
    assert back_office.post(export).status_code == 403
    assert (
        back_office.post(
            reverse("billing:payment_run_exclude", args=[run.pk]), {"items": [1]}
        ).status_code
        == 403
    )
    run.refresh_from_db()
    assert run.status == PaymentRunStatus.DRAFT

    page = finance.get(detail).content.decode()
    assert 'id="action-export"' in page and 'name="items"' in page
    nav = finance.get(reverse("dashboard")).content.decode()
    assert reverse("billing:payment_run_list") in nav


def test_new_run_form_checks_the_date_and_drafts(as_role):
    debtor(1)
    client, user = as_role(R.BILLING_FINANCE)
    url = reverse("billing:payment_run_create")
    assert client.get(url).status_code == 200
    today = timezone.localdate()
    response = client.post(url, {"collection_date": today.isoformat()})
    assert response.status_code == 422
    assert "Choose a date after today" in response.content.decode()

    response = client.post(url, {"collection_date": collection_day().isoformat()})
    run = PaymentRun.objects.get()
    assert response.status_code == 302 and response["Location"] == run.get_absolute_url()
    assert run.created_by == user and run.collections == 1


def test_preview_lists_collections_and_exclusion(as_role, draft, django_assert_max_num_queries):
    run, accounts = draft
    client, _ = as_role(R.BILLING_FINANCE)
    with django_assert_max_num_queries(20):
        page = client.get(run.get_absolute_url()).content.decode()
    for account in accounts:
        assert account.number in page
    assert "DE89 ••••" not in page and "•••• " in page  # IBANs masked on screen
    assert "90.00" in page  # the total

    item = run.items.get(billing_account=accounts[0])
    response = client.post(
        reverse("billing:payment_run_exclude", args=[run.pk]), {"items": [item.pk]}
    )
    assert response.status_code == 302
    run.refresh_from_db()
    assert (run.collections, run.total) == (2, D("60.00"))


def test_detail_queries_do_not_grow_with_collections(as_role, django_assert_max_num_queries):
    for n in range(1, 13):
        debtor(n)
    run = pr.payment_run_create(collection_date=collection_day())
    client, _ = as_role(R.BILLING_FINANCE)
    with django_assert_max_num_queries(20):
        assert client.get(run.get_absolute_url()).status_code == 200


def test_export_download_and_rejection_upload(as_role, draft):
    run, accounts = draft
    client, _ = as_role(R.BILLING_FINANCE)
    export = reverse("billing:payment_run_action", args=[run.pk, "export"])
    assert client.get(export).status_code == 200  # the confirmation page
    assert client.post(export).status_code == 302
    run.refresh_from_db()
    assert run.status == PaymentRunStatus.EXPORTED

    # A second export is a message, not a 500.
    again = client.post(export, follow=True)
    assert "already exported" in again.content.decode()

    download = client.get(reverse("billing:payment_run_file", args=[run.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    body = b"".join(download.streaming_content)
    assert b"pain.008.001.02" in body and run.message_id.encode() in body
    back_office, _ = as_role(R.BACK_OFFICE)
    assert back_office.get(reverse("billing:payment_run_file", args=[run.pk])).status_code == 200

    item = run.items.get(billing_account=accounts[0])
    upload = reverse("billing:payment_run_rejections", args=[run.pk])
    bad = SimpleUploadedFile(
        "r.csv", f"{item.end_to_end_id},AM04\nDD0-nope,AC04\n{item.end_to_end_id}\n".encode()
    )
    response = client.post(upload, {"file": bad})
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="rejection-errors"' in page and "Row 2" in page and "Row 3" in page
    accounts[0].refresh_from_db()
    assert accounts[0].balance == D("0.00")  # nothing imported

    good = SimpleUploadedFile("r.csv", f"{item.end_to_end_id},AM04\n".encode())
    response = client.post(upload, {"file": good}, follow=True)
    assert response.status_code == 200 and "1 collections taken back" in response.content.decode()
    accounts[0].refresh_from_db()
    assert accounts[0].balance == D("30.00")
    assert "Insufficient funds" in response.content.decode()

    close = reverse("billing:payment_run_action", args=[run.pk, "close"])
    assert client.post(close).status_code == 302
    run.refresh_from_db()
    assert run.status == PaymentRunStatus.CLOSED


def test_download_before_export_goes_back_to_the_run(as_role, draft):
    run, _ = draft
    client, _ = as_role(R.BILLING_FINANCE)
    response = client.get(reverse("billing:payment_run_file", args=[run.pk]))
    assert response.status_code == 302 and response["Location"] == run.get_absolute_url()


def test_mandate_tab_and_form(as_role):
    account = SF.account()
    finance, _ = as_role(R.BILLING_FINANCE)
    service, _ = as_role(R.CUSTOMER_SERVICE)
    create = reverse("billing:mandate_create", args=[account.pk])
    tab = reverse("customers:billing_account_tab", args=[account.pk, "mandates"])

    assert finance.get(create).status_code == 200
    assert service.get(create).status_code == 403
    response = finance.post(
        create,
        {
            "reference": "M-42",
            "debtor_name": "Ana Pop",
            "iban": "DE89370400440532013001",
            "bic": "",
            "signed_on": "2025-06-01",
        },
    )
    assert response.status_code == 422 and "not a valid IBAN" in response.content.decode()
    response = finance.post(
        create,
        {
            "reference": "M-42",
            "debtor_name": "Ana Pop",
            "iban": "DE89 3704 0044 0532 0130 00",
            "bic": "COBADEFFXXX",
            "signed_on": "2025-06-01",
        },
    )
    assert response.status_code == 302 and response["Location"].endswith("?tab=mandates")
    mandate = DirectDebitMandate.objects.get()

    page = finance.get(tab).content.decode()
    assert "M-42" in page and "DE89370400440532013000" in page and 'id="mandate-create"' in page
    page = service.get(tab).content.decode()
    assert "M-42" in page and "DE89370400440532013000" not in page and "DE89 ••••" in page
    assert 'id="mandate-create"' not in page and "Revoke" not in page

    revoke = reverse("billing:mandate_revoke", args=[mandate.pk])
    assert service.post(revoke).status_code == 403
    assert finance.get(revoke).status_code == 200
    assert finance.post(revoke).status_code == 302
    mandate.refresh_from_db()
    assert mandate.status == "revoked"
