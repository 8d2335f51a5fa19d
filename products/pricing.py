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

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from alux_crm.core.money import HUNDRED, ZERO, percent_of, plain_number, round_money
from alux_crm.core.selectors import operator_settings

from . import choices
from .eligibility import Buyer, Sale, promotion_failure
from .models import (
    BundleComponent,
    EligibilityRule,
    MaturityReward,
    PlanPrice,
    PricePlan,
    Product,
    ProductRule,
    Promotion,
    TaxRate,
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


# --- the catalogue rows a quote needs, loaded in a few queries ---------------------


@dataclass
class _Catalogue:
    plans: dict[tuple[int, str], PricePlan]
    prices: dict[int, list[PlanPrice]]
    rates: dict[int, list[TaxRate]]
    components: dict[int, list[BundleComponent]]
    rules: dict[int, list[ProductRule]]
    promotions: list[Promotion]
    rewards: list[MaturityReward]

    def plan_for(self, item: BasketItem) -> PricePlan | None:
        plan = self.plans.get((item.product.pk, item.acquisition))
        if plan is None and item.acquisition == choices.Acquisition.STANDARD:
            # A device with only a sale or only a rental plan: that one.
            candidates = [p for (pk, _a), p in self.plans.items() if pk == item.product.pk]
            plan = candidates[0] if len(candidates) == 1 else None
        return plan

    def price_on(self, plan: PricePlan, day: date) -> PlanPrice | None:
        for price in self.prices.get(plan.pk, []):
            if price.valid_from <= day and (price.valid_to is None or day < price.valid_to):
                return price
        return None

    def rate_on(self, product: Product, day: date) -> Decimal | None:
        for rate in self.rates.get(product.tax_class_id, []):
            if rate.valid_from <= day and (rate.valid_to is None or day < rate.valid_to):
                return rate.rate
        return None


def _load_catalogue(
    products: list[Product], currency: str, country: str, last_day: date, first_day: date
) -> _Catalogue:
    product_ids = {p.pk for p in products}
    components = defaultdict(list)
    for comp in BundleComponent.objects.filter(bundle_id__in=product_ids).select_related(
        "component"
    ):
        components[comp.bundle_id].append(comp)
    plans = {
        (plan.product_id, plan.acquisition): plan
        for plan in PricePlan.objects.filter(product_id__in=product_ids, is_active=True)
    }
    prices = defaultdict(list)
    for price in PlanPrice.objects.filter(
        plan__in=plans.values(), currency=currency, valid_from__lte=last_day
    ).exclude(valid_to__lte=first_day):
        prices[price.plan_id].append(price)
    tax_classes = {p.tax_class_id for p in products}
    rates = defaultdict(list)
    for rate in TaxRate.objects.filter(
        tax_class_id__in=tax_classes, country=country, valid_from__lte=last_day
    ).exclude(valid_to__lte=first_day):
        rates[rate.tax_class_id].append(rate)
    rules = defaultdict(list)
    for rule in ProductRule.objects.filter(product_id__in=product_ids).select_related(
        "target_product"
    ):
        rules[rule.product_id].append(rule)
    scope = Prefetch("products", queryset=Product.objects.only("pk", "code"))
    promotions = list(
        Promotion.objects.filter(status__in=choices.PRICING_STATUSES, valid_from__lte=first_day)
        .exclude(valid_to__lt=first_day)
        .prefetch_related(
            scope, Prefetch("eligibility_rules", queryset=EligibilityRule.objects.all())
        )
        .order_by("-priority", "code")
    )
    rewards = list(
        MaturityReward.objects.filter(is_active=True)
        .prefetch_related(scope)
        .order_by("after_months", "code")
    )
    return _Catalogue(plans, prices, rates, components, rules, promotions, rewards)


# --- validation ----------------------------------------------------------------------


def _basket_contents(items: list[BasketItem], catalogue: _Catalogue) -> list[Product]:
    """Every product the basket delivers: its items and their bundles' components."""
    delivered = []
    for item in items:
        delivered.append(item.product)
        delivered += [c.component for c in catalogue.components.get(item.product.pk, [])]
    return delivered


def _rule_met(rule: ProductRule, products: list[Product]) -> bool:
    if rule.target_product_id:
        return any(p.pk == rule.target_product_id for p in products)
    return any(p.category == rule.target_category for p in products)


def _check_basket(
    items: list[BasketItem],
    catalogue: _Catalogue,
    existing: list[Product],
    on_date: date,
    now,
) -> None:
    errors: list[str] = []
    if not items:
        errors.append(_("The basket is empty."))
    contents = _basket_contents(items, catalogue)
    delivered = contents + list(existing)
    for item in items:
        product = item.product
        if item.quantity < 1:
            errors.append(_("%(p)s: the quantity must be at least 1.") % {"p": product})
        if not ZERO <= item.manual_discount_percent <= HUNDRED:
            errors.append(_("%(p)s: a discount must be between 0 and 100 %%.") % {"p": product})
        if not product.is_active:
            errors.append(_("%(p)s is not on sale.") % {"p": product})
        if product.air_ends_at and product.air_ends_at <= now:
            errors.append(_("%(p)s has already aired.") % {"p": product})
        plan = catalogue.plan_for(item)
        if plan is None:
            errors.append(
                _("%(p)s has no active price plan for %(use)s.")
                % {"p": product, "use": choices.Acquisition(item.acquisition).label}
            )
        elif catalogue.price_on(plan, on_date) is None:
            errors.append(_("%(p)s has no price on %(day)s.") % {"p": product, "day": on_date})
        if catalogue.rate_on(product, on_date) is None:
            errors.append(_("%(p)s has no VAT rate on %(day)s.") % {"p": product, "day": on_date})
    for product in contents:
        others = [p for p in delivered if p is not product and p.pk != product.pk]
        for rule in catalogue.rules.get(product.pk, []):
            met = _rule_met(rule, others)
            if rule.kind == choices.RuleKind.REQUIRES and not met:
                errors.append(
                    _("%(p)s requires %(target)s.") % {"p": product, "target": rule.target_label}
                )
            if rule.kind == choices.RuleKind.EXCLUDES and met:
                errors.append(
                    _("%(p)s cannot be combined with %(target)s.")
                    % {"p": product, "target": rule.target_label}
                )
    _check_devices(items, delivered, errors)
    if errors:
        raise ValidationError(list(dict.fromkeys(errors)))


def _check_devices(items: list[BasketItem], delivered: list[Product], errors: list[str]) -> None:
    """Multi-room (PRD-5): no more TV boxes than the TV packages allow."""
    allowed = [p.max_devices for p in delivered if p.max_devices]
    if not allowed:
        return
    boxes = sum(i.quantity for i in items if i.product.category == choices.ProductCategory.TV_BOX)
    if boxes > max(allowed):
        errors.append(
            _("The TV package allows %(n)s TV boxes; the basket has %(boxes)s.")
            % {"n": max(allowed), "boxes": boxes}
        )


# --- promotions and rewards ------------------------------------------------------------


def _in_scope(discount, product: Product, charge: str) -> bool:
    """Empty scope: every recurring line. Else the products and categories listed."""
    codes = {p.pk for p in discount.products.all()}
    if not codes and not discount.categories:
        return charge == choices.Charge.RECURRING
    return product.pk in codes or product.category in discount.categories


def _choose_promotions(
    catalogue: _Catalogue, sale: Sale, lines: list[tuple[BasketItem, PricePlan]]
) -> tuple[dict[int, list[Promotion]], list[RejectedPromotion]]:
    """The promotions of each basket line (by index), and those that did not apply."""
    rejected: dict[int, RejectedPromotion] = {}
    eligible = []
    for promotion in catalogue.promotions:
        reason = promotion_failure(promotion, sale)
        if reason:
            rejected[promotion.pk] = RejectedPromotion(promotion, reason)
        else:
            eligible.append(promotion)
    chosen: dict[int, list[Promotion]] = {}
    used: set[int] = set()
    for index, (item, plan) in enumerate(lines):
        on_line: list[Promotion] = []
        for promotion in eligible:
            if not _in_scope(promotion, item.product, plan.charge):
                continue
            exclusive_taken = any(p.stacking == choices.Stacking.EXCLUSIVE for p in on_line)
            if exclusive_taken or (on_line and promotion.stacking == choices.Stacking.EXCLUSIVE):
                holder = on_line[0]
                rejected.setdefault(
                    promotion.pk,
                    RejectedPromotion(
                        promotion,
                        _("not combined with %(other)s on %(p)s")
                        % {"other": holder.code, "p": item.product},
                    ),
                )
                continue
            on_line.append(promotion)
            used.add(promotion.pk)
        chosen[index] = on_line
    for promotion in eligible:
        if promotion.pk not in used and promotion.pk not in rejected:
            rejected[promotion.pk] = RejectedPromotion(
                promotion, _("no product of the basket is in its scope")
            )
    for pk in used:
        rejected.pop(pk, None)
    return chosen, list(rejected.values())


def _promotion_discount(promotion: Promotion, month: int, left: Decimal) -> Decimal:
    kind = promotion.discount_kind
    if kind == choices.DiscountKind.FREE_MONTHS:
        return left if month <= int(promotion.value) else ZERO
    if promotion.duration_months is not None and month > promotion.duration_months:
        return ZERO
    if kind == choices.DiscountKind.PERCENTAGE:
        return min(left, percent_of(left, promotion.value))
    return min(left, round_money(promotion.value))


def _promotion_why(promotion: Promotion) -> str:
    if promotion.discount_kind == choices.DiscountKind.FREE_MONTHS:
        return _("first %(n)s months free") % {"n": int(promotion.value)}
    if promotion.discount_kind == choices.DiscountKind.PERCENTAGE:
        what = _("%(v)s %% off") % {"v": plain_number(promotion.value)}
    else:
        what = _("%(v)s off per month") % {"v": promotion.value}
    if promotion.duration_months:
        return _("%(what)s for %(n)s months") % {"what": what, "n": promotion.duration_months}
    return _("%(what)s for ever") % {"what": what}


def _tenure_months(tenure_start: date, day: date) -> int:
    delta = relativedelta(day, tenure_start)
    return delta.years * 12 + delta.months


def _reward_discount(reward: MaturityReward, tenure: int, left: Decimal) -> Decimal:
    if tenure < reward.after_months:
        return ZERO
    if reward.reward_kind == choices.RewardKind.CREDIT:
        return ZERO  # allocated across the month's lines by _allocate_credits
    if reward.duration_months is not None and tenure >= reward.after_months + (
        reward.duration_months
    ):
        return ZERO
    if reward.reward_kind == choices.RewardKind.PERCENTAGE:
        return min(left, percent_of(left, reward.value))
    return min(left, round_money(reward.value))


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
) -> Quote:
    """Price ``items`` for ``customer`` (or a ``buyer`` of a segment) sold on
    ``on_date`` through ``channel``, for every month of the contract term.

    ``tenure_start`` is when the customer's subscription began (maturity rewards;
    the sale date by default); ``existing_products`` are what the customer already
    has (prerequisites such as a base package for an add-on). Raises
    ``ValidationError`` listing every problem of the basket.
    """
    settings_row = operator_settings()
    on_date = on_date or timezone.localdate()
    term_months = term_months or DEFAULT_TERM_MONTHS
    if not 1 <= term_months <= MAX_TERM_MONTHS:
        raise ValidationError(
            _("The term must be between 1 and %(n)s months.") % {"n": MAX_TERM_MONTHS}
        )
    if buyer is None:
        buyer = Buyer.of_customer(customer) if customer is not None else Buyer.of_segment()
    currency = currency or settings_row.currency
    tenure_start = tenure_start or on_date
    month_starts = [on_date + relativedelta(months=m) for m in range(term_months)]
    products = [i.product for i in items]
    catalogue = _load_catalogue(products, currency, buyer.country, month_starts[-1], on_date)
    # Bundle components' rules and categories count as part of the basket.
    contents = _basket_contents(items, catalogue)
    _check_basket(items, catalogue, existing_products or [], on_date, timezone.now())

    planned = [(item, catalogue.plan_for(item)) for item in items]
    sale = Sale(
        buyer=buyer,
        on_date=on_date,
        channel=channel,
        product_codes=frozenset(p.code for p in contents),
        product_categories=frozenset(p.category for p in contents),
    )
    promotions, rejected = _choose_promotions(catalogue, sale, planned)
    months = []
    for month, starts_on in enumerate(month_starts, start=1):
        tenure = _tenure_months(tenure_start, starts_on)
        lines: list[PricedLine] = []
        for index, (item, plan) in enumerate(planned):
            if plan.charge == choices.Charge.ONE_TIME and month > 1:
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
                    "promotion", promotion.code, promotion.name, _promotion_why(promotion), amount
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


def _allocate_credits(lines: list[PricedLine], rewards: list[MaturityReward], tenure: int) -> None:
    """One-off credit rewards: in the month the tenure reaches ``after_months``, the
    credit comes off the lines in its scope, in order, never below zero (what cannot
    be used that month is lost, as the reward is a one-off)."""
    for reward in rewards:
        if reward.reward_kind != choices.RewardKind.CREDIT or tenure != reward.after_months:
            continue
        left = round_money(reward.value)
        for line in lines:
            if line.included_in or not left or not _in_scope(reward, line.product, line.charge):
                continue
            amount = min(left, line.net)
            if not amount:
                continue
            why = _("one-off credit after %(n)s months with us") % {"n": reward.after_months}
            line.discounts.append(AppliedDiscount("reward", reward.code, reward.name, why, amount))
            line.net -= amount
            line.tax = round_money(line.net * line.tax_rate)
            line.total = line.net + line.tax
            left -= amount
