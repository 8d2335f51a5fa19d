"""Writes of the portal's payments (POR-1).

**Card payments.** The pay form carries a one-time idempotency key made when the
page is rendered. ``card_payment_pay`` first commits the attempt (a ``CardPayment``,
pending, unique by key), then — with that row locked, so a concurrent second POST of
the same form waits — asks the provider with the same key, and on success records
the money through ``billing.services.payment_record`` with the key
``portal-card-<key>``. A double click, a resubmission or a retry therefore pays once:
the provider charges a key once, billing records a key once, and the attempt is
found again by its key. The attempt is committed *before* the provider is asked, so
money taken by the provider always leaves a trace to ask about again
(``card_payment_retry``, after a timeout). A provider that raises is a timeout,
never an error page. Card numbers and security codes are never stored or logged:
only the brand and the last four digits.

**Voucher top-up.** ``portal_voucher_redeem`` calls billing's ``voucher_redeem``
(its rules and messages), after the subscriber's failed attempts are counted:
``VOUCHER_FAILURES_ALLOWED`` wrong codes per ``VOUCHER_FAILURE_WINDOW`` seconds,
then refused until the window ends.
"""

import logging
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alux_crm.core.errors import DomainError
from alux_crm.core.money import round_money
from billing.choices import PaymentMethod
from billing.services import payment_record
from billing.services.vouchers import VoucherRefused, voucher_redeem

from .choices import CardPaymentStatus as CS
from .models import CardPayment
from .providers import Card, CardProvider, ChargeResult, card_provider
from .selectors_payments import payable_maximum

log = logging.getLogger(__name__)
security_log = logging.getLogger("alux.security")

#: An attempt in one of these states is settled: asking again changes nothing.
SETTLED = (CS.SUCCEEDED, CS.DECLINED)
#: Wrong voucher codes a subscriber may enter per window…
VOUCHER_FAILURES_ALLOWED = 5
#: …of this many seconds (15 minutes), counted from the first wrong code.
VOUCHER_FAILURE_WINDOW = 15 * 60
#: Declined card attempts a customer may make in the last hour before new ones are
#: refused (stolen cards are tried one after another: "card testing").
CARD_DECLINES_ALLOWED = 5


# --- card payments ------------------------------------------------------------------------


def card_payment_amount_check(*, account, invoice=None, amount) -> Decimal:
    """The amount rounded to the cent, or a ``ValidationError`` on ``amount`` when it
    is not more than zero or more than what is owed (see ``payable_maximum``)."""
    try:
        amount = round_money(amount)
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({"amount": _("Enter an amount.")}) from None
    if amount <= 0:
        raise ValidationError({"amount": _("Enter an amount of more than zero.")})
    maximum = payable_maximum(account=account, invoice=invoice)
    if maximum <= 0:
        raise ValidationError({"amount": _("There is nothing left to pay.")})
    if amount > maximum:
        raise ValidationError(
            {
                "amount": _("You owe %(maximum)s %(currency)s; you cannot pay more than that.")
                % {"maximum": maximum, "currency": account.currency}
            }
        )
    return amount


def _attempt(*, customer, account, invoice, amount, card, idempotency_key, provider_name):
    """The attempt of this key: found again, or made (and committed) now. A key of
    another customer's or account's attempt is refused (a form tampered with)."""
    attempt = CardPayment.objects.filter(idempotency_key=idempotency_key).first()
    if attempt is None:
        amount = card_payment_amount_check(account=account, invoice=invoice, amount=amount)
        declined = CardPayment.objects.filter(
            customer=customer,
            status=CS.DECLINED,
            created_at__gte=timezone.now() - timedelta(hours=1),
        ).count()
        if declined >= CARD_DECLINES_ALLOWED:
            security_log.warning(
                "portal card payment refused: customer %s had %s declined cards in an hour",
                customer.pk,
                declined,
            )
            raise DomainError(
                _(
                    "Several cards were declined in the last hour. Please try again later "
                    "or pay another way."
                )
            )
        try:
            with transaction.atomic():
                attempt = CardPayment.objects.create(
                    customer=customer,
                    billing_account=account,
                    invoice=invoice,
                    amount=amount,
                    currency=account.currency,
                    idempotency_key=idempotency_key,
                    provider=provider_name,
                    card_brand=card.brand,
                    card_last4=card.last4,
                )
        except IntegrityError:  # the same form, posted concurrently, made it first
            attempt = CardPayment.objects.filter(idempotency_key=idempotency_key).first()
            if attempt is None:
                raise
    if attempt.customer_id != customer.pk or attempt.billing_account_id != account.pk:
        security_log.warning(
            "portal card payment: key of attempt %s reused by customer %s", attempt.pk, customer.pk
        )
        raise DomainError(_("This payment form has expired. Please start again."))
    return attempt


def _settle(attempt: CardPayment, *, ask, actor) -> CardPayment:
    """Lock the attempt; unless it is settled, take the provider's answer (``ask()``;
    an exception is a timeout) and, when it succeeded, record the payment in billing."""
    with transaction.atomic():
        locked = (
            CardPayment.objects.select_for_update(of=("self",))
            .select_related("billing_account", "invoice")
            .get(pk=attempt.pk)
        )
        if locked.status in SETTLED:
            return locked
        try:
            result = ask()
        except Exception:  # network, provider error, timeout: ask again later
            log.warning(
                "card provider did not answer for card payment %s", locked.pk, exc_info=True
            )
            result = ChargeResult(
                CS.TIMED_OUT, message=_("The card provider did not answer in time.")
            )
        if result.status == CS.SUCCEEDED:
            reference = f"{locked.card_brand} •••• {locked.card_last4}"
            if result.reference:
                reference += f" · {result.reference}"
            try:
                payment, _created = payment_record(
                    account=locked.billing_account,
                    amount=locked.amount,
                    method=PaymentMethod.PORTAL_CARD,
                    idempotency_key=f"portal-card-{locked.idempotency_key}",
                    reference=reference[:80],
                    actor=actor if getattr(actor, "pk", None) else None,
                    request_fingerprint=f"{locked.billing_account_id}:{locked.amount}",
                )
            except (DomainError, ValidationError):
                log.exception("card payment %s charged but not recorded", locked.pk)
                result = ChargeResult(
                    CS.TIMED_OUT,
                    result.reference,
                    _("Your bank accepted the payment; we are still recording it."),
                )
            else:
                locked.payment = payment
        locked.status = result.status
        locked.provider_reference = (result.reference or locked.provider_reference)[:120]
        locked.message = (result.message or "")[:200]
        locked.save(
            update_fields=["status", "payment", "provider_reference", "message", "updated_at"]
        )
    if locked.status == CS.DECLINED:
        security_log.info(
            "portal card payment %s declined: customer %s, %s ending %s, %s %s",
            locked.pk,
            locked.customer_id,
            locked.card_brand,
            locked.card_last4,
            locked.amount,
            locked.currency,
        )
    return locked


def card_payment_pay(
    *,
    customer,
    account,
    invoice=None,
    amount: Decimal,
    card: Card,
    idempotency_key: str,
    actor=None,
    provider: CardProvider | None = None,
) -> CardPayment:
    """Pay ``amount`` of what ``account`` (``invoice``, if given) owes with ``card``,
    once per ``idempotency_key`` (the pay form's). Returns the attempt: succeeded (the
    billing payment made and allocated), declined, or timed out (retry with
    ``card_payment_retry``). The same key again returns the first attempt, asking the
    provider again only if it never answered. Not atomic as a whole on purpose: the
    attempt is committed before the provider is asked. Raises ``ValidationError`` on
    ``amount`` (not more than zero, more than owed) for a new attempt."""
    provider = provider or card_provider()
    attempt = _attempt(
        customer=customer,
        account=account,
        invoice=invoice,
        amount=amount,
        card=card,
        idempotency_key=idempotency_key,
        provider_name=provider.name,
    )
    description = (
        _("Invoice %(number)s") % {"number": invoice.number}
        if invoice is not None
        else _("Account %(number)s") % {"number": account.number}
    )
    return _settle(
        attempt,
        actor=actor,
        ask=lambda: provider.charge(
            amount=attempt.amount,
            currency=attempt.currency,
            card=card,
            idempotency_key=attempt.idempotency_key,
            description=description,
        ),
    )


def card_payment_retry(
    *, card_payment: CardPayment, actor=None, provider: CardProvider | None = None
) -> CardPayment:
    """Ask the provider again what became of an attempt that timed out (or never got
    an answer), with its key: nothing is charged again. A settled attempt is returned
    as it is; a key the provider never received is declined, nothing was charged."""
    provider = provider or card_provider()

    def ask() -> ChargeResult:
        answer = provider.lookup(idempotency_key=card_payment.idempotency_key)
        if answer is None:
            return ChargeResult(
                CS.DECLINED,
                message=_("The card provider never received this payment: nothing was charged."),
            )
        return answer

    return _settle(card_payment, actor=actor, ask=ask)


# --- voucher top-up -----------------------------------------------------------------------


class TooManyVoucherAttempts(DomainError):
    """The subscriber entered too many wrong voucher codes; wait for the window."""

    code = "too_many_attempts"


def _failures_key(customer) -> str:
    return f"portal-voucher-failures:{customer.pk}"


@transaction.atomic
def portal_voucher_redeem(*, customer, subscription, code: str, actor=None):
    """Top up ``subscription`` (of ``customer``, prepaid) with the voucher ``code``
    through billing's ``voucher_redeem``; returns the voucher. Raises its
    ``VoucherRefused`` (a ``DomainError`` with its message), counting a wrong code
    against the subscriber; after ``VOUCHER_FAILURES_ALLOWED`` wrong codes within
    ``VOUCHER_FAILURE_WINDOW`` seconds every attempt is refused with
    ``TooManyVoucherAttempts`` until the window ends — guessing codes is not possible."""
    if subscription.customer_id != customer.pk:
        raise DomainError(_("This service is not yours."))
    key = _failures_key(customer)
    if (cache.get(key) or 0) >= VOUCHER_FAILURES_ALLOWED:
        security_log.warning(
            "portal voucher top-up refused: too many wrong codes, customer %s user %s",
            customer.pk,
            getattr(actor, "pk", None),
        )
        raise TooManyVoucherAttempts(
            _("Too many wrong voucher codes. For your security, try again in %(minutes)s minutes.")
            % {"minutes": VOUCHER_FAILURE_WINDOW // 60}
        )
    try:
        return voucher_redeem(code=code, subscription=subscription, actor=actor)
    except VoucherRefused as exc:
        if exc.code not in ("voucher_not_prepaid", "voucher_ended"):  # about the code
            _count_failure(key)
        raise


def _count_failure(key: str) -> None:
    """One more wrong code in the window (the first one starts the window)."""
    cache.add(key, 0, VOUCHER_FAILURE_WINDOW)
    try:
        cache.incr(key)
    except ValueError:  # the window ended between the two calls: a new one starts
        cache.add(key, 1, VOUCHER_FAILURE_WINDOW)
