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
from functools import lru_cache

from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext as _

from alux_crm.core.money import ZERO, round_money
from products import choices as product_choices
from products.models import Product
from products.pricing import AppliedDiscount, BasketItem, load_catalogue, price_basket
from products.pricing.discounts import _tenure_months

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
            promotions=tuple(_rows(item, "promotions")),
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


def charge_rows(obj, **rows) -> None:
    """Give ``obj`` the rows of its relations that the charges read (a billing run
    reads them for a whole chunk at once), e.g. ``resting_periods=[…]``."""
    obj.__dict__.setdefault("_charge_rows", {}).update(rows)


def _prefetched(obj, name: str):
    """The rows of a relation when the caller read them already (``charge_rows``, or
    Django's prefetch cache), else ``None``. Read straight from the cache: ``.all()``
    would clone a queryset per call, which a run of a million subscriptions notices."""
    given = obj.__dict__.get("_charge_rows")
    if given is not None and name in given:
        return given[name]
    cached = getattr(obj, "_prefetched_objects_cache", {}).get(name)
    if cached is None:
        return None
    return cached._result_cache if cached._result_cache is not None else cached


def _rows(obj, name: str):
    """The rows of a relation: prefetched ones, or a query."""
    rows = _prefetched(obj, name)
    return rows if rows is not None else getattr(obj, name).all()


def _resting_spans(subscription, start: date, end: date) -> list[tuple[date, date]]:
    spans = []
    for period in _rows(subscription, "resting_periods"):
        if period.status == RestingStatus.CANCELLED:
            continue
        span = _overlap(period.starts_on, period.ended_on or period.ends_on, start, end)
        if span:
            spans.append(span)
    return sorted(spans)


@lru_cache(maxsize=8192)
def month_of_contract(service_start: date, day: date) -> int:
    """The number of the contract month ``day`` falls in (1 = the first month)."""
    delta = relativedelta(day, service_start)
    return max(1, delta.years * 12 + delta.months + 1)


class ChargePricer:
    """Prices the items of many subscriptions for one billing period, as a billing
    run does for a chunk of accounts: the catalogue is loaded once per currency and
    country, and an item priced the same way as one before (same product, use,
    quantity, discount, granted promotions, products owned, contract month and
    tenure) reuses that price instead of pricing again. ``period_charges`` makes one
    for itself when not given one (a preview of one subscription)."""

    def __init__(self, *, period_start: date, period_end: date):
        self.period_start = period_start
        self.period_end = period_end
        self._products: dict | None = None
        self._catalogues: dict = {}
        self._quotes: dict = {}

    @property
    def products(self) -> dict[int, Product]:
        """Every product by id, loaded once (items of the chunk point at these)."""
        if self._products is None:
            self._products = {p.pk: p for p in Product.objects.all()}
        return self._products

    def catalogue(self, currency: str, country: str):
        """Every product's plans, prices and rates over the period, loaded once."""
        key = (currency, country)
        if key not in self._catalogues:
            self._catalogues[key] = load_catalogue(
                list(self.products.values()), currency, country, self.period_start, self.period_end
            )
        return self._catalogues[key]

    def is_one_time(self, terms: "ItemTerms", currency: str, country: str) -> bool:
        """Whether the item's active plan for its use (or, for a device with a single
        plan for another use, that plan) is charged once."""
        plans = self.catalogue(currency, country).plans
        plan = plans.get((terms.product.pk, terms.acquisition))
        if plan is None:  # a device with a single plan for another use
            plan = next((p for (pk, _use), p in plans.items() if pk == terms.product.pk), None)
        return plan is not None and plan.charge == product_choices.Charge.ONE_TIME

    def price(self, *, subscription, terms: "ItemTerms", on_date: date, owned, **kwargs):
        """The first priced line of ``terms`` as ``price_basket`` prices it."""
        customer = subscription.customer
        key = (
            terms.product.pk,
            terms.acquisition,
            terms.quantity,
            terms.manual_discount_percent,
            tuple(p.pk for p in terms.promotions),
            tuple(sorted(p.pk for p in owned)),
            subscription.currency,
            customer.country,
            on_date,
            kwargs.get("first_month", 1),
            _tenure_key(kwargs.get("tenure_start"), on_date),
        )
        if key not in self._quotes:
            catalogue = self.catalogue(subscription.currency, customer.country)
            self._quotes[key] = _price_one(
                subscription, terms, on_date, owned, catalogue=catalogue, **kwargs
            )
        return self._quotes[key]


@lru_cache(maxsize=8192)
def _tenure_key(tenure_start: date | None, on_date: date) -> int | None:
    """Tenure in whole months, as ``price_basket`` counts it (cached: a run asks for
    the same few thousand pairs a million times)."""
    return None if tenure_start is None else _tenure_months(tenure_start, on_date)


def _price_one(subscription, terms: "ItemTerms", on_date: date, owned, **kwargs):
    quote = price_basket(
        customer=subscription.customer,
        items=[_basket_item(terms)],
        on_date=on_date,
        term_months=1,
        currency=subscription.currency,
        granted_promotions={terms.product.pk: list(terms.promotions)},
        existing_products=owned,
        check_sale=False,
        **kwargs,
    )
    return quote.lines[0]


def period_charges(
    *,
    subscription,
    period_start: date,
    period_end: date,
    items: list[ItemTerms] | None = None,
    service_start: date | None = None,
    pricer: ChargePricer | None = None,
) -> PeriodCharges:
    """The charges of ``subscription`` for ``[period_start, period_end)``: its items
    (or the planned ``items`` of a previewed change), from the day service started
    (``service_start``: activation, or the period start when previewing a
    subscription not yet installed) to the day it ended. A billing run passes its
    ``pricer`` and prefetches the items (with products and promotions) and resting
    periods."""
    if items is None:
        rows = _prefetched(subscription, "items")
        if rows is None:
            rows = subscription.items.select_related("product").prefetch_related("promotions")
        items = [ItemTerms.of_item(i) for i in rows]
    service_start = service_start or subscription.activated_on or period_start
    service_end = subscription.ended_on + timedelta(days=1) if subscription.ended_on else None
    period_days = (period_end - period_start).days
    resting = _resting_spans(subscription, period_start, period_end)
    owned = [terms.product for terms in items if terms.valid_to is None]
    lines: list[ChargeLine] = []
    pricer = pricer or ChargePricer(period_start=period_start, period_end=period_end)
    country = subscription.customer.country
    for terms in items:
        if pricer.is_one_time(terms, subscription.currency, country):
            if period_start <= terms.valid_from < period_end:
                lines.append(_one_time_line(subscription, terms, owned, pricer))
            continue
        span = _overlap(terms.valid_from, terms.valid_to, period_start, period_end)
        span = span and _overlap(*span, service_start, service_end)
        if not span:
            continue
        started = subscription.activated_on or service_start
        how = {"first_month": month_of_contract(started, period_start), "tenure_start": started}
        priced = pricer.price(
            subscription=subscription, terms=terms, on_date=period_start, owned=owned, **how
        )
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


def _basket_item(terms: ItemTerms) -> BasketItem:
    return BasketItem(
        terms.product, terms.quantity, terms.acquisition, terms.manual_discount_percent or ZERO
    )


def _one_time_line(subscription, terms: ItemTerms, owned, pricer: ChargePricer) -> ChargeLine:
    priced = pricer.price(
        subscription=subscription, terms=terms, on_date=terms.valid_from, owned=owned
    )
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
