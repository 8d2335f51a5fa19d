"""Card payments of the portal go through a payment-provider adapter (POR-1).

``CardProvider`` is the interface: ``charge`` asks the provider to take an amount
from a card under an idempotency key (the same key never charges twice), ``lookup``
asks what became of an earlier key (after a timeout). ``settings.PORTAL_CARD_PROVIDER``
names the class by dotted path; a real provider's adapter plugs in there.

``TestCardProvider`` (the default: this is an open-source demo) charges nothing and
answers like a payment provider's test mode, by card number (Stripe's test cards):

* ``4242 4242 4242 4242`` (Visa) and ``5555 5555 5555 4444`` (Mastercard) succeed;
* ``4000 0000 0000 0002`` is declined, ``4000 0000 0000 9995`` for insufficient funds;
* ``4000 0000 0000 0119`` times out — the charge went through at the "provider", so
  asking again with the same key (``lookup`` or ``charge``) answers that it succeeded;
* any other number is declined: the demo never takes a real card.

Its memory of each key is kept in Django's cache (Redis), so every web process gives
the same answer for the same key. Card numbers and security codes are never stored
or logged, here or by the caller: only the brand and the last four digits.
"""

import secrets
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from .choices import CardPaymentStatus

#: Default adapter (``settings.PORTAL_CARD_PROVIDER``).
DEFAULT_PROVIDER = "portal.providers.TestCardProvider"


@dataclass(frozen=True)
class Card:
    """Card details as typed by the subscriber, for one request only. ``repr`` shows
    the brand and the last four digits, so the number and the security code cannot
    end up in a log or an error report by accident."""

    number: str = field(repr=False)
    exp_month: int = field(repr=False)
    exp_year: int = field(repr=False)
    cvc: str = field(repr=False)

    @property
    def last4(self) -> str:
        """The last four digits, the only part of the number ever kept."""
        return self.number[-4:]

    @property
    def brand(self) -> str:
        """The card scheme from the number's first digits (as far as a receipt needs)."""
        return card_brand(self.number)

    def __repr__(self) -> str:
        return f"Card({self.brand} •••• {self.last4})"


def card_brand(number: str) -> str:
    """Visa, Mastercard, American Express, Maestro…, or "Card" when not recognised."""
    if number.startswith("4"):
        return "Visa"
    if number[:2] in {"51", "52", "53", "54", "55"} or "2221" <= number[:4] <= "2720":
        return "Mastercard"
    if number[:2] in {"34", "37"}:
        return "American Express"
    if number[:2] in {"50", "56", "57", "58", "67"}:
        return "Maestro"
    if number.startswith("6011") or number.startswith("65"):
        return "Discover"
    return "Card"


@dataclass(frozen=True)
class ChargeResult:
    """What the provider answered: ``status`` is a ``CardPaymentStatus`` value
    (succeeded, declined or timed_out), ``reference`` the provider's id of the
    charge, ``message`` its words for the subscriber."""

    status: str
    reference: str = ""
    message: str = ""


class CardProvider(ABC):
    """A payment provider's adapter. Implementations must be idempotent per key:
    ``charge`` with a key already used answers the first outcome and charges
    nothing more. They may raise any exception (network, provider error): the
    caller treats it as a timeout and asks again later with the same key."""

    #: Short name stored on each card payment (``CardPayment.provider``).
    name = "provider"

    @abstractmethod
    def charge(
        self,
        *,
        amount: Decimal,
        currency: str,
        card: Card,
        idempotency_key: str,
        description: str,
    ) -> ChargeResult:
        """Take ``amount`` ``currency`` from ``card`` once for ``idempotency_key``."""

    @abstractmethod
    def lookup(self, *, idempotency_key: str) -> ChargeResult | None:
        """The outcome of an earlier ``charge`` with this key; None when the provider
        never received it (nothing was charged)."""


def card_provider() -> CardProvider:
    """The adapter configured by ``settings.PORTAL_CARD_PROVIDER``."""
    path = getattr(settings, "PORTAL_CARD_PROVIDER", "") or DEFAULT_PROVIDER
    return import_string(path)()


# --- the test provider ------------------------------------------------------------------

#: Test card numbers and what they do (Stripe's test cards).
SUCCEEDS = {"4242424242424242", "5555555555554444"}
DECLINED = "4000000000000002"
INSUFFICIENT_FUNDS = "4000000000009995"
TIMES_OUT = "4000000000000119"
#: How long the test provider remembers a key (seconds).
MEMORY_SECONDS = 30 * 24 * 3600
_MEMORY_PREFIX = "portal-test-card:"


class TestCardProvider(CardProvider):
    """Simulates a provider's test mode by card number (see the module). Charges
    nothing; idempotent per key through Django's cache."""

    name = "test"

    def charge(self, *, amount, currency, card, idempotency_key, description) -> ChargeResult:
        """The outcome for the card, remembered under the key (the first one wins)."""
        number = card.number
        if number in SUCCEEDS or number == TIMES_OUT:
            outcome = ChargeResult(
                CardPaymentStatus.SUCCEEDED,
                reference=f"test_ch_{secrets.token_hex(8)}",
                message=_("Approved"),
            )
        elif number == INSUFFICIENT_FUNDS:
            outcome = ChargeResult(
                CardPaymentStatus.DECLINED,
                reference=f"test_ch_{secrets.token_hex(8)}",
                message=_("The card was declined: insufficient funds."),
            )
        elif number == DECLINED:
            outcome = ChargeResult(
                CardPaymentStatus.DECLINED,
                reference=f"test_ch_{secrets.token_hex(8)}",
                message=_("The card was declined by the bank."),
            )
        else:
            outcome = ChargeResult(
                CardPaymentStatus.DECLINED,
                message=_("This demo takes test cards only, e.g. 4242 4242 4242 4242."),
            )
        memory = {
            "status": outcome.status,
            "reference": outcome.reference,
            "message": outcome.message,
            "amount": str(amount),
            "currency": currency,
        }
        key = _MEMORY_PREFIX + idempotency_key
        if not cache.add(key, memory, MEMORY_SECONDS):  # the key was used: first outcome
            return self.lookup(idempotency_key=idempotency_key) or outcome
        if number == TIMES_OUT:  # charged, but the answer never arrives
            raise TimeoutError("test card provider: simulated timeout")
        return outcome

    def lookup(self, *, idempotency_key) -> ChargeResult | None:
        """What was answered for the key, if it was ever used."""
        memory = cache.get(_MEMORY_PREFIX + idempotency_key)
        if memory is None:
            return None
        return ChargeResult(memory["status"], memory["reference"], memory["message"])
