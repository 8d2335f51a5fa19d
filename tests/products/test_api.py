"""The catalogue API: products (read for everyone, written by Sales), price plans and
scheduled prices, promotions and their approval, quotes priced by ``price_basket``
(with totals computed by hand), JSON errors and the OpenAPI schema."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alux_crm.core import roles as R
from products import choices as C
from products import services
from products.models import Product, StandardOffer, TvChannel
from tests.customers.factories import person
from tests.products import factories as F

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/v1/products/"
PLANS = "/api/v1/price-plans/"
PROMOTIONS = "/api/v1/promotions/"
QUOTE = "/api/v1/quotes/price"
SALE_DAY = "2026-01-15"


@pytest.fixture
def cat():
    return F.catalogue()


@pytest.fixture
def sales(make_user, login):
    user = make_user(R.SALES)
    login(user)
    return user


def _post(client, url, data):
    return client.post(url, data, content_type="application/json")


# --- products --------------------------------------------------------------------------------
def test_anonymous_is_refused_with_json(client, cat):
    for url in (PRODUCTS, PLANS, PROMOTIONS):
        response = client.get(url)
        assert response.status_code == 403
        assert response.json()["error"] == "not_authenticated"
    assert _post(client, QUOTE, {"items": [{"product": "tv-basic"}]}).status_code == 403


def test_product_detail_in_the_callers_language(make_user, login, client, cat):
    news = TvChannel.objects.create(code="news-24", name="News 24", genre="știri")
    cat.tv.channels.add(news)
    Product.objects.filter(pk=cat.tv.pk).update(name_ro="Pachet TV de bază")
    plan = cat.tv.price_plans.get()
    plan.prices.create(currency="USD", amount=Decimal("11.00"), valid_from=F.SINCE)
    tomorrow = timezone.localdate() + timedelta(days=1)
    services.plan_price_schedule(
        plan=plan, currency="EUR", amount=Decimal("12.00"), valid_from=tomorrow
    )
    login(make_user(R.RETAILER, language="ro"))

    body = client.get(f"{PRODUCTS}{cat.tv.pk}/").json()
    assert (body["code"], body["kind"], body["category"]) == ("tv-basic", "service", "tv_package")
    assert (body["name"], body["name_ro"]) == ("Pachet TV de bază", "Pachet TV de bază")
    assert body["name_en"] == cat.tv.name_en
    assert body["max_devices"] == 3
    assert body["tax_class"] == "standard"
    assert body["channels"] == [
        {"code": "news-24", "name": "News 24", "genre": "știri", "is_hd": True}
    ]
    [summary] = body["price_plans"]
    assert (summary["charge"], summary["acquisition"]) == ("recurring", "standard")
    current = {p["currency"]: p for p in summary["current_prices"]}
    assert set(current) == {"EUR", "USD"}  # the scheduled 12.00 is not current yet
    assert (current["EUR"]["amount"], current["EUR"]["resting_amount"]) == ("10.00", "2.00")
    assert current["EUR"]["valid_to"] == tomorrow.isoformat()
    assert current["EUR"]["is_current"] is True

    addon = client.get(f"{PRODUCTS}{cat.addon.pk}/").json()
    [rule] = addon["rules"]
    assert (rule["kind"], rule["target_category"], rule["target_product"]) == (
        "requires",
        "tv_package",
        None,
    )
    triple = client.get(f"{PRODUCTS}{cat.triple.pk}/").json()
    assert {c["component"]["code"] for c in triple["components"]} == {"tv-basic", "net-300"}
    assert client.get(f"{PRODUCTS}999999/").status_code == 404


def test_product_filters(sales, client, cat):
    Product.objects.filter(pk=cat.install.pk).update(is_active=False, name_ro="Instalare")

    def codes(**params):
        return {p["code"] for p in client.get(PRODUCTS, params).json()["results"]}

    assert codes(kind="device") == {"box"}
    assert codes(category="broadband") == {"net-300"}
    assert codes(on_sale="false") == {"install"}
    assert "install" not in codes(on_sale="true")
    assert codes(q="NET-3") == {"net-300"}
    assert codes(q="instal") == {"install"}  # the Romanian name
    assert codes(q="100%") == set()
    response = client.get(PRODUCTS, {"kind": "robot"})
    assert response.status_code == 400
    assert "kind" in response.json()["fields"]


@pytest.mark.parametrize("url", [PRODUCTS, PLANS, PROMOTIONS])
def test_list_queries_do_not_grow_with_the_catalogue(sales, client, cat, url):
    channel = TvChannel.objects.create(code="sport-1", name="Sport 1", genre="sport")

    def more(n: int) -> None:
        for _ in range(n):
            extra = F.product(C.ProductCategory.TV_PACKAGE, channels=[channel])
            F.plan(extra, "9.00", currency="USD")
            F.plan(extra, "1.00", acquisition=C.Acquisition.RENTAL)
            F.requires(extra, target=cat.box)  # a rule naming a product
            F.promotion(
                products=[extra, cat.box],
                rules=[{"kind": C.EligibilityKind.SEGMENT, "values": ["mass"]}],
            )

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    more(1)
    queries()  # warm the per-process caches (operator settings)
    few = queries()
    more(6)
    assert queries() == few
    # session, user, OTP device, roles, count, rows, then one per prefetched relation
    assert few <= 16


def _product_payload(**fields):
    data = {
        "code": "net-2000",
        "kind": "service",
        "category": "broadband",
        "name_en": "Internet 2000",
        "name_ro": "Internet 2000",
        "tax_class": "standard",
        "download_mbps": 2000,
    }
    data.update(fields)
    return data


def test_sales_creates_and_changes_a_product(sales, client, cat):
    TvChannel.objects.create(code="film-1", name="Film 1")
    response = _post(client, PRODUCTS, _product_payload())
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["code"], body["download_mbps"], body["price_plans"]) == ("net-2000", 2000, [])
    assert response["Location"].endswith(f"{PRODUCTS}{body['id']}/")

    response = client.patch(
        f"{PRODUCTS}{body['id']}/",
        {"is_active": False, "name_ro": "Internet 2 Gbit"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    product = Product.objects.get(pk=body["id"])
    assert (product.is_active, product.name_ro) == (False, "Internet 2 Gbit")

    tv = _post(
        client, PRODUCTS, _product_payload(code="tv-x", category="tv_package", channels=["film-1"])
    )
    assert tv.status_code == 201, tv.json()
    assert [c["code"] for c in tv.json()["channels"]] == ["film-1"]


def test_product_rules_of_the_service_are_400_per_field(sales, client, cat):
    response = _post(client, PRODUCTS, _product_payload(kind="device"))  # broadband is a service
    assert response.status_code == 400
    assert "category" in response.json()["fields"]
    response = _post(
        client, PRODUCTS, _product_payload(code="derby", kind="content", category="ppv")
    )
    assert response.status_code == 400
    assert "air_starts_at" in response.json()["fields"]
    response = _post(client, PRODUCTS, _product_payload(tax_class="nope"))
    assert response.status_code == 400
    assert "tax_class" in response.json()["fields"]
    assert not Product.objects.filter(code__in=["net-2000", "derby"]).exists()


def test_roles_that_may_only_read_get_403_on_writes(make_user, login, client, cat):
    draft = F.promotion(status=C.PromotionStatus.DRAFT)
    plan = cat.broadband.price_plans.get()
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    refused = [
        (R.CUSTOMER_SERVICE, "post", PRODUCTS, _product_payload()),
        (R.CUSTOMER_SERVICE, "patch", f"{PRODUCTS}{cat.tv.pk}/", {"is_active": False}),
        (
            R.MARKETING,
            "post",
            f"{PLANS}{plan.pk}/prices/",
            {"currency": "EUR", "amount": "1", "valid_from": tomorrow},
        ),
        (R.SALES, "post", f"{PROMOTIONS}{draft.pk}/approve/", {}),
        (R.BILLING_FINANCE, "post", QUOTE, {"items": [{"product": "tv-basic"}]}),
    ]
    for role, method, url, data in refused:
        login(make_user(role))
        assert client.get(PRODUCTS).status_code == 200  # everyone on staff reads
        response = getattr(client, method)(url, data, content_type="application/json")
        assert response.status_code == 403, (role, url)
        assert response.json()["error"] == "permission_denied"
    assert client.delete(f"{PRODUCTS}{cat.tv.pk}/").status_code in (403, 405)
    assert Product.objects.get(pk=cat.tv.pk).is_active
    assert plan.prices.count() == 1
    draft.refresh_from_db()
    assert draft.status == C.PromotionStatus.DRAFT


# --- price plans ---------------------------------------------------------------------------
def test_price_plans_with_every_price_and_filters(sales, client, cat):
    plan = cat.tv.price_plans.get()
    later = timezone.localdate() + timedelta(days=30)
    services.plan_price_schedule(
        plan=plan, currency="EUR", amount=Decimal("11.00"), valid_from=later
    )
    usd = F.plan(cat.broadband, "16.00", currency="USD", acquisition=C.Acquisition.RENTAL)

    body = client.get(f"{PLANS}{plan.pk}/").json()
    assert body["product"]["code"] == "tv-basic"
    assert [(p["amount"], p["valid_from"], p["valid_to"]) for p in body["prices"]] == [
        ("11.00", later.isoformat(), None),
        ("10.00", "2020-01-01", later.isoformat()),
    ]
    assert [(p["is_current"], p["is_scheduled"]) for p in body["prices"]] == [
        (False, True),
        (True, False),
    ]

    def ids(**params):
        return {p["id"] for p in client.get(PLANS, params).json()["results"]}

    assert ids(product=cat.box.pk) == set(cat.box.price_plans.values_list("pk", flat=True))
    assert ids(currency="usd") == {usd.pk}
    assert len(ids()) == 9


def test_schedule_a_price_and_refusals(sales, client, cat):
    plan = cat.broadband.price_plans.get()
    url = f"{PLANS}{plan.pk}/prices/"
    start = (timezone.localdate() + timedelta(days=10)).isoformat()
    response = _post(
        client,
        url,
        {"currency": "EUR", "amount": "17.50", "resting_amount": "3.00", "valid_from": start},
    )
    assert response.status_code == 201, response.json()
    assert (response.json()["amount"], response.json()["is_scheduled"]) == ("17.50", True)
    assert plan.prices.get(valid_from=F.SINCE).valid_to.isoformat() == start

    # A second price starting the same day overlaps: 400 with a JSON body per field.
    again = _post(client, url, {"currency": "EUR", "amount": "18.00", "valid_from": start})
    assert again.status_code == 400
    assert again["Content-Type"] == "application/json"
    body = again.json()
    assert body["error"] == "invalid"
    assert body["fields"]["valid_from"] == [f"A row already starts on {start}."]

    past = _post(client, url, {"currency": "EUR", "amount": "18.00", "valid_from": "2021-01-01"})
    assert past.status_code == 400
    assert "valid_from" in past.json()["fields"]
    negative = _post(client, url, {"currency": "EUR", "amount": "-1.00", "valid_from": start})
    assert negative.status_code == 400
    assert negative.json()["fields"]["amount"] == ["A price cannot be negative."]
    assert plan.prices.count() == 2


# --- promotions ------------------------------------------------------------------------------
def test_promotions_list_detail_and_status_filter(make_user, login, client, cat):
    active = F.promotion(
        code="bf-tv",
        categories=[C.ProductCategory.TV_PACKAGE],
        stacking=C.Stacking.EXCLUSIVE,
        rules=[{"kind": C.EligibilityKind.NEW_CUSTOMER, "values": []}],
    )
    draft = F.promotion(code="draft-net", status=C.PromotionStatus.DRAFT, products=[cat.broadband])
    login(make_user(R.SALES))

    body = client.get(f"{PROMOTIONS}{active.pk}/").json()
    assert (body["status"], body["discount_kind"], body["value"]) == (
        "active",
        "percentage",
        "10.00",
    )
    assert body["scope"] == {"products": [], "categories": ["tv_package"]}
    assert body["eligibility_rules"][0]["kind"] == "new_customer"
    assert body["approved_by"]["id"] == active.approved_by_id
    assert body["approved_by"]["id"] != body["created_by"]["id"]
    assert body["approved_at"] is not None
    detail = client.get(f"{PROMOTIONS}{draft.pk}/").json()
    assert detail["scope"]["products"][0]["code"] == "net-300"
    assert detail["approved_by"] is None

    def codes(**params):
        return {p["code"] for p in client.get(PROMOTIONS, params).json()["results"]}

    assert codes() == {"bf-tv", "draft-net"}
    assert codes(status="draft") == {"draft-net"}
    assert codes(status="active") == {"bf-tv"}


def test_approve_a_promotion_and_four_eyes(make_user, login, client):
    designer, colleague = make_user(R.MARKETING), make_user(R.MARKETING)
    mine = F.promotion(actor=designer, status=C.PromotionStatus.DRAFT)
    login(designer)
    response = client.post(f"{PROMOTIONS}{mine.pk}/approve/")
    assert response.status_code == 409
    assert response.json() == {
        "error": "conflict",
        "detail": "A promotion is approved by someone other than its designer.",
    }
    login(colleague)
    response = client.post(f"{PROMOTIONS}{mine.pk}/approve/")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "active"  # its window started long ago
    assert body["approved_by"]["username"] == colleague.username
    again = client.post(f"{PROMOTIONS}{mine.pk}/approve/")
    assert again.status_code == 409
    assert again.json()["error"] == "invalid_transition"


def test_partners_see_no_draft_promotions(make_user, login, client):
    draft = F.promotion(status=C.PromotionStatus.DRAFT)
    login(make_user(R.RETAILER))
    assert client.get(f"{PROMOTIONS}{draft.pk}/").status_code == 404
    assert client.get(PROMOTIONS).json()["count"] == 0


# --- quotes ---------------------------------------------------------------------------------
def test_quote_for_a_segment_by_hand(sales, client, cat):
    # Given 50 % off TV packages for 3 months, one for SME only, and the mass-market limits
    half = F.promotion(
        code="tv-half",
        value=Decimal("50"),
        duration_months=3,
        categories=[C.ProductCategory.TV_PACKAGE],
    )
    sme = F.promotion(
        code="sme-only", rules=[{"kind": C.EligibilityKind.SEGMENT, "values": ["sme"]}]
    )
    StandardOffer.objects.create(
        segment="mass",
        name_en="Mass market",
        max_discount_percent=Decimal("15"),
        min_monthly_price=Decimal("10"),
        valid_from=F.SINCE,
    )
    # When a new mass-market customer buys TV, broadband, a rented box and installation
    response = _post(
        client,
        QUOTE,
        {
            "segment": "mass",
            "on_date": SALE_DAY,
            "term_months": 12,
            "items": [
                {"product": "tv-basic"},
                {"product": str(cat.broadband.pk)},  # by id
                {"product": "box", "acquisition": "rental"},
                {"product": "install"},
            ],
        },
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    # Then: TV 10.00 - 5.00 = 5.00 + 21 % = 6.05; broadband 15.00 + 3.15 = 18.15;
    # box rental 3.00 + 0.63 = 3.63; installation 25.00 + 5.25 = 30.25 (month 1 only).
    lines = {line["product"]["code"]: line for line in body["lines"]}
    tv = lines["tv-basic"]
    assert (tv["gross"], tv["net"], tv["tax"], tv["total"]) == ("10.00", "5.00", "1.05", "6.05")
    assert tv["tax_rate"] == "0.210000"
    assert tv["discounts"] == [
        {
            "source": "promotion",
            "code": "tv-half",
            "name": half.name_en,
            "why": "50 % off for 3 months",
            "amount": "5.00",
        }
    ]
    assert tv["explanation"].startswith("1 x 10.00 EUR") and "VAT 21 %" in tv["explanation"]
    assert (lines["net-300"]["total"], lines["box"]["total"]) == ("18.15", "3.63")
    assert (lines["box"]["charge"], lines["install"]["charge"]) == ("recurring", "one_time")
    assert lines["install"]["total"] == "30.25"
    assert body["totals"] == {
        "first_month_total": "58.08",  # 6.05 + 18.15 + 3.63 + 30.25
        "monthly_total": "27.83",  # 6.05 + 18.15 + 3.63
        "monthly_net": "23.00",
        "one_time_total": "30.25",
        "term_total": "418.66",  # 58.08 + 2 x 27.83 + 9 x 33.88
        "discount_percent": "17.86",  # 5.00 of 28.00 recurring gross
    }
    schedule = body["schedule"]
    assert len(schedule) == 12
    assert schedule[0] == {
        "month": 1,
        "starts_on": SALE_DAY,
        "net": "48.00",
        "tax": "10.08",
        "total": "58.08",
    }
    assert [m["total"] for m in schedule[1:4]] == ["27.83", "27.83", "33.88"]
    assert schedule[3]["starts_on"] == "2026-04-15"
    assert body["customer"] is None
    assert body["buyer"]["segment"] == "mass"
    assert body["applied_promotions"] == ["tv-half"]
    assert body["rejected_promotions"] == [
        {"code": "sme-only", "name": sme.name_en, "reason": "segment mass is not one of sme"}
    ]
    assert body["needs_pricing_approval"] is True
    assert body["pricing_approval_reasons"] == [
        "The discount of 17.86 % exceeds the 15.00 % allowed for Mass market."
    ]


def test_quote_for_a_customer_by_hand(sales, client, cat):
    customer = person()
    response = _post(
        client,
        QUOTE,
        {
            "customer": customer.pk,
            "on_date": SALE_DAY,
            "items": [
                {"product": "triple"},
                {"product": "box", "acquisition": "sale"},
                {"product": "hbo", "manual_discount_percent": "10"},  # the bundle has TV
            ],
        },
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    lines = body["lines"]
    included = {line["product"]["code"] for line in lines if line["included_in"] == "triple"}
    assert included == {"tv-basic", "net-300"}
    assert all(line["total"] == "0.00" for line in lines if line["included_in"])
    priced = {line["product"]["code"]: line for line in lines if not line["included_in"]}
    assert priced["triple"]["total"] == "36.30"  # 30.00 + 6.30
    assert priced["box"]["total"] == "119.79"  # 99.00 + 20.79, one time
    hbo = priced["hbo"]  # 5.00 - 0.50 = 4.50 + 0.95 (0.945 rounded half-up) = 5.45
    assert (hbo["net"], hbo["tax"], hbo["total"]) == ("4.50", "0.95", "5.45")
    assert hbo["discounts"][0]["source"] == "manual"
    assert body["totals"]["first_month_total"] == "161.54"
    assert body["totals"]["monthly_total"] == "41.75"
    assert body["totals"]["term_total"] == "1121.79"  # 161.54 + 23 x 41.75 (24 months)
    assert body["totals"]["discount_percent"] == "1.43"  # 0.50 of 35.00
    assert body["term_months"] == 24 and len(body["schedule"]) == 24
    assert body["customer"] == customer.pk
    # No limits for the segment: any agent discount needs Pricing approval.
    assert body["pricing_approval_reasons"] == ["No discount limits are set for this segment."]


def test_a_retailer_always_sells_through_the_retailer_channel(make_user, login, client, cat):
    F.promotion(
        code="agents-only",
        rules=[{"kind": C.EligibilityKind.CHANNEL, "values": ["agent"]}],
    )
    login(make_user(R.RETAILER))
    body = _post(client, QUOTE, {"channel": "agent", "items": [{"product": "tv-basic"}]}).json()
    assert body["channel"] == "retailer"
    assert body["applied_promotions"] == []
    assert body["rejected_promotions"][0]["code"] == "agents-only"


def test_retailer_prices_only_its_own_customers(
    make_user, login, client, cat, partner_a, partner_b
):
    own, other = person(partner=partner_a), person(partner=partner_b)
    login(make_user(R.RETAILER))
    items = [{"product": "net-300"}]
    response = _post(client, QUOTE, {"customer": other.pk, "items": items})
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
    assert _post(client, QUOTE, {"customer": own.pk, "items": items}).status_code == 200


def test_quote_refusals_are_400(sales, client, cat):
    unknown = _post(client, QUOTE, {"items": [{"product": "tv-basic"}, {"product": "nope"}]})
    assert unknown.status_code == 400
    assert unknown.json()["fields"]["items"] == ["Unknown product: nope."]

    alone = _post(client, QUOTE, {"items": [{"product": "hbo"}]})
    assert alone.status_code == 400
    body = alone.json()
    message = f"{cat.addon.name} requires TV package."
    assert body["fields"]["items"] == [message]
    assert message in body["detail"]

    several = _post(client, QUOTE, {"items": [{"product": "hbo", "quantity": 0}]})
    assert several.status_code == 400
    assert len(several.json()["fields"]["items"]) == 2  # the quantity and the missing TV

    empty = _post(client, QUOTE, {"items": []})
    assert empty.status_code == 400
    assert "items" in empty.json()["fields"]
    long_term = _post(client, QUOTE, {"term_months": 500, "items": [{"product": "tv-basic"}]})
    assert "term_months" in long_term.json()["fields"]


# --- schema ------------------------------------------------------------------------------------
def test_openapi_schema_documents_the_catalogue(tmp_path, make_user, login, client):
    call_command("spectacular", fail_on_warn=True, file=str(tmp_path / "schema.yaml"))
    login(make_user(R.BACK_OFFICE))
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/products/"])
    assert {"get", "put", "patch"} <= set(paths["/api/v1/products/{id}/"])
    assert "post" in paths["/api/v1/price-plans/{id}/prices/"]
    assert "post" in paths["/api/v1/promotions/{id}/approve/"]
    quote = paths["/api/v1/quotes/price"]["post"]
    assert quote["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/QuoteRequest"
    )
    assert quote["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/Quote"
    )
    assert {"400", "404"} <= set(quote["responses"])
    params = {p["name"] for p in paths["/api/v1/products/"]["get"]["parameters"]}
    assert {"q", "kind", "category", "on_sale"} <= params
