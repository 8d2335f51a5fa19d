"""Eligibility of promotions (PRD-3): who is buying, and the rules as data.

Each ``EligibilityKind`` has one check here taking the rule and the ``Sale`` being
priced; it answers ``None`` when the rule holds, or the reason it does not, which
the pricing service shows beside the promotions that did not apply.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils.translation import gettext as _

from customers.choices import CustomerCategory, CustomerSegment, CustomerStatus, Tier

from .choices import EligibilityKind, SalesChannel
from .models import EligibilityRule

NEW_CUSTOMER_DAYS = 30


@dataclass(frozen=True)
class Buyer:
    """Who a basket is priced for: a customer, or a segment (offer simulation)."""

    segment: str
    category: str
    tier: str
    country: str
    customer_since: date | None = None
    is_prospect: bool = True
    customer: object | None = None

    @classmethod
    def of_customer(cls, customer) -> "Buyer":
        return cls(
            segment=customer.segment,
            category=customer.category,
            tier=customer.tier,
            country=customer.country,
            customer_since=customer.customer_since,
            is_prospect=customer.status == CustomerStatus.PROSPECT,
            customer=customer,
        )

    @classmethod
    def of_segment(
        cls,
        segment: str = CustomerSegment.MASS_MARKET,
        *,
        category: str = CustomerCategory.RESIDENTIAL,
        tier: str = Tier.BRONZE,
        country: str = "RO",
    ) -> "Buyer":
        """A new customer of the segment, for simulations without a customer."""
        return cls(segment=segment, category=category, tier=tier, country=country)


@dataclass(frozen=True)
class Sale:
    """What eligibility rules look at: the buyer, the basket, the channel and the day."""

    buyer: Buyer
    on_date: date
    channel: str = SalesChannel.AGENT
    product_codes: frozenset[str] = field(default_factory=frozenset)
    product_categories: frozenset[str] = field(default_factory=frozenset)


def _one_of(actual: str, allowed: list[str], what: str) -> str | None:
    if actual in allowed:
        return None
    return _("%(what)s %(actual)s is not one of %(allowed)s") % {
        "what": what,
        "actual": actual,
        "allowed": ", ".join(allowed),
    }


def _segment(rule: EligibilityRule, sale: Sale) -> str | None:
    return _one_of(sale.buyer.segment, rule.values, _("segment"))


def _category(rule: EligibilityRule, sale: Sale) -> str | None:
    return _one_of(sale.buyer.category, rule.values, _("category"))


def _tier(rule: EligibilityRule, sale: Sale) -> str | None:
    return _one_of(sale.buyer.tier, rule.values, _("tier"))


def _channel(rule: EligibilityRule, sale: Sale) -> str | None:
    return _one_of(sale.channel, rule.values, _("channel"))


def _new_customer(rule: EligibilityRule, sale: Sale) -> str | None:
    days = int(rule.values[0]) if rule.values else NEW_CUSTOMER_DAYS
    buyer = sale.buyer
    if buyer.is_prospect or buyer.customer_since is None:
        return None
    if buyer.customer_since >= sale.on_date - timedelta(days=days):
        return None
    return _("customer since %(since)s, not within %(days)s days") % {
        "since": buyer.customer_since,
        "days": days,
    }


def _basket_product(rule: EligibilityRule, sale: Sale) -> str | None:
    if sale.product_codes & set(rule.values):
        return None
    return _("the basket has none of %(codes)s") % {"codes": ", ".join(rule.values)}


def _basket_category(rule: EligibilityRule, sale: Sale) -> str | None:
    if sale.product_categories & set(rule.values):
        return None
    return _("the basket has no product of %(categories)s") % {"categories": ", ".join(rule.values)}


def _date_window(rule: EligibilityRule, sale: Sale) -> str | None:
    if rule.date_from and sale.on_date < rule.date_from:
        return _("only from %(day)s") % {"day": rule.date_from}
    if rule.date_to and sale.on_date > rule.date_to:
        return _("only until %(day)s") % {"day": rule.date_to}
    return None


CHECKS: dict[str, Callable[[EligibilityRule, Sale], str | None]] = {
    EligibilityKind.SEGMENT: _segment,
    EligibilityKind.CATEGORY: _category,
    EligibilityKind.TIER: _tier,
    EligibilityKind.NEW_CUSTOMER: _new_customer,
    EligibilityKind.CHANNEL: _channel,
    EligibilityKind.BASKET_PRODUCT: _basket_product,
    EligibilityKind.BASKET_CATEGORY: _basket_category,
    EligibilityKind.DATE_WINDOW: _date_window,
}


def rule_failure(rule: EligibilityRule, sale: Sale) -> str | None:
    """Why ``rule`` does not hold for ``sale`` (``None``: it holds)."""
    return CHECKS[rule.kind](rule, sale)


def promotion_failure(promotion, sale: Sale) -> str | None:
    """Why ``promotion`` is not available for ``sale``: outside its window, or the
    first rule that does not hold (``None``: it is available). Uses the promotion's
    prefetched ``eligibility_rules``."""
    if sale.on_date < promotion.valid_from:
        return _("on sale from %(day)s") % {"day": promotion.valid_from}
    if promotion.valid_to and sale.on_date > promotion.valid_to:
        return _("on sale until %(day)s") % {"day": promotion.valid_to}
    for rule in promotion.eligibility_rules.all():
        reason = rule_failure(rule, sale)
        if reason:
            return reason
    return None
