"""What ``price_basket`` answers: the basket items, the priced lines with their
discounts, each month of the term, and the quote over the term."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from alux_crm.core.money import HUNDRED, ZERO, plain_number, round_money

from .. import choices
from ..eligibility import Buyer
from ..models import (
    PricePlan,
    Product,
    Promotion,
)

DEFAULT_TERM_MONTHS = 24
MAX_TERM_MONTHS = 120


@dataclass(frozen=True)
class BasketItem:
    """One thing to price: a product, how many, for which use (devices: sale or
    rental), and a discount the agent negotiated (percent, needs approval beyond the
    segment's limits)."""

    product: Product
    quantity: int = 1
    acquisition: str = choices.Acquisition.STANDARD
    manual_discount_percent: Decimal = ZERO


@dataclass
class AppliedDiscount:
    """A discount on a line in one month, with the rule that gave it."""

    source: str  # "promotion", "reward" or "manual"
    code: str
    name: str
    why: str
    amount: Decimal


@dataclass
class PricedLine:
    """A priced line of one month, with how it was computed."""

    product: Product
    plan: PricePlan | None
    charge: str
    quantity: int
    unit_price: Decimal
    gross: Decimal
    discounts: list[AppliedDiscount]
    net: Decimal
    tax_rate: Decimal
    tax: Decimal
    total: Decimal
    currency: str
    price_valid_from: date | None = None
    resting_amount: Decimal | None = None
    included_in: Product | None = None

    @property
    def discount_total(self) -> Decimal:
        return sum((d.amount for d in self.discounts), ZERO)

    @property
    def is_recurring(self) -> bool:
        return self.charge == choices.Charge.RECURRING

    @property
    def explanation(self) -> str:
        """How the line was computed, in words (shown to agents and on invoices)."""
        parts = [
            _("%(qty)s x %(unit)s %(cur)s (%(plan)s, price from %(day)s)")
            % {
                "qty": self.quantity,
                "unit": self.unit_price,
                "cur": self.currency,
                "plan": self.plan.code if self.plan else "-",
                "day": self.price_valid_from,
            }
        ]
        parts += [f"- {d.amount} {d.name} ({d.why})" for d in self.discounts]
        parts.append(_("VAT %(rate)s %%") % {"rate": plain_number(self.tax_rate * HUNDRED)})
        return "; ".join(parts)


@dataclass
class MonthCost:
    """What the basket costs in one month of the term."""

    month: int
    starts_on: date
    lines: list[PricedLine]

    @property
    def net(self) -> Decimal:
        return sum((line.net for line in self.lines), ZERO)

    @property
    def tax(self) -> Decimal:
        return sum((line.tax for line in self.lines), ZERO)

    @property
    def total(self) -> Decimal:
        return sum((line.total for line in self.lines), ZERO)

    @property
    def discount(self) -> Decimal:
        return sum((line.discount_total for line in self.lines), ZERO)


@dataclass
class RejectedPromotion:
    """A promotion that was considered and did not apply, and why."""

    promotion: Promotion
    reason: str


@dataclass
class Quote:
    """A priced basket over its contract term: the first month's lines (what the
    first invoice shows), every month's cost, and the promotions that did not apply."""

    buyer: Buyer
    channel: str
    on_date: date
    currency: str
    term_months: int
    months: list[MonthCost]
    rejected_promotions: list[RejectedPromotion] = field(default_factory=list)

    @property
    def lines(self) -> list[PricedLine]:
        return self.months[0].lines

    @property
    def first_month_total(self) -> Decimal:
        return self.months[0].total

    @property
    def monthly_total(self) -> Decimal:
        """The recurring part of month 1, VAT included."""
        return sum((line.total for line in self.lines if line.is_recurring), ZERO)

    @property
    def monthly_net(self) -> Decimal:
        return sum((line.net for line in self.lines if line.is_recurring), ZERO)

    @property
    def one_time_total(self) -> Decimal:
        return sum((line.total for line in self.lines if not line.is_recurring), ZERO)

    @property
    def term_total(self) -> Decimal:
        return sum((month.total for month in self.months), ZERO)

    @property
    def discount_percent(self) -> Decimal:
        """Share of the recurring gross taken off in month 1, in percent."""
        gross = sum((line.gross for line in self.lines if line.is_recurring), ZERO)
        if not gross:
            return ZERO
        off = sum((line.discount_total for line in self.lines if line.is_recurring), ZERO)
        return round_money(off * HUNDRED / gross)

    @property
    def applied_promotions(self) -> list[str]:
        codes = {
            d.code
            for month in self.months
            for line in month.lines
            for d in line.discounts
            if d.source == "promotion"
        }
        return sorted(codes)
