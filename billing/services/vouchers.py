"""Prepaid vouchers (SUB-9): batches of scratch-card codes that top up a prepaid
subscription's balance.

* **Codes** are 16 characters drawn with :mod:`secrets` from a 32-character alphabet
  without look-alikes (no 0/O, 1/I) — 80 bits, so guessing one is hopeless — and
  printed grouped as ``XXXX-XXXX-XXXX-XXXX``.
* **Only a keyed hash is stored**: HMAC-SHA256 of the normalised code with
  ``settings.VOUCHER_CODE_KEY`` (default: ``SECRET_KEY``). A database dump does not
  reveal a single usable code; the plain codes exist once, in the CSV answered when
  the batch is generated.
* **Redemption is once only**: the voucher row is locked (``SELECT ... FOR UPDATE``)
  while it is checked and marked redeemed, and the top-up carries the idempotency key
  ``voucher-<pk>``, so concurrent attempts with the same code give exactly one top-up.
* **Refusals are logged** on ``alux.security`` (never the code itself) so brute force
  shows up.
"""

import hashlib
import hmac
import logging
import re
import secrets
from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alux_crm.core.errors import DomainError
from alux_crm.core.money import round_money
from subscriptions.choices import FINAL_STATUSES
from subscriptions.services.prepaid import prepaid_top_up

from ..choices import VoucherStatus
from ..models import Voucher, VoucherBatch

security_log = logging.getLogger("alux.security")

#: Characters of a code: digits and capitals without 0/O and 1/I (32 = 5 bits each).
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
#: Characters of a code (16 x 5 bits = 80 bits of entropy).
CODE_LENGTH = 16
#: Characters per printed group (XXXX-XXXX-XXXX-XXXX).
CODE_GROUP = 4
#: Vouchers per batch, at most.
MAX_BATCH_QUANTITY = 100_000
#: Rows per INSERT when a batch is written.
BULK_CREATE_BATCH_SIZE = 2_000
#: Prefix of batch numbers (VB-000001) and of serials (VB-000001-000001).
BATCH_PREFIX = "VB-"
#: Key of the transaction-level advisory lock that serialises batch numbering.
_NUMBER_LOCK_KEY = 0x564F55434852  # "VOUCHR"

_CODE_RE = re.compile(rf"^[{CODE_ALPHABET}]{{{CODE_LENGTH}}}$")
_CURRENCY_RE = re.compile(r"^[A-Z]{3}$")


# --- codes --------------------------------------------------------------------------


def voucher_code_new() -> str:
    """A fresh random code, normalised (16 characters, no separators)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def voucher_code_format(code: str) -> str:
    """The printed form of a normalised code: ``XXXX-XXXX-XXXX-XXXX``."""
    return "-".join(code[i : i + CODE_GROUP] for i in range(0, len(code), CODE_GROUP))


def voucher_code_normalise(code: str) -> str:
    """What a person typed, as the generator wrote it: upper case, without spaces,
    dashes or other separators."""
    return re.sub(r"[\s\-_.]+", "", (code or "")).upper()


def voucher_code_hash(code: str) -> str:
    """The stored form of a code: hex HMAC-SHA256 of the normalised code, keyed with
    ``settings.VOUCHER_CODE_KEY``."""
    key = getattr(settings, "VOUCHER_CODE_KEY", "") or settings.SECRET_KEY
    return hmac.new(key.encode(), voucher_code_normalise(code).encode(), hashlib.sha256).hexdigest()


# --- batches ------------------------------------------------------------------------


def _next_batch_number() -> str:
    """The next batch number, ``VB-000001``. Batches are never deleted (their
    vouchers protect them), so the highest number plus one under a transaction-level
    advisory lock is unique without a database sequence."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_NUMBER_LOCK_KEY])
    highest = 0
    for number in VoucherBatch.objects.filter(number__startswith=BATCH_PREFIX).values_list(
        "number", flat=True
    ):
        suffix = number[len(BATCH_PREFIX) :]
        if suffix.isdigit():
            highest = max(highest, int(suffix))
    return f"{BATCH_PREFIX}{highest + 1:06d}"


def _validate_batch(*, value, currency, valid_from, valid_until, quantity) -> dict:
    """Check a batch's terms; raise ``ValidationError`` with a message per field,
    return the cleaned values."""
    errors: dict[str, str] = {}
    try:
        value = round_money(value)
    except (InvalidOperation, TypeError, ValueError):
        errors["value"] = _("Enter an amount.")
    else:
        if value <= 0:
            errors["value"] = _("A voucher must be worth more than zero.")
    currency = (currency or "").strip().upper()
    if not _CURRENCY_RE.match(currency):
        errors["currency"] = _("Enter a three-letter currency code (e.g. EUR).")
    if not isinstance(quantity, int) or isinstance(quantity, bool):
        errors["quantity"] = _("Enter a whole number of vouchers.")
    elif not 1 <= quantity <= MAX_BATCH_QUANTITY:
        errors["quantity"] = _("A batch has from 1 to %(max)s vouchers.") % {
            "max": MAX_BATCH_QUANTITY
        }
    if not isinstance(valid_from, date):
        errors["valid_from"] = _("Enter a date.")
    if not isinstance(valid_until, date):
        errors["valid_until"] = _("Enter a date.")
    elif isinstance(valid_from, date) and valid_until < valid_from:
        errors["valid_until"] = _("The end of validity cannot be before its start.")
    if errors:
        raise ValidationError(errors)
    return {"value": value, "currency": currency}


@transaction.atomic
def voucher_batch_generate(
    *,
    value: Decimal,
    currency: str,
    valid_from: date,
    valid_until: date,
    quantity: int,
    description: str = "",
    actor=None,
) -> tuple[VoucherBatch, list[tuple[str, str]]]:
    """Create a batch of ``quantity`` vouchers worth ``value`` ``currency`` each,
    redeemable from ``valid_from`` to ``valid_until`` (both included).

    Returns the batch and its ``(serial, code)`` pairs, the codes in printed form.
    This is the only time the codes exist in clear: the caller hands them over (the
    CSV for the printer) and forgets them; the database keeps only their HMACs."""
    cleaned = _validate_batch(
        value=value,
        currency=currency,
        valid_from=valid_from,
        valid_until=valid_until,
        quantity=quantity,
    )
    batch = VoucherBatch.objects.create(
        number=_next_batch_number(),
        description=(description or "").strip()[:200],
        value=cleaned["value"],
        currency=cleaned["currency"],
        valid_from=valid_from,
        valid_until=valid_until,
        quantity=quantity,
        created_by=actor,
    )
    codes: set[str] = set()
    while len(codes) < quantity:  # a repeat within the batch (≈ never) is drawn again
        codes.add(voucher_code_new())
    pairs: list[tuple[str, str]] = []
    vouchers: list[Voucher] = []
    for index, code in enumerate(codes, start=1):
        serial = f"{batch.number}-{index:06d}"
        pairs.append((serial, voucher_code_format(code)))
        vouchers.append(Voucher(batch=batch, serial=serial, code_hash=voucher_code_hash(code)))
    # A clash with an older batch's hash (2^-80 per pair) fails the unique constraint
    # and rolls the whole batch back rather than issuing an unredeemable card.
    Voucher.objects.bulk_create(vouchers, batch_size=BULK_CREATE_BATCH_SIZE)
    security_log.info(
        "voucher batch %s generated: %s x %s %s by user %s",
        batch.number,
        quantity,
        batch.value,
        batch.currency,
        getattr(actor, "pk", None),
    )
    return batch, pairs


@transaction.atomic
def voucher_batch_void(*, batch: VoucherBatch, actor=None) -> int:
    """Void the vouchers of ``batch`` that are not redeemed yet (a lost or stolen
    batch); redeemed ones stay as they are. Returns how many were voided."""
    ids = list(
        Voucher.objects.select_for_update(no_key=True)
        .filter(batch=batch, status=VoucherStatus.ISSUED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    count = Voucher.objects.filter(pk__in=ids, status=VoucherStatus.ISSUED).update(
        status=VoucherStatus.VOID
    )
    security_log.warning(
        "voucher batch %s voided: %s vouchers by user %s",
        batch.number,
        count,
        getattr(actor, "pk", None),
    )
    return count


# --- redemption ---------------------------------------------------------------------


class VoucherRefused(DomainError):
    """A voucher could not be redeemed; ``code`` says why (for the API and logs)."""

    code = "voucher_refused"


def _refuse(reason: str, message: str, *, subscription, actor, voucher=None):
    """Log a refused redemption on ``alux.security`` and raise."""
    security_log.warning(
        "voucher redemption refused (%s): voucher=%s subscription=%s user=%s",
        reason,
        voucher.serial if voucher is not None else "-",
        getattr(subscription, "pk", None),
        getattr(actor, "pk", None),
    )
    raise VoucherRefused(message, code=f"voucher_{reason}")


@transaction.atomic
def voucher_redeem(*, code: str, subscription, actor=None) -> Voucher:
    """Redeem the voucher with ``code`` as a top-up of prepaid ``subscription``.

    The code is normalised (case, spaces, dashes) and looked up by its hash with the
    voucher row locked. Refused with a ``DomainError`` (``VoucherRefused``) when the
    code is unknown or void, already redeemed, not valid yet, expired, in another
    currency than the subscription, or when the subscription is not prepaid or has
    ended (terminated, cancelled). On
    success the voucher is marked redeemed and ``prepaid_top_up`` raises the balance
    by the batch value, in the same transaction."""
    if not subscription.is_prepaid:
        _refuse(
            "not_prepaid",
            _("Vouchers top up prepaid subscriptions only."),
            subscription=subscription,
            actor=actor,
        )
    if subscription.status in FINAL_STATUSES:
        _refuse(
            "ended",
            _("This subscription has ended; it cannot be topped up."),
            subscription=subscription,
            actor=actor,
        )
    normalised = voucher_code_normalise(code)
    voucher = None
    if _CODE_RE.match(normalised):
        voucher = (
            Voucher.objects.select_for_update(of=("self",))
            .select_related("batch")
            .filter(code_hash=voucher_code_hash(normalised))
            .first()
        )
    if voucher is None or voucher.status == VoucherStatus.VOID:
        _refuse(
            "unknown" if voucher is None else "void",
            _("This voucher code is not valid."),
            subscription=subscription,
            actor=actor,
            voucher=voucher,
        )
    if voucher.status == VoucherStatus.REDEEMED:
        _refuse(
            "redeemed",
            _("This voucher has already been used."),
            subscription=subscription,
            actor=actor,
            voucher=voucher,
        )
    batch = voucher.batch
    today = timezone.localdate()
    if today < batch.valid_from:
        _refuse(
            "not_yet_valid",
            _("This voucher cannot be used before %(date)s.") % {"date": batch.valid_from},
            subscription=subscription,
            actor=actor,
            voucher=voucher,
        )
    if today > batch.valid_until:
        _refuse(
            "expired",
            _("This voucher has expired."),
            subscription=subscription,
            actor=actor,
            voucher=voucher,
        )
    if batch.currency != subscription.currency:
        _refuse(
            "currency",
            _("This voucher is in %(voucher)s; the subscription is billed in %(sub)s.")
            % {"voucher": batch.currency, "sub": subscription.currency},
            subscription=subscription,
            actor=actor,
            voucher=voucher,
        )
    voucher.status = VoucherStatus.REDEEMED
    voucher.redeemed_at = timezone.now()
    voucher.subscription = subscription
    actor = actor if getattr(actor, "pk", None) else None  # not an anonymous user
    voucher.redeemed_by = actor
    voucher.save(update_fields=["status", "redeemed_at", "subscription", "redeemed_by"])
    prepaid_top_up(
        subscription=subscription,
        amount=batch.value,
        idempotency_key=f"voucher-{voucher.pk}",
        source=f"voucher {voucher.serial}",
        actor=actor,
    )
    security_log.info(
        "voucher %s redeemed on subscription %s by user %s",
        voucher.serial,
        subscription.pk,
        getattr(actor, "pk", None),
    )
    return voucher
