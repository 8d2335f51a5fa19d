"""The offer simulator (PRD-4): baskets priced for a segment or for a customer the
user may see, prerequisite errors shown (never a 500), comparison with a
competitor's offer with the cheapest marked, promotions that did not apply, pricing
approval, and the htmx partials."""

import json
import re
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from alux_crm.core import roles as R
from products import choices as C
from products.models import StandardOffer
from tests.customers.factories import person
from tests.products.factories import competitor_offer, promotion

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue_screens")]

RESULTS = {"HX-Request": "true", "HX-Target": "simulator-results"}
CUSTOMERS = {"HX-Request": "true", "HX-Target": "customer-choices"}


def query(*baskets, **fields) -> str:
    """The simulator's GET parameters: ``baskets`` are lists of (product, qty, use)."""
    params = {
        "run": "1",
        "customer": "",
        "segment": "mass",
        "category": "residential",
        "tier": "bronze",
        "channel": "agent",
        "on_date": timezone.localdate().isoformat(),
        "term_months": "12",
    }
    for number, rows in enumerate(baskets, start=1):
        for row, (product, quantity, use) in enumerate(rows, start=1):
            params[f"b{number}-product_{row}"] = product.pk
            params[f"b{number}-quantity_{row}"] = quantity
            params[f"b{number}-acquisition_{row}"] = use
    competitors = fields.pop("competitors", [])
    params.update(fields)
    return urlencode(params) + "".join(f"&competitors={c.pk}" for c in competitors)


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_empty_simulator_page(as_role, cat):
    client, _ = as_role(R.SALES)
    response = client.get("/simulator/")
    assert response.status_code == 200
    page = text(response)
    assert 'id="simulator-empty"' in page and 'name="b3-product_5"' in page
    assert 'value="agent" selected' in page  # staff sell as agents


def test_segment_basket_is_priced_month_by_month(as_role, cat):
    client, _ = as_role(R.SALES)
    std = C.Acquisition.STANDARD
    response = client.get(
        "/simulator/?" + query([(cat.tv, 1, std), (cat.box, 2, C.Acquisition.RENTAL)])
    )
    assert response.status_code == 200
    page = text(response)
    # TV 10 + 2 boxes rented at 3 = 16 net, 19.36 with 21 % VAT, for 12 months.
    assert 'data-figure="monthly">19.36 EUR' in page
    assert 'data-figure="total">232.32 EUR' in page
    assert "Priced for a new customer: Mass market, Residential, tier Bronze." in page
    assert "VAT 21 %" in page  # the line's explanation
    chart = json.loads(
        re.search(r'id="offer-chart-data" type="application/json">(.*?)</script>', page).group(1)
    )
    assert len(chart["labels"]) == 12 and chart["series"][0]["data"][0] == 19.36


def test_prerequisite_error_is_shown_not_raised(as_role, cat):
    client, _ = as_role(R.SALES)
    response = client.get("/simulator/?" + query([(cat.addon, 1, C.Acquisition.STANDARD)]))
    assert response.status_code == 200
    page = text(response)
    assert 'id="basket-errors-1"' in page and "requires TV package" in page
    assert 'id="offer-chart"' not in page


def test_two_baskets_against_a_competitor_mark_the_cheapest(as_role, cat):
    client, _ = as_role(R.MARKETING)
    rival = competitor_offer(monthly_price=Decimal("14.00"), one_time_price=Decimal("20.00"))
    std = C.Acquisition.STANDARD
    url = "/simulator/?" + query(
        [(cat.tv, 1, std)],  # 12.10 a month → 145.20
        [(cat.triple, 1, std), (cat.install, 1, std)],  # 36.30 a month + 30.25 once
        competitors=[rival],  # 14 x 12 + 20 = 188.00
        **{"b1-label": "TV only", "b2-label": "Everything"},
    )
    response = client.get(url, headers=RESULTS)
    assert response.status_code == 200
    page = text(response)
    assert "<html" not in page  # only the results
    cheapest = re.search(r'<section class="card h-100 border-success[^>]*>', page).group(0)
    assert 'data-offer="TV only"' in cheapest
    assert page.count('id="cheapest-badge"') == 1
    assert 'data-figure="total">188.00 EUR' in page
    assert 'data-figure="one-time">30.25 EUR' in page
    assert "Orion TV + Net 500" in page
    chart = json.loads(
        re.search(r'id="offer-chart-data" type="application/json">(.*?)</script>', page).group(1)
    )
    assert [s["label"] for s in chart["series"]] == ["TV only", "Everything", str(rival)]
    assert chart["series"][2]["data"][:2] == [34.0, 14.0]


def test_customer_eligibility_decides_the_promotions(as_role, cat):
    client, _ = as_role(R.SALES)
    promotion(
        code="sme-only",
        categories=[C.ProductCategory.TV_PACKAGE],
        rules=[{"kind": "segment", "values": ["sme"]}],
    )
    promotion(
        code="tv-half",
        value=Decimal("50"),
        categories=[C.ProductCategory.TV_PACKAGE],
        rules=[{"kind": "segment", "values": ["mass"]}],
    )
    customer = person(segment="mass")
    response = client.get(
        "/simulator/?"
        + query([(cat.tv, 1, C.Acquisition.STANDARD)], customer=customer.pk, segment="sme")
    )
    page = text(response)
    assert f"Priced for {customer.name} ({customer.number}), Mass market" in page
    assert 'data-rejected="sme-only"' in page and "is not one of sme" in page
    assert "Promotions applied: tv-half" in page
    assert 'data-figure="monthly">6.05 EUR' in page  # 10 - 50 % + VAT


def test_pricing_approval_is_flagged(as_role, cat):
    StandardOffer.objects.create(
        segment="mass",
        name_en="Mass standard",
        min_monthly_price=Decimal("5.00"),
        max_discount_percent=Decimal("10"),
        valid_from=timezone.localdate() - timedelta(days=1),
    )
    client, _ = as_role(R.SALES)
    std = C.Acquisition.STANDARD
    page = text(
        client.get(
            "/simulator/?" + query([(cat.tv, 1, std)], [(cat.tv, 1, std)], **{"b2-discount": "25"})
        )
    )
    assert page.count('data-approval="none"') == 1
    assert page.count('data-approval="needed"') == 1
    assert "exceeds the 10.00 % allowed" in page


def test_form_errors_are_listed(as_role, cat):
    client, _ = as_role(R.SALES)
    response = client.get(
        "/simulator/?" + query([(cat.tv, 1, "standard")], term_months="0", **{"b1-discount": "150"})
    )
    assert response.status_code == 200
    page = text(response)
    assert 'id="simulator-errors"' in page
    assert "Contract term, months" in page and "Offer 1 · Agent discount, %" in page


def test_retailer_finds_and_prices_only_its_own_customers(as_role, cat, partner_a, partner_b):
    client, _ = as_role(R.RETAILER)  # of partner A
    own = person(last_name="Ownclient", partner=partner_a)
    foreign = person(last_name="Otherclient", partner=partner_b)
    choices = text(client.get("/simulator/?customer_q=client", headers=CUSTOMERS))
    assert own.number in choices and foreign.number not in choices
    assert "1 customer found" in choices
    page = text(client.get("/simulator/"))
    assert 'value="retailer" selected' in page
    refused = text(
        client.get("/simulator/?" + query([(cat.tv, 1, "standard")], customer=foreign.pk))
    )
    assert "No such customer that you can see" in refused
    assert 'data-figure="monthly"' not in refused
    priced = text(client.get("/simulator/?" + query([(cat.tv, 1, "standard")], customer=own.pk)))
    assert 'data-figure="monthly">12.10 EUR' in priced
    assert f'<option value="{own.pk}" selected>' in priced  # the choice is kept


def test_customer_search_by_number(as_role, cat):
    client, _ = as_role(R.CUSTOMER_SERVICE)
    customer = person()
    digits = str(int(customer.number.split("-")[1]))
    choices = text(client.get(f"/simulator/?customer_q=c{digits}", headers=CUSTOMERS))
    assert f'<option value="{customer.pk}" selected>' in choices
    assert "Type a number" in text(client.get("/simulator/?customer_q=a", headers=CUSTOMERS))


def test_simulator_refuses_roles_without_it(as_role):
    for role in (R.INVENTORY, R.INSTALLER, R.BILLING_FINANCE):
        client, _ = as_role(role)
        assert client.get("/simulator/").status_code == 403
