"""The subscriber's invoices and payments in the portal, and the rule that another
customer's objects are a 404 on every portal URL that takes an id (POR-1)."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from alux_crm.core.management.demo import DEMO_PASSWORD
from billing.services import payment_record
from portal.models import PortalAccount
from portal.views.invoices import PortalInvoiceListView
from tests.core.factories import UserFactory
from tests.dunning.engine_world import debtor, posted_invoice
from tests.products import factories as PF

pytestmark = pytest.mark.django_db

PORTAL_URLS_WITH_IDS = ["portal:invoice_detail", "portal:invoice_pdf"]


def subscriber(account) -> Client:
    user = UserFactory(role="Subscriber")
    user.set_password(DEMO_PASSWORD)
    user.save()
    PortalAccount.objects.create(user=user, customer=account.customer)
    client = Client()
    client.force_login(user, backend="alux_crm.core.auth_backends.UserBackend")
    return client


def test_invoices_payments_detail_and_pdf_of_the_subscriber():
    account = debtor(PF.catalogue())
    payment_record(account=account, amount=Decimal("15.00"), method="card", idempotency_key="p-1")
    invoice = account.invoices.get()
    client = subscriber(account)
    page = client.get("/portal/invoices/").content.decode()
    assert invoice.number in page and "25.00 left to pay" in page
    assert 'id="payments"' in page and "15.00 EUR" in page
    detail = client.get(f"/portal/invoices/{invoice.pk}/").content.decode()
    assert all(line.explanation in detail for line in invoice.lines.all())
    pdf = client.get(f"/portal/invoices/{invoice.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_invoice_list_pages_newest_first_without_counting(monkeypatch):
    monkeypatch.setattr(PortalInvoiceListView, "page_size", 2)
    account = debtor(owes=Decimal("10.00"))
    for total in ("20.00", "30.00"):
        posted_invoice(account, Decimal(total))
    first, second, third = account.invoices.order_by("-issued_on", "-id")
    client = subscriber(account)
    page_1 = client.get("/portal/invoices/").content.decode()
    assert first.number in page_1 and second.number in page_1 and third.number not in page_1
    assert 'href="?page=2" id="invoices-older"' in page_1 and "invoices-newer" not in page_1
    page_2 = client.get("/portal/invoices/?page=2").content.decode()
    assert third.number in page_2 and first.number not in page_2
    assert 'href="?page=1" id="invoices-newer"' in page_2 and "invoices-older" not in page_2
    # a page past the end or a nonsense page number answers, never an error
    assert "No older invoice." in client.get("/portal/invoices/?page=9").content.decode()
    assert first.number in client.get("/portal/invoices/?page=x").content.decode()


def test_every_portal_url_with_an_id_is_a_404_for_another_subscriber():
    cat = PF.catalogue()
    a, b = debtor(cat), debtor(cat)
    invoice_of_a = a.invoices.get()
    client_b = subscriber(b)
    for name in PORTAL_URLS_WITH_IDS:
        url = reverse(name, kwargs={"pk": invoice_of_a.pk})
        assert client_b.get(url).status_code == 404, name
    assert invoice_of_a.number not in client_b.get("/portal/invoices/").content.decode()
    # and subscriber A does see it
    assert (
        subscriber(a).get(reverse("portal:invoice_detail", args=[invoice_of_a.pk])).status_code
        == 200
    )
