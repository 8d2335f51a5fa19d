"""The product screens as Sales, Marketing and a retailer use them: the list (filters,
CSV, bounded queries), the product page and its tabs, product and price forms (every
refusal is a field error, never a 500) and the admin's service-checked saves.
Promotions and offers: ``test_promotion_views.py``; the simulator: ``test_simulator.py``."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from alux_crm.core import roles as R
from products import choices as C
from products import services
from products.models import PlanPrice, Product
from tests.products.factories import product, promotion

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue_screens")]

HTMX_TABLE = {"HX-Request": "true", "HX-Target": "object-table"}


def html(response) -> str:
    return response.content.decode()


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


# --- product list ------------------------------------------------------------------------
def test_product_list_filters_and_prices(as_role, cat):
    client, _ = as_role(R.SALES)
    page = html(client.get("/products/"))
    assert "tv-basic" in page and "10.00 EUR" in page  # today's price
    assert "99.00 EUR" in page and "3.00 EUR" in page  # the box: sale and rental

    def codes(query):
        response = client.get(f"/products/?{query}", headers=HTMX_TABLE)
        assert response.status_code == 200 and "<html" not in html(response)
        return {p.code for p in Product.objects.all() if f">{p.code}</a>" in html(response)}

    assert codes("kind=device") == {"box"}
    assert codes("category=tv_addon") == {"hbo"}
    assert codes("q=NET") == {"net-300"}
    Product.objects.filter(code="install").update(is_active=False)
    assert codes("on_sale=no") == {"install"}
    assert "install" not in codes("on_sale=yes")


def test_product_list_csv(as_role, cat):
    client, _ = as_role(R.MARKETING)
    response = client.get("/products/?kind=service&_export=csv")
    assert response.status_code == 200
    header, *rows = csv_rows(response)
    assert header[:2] == ["Code", "Name"] and "Price today" in header
    assert {r[0] for r in rows} == {"tv-basic", "hbo", "net-300"}
    prices = header.index("Price today")
    assert any("10.00 EUR" in r[prices] for r in rows)


def test_product_list_queries_do_not_grow_with_rows(as_role, cat, django_assert_max_num_queries):
    client, _ = as_role(R.SALES)
    client.get("/products/")
    with django_assert_max_num_queries(15) as few:
        client.get("/products/")
    for _ in range(10):
        product(C.ProductCategory.BROADBAND)
    with django_assert_max_num_queries(15) as many:
        client.get("/products/")
    assert len(many.captured_queries) == len(few.captured_queries)


def test_retailer_sees_the_catalogue_but_cannot_edit(as_role, cat):
    client, _ = as_role(R.RETAILER)
    assert client.get("/products/").status_code == 200
    page = html(client.get(f"/products/{cat.tv.pk}/"))
    assert "/edit/" not in page and "New price" not in page
    assert client.get("/products/new/").status_code == 403
    assert client.get(f"/products/{cat.tv.pk}/prices/new/").status_code == 403


# --- product page --------------------------------------------------------------------------
def test_product_page_tabs(as_role, cat):
    client, _ = as_role(R.SALES)
    tv = html(client.get(f"/products/{cat.tv.pk}/"))
    assert 'data-tab="channels"' in tv and 'data-tab="components"' not in tv
    assert "3 TV boxes (multi-room)" in tv  # PRD-5
    triple = html(client.get(f"/products/{cat.triple.pk}/"))
    assert 'data-tab="components"' in triple and 'data-tab="channels"' not in triple
    components = html(client.get(f"/products/{cat.triple.pk}/tabs/components/"))
    assert cat.tv.name in components
    assert cat.broadband.name in components
    assert client.get(f"/products/{cat.tv.pk}/tabs/components/").status_code == 404
    rules = html(client.get(f"/products/{cat.addon.pk}/tabs/rules/"))
    assert "Requires" in rules and "TV package" in rules
    about_tv = html(client.get(f"/products/{cat.tv.pk}/tabs/rules/"))
    assert cat.addon.name in about_tv and cat.triple.code in about_tv
    net = html(client.get(f"/products/{cat.broadband.pk}/"))
    assert "300 Mbit/s down" in net
    ppv = html(client.get(f"/products/{cat.ppv.pk}/"))
    assert "2099-01-01" in ppv  # air time


def test_prices_tab_marks_past_current_and_scheduled(as_role, cat):
    client, _ = as_role(R.SALES)
    plan = cat.tv.price_plans.get()
    later = timezone.localdate() + timedelta(days=30)
    services.plan_price_schedule(
        plan=plan, currency="EUR", amount=Decimal("12.00"), valid_from=later
    )
    PlanPrice.objects.create(
        plan=plan,
        currency="RON",
        amount=Decimal("40.00"),
        valid_from=timezone.localdate() - timedelta(days=400),
        valid_to=timezone.localdate() - timedelta(days=10),
    )
    page = html(client.get(f"/products/{cat.tv.pk}/tabs/prices/"))
    assert page.count('data-state="current"') == 1
    assert page.count('data-state="scheduled"') == 1
    assert page.count('data-state="past"') == 1
    assert "12.00 EUR" in page and "New price" in page


def test_product_names_follow_the_users_language(as_role, cat):
    client, _ = as_role(R.SALES)
    Product.objects.filter(pk=cat.tv.pk).update(
        name_ro="Pachet TV de bază", description_en="Fifty channels", description_ro=""
    )
    ro = html(client.get(f"/products/{cat.tv.pk}/", headers={"Accept-Language": "ro"}))
    assert "Pachet TV de bază" in ro
    assert "Fifty channels" in ro  # no Romanian description: the English one
    en = html(client.get(f"/products/{cat.tv.pk}/", headers={"Accept-Language": "en"}))
    assert f'<h1 class="h3 mb-0">{cat.tv.name_en}' in en


def test_product_page_makes_a_bounded_number_of_queries(
    as_role, cat, django_assert_max_num_queries
):
    client, _ = as_role(R.SALES)
    url = f"/products/{cat.tv.pk}/"
    client.get(url)
    with django_assert_max_num_queries(20) as few:
        assert client.get(f"{url}?tab=prices").status_code == 200
    plan = cat.tv.price_plans.get()
    for days in range(1, 8):
        services.plan_price_schedule(
            plan=plan,
            currency="EUR",
            amount=Decimal(days),
            valid_from=timezone.localdate() + timedelta(days=days),
        )
    with django_assert_max_num_queries(20) as many:
        assert client.get(f"{url}?tab=prices").status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)
    for tab in ("overview", "prices", "channels", "rules", "history"):
        with django_assert_max_num_queries(20):
            assert client.get(f"{url}tabs/{tab}/").status_code == 200


def test_history_tab_shows_price_changes(as_role, cat):
    client, user = as_role(R.SALES)
    response = client.post(
        f"/products/{cat.tv.pk}/prices/new/",
        {
            "plan": cat.tv.price_plans.get().pk,
            "currency": "EUR",
            "amount": "11.00",
            "resting_amount": "",
            "valid_from": (timezone.localdate() + timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 302
    page = html(client.get(f"/products/{cat.tv.pk}/tabs/history/"))
    assert 'data-model="products.PlanPrice"' in page
    assert "Price 11.00 EUR" in page
    assert user.last_name in page  # who did it


# --- product forms -------------------------------------------------------------------------
def product_post(**overrides):
    data = {
        "code": "sport-plus",
        "kind": "service",
        "category": "tv_addon",
        "name_en": "Sport Plus",
        "name_ro": "Sport Plus RO",
        "description_en": "",
        "description_ro": "",
        "tax_class": "",
        "is_active": "on",
        "change_policy": "immediate",
        "max_devices": "",
        "download_mbps": "",
        "upload_mbps": "",
        "air_starts_at": "",
        "air_ends_at": "",
        "rental_hours": "",
        "sort_order": "100",
    }
    return data | overrides


def test_create_and_edit_a_product(as_role, cat):
    client, _ = as_role(R.SALES)
    assert client.get("/products/new/").status_code == 200
    response = client.post("/products/new/", product_post(tax_class=cat.tax.pk))
    assert response.status_code == 302
    created = Product.objects.get(code="sport-plus")
    assert response["Location"] == f"/products/{created.pk}/"
    assert created.name_ro == "Sport Plus RO"
    edit = client.post(
        f"/products/{created.pk}/edit/",
        product_post(tax_class=cat.tax.pk, code="renamed", name_en="Sport Max"),
    )
    assert edit.status_code == 302
    created.refresh_from_db()
    assert created.name_en == "Sport Max" and created.code == "sport-plus"  # code stays


def test_kind_category_mismatch_is_a_field_error(as_role, cat):
    client, _ = as_role(R.BACK_OFFICE)
    response = client.post("/products/new/", product_post(tax_class=cat.tax.pk, kind="device"))
    assert response.status_code == 422
    form = response.context["form"]
    assert "category" in form.errors and "kind Physical item" not in str(form.errors)
    assert not Product.objects.filter(code="sport-plus").exists()
    movie = client.post(
        "/products/new/",
        product_post(tax_class=cat.tax.pk, kind="content", category="movie", code="film"),
    )
    assert movie.status_code == 422 and "rental_hours" in movie.context["form"].errors


def test_marketing_may_not_edit_products(as_role, cat):
    client, _ = as_role(R.MARKETING)
    assert client.get(f"/products/{cat.tv.pk}/edit/").status_code == 403


# --- new price ---------------------------------------------------------------------------
def price_post(cat, **overrides):
    data = {
        "plan": cat.tv.price_plans.get().pk,
        "currency": "EUR",
        "amount": "12.50",
        "resting_amount": "",
        "valid_from": (timezone.localdate() + timedelta(days=10)).isoformat(),
    }
    return data | overrides


def test_new_price_ends_the_current_one(as_role, cat):
    client, _ = as_role(R.SALES)
    page = client.get(f"/products/{cat.tv.pk}/prices/new/")
    assert page.status_code == 200 and "10.00 EUR" in html(page)  # current prices beside
    response = client.post(f"/products/{cat.tv.pk}/prices/new/", price_post(cat))
    assert response.status_code == 302
    assert response["Location"] == f"/products/{cat.tv.pk}/?tab=prices"
    prices = list(PlanPrice.objects.filter(plan__product=cat.tv).order_by("valid_from"))
    assert [p.amount for p in prices] == [Decimal("10.00"), Decimal("12.50")]
    assert prices[0].valid_to == prices[1].valid_from


@pytest.mark.parametrize(
    ("overrides", "field", "text"),
    [
        ({"amount": "-1"}, "amount", "cannot be negative"),
        ({"valid_from": "2021-01-01"}, "valid_from", "never rewritten"),
        ({"valid_from": "2020-01-01"}, "valid_from", "never rewritten"),
    ],
)
def test_refused_prices_are_field_errors(as_role, cat, overrides, field, text):
    client, _ = as_role(R.SALES)
    response = client.post(f"/products/{cat.tv.pk}/prices/new/", price_post(cat, **overrides))
    assert response.status_code == 422
    assert text in " ".join(response.context["form"].errors[field])
    assert PlanPrice.objects.filter(plan__product=cat.tv).count() == 1


def test_two_prices_starting_the_same_day_are_refused(as_role, cat):
    client, _ = as_role(R.SALES)
    assert client.post(f"/products/{cat.tv.pk}/prices/new/", price_post(cat)).status_code == 302
    again = client.post(f"/products/{cat.tv.pk}/prices/new/", price_post(cat, amount="13.00"))
    assert again.status_code == 422
    assert "already starts" in " ".join(again.context["form"].errors["valid_from"])


def test_resting_fee_on_a_one_time_plan_is_a_field_error(as_role, cat):
    client, _ = as_role(R.SALES)
    plan = cat.install.price_plans.get()
    response = client.post(
        f"/products/{cat.install.pk}/prices/new/",
        price_post(cat, plan=plan.pk, resting_amount="1.00"),
    )
    assert response.status_code == 422 and "resting_amount" in response.context["form"].errors


# --- admin: saves with rules go through the services ---------------------------------------
def test_admin_lists_prices_read_only_and_links_to_the_new_price_form(as_role, cat):
    client, _ = as_role(R.SALES, is_staff=True)
    plan = cat.tv.price_plans.get()
    page = html(client.get(f"/admin/products/priceplan/{plan.pk}/change/"))
    assert f"/products/{cat.tv.pk}/prices/new/?plan={plan.pk}" in page
    assert 'name="prices-0-amount"' not in page  # existing prices cannot be edited
    assert client.get("/admin/products/planprice/add/").status_code == 403


def test_admin_product_save_is_checked_by_the_service(as_role, cat):
    client, _ = as_role(R.SALES, is_staff=True)
    data = product_post(tax_class=cat.tax.pk, kind="device", code="admin-made") | {
        "components-TOTAL_FORMS": "0",
        "components-INITIAL_FORMS": "0",
        "rules-TOTAL_FORMS": "0",
        "rules-INITIAL_FORMS": "0",
    }
    refused = client.post("/admin/products/product/add/", data)
    assert refused.status_code == 200 and "is a product of kind" in html(refused)
    assert not Product.objects.filter(code="admin-made").exists()
    saved = client.post("/admin/products/product/add/", data | {"kind": "service"})
    assert saved.status_code == 302
    assert Product.objects.get(code="admin-made").name_ro == "Sport Plus RO"


def test_admin_approval_keeps_four_eyes(as_role, cat):
    client, designer = as_role(R.MARKETING, is_staff=True)
    promo = promotion(designer, status=C.PromotionStatus.DRAFT)
    response = client.post(
        "/admin/products/promotion/",
        {"action": "promotion_promotion_approve", "_selected_action": [promo.pk]},
        follow=True,
    )
    assert "approved by someone other than its designer" in html(response)
    promo.refresh_from_db()
    assert promo.status == C.PromotionStatus.DRAFT
