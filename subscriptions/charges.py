"""What a subscription charges for a billing period, line by line (SUB-2, SUB-3).

Billing runs and the preview of a plan change both call ``period_charges``; every
amount comes from the catalogue's ``price_basket`` (month of the contract, the
promotions granted at the sale, maturity rewards by tenure, VAT on the day) and is
then prorated by day:

- a recurring product is charged for the days of the period it is on the
  subscription (``monthly net x days / days in the period``), in advance;
- days inside a resting period are charged the plan's resting fee instead, prorated
  the same way (no resting fee in the plan: nothing);
- a one-time product (device sale, fee, pay-per-view, movie) is charged in the
  period its line starts.

Each line says how it was computed (period, days, rate, promotions), rounded half-up
at the line like everything else.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext as _

from alux_crm.core.money import ZERO, round_money
from products import choices as product_choices
from products.pricing import AppliedDiscount, BasketItem, price_basket

from .choices import RestingStatus


@dataclass(frozen=True)
class ItemTerms:
    """A product on a subscription over ``[valid_from, valid_to)``: a real item, or a
    planned one when a change is previewed."""

    product: object
    acquisition: str
    quantity: int
    manual_discount_percent: object
    valid_from: date
    valid_to: date | None
    promotions: tuple = ()

    @classmethod
    def of_item(cls, item) -> "ItemTerms":
        return cls(
            product=item.product,
            acquisition=item.acquisition,
            quantity=item.quantity,
            manual_discount_percent=item.manual_discount_percent,
            valid_from=item.valid_from,
            valid_to=item.valid_to,
            promotions=tuple(item.promotions.all()),
        )


@dataclass
class ChargeLine:
    """One line of a period's charges, with how it was computed."""

    product: object
    kind: str  # "recurring", "resting" or "one_time"
    starts_on: date
    ends_on: date  # exclusive
    days: int
    period_days: int
    monthly_net: object
    net: object
    tax_rate: object
    tax: object
    discounts: list[AppliedDiscount] = field(default_factory=list)

    @property
    def total(self):
        return self.net + self.tax

    @property
    def explanation(self) -> str:
        last_day = self.ends_on - timedelta(days=1)
        if self.kind == "one_time":
            text = _("one-time charge on %(day)s") % {"day": self.starts_on}
        else:
            text = _("%(from)s to %(to)s: %(days)s of %(period)s days x %(monthly)s a month") % {
                "from": self.starts_on,
                "to": last_day,
                "days": self.days,
                "period": self.period_days,
                "monthly": self.monthly_net,
            }
            if self.kind == "resting":
                text = _("resting fee, %(text)s") % {"text": text}
        notes = [f"{d.name} ({d.why})" for d in self.discounts]
        return "; ".join([text, *notes])


@dataclass
class PeriodCharges:
    """The charges of one subscription for one billing period ``[start, end)``."""

    period_start: date
    period_end: date
    lines: list[ChargeLine]

    @property
    def net(self):
        return sum((line.net for line in self.lines), ZERO)

    @property
    def tax(self):
        return sum((line.tax for line in self.lines), ZERO)

    @property
    def total(self):
        return sum((line.total for line in self.lines), ZERO)


def billing_period(*, bill_cycle_day: int, day: date) -> tuple[date, date]:
    """The billing period ``[start, end)`` of an account's bill cycle containing ``day``."""
    start = day.replace(day=bill_cycle_day)
    if day.day < bill_cycle_day:
        start -= relativedelta(months=1)
    return start, start + relativedelta(months=1)


def _overlap(a_start, a_end, b_start, b_end) -> tuple[date, date] | None:
    start = max(a_start, b_start)
    end = min(a_end or date.max, b_end or date.max)
    return (start, end) if start < end else None


def _resting_spans(subscription, start: date, end: date) -> list[tuple[date, date]]:
    spans = []
    for period in subscription.resting_periods.exclude(status=RestingStatus.CANCELLED):
        span = _overlap(period.starts_on, period.ended_on or period.ends_on, start, end)
        if span:
            spans.append(span)
    return sorted(spans)


def month_of_contract(service_start: date, day: date) -> int:
    """The number of the contract month ``day`` falls in (1 = the first month)."""
    delta = relativedelta(day, service_start)
    return max(1, delta.years * 12 + delta.months + 1)


def period_charges(
    *,
    subscription,
    period_start: date,
    period_end: date,
    items: list[ItemTerms] | None = None,
    service_start: date | None = None,
) -> PeriodCharges:
    """The charges of ``subscription`` for ``[period_start, period_end)``: its items
    (or the planned ``items`` of a previewed change), from the day service started
    (``service_start``: activation, or the period start when previewing a
    subscription not yet installed) to the day it ended."""
    if items is None:
        items = [ItemTerms.of_item(i) for i in subscription.items.prefetch_related("promotions")]
    service_start = service_start or subscription.activated_on or period_start
    service_end = subscription.ended_on + timedelta(days=1) if subscription.ended_on else None
    period_days = (period_end - period_start).days
    resting = _resting_spans(subscription, period_start, period_end)
    owned = [terms.product for terms in items if terms.valid_to is None]
    lines: list[ChargeLine] = []
    for terms in items:
        one_time = _is_one_time(terms)
        if one_time:
            if period_start <= terms.valid_from < period_end:
                lines.append(_one_time_line(subscription, terms, owned))
            continue
        span = _overlap(terms.valid_from, terms.valid_to, period_start, period_end)
        span = span and _overlap(*span, service_start, service_end)
        if not span:
            continue
        quote = price_basket(
            customer=subscription.customer,
            items=[_basket_item(terms)],
            on_date=period_start,
            term_months=1,
            currency=subscription.currency,
            first_month=month_of_contract(subscription.activated_on or service_start, period_start),
            tenure_start=subscription.activated_on or service_start,
            granted_promotions={terms.product.pk: list(terms.promotions)},
            existing_products=owned,
            check_sale=False,
        )
        priced = quote.lines[0]
        for start, end, is_resting in _split(span, resting):
            days = (end - start).days
            monthly = priced.net
            if is_resting:
                monthly = round_money((priced.resting_amount or ZERO) * terms.quantity)
            net = round_money(monthly * days / period_days)
            lines.append(
                ChargeLine(
                    product=terms.product,
                    kind="resting" if is_resting else "recurring",
                    starts_on=start,
                    ends_on=end,
                    days=days,
                    period_days=period_days,
                    monthly_net=monthly,
                    net=net,
                    tax_rate=priced.tax_rate,
                    tax=round_money(net * priced.tax_rate),
                    discounts=[] if is_resting else priced.discounts,
                )
            )
    return PeriodCharges(period_start, period_end, lines)


def _is_one_time(terms: ItemTerms) -> bool:
    plans = terms.product.price_plans.filter(is_active=True, acquisition=terms.acquisition)
    charge = plans.values_list("charge", flat=True).first()
    if charge is None:  # a device with a single plan for another use
        charge = (
            terms.product.price_plans.filter(is_active=True)
            .values_list("charge", flat=True)
            .first()
        )
    return charge == product_choices.Charge.ONE_TIME


def _basket_item(terms: ItemTerms) -> BasketItem:
    return BasketItem(
        terms.product, terms.quantity, terms.acquisition, terms.manual_discount_percent or ZERO
    )


def _one_time_line(subscription, terms: ItemTerms, owned) -> ChargeLine:
    quote = price_basket(
        customer=subscription.customer,
        items=[_basket_item(terms)],
        on_date=terms.valid_from,
        term_months=1,
        currency=subscription.currency,
        granted_promotions={terms.product.pk: list(terms.promotions)},
        existing_products=owned,
        check_sale=False,
    )
    priced = quote.lines[0]
    return ChargeLine(
        product=terms.product,
        kind="one_time",
        starts_on=terms.valid_from,
        ends_on=terms.valid_from + timedelta(days=1),
        days=1,
        period_days=1,
        monthly_net=priced.net,
        net=priced.net,
        tax_rate=priced.tax_rate,
        tax=priced.tax,
        discounts=priced.discounts,
    )


def _split(span: tuple[date, date], resting: list[tuple[date, date]]):
    """Cut ``span`` into (start, end, is_resting) pieces by the resting spans."""
    start, end = span
    cursor = start
    for rest_start, rest_end in resting:
        piece = _overlap(rest_start, rest_end, cursor, end)
        if not piece:
            continue
        if cursor < piece[0]:
            yield cursor, piece[0], False
        yield piece[0], piece[1], True
        cursor = piece[1]
    if cursor < end:
        yield cursor, end, False


def current_items_quote(*, subscription, on: date, term_months: int = 1):
    """The subscription's current items priced from ``on`` for ``term_months`` as the
    contract stands that month: the promotions granted at the sale counted from the
    service start, rewards by tenure, products since taken off sale still priced.
    ``None`` when nothing is left on the subscription. The early-termination fee, the
    prepaid daily fee and the contract documents all price through here."""
    items = list(
        subscription.items.filter(valid_to__isnull=True)
        .select_related("product")
        .prefetch_related("promotions")
    )
    if not items:
        return None
    start = subscription.activated_on or subscription.signed_on
    return price_basket(
        customer=subscription.customer,
        items=[_basket_item(ItemTerms.of_item(i)) for i in items],
        on_date=on,
        term_months=term_months,
        currency=subscription.currency,
        granted_promotions={i.product.pk: list(i.promotions.all()) for i in items},
        check_sale=False,
        first_month=month_of_contract(start, on),
        tenure_start=start,
    )
