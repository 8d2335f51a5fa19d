"""The subscriber's invoices and payments in the portal, and the rule that another
customer's objects are a 404 on every portal URL that takes an id (POR-1)."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from alux_crm.core.management.demo import DEMO_PASSWORD
from billing.services import payment_record
from portal.models import PortalAccount
from tests.core.factories import UserFactory
from tests.dunning.engine_world import debtor
from tests.products import factories as PF

pytestmark = pytest.mark.django_db

PORTAL_URLS_WITH_IDS = ["portal:invoice_detail", "portal:invoice_pdf"]


def subscriber(account) -> Client:
    user = UserFactory(role="Subscriber")
    user.set_password(DEMO_PASSWORD)
    user.save()
    PortalAccount.objects.create(user=user, customer=account.customer)
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
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
