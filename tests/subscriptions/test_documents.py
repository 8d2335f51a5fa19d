"""Contract documents (SUB-7): personalised PDF, changed clauses listed, e-mailed
with the PDF attached, signed scan uploaded back (checked by content)."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from subscriptions import services
from subscriptions.choices import DocumentKind
from subscriptions.models import ContractClause
from tests.customers.factories import PDF_BYTES
from tests.products import factories as PF
from tests.subscriptions import factories as F

pytestmark = pytest.mark.django_db


@pytest.fixture
def clauses():
    ContractClause.objects.create(
        code="payment",
        order=1,
        title_en="Payment",
        text_en="Invoices are due in 15 days.",
        title_ro="Plata",
        text_ro="Facturile se plătesc în 15 zile.",
    )
    ContractClause.objects.create(
        code="termination",
        order=2,
        title_en="Termination",
        text_en="A fee applies before the term ends.",
    )


@pytest.fixture
def subscription(clauses):
    return F.subscription(PF.catalogue())


def test_html_is_personalised_and_lists_changed_clauses(subscription):
    html, changed = services.contract_html(
        subscription=subscription,
        kind=DocumentKind.CONTRACT,
        number="X-1",
        modified={"payment": "Invoices are due in 30 days."},
    )
    assert subscription.customer.display_name in html and subscription.number in html
    assert "12.10" in html  # the TV package, 10.00 + 21 % VAT
    assert [c["code"] for c in changed] == ["payment"]
    assert "Clauses that differ from the standard contract" in html
    assert "Invoices are due in 30 days." in html and "Invoices are due in 15 days." in html


def test_unchanged_contract_says_so_and_unknown_clauses_are_refused(subscription):
    html, changed = services.contract_html(
        subscription=subscription, kind="contract", number="X", modified={}
    )
    assert changed == [] and "every clause is the standard one" in html
    with pytest.raises(ValidationError, match="Unknown clauses: nope"):
        services.contract_html(
            subscription=subscription, kind="contract", number="X", modified={"nope": "x"}
        )


def test_contract_pdf_is_generated_in_the_language_and_numbered(subscription):
    document = services.contract_generate(
        subscription=subscription, modified_clauses={"termination": "No fee."}, language="ro"
    )
    assert document.number == f"{subscription.number}-C1"
    assert document.pdf.read(5) == b"%PDF-"
    assert document.modified_clauses[0]["text"] == "No fee."
    second = services.contract_generate(subscription=subscription)
    assert second.number == f"{subscription.number}-C2"


def test_contract_is_emailed_with_the_pdf(subscription, django_capture_on_commit_callbacks):
    document = services.contract_generate(subscription=subscription)
    with django_capture_on_commit_callbacks(execute=True):
        services.contract_email(document=document)
    message = mail.outbox[-1]
    assert message.to == [subscription.customer.email]
    assert message.attachments[0][0] == f"{document.number}.pdf"
    assert message.attachments[0][1][:5] == b"%PDF-"


def test_signed_scan_is_checked_by_content(subscription, make_user):
    document = services.contract_generate(subscription=subscription)
    fake = SimpleUploadedFile("signed.pdf", b"not a pdf at all", content_type="application/pdf")
    with pytest.raises(ValidationError):
        services.contract_upload_signed(document=document, upload=fake)
    agent = make_user("Sales")
    signed = SimpleUploadedFile("signed.pdf", PDF_BYTES, content_type="application/pdf")
    document = services.contract_upload_signed(document=document, upload=signed, actor=agent)
    assert document.signed_scan and document.signed_uploaded_by == agent
