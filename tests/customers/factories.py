"""Test data for customers, built through the real services."""

from datetime import date
from itertools import count

from django.core.files.uploadedfile import SimpleUploadedFile

from customers import services

_serial = count(1)

# A minimal valid PDF (checked by content, like any upload).
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4"
    "890000000d4944415478da63f8cfc0f01f0005000201a0d6a3c20000000049454e44ae426082"
)


def person(actor=None, **fields):
    """A person with a unique valid phone (no duplicate warnings between tests)."""
    n = next(_serial)
    data = {
        "kind": "person",
        "first_name": "Ana",
        "last_name": f"Popescu{n}",
        "phone": f"+4072{n:07d}",
        "email": f"ana{n}@example.com",
        "date_of_birth": date(1985, 5, 17),
        "confirm_duplicates": True,
    }
    data.update(fields)
    return services.customer_create(actor=actor, **data)


def company(actor=None, **fields):
    """A company (no registration or VAT number unless given)."""
    n = next(_serial)
    data = {
        "kind": "company",
        "company_name": f"Firma {n} SRL",
        "phone": f"+4031{n:07d}",
        "email": f"office{n}@firma.example",
        "confirm_duplicates": True,
    }
    data.update(fields)
    return services.customer_create(actor=actor, **data)


def pdf(name="recording.pdf"):
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def make_customer_world(partner):
    """A customer of ``partner`` with a billing account and a logged call with a PDF."""
    customer = person(partner=partner)
    account = services.billing_account_create(customer=customer, actor=None)
    communication = services.communication_log(
        customer=customer,
        actor=None,
        channel="phone",
        direction="in",
        subject="Asked about the invoice",
        files=[pdf()],
    )
    return customer, account, communication.attachments.get()
