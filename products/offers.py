"""Offer limits and comparison (PRD-4): does a quote need Pricing approval, and how
do baskets compare with each other and with a competitor's offer over a term."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from alux_crm.core.money import ZERO, round_money

from .models import CompetitorOffer, StandardOffer
from .pricing import Quote


def standard_offer_for(*, segment: str, currency: str, on_date: date) -> StandardOffer | None:
    """The standard offer of a segment valid on a date (the newest if several)."""
    return (
        StandardOffer.objects.valid_on(on_date)
        .filter(segment=segment, currency=currency)
        .order_by("-valid_from")
        .first()
    )


def needs_pricing_approval(quote: Quote) -> list[str]:
    """Why ``quote`` is outside its segment's limits (empty: within them, no approval
    needed). Without a standard offer for the segment, any agent discount needs
    approval. Used by leads and the subscription wizard."""
    reasons: list[str] = []
    manual = any(d.source == "manual" for line in quote.lines for d in line.discounts)
    offer = standard_offer_for(
        segment=quote.buyer.segment, currency=quote.currency, on_date=quote.on_date
    )
    if offer is None:
        if manual:
            reasons.append(_("No discount limits are set for this segment."))
        return reasons
    if quote.discount_percent > offer.max_discount_percent:
        reasons.append(
            _("The discount of %(got)s %% exceeds the %(max)s %% allowed for %(offer)s.")
            % {"got": quote.discount_percent, "max": offer.max_discount_percent, "offer": offer}
        )
    if quote.monthly_net < offer.min_monthly_price:
        reasons.append(
            _("The monthly price of %(got)s is below the %(min)s minimum of %(offer)s.")
            % {"got": quote.monthly_net, "min": offer.min_monthly_price, "offer": offer}
        )
    return reasons


@dataclass
class OfferColumn:
    """One offer in a comparison: its monthly figures and the cost over the term."""

    label: str
    currency: str
    first_month: Decimal
    monthly: Decimal
    one_time: Decimal
    term_months: int
    term_total: Decimal
    quote: Quote | None = None
    competitor: CompetitorOffer | None = None
    approval_reasons: tuple[str, ...] = ()

    @property
    def average_monthly(self) -> Decimal:
        return round_money(self.term_total / self.term_months) if self.term_months else ZERO


def column_for_quote(label: str, quote: Quote) -> OfferColumn:
    """A comparison column from one of our priced baskets."""
    return OfferColumn(
        label=label,
        currency=quote.currency,
        first_month=quote.first_month_total,
        monthly=quote.monthly_total,
        one_time=quote.one_time_total,
        term_months=quote.term_months,
        term_total=quote.term_total,
        quote=quote,
        approval_reasons=tuple(needs_pricing_approval(quote)),
    )


def column_for_competitor(offer: CompetitorOffer, term_months: int) -> OfferColumn:
    """A comparison column from a competitor's offer over the same term (its monthly
    price for every month plus its one-time price; prices as the competitor shows them,
    normally VAT included)."""
    total = offer.monthly_price * term_months + offer.one_time_price
    return OfferColumn(
        label=str(offer),
        currency=offer.currency,
        first_month=offer.monthly_price + offer.one_time_price,
        monthly=offer.monthly_price,
        one_time=offer.one_time_price,
        term_months=term_months,
        term_total=round_money(total),
        competitor=offer,
    )


def cheapest(columns: list[OfferColumn]) -> OfferColumn | None:
    """The column with the lowest cost over the term."""
    return min(columns, key=lambda c: c.term_total, default=None)
