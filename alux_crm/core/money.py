"""Money: the one rounding rule of the system.

Amounts are ``Decimal`` with a currency code beside them, stored as
``NUMERIC(14,2)``; rates as ``NUMERIC(9,6)``. Every computed amount is rounded
half-up to the cent **at the line** (a discount, a tax, a prorated charge), and
totals are sums of rounded lines, so a total always equals the sum of what the
customer sees.
"""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal("100")
MONEY_FIELD = {"max_digits": 14, "decimal_places": 2}
RATE_FIELD = {"max_digits": 9, "decimal_places": 6}


def round_money(amount: Decimal | int | str) -> Decimal:
    """Round to the cent, half-up (0.005 → 0.01, -0.005 → -0.01)."""
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def percent_of(amount: Decimal, percent: Decimal) -> Decimal:
    """``percent`` % of ``amount``, rounded to the cent."""
    return round_money(Decimal(amount) * Decimal(percent) / HUNDRED)


def plain_number(value: Decimal) -> str:
    """A number without trailing zeros or exponent, for text: 50.00 → "50", 12.50 → "12.5"."""
    text = f"{Decimal(value).normalize():f}"
    return text
