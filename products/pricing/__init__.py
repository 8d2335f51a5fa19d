"""The one pricing service (PRD-2, PRD-3): ``price_basket``.

Everything that prices — the subscription wizard, billing runs, the offer simulator,
the portal, the quotes API — calls ``price_basket``, so a price is computed one way.

How a basket is priced, for each month ``m`` of the contract term (month 1 starts on
the sale date, month ``m`` on the same day ``m - 1`` months later):

1. each item gets its product's active price plan for its use (standard, sale or
   rental) and the plan's price in the currency effective on the month's first day;
   a bundle is one priced line, its components follow as included lines at 0;
2. ``gross = unit price x quantity``; one-time lines are charged in month 1 only;
3. discounts come off in this order, each on what is left and never below zero:
   promotions (chosen once, at the sale date: the eligible ones whose scope covers
   the line, by priority — an exclusive promotion is alone on its line), maturity
   rewards (by tenure in that month), the agent's manual discount;
4. ``tax = net x VAT rate`` of the product's tax class in the buyer's country,
   effective on the month's first day;
5. every amount is rounded half-up to the cent at the line
   (``alux_crm.core.money``); totals are sums of rounded lines.

Prices in plans are net of VAT. Validation (inactive product, no price, missing
prerequisite, incompatible products, bad quantity or discount) raises one
``ValidationError`` listing every problem.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from alux_crm.core.money import ZERO, percent_of, round_money
from alux_crm.core.selectors import operator_settings

from .. import choices
from ..eligibility import Buyer, Sale
from ..models import PricePlan, Product, Promotion
from .catalogue import _basket_contents, _Catalogue, _check_basket, load_catalogue
from .discounts import (
    _allocate_credits,
    _choose_promotions,
    _in_scope,
    _priority_order,
    _promotion_discount,
    _reward_discount,
    _tenure_months,
    promotion_why,
)
from .quote import (
    DEFAULT_TERM_MONTHS,
    MAX_TERM_MONTHS,
    AppliedDiscount,
    BasketItem,
    MonthCost,
    PricedLine,
    Quote,
    RejectedPromotion,
)

__all__ = [
    "DEFAULT_TERM_MONTHS",
    "MAX_TERM_MONTHS",
    "AppliedDiscount",
    "BasketItem",
    "MonthCost",
    "PricedLine",
    "Quote",
    "RejectedPromotion",
    "load_catalogue",
    "price_basket",
    "promotion_why",
]


# --- the service -------------------------------------------------------------------------


def price_basket(
    *,
    items: list[BasketItem],
    customer=None,
    buyer: Buyer | None = None,
    on_date: date | None = None,
    channel: str = choices.SalesChannel.AGENT,
    term_months: int | None = None,
    currency: str | None = None,
    tenure_start: date | None = None,
    existing_products: list[Product] | None = None,
    first_month: int = 1,
    granted_promotions: dict[int, list[Promotion]] | None = None,
    check_sale: bool = True,
    catalogue: _Catalogue | None = None,
) -> Quote:
    """Price ``items`` for ``customer`` (or a ``buyer`` of a segment) sold on
    ``on_date`` through ``channel``, for every month of the contract term.

    ``tenure_start`` is when the customer's subscription began (maturity rewards;
    the sale date by default); ``existing_products`` are what the customer already
    has (prerequisites such as a base package for an add-on). Raises
    ``ValidationError`` listing every problem of the basket.

    Billing and plan changes price a month of a running contract: ``first_month`` is
    the number of the month ``on_date`` starts within the contract (promotion
    durations and free months count from the sale), and ``granted_promotions``
    (product id -> promotions) are the promotions granted at the sale, which keep
    applying even after they stopped being sold. ``check_sale=False`` prices what was
    already sold: a product since taken off sale, an aired event or a rule added
    later do not stop the bill.

    ``catalogue`` is one loaded beforehand with ``load_catalogue`` for the buyer's
    currency and country over the dates priced (a billing run prices a whole chunk
    of accounts against one); by default the rows the basket needs are loaded.
    """
    on_date = on_date or timezone.localdate()
    term_months = DEFAULT_TERM_MONTHS if term_months is None else term_months
    if not 1 <= term_months <= MAX_TERM_MONTHS:
        raise ValidationError(
            _("The term must be between 1 and %(n)s months.") % {"n": MAX_TERM_MONTHS}
        )
    if buyer is None:
        buyer = Buyer.of_customer(customer) if customer is not None else Buyer.of_segment()
    currency = currency or operator_settings().currency
    tenure_start = tenure_start or on_date
    month_starts = [on_date + relativedelta(months=m) for m in range(term_months)]
    products = [i.product for i in items]
    if catalogue is None:
        catalogue = load_catalogue(products, currency, buyer.country, on_date, month_starts[-1])
    # Bundle components' rules and categories count as part of the basket.
    contents = _basket_contents(items, catalogue)
    _check_basket(items, catalogue, existing_products or [], on_date, timezone.now(), check_sale)

    planned = [(item, catalogue.plan_for(item)) for item in items]
    sale = Sale(
        buyer=buyer,
        on_date=on_date,
        channel=channel,
        product_codes=frozenset(p.code for p in contents),
        product_categories=frozenset(p.category for p in contents),
    )
    if granted_promotions is None:
        promotions, rejected = _choose_promotions(catalogue, sale, planned)
    else:
        promotions = {
            index: sorted(granted_promotions.get(item.product.pk, []), key=_priority_order)
            for index, (item, _plan) in enumerate(planned)
        }
        rejected = []
    months = []
    for month, starts_on in enumerate(month_starts, start=first_month):
        tenure = _tenure_months(tenure_start, starts_on)
        lines: list[PricedLine] = []
        for index, (item, plan) in enumerate(planned):
            if plan.charge == choices.Charge.ONE_TIME and month > first_month:
                continue
            line = _price_line(
                item, plan, catalogue, currency, starts_on, month, tenure, promotions[index]
            )
            if line is None:
                continue
            lines.append(line)
            lines += _component_lines(item, plan, catalogue, currency, line.tax_rate)
        _allocate_credits(lines, catalogue.rewards, tenure)
        months.append(MonthCost(month=month, starts_on=starts_on, lines=lines))
    return Quote(
        buyer=buyer,
        channel=channel,
        on_date=on_date,
        currency=currency,
        term_months=term_months,
        months=months,
        rejected_promotions=rejected,
    )


def _price_line(
    item: BasketItem,
    plan: PricePlan,
    catalogue: _Catalogue,
    currency: str,
    day: date,
    month: int,
    tenure: int,
    promotions: list[Promotion],
) -> PricedLine | None:
    price = catalogue.price_on(plan, day)
    rate = catalogue.rate_on(item.product, day)
    if price is None or rate is None:
        return None  # the plan or the rate ends inside the term: nothing is charged then
    gross = round_money(price.amount * item.quantity)
    left = gross
    discounts: list[AppliedDiscount] = []
    for promotion in promotions:
        amount = _promotion_discount(promotion, month, left)
        if amount:
            discounts.append(
                AppliedDiscount(
                    "promotion", promotion.code, promotion.name, promotion_why(promotion), amount
                )
            )
            left -= amount
    for reward in catalogue.rewards:
        if not _in_scope(reward, item.product, plan.charge):
            continue
        amount = _reward_discount(reward, tenure, left)
        if amount:
            why = _("after %(n)s months with us") % {"n": reward.after_months}
            discounts.append(AppliedDiscount("reward", reward.code, reward.name, why, amount))
            left -= amount
    if item.manual_discount_percent:
        amount = min(left, percent_of(left, item.manual_discount_percent))
        if amount:
            why = _("%(v)s %% agreed by the agent") % {"v": item.manual_discount_percent}
            discounts.append(AppliedDiscount("manual", "manual", _("Agent discount"), why, amount))
            left -= amount
    return PricedLine(
        product=item.product,
        plan=plan,
        charge=plan.charge,
        quantity=item.quantity,
        unit_price=price.amount,
        gross=gross,
        discounts=discounts,
        net=left,
        tax_rate=rate,
        tax=round_money(left * rate),
        total=left + round_money(left * rate),
        currency=currency,
        price_valid_from=price.valid_from,
        resting_amount=price.resting_amount,
    )


def _component_lines(
    item: BasketItem, plan: PricePlan, catalogue: _Catalogue, currency: str, rate: Decimal
) -> list[PricedLine]:
    """A bundle's components, shown as included lines at 0."""
    return [
        PricedLine(
            product=comp.component,
            plan=None,
            charge=plan.charge,
            quantity=comp.quantity * item.quantity,
            unit_price=ZERO,
            gross=ZERO,
            discounts=[],
            net=ZERO,
            tax_rate=rate,
            tax=ZERO,
            total=ZERO,
            currency=currency,
            included_in=item.product,
        )
        for comp in catalogue.components.get(item.product.pk, [])
    ]
