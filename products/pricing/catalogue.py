"""The catalogue rows a quote needs, loaded in a few queries, and the checks of a
basket against them (on sale, priced, prerequisites, exclusions, multi-room)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from alux_crm.core.money import HUNDRED, ZERO

from .. import choices
from ..models import (
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
from .quote import (
    BasketItem,
)

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


def load_catalogue(
    products: list[Product], currency: str, country: str, first_day: date, last_day: date
) -> _Catalogue:
    """The catalogue rows pricing ``products`` (plans, prices in ``currency``, VAT
    rates of ``country``, bundle components, rules) needs between ``first_day`` and
    ``last_day``, with the promotions selling on ``first_day`` and the active
    maturity rewards: a handful of queries, whatever the number of products."""
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
    check_sale: bool = True,
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
        if check_sale and not product.is_active:
            errors.append(_("%(p)s is not on sale.") % {"p": product})
        if check_sale and product.air_ends_at and product.air_ends_at <= now:
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
    for product in contents if check_sale else []:
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
