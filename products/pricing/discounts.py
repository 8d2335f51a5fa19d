"""Promotions and maturity rewards on the priced lines: which apply (eligibility,
scope, stacking, priority), how much they take off, and why."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext as _

from alux_crm.core.money import ZERO, percent_of, plain_number, round_money

from .. import choices
from ..eligibility import Sale, promotion_failure
from ..models import (
    MaturityReward,
    PricePlan,
    Product,
    Promotion,
)
from .catalogue import _Catalogue
from .quote import AppliedDiscount, BasketItem, PricedLine, RejectedPromotion

# --- promotions and rewards ------------------------------------------------------------


def _scope_product_ids(discount) -> set[int]:
    """The ids of the products a promotion or reward names, read once per object (a
    billing run asks for them for every line it prices)."""
    ids = discount.__dict__.get("_scope_product_ids")
    if ids is None:
        ids = discount.__dict__["_scope_product_ids"] = {p.pk for p in discount.products.all()}
    return ids


def _in_scope(discount, product: Product, charge: str) -> bool:
    """Empty scope: every recurring line. Else the products and categories listed."""
    codes = _scope_product_ids(discount)
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


def _priority_order(promotion: Promotion) -> tuple[int, str]:
    return (-promotion.priority, promotion.code)


def _promotion_discount(promotion: Promotion, month: int, left: Decimal) -> Decimal:
    kind = promotion.discount_kind
    if kind == choices.DiscountKind.FREE_MONTHS:
        return left if month <= int(promotion.value) else ZERO
    if promotion.duration_months is not None and month > promotion.duration_months:
        return ZERO
    if kind == choices.DiscountKind.PERCENTAGE:
        return min(left, percent_of(left, promotion.value))
    return min(left, round_money(promotion.value))


def promotion_why(promotion: Promotion) -> str:
    """A promotion's discount in words ("50 % off for 6 months", "first 3 months free")."""
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
