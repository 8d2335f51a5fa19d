"""Country rules for phones and identity numbers, ages and attachments (CUS-2, CUS-7)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from customers.validation import (
    age_on,
    check_attachment,
    normalise_phone,
    validate_date_of_birth,
    validate_national_id,
    validate_registration_number,
    validate_vat_number,
)
from tests.customers.factories import PDF_BYTES, PNG_BYTES


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("0721 234 567", "+40721234567"),
        ("0721-234-567", "+40721234567"),
        ("+40 721 234 567", "+40721234567"),
        ("0040721234567", "+40721234567"),
        ("021 312 3456", "+40213123456"),
        ("+49 30 1234567", "+49301234567"),
    ],
)
def test_phones_in_any_usual_format_become_e164(typed, e164):
    assert normalise_phone(typed, "RO") == e164


@pytest.mark.parametrize("typed", ["12", "0721", "hello", "+40 999 999 999"])
def test_impossible_phones_are_refused_with_the_value(typed):
    with pytest.raises(ValidationError) as exc:
        normalise_phone(typed, "RO")
    assert typed in exc.value.messages[0]


def test_romanian_cnp_checked_by_its_check_digit():
    assert validate_national_id("1800101221144", "RO") == "1800101221144"
    with pytest.raises(ValidationError) as exc:
        validate_national_id("1800101221145", "RO")
    assert "check digit" in exc.value.messages[0]


def test_id_number_of_a_country_without_a_rule_is_kept_as_typed():
    assert validate_national_id("ab123456", "US") == "AB123456"


def test_vat_number_with_or_without_prefix():
    assert validate_vat_number("18547290", "RO") == "RO18547290"
    assert validate_vat_number("ro 18547290", "RO") == "RO18547290"
    with pytest.raises(ValidationError) as exc:
        validate_vat_number("RO18547291", "RO")
    assert "VAT number" in exc.value.messages[0]


def test_registration_number_of_romania():
    assert validate_registration_number("J40/12345/2010", "RO") == "J40/12345/2010"
    with pytest.raises(ValidationError):
        validate_registration_number("X99/1/1800", "RO")


def test_date_of_birth_not_in_the_future_and_an_adult():
    today = date(2026, 11, 23)
    validate_date_of_birth(date(2008, 11, 23), today)  # 18 today
    with pytest.raises(ValidationError, match="at least 18"):
        validate_date_of_birth(date(2008, 11, 24), today)
    with pytest.raises(ValidationError, match="future"):
        validate_date_of_birth(date(2027, 1, 1), today)
    assert age_on(date(2000, 2, 29), date(2026, 2, 28)) == 25


def test_attachments_are_checked_by_content_not_name(settings):
    pdf = SimpleUploadedFile("call.pdf", PDF_BYTES)
    assert check_attachment(pdf).content_type == "application/pdf"
    png = SimpleUploadedFile("photo.jpg", PNG_BYTES)  # wrong name, real PNG
    assert check_attachment(png).content_type == "image/png"
    fake = SimpleUploadedFile("invoice.pdf", b"#!/bin/sh\nrm -rf /\n")
    with pytest.raises(ValidationError, match="not an allowed file"):
        check_attachment(fake)
    settings.MAX_UPLOAD_SIZE = 10
    with pytest.raises(ValidationError, match="limit"):
        check_attachment(SimpleUploadedFile("call.pdf", PDF_BYTES))
