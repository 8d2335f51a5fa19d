"""The offer simulator (PRD-4): up to three of our baskets priced for a customer (by
their eligibility) or for a segment, side by side with competitors' offers over the
same term, with the cheapest marked, why each line costs what it does, which
promotions did not apply, and whether Pricing must approve.

Everything is computed by ``pricing.price_basket`` and ``offers``; this view only
reads the form, calls them and lays the answer out. It is a read (GET), so a result
has a URL that can be shared; htmx re-renders only the results.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import View

from alux_crm.core.money import ZERO
from alux_crm.core.selectors import is_partner_user, operator_settings
from customers import choices as customer_choices

from .. import choices, selectors
from ..eligibility import Buyer
from ..forms import BASKETS, BasketForm, SimulatorForm
from ..offers import OfferColumn, cheapest, column_for_competitor, column_for_quote
from ..pricing import BasketItem, Quote, price_basket


@dataclass
class BasketResult:
    """One of our baskets after pricing: its comparison column, or why it could not
    be priced."""

    number: int
    title: str
    quote: Quote | None = None
    column: OfferColumn | None = None
    errors: list[str] = field(default_factory=list)


@dataclass
class Comparison:
    """Every column side by side, the cheapest one, and the chart data."""

    baskets: list[BasketResult]
    columns: list[OfferColumn]
    best: OfferColumn | None
    currency: str
    chart: dict
    who: str = ""


def _monthly_costs(column: OfferColumn) -> list[float]:
    """What the offer costs in each month of the term (for the chart)."""
    if column.quote is not None:
        return [float(month.total) for month in column.quote.months]
    rest = [float(column.monthly)] * (column.term_months - 1)
    return [float(column.first_month), *rest]


def _buyer(data: dict) -> Buyer | None:
    if data["customer"] is not None:
        return None  # price_basket reads the customer's own segment, tier, tenure
    return Buyer.of_segment(
        data["segment"],
        category=data["category"],
        tier=data["tier"],
        country=operator_settings().country or "RO",
    )


def simulate(form: SimulatorForm, baskets: list[BasketForm], products: dict) -> Comparison:
    """Price every basket that has products and compare them with the chosen
    competitors' offers."""
    data = form.cleaned_data
    buyer = _buyer(data)
    results = []
    for basket in baskets:
        lines = basket.lines()
        if not lines:
            continue
        result = BasketResult(number=basket.number, title=basket.title())
        discount = basket.cleaned_data.get("discount") or ZERO
        items = [
            BasketItem(
                product=products[pk],
                quantity=quantity,
                acquisition=acquisition,
                manual_discount_percent=discount,
            )
            for pk, quantity, acquisition in lines
        ]
        try:
            result.quote = price_basket(
                items=items,
                customer=data["customer"],
                buyer=buyer,
                on_date=data["on_date"],
                channel=data["channel"],
                term_months=data["term_months"],
            )
        except ValidationError as exc:
            result.errors = exc.messages
        else:
            result.column = column_for_quote(result.title, result.quote)
        results.append(result)
    columns = [r.column for r in results if r.column is not None]
    columns += [column_for_competitor(offer, data["term_months"]) for offer in data["competitors"]]
    currency = columns[0].currency if columns else operator_settings().currency
    best = cheapest([c for c in columns if c.currency == currency]) if len(columns) > 1 else None
    chart = {
        "labels": [str(m) for m in range(1, data["term_months"] + 1)],
        "series": [{"label": c.label, "data": _monthly_costs(c)} for c in columns],
        "x": _("Month of the contract"),
        "y": _("Cost in the month, %(currency)s") % {"currency": currency},
    }
    return Comparison(results, columns, best, currency, chart, _who(data))


def _who(data: dict) -> str:
    """Whom and how the offers were priced for, in words."""
    customer = data["customer"]
    if customer is not None:
        who = _("Priced for %(name)s (%(number)s), %(segment)s, tier %(tier)s.") % {
            "name": customer.name,
            "number": customer.number,
            "segment": customer.get_segment_display(),
            "tier": customer.get_tier_display(),
        }
    else:
        who = _("Priced for a new customer: %(segment)s, %(category)s, tier %(tier)s.") % {
            "segment": customer_choices.CustomerSegment(data["segment"]).label,
            "category": customer_choices.CustomerCategory(data["category"]).label,
            "tier": customer_choices.Tier(data["tier"]).label,
        }
    when = _("Sold through %(channel)s on %(day)s, %(n)s-month term.") % {
        "channel": choices.SalesChannel(data["channel"]).label.lower(),
        "day": data["on_date"].isoformat(),
        "n": data["term_months"],
    }
    return f"{who} {when}"


class OfferSimulatorView(View):
    """The simulator page; htmx asks for the results alone (``#simulator-results``)
    or for the customers matching the search box (``#customer-choices``)."""

    template_name = "products/simulator.html"

    def get(self, request):
        if request.htmx and request.htmx.target == "customer-choices":
            return self._customer_choices(request)
        products = {p.pk: p for p in selectors.simulator_products()}
        product_choices = [(p.pk, f"{p.name} ({p.code})") for p in products.values()]
        bound = "run" in request.GET
        data = request.GET if bound else None
        form = SimulatorForm(
            data,
            competitors=selectors.competitor_offer_list(),
            find_customer=lambda pk: selectors.simulator_customer(user=request.user, pk=pk),
            channel=(
                choices.SalesChannel.RETAILER
                if is_partner_user(request.user)
                else choices.SalesChannel.AGENT
            ),
        )
        if not bound and request.GET.getlist("competitors"):
            form.initial["competitors"] = request.GET.getlist("competitors")
        baskets = [
            BasketForm(data, number=n, product_choices=product_choices)
            for n in range(1, BASKETS + 1)
        ]
        comparison = None
        if bound:
            valid = [form.is_valid()] + [basket.is_valid() for basket in baskets]
            if all(valid):
                comparison = simulate(form, baskets, products)
        context = {
            "title": _("Offer simulator"),
            "form": form,
            "baskets": baskets,
            "comparison": comparison,
            "bound": bound,
            "customer": form.chosen_customer,
            "basket_errors": [b for b in baskets if bound and b.errors],
        }
        if request.htmx and request.htmx.target == "simulator-results":
            return render(request, "products/partials/simulator_results.html", context)
        return render(request, self.template_name, context)

    def _customer_choices(self, request):
        text = request.GET.get("customer_q", "")
        context = {
            "matches": selectors.simulator_customers(user=request.user, text=text),
            "searched": len(text.strip()) >= 2,
            "query": text,
        }
        return render(request, "products/partials/simulator_customers.html", context)
