"""Validation of customer data by country rules (CUS-2) and of uploaded files.

- Phones are parsed with ``phonenumbers`` (national formats of the customer's
  country accepted) and stored in E.164.
- National ID, company registration and VAT numbers are checked with
  ``python-stdnum`` where a rule exists for the country, and stored compact.
- Attachments are checked by their content (magic bytes), not their name.
"""

import hashlib
import importlib
from dataclasses import dataclass
from datetime import date

import filetype
import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.exceptions import ValidationError as StdnumError

ADULT_AGE = 18

# Country -> python-stdnum module of the personal identity number.
NATIONAL_ID_MODULES = {
    "BG": "stdnum.bg.egn",
    "CZ": "stdnum.cz.rc",
    "DK": "stdnum.dk.cpr",
    "EE": "stdnum.ee.ik",
    "ES": "stdnum.es.dni",
    "FI": "stdnum.fi.hetu",
    "HR": "stdnum.hr.oib",
    "IT": "stdnum.it.codicefiscale",
    "LT": "stdnum.lt.asmens",
    "NL": "stdnum.nl.bsn",
    "PL": "stdnum.pl.pesel",
    "RO": "stdnum.ro.cnp",
    "SE": "stdnum.se.personnummer",
    "SI": "stdnum.si.emso",
    "SK": "stdnum.sk.rc",
}

# Country -> python-stdnum module of the company registration number.
REGISTRATION_MODULES = {
    "DE": "stdnum.de.handelsregisternummer",
    "EE": "stdnum.ee.registrikood",
    "ES": "stdnum.es.cif",
    "FR": "stdnum.fr.siren",
    "PL": "stdnum.pl.regon",
    "RO": "stdnum.ro.onrc",
}

# What may be attached to a communication: detected type -> shown name.
ALLOWED_ATTACHMENT_TYPES = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/gif": "GIF",
    "image/webp": "WebP",
    "application/pdf": "PDF",
    "audio/mpeg": "MP3",
    "audio/x-wav": "WAV",
    "audio/ogg": "OGG",
    "audio/mp4": "M4A",
    "audio/m4a": "M4A",
}


def _module(path: str):
    return importlib.import_module(path)


def normalise_phone(value: str, country: str) -> str:
    """``value`` in any usual format → E.164 (``+40721234567``); ValidationError if it is
    not a possible, valid number for ``country`` (or its own international prefix)."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, country.upper() or None)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(
            _("“%(value)s” is not a phone number."), code="phone", params={"value": value}
        ) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("“%(value)s” is not a valid phone number for %(country)s."),
            code="phone",
            params={"value": value, "country": country},
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_search_forms(value: str, country: str) -> list[str]:
    """E.164 forms a search text may mean (empty if it is no phone number)."""
    try:
        return [normalise_phone(value, country)]
    except ValidationError:
        return []


def _check(value: str, module_path: str | None, label: str) -> str:
    value = (value or "").strip()
    if not value or module_path is None:
        return value.upper()
    module = _module(module_path)
    try:
        return module.validate(value)
    except StdnumError as exc:
        raise ValidationError(
            _("%(label)s “%(value)s” is not valid: %(reason)s"),
            code="invalid_number",
            params={"label": label, "value": value, "reason": exc.message},
        ) from exc


def validate_national_id(value: str, country: str) -> str:
    """The personal ID number, compact, checked by the country's rule where one exists."""
    return _check(value, NATIONAL_ID_MODULES.get(country.upper()), _("ID number"))


def validate_registration_number(value: str, country: str) -> str:
    """The company registration number, checked by the country's rule where one exists."""
    return _check(value, REGISTRATION_MODULES.get(country.upper()), _("Registration number"))


def validate_vat_number(value: str, country: str) -> str:
    """The VAT number (with or without the country prefix), compact with its prefix."""
    value = (value or "").strip().upper().replace(" ", "")
    if not value:
        return ""
    from stdnum.eu import vat as eu_vat

    prefix = "EL" if country.upper() == "GR" else country.upper()
    candidate = value if value[:2].isalpha() else f"{prefix}{value}"
    if eu_vat.guess_country(candidate) or candidate[:2].lower() in eu_vat.MEMBER_STATES:
        try:
            return eu_vat.validate(candidate)
        except StdnumError as exc:
            raise ValidationError(
                _("VAT number “%(value)s” is not valid: %(reason)s"),
                code="invalid_number",
                params={"value": value, "reason": exc.message},
            ) from exc
    return candidate


def age_on(born: date, day: date) -> int:
    """Whole years between ``born`` and ``day``."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def validate_date_of_birth(born: date | None, today: date) -> None:
    """Not in the future, and an adult: a person signs the contract."""
    if born is None:
        return
    if born > today:
        raise ValidationError(_("The date of birth is in the future."), code="future")
    if age_on(born, today) < ADULT_AGE:
        raise ValidationError(
            _("The customer must be at least %(age)s years old to sign a contract."),
            code="minor",
            params={"age": ADULT_AGE},
        )


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed the checks, with what was detected."""

    content_type: str
    size: int
    sha256: str


def check_attachment(upload) -> CheckedFile:
    """Refuse a file that is too large or whose *content* is not an allowed type."""
    limit = settings.MAX_UPLOAD_SIZE
    if upload.size > limit:
        raise ValidationError(
            _("“%(name)s” is %(size)s MB; the limit is %(limit)s MB."),
            code="too_large",
            params={
                "name": upload.name,
                "size": round(upload.size / 1024 / 1024, 1),
                "limit": round(limit / 1024 / 1024, 1),
            },
        )
    upload.seek(0)
    head = upload.read(8192)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ALLOWED_ATTACHMENT_TYPES:
        raise ValidationError(
            _("“%(name)s” is not an allowed file. Attach images, PDF or audio recordings."),
            code="file_type",
            params={"name": upload.name},
        )
    digest = hashlib.sha256(head)
    for chunk in iter(lambda: upload.read(1024 * 1024), b""):
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(content_type=kind.mime, size=upload.size, sha256=digest.hexdigest())
