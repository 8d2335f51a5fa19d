"""The subscriptions API: reads scoped to the caller, query counts, the sale and its
refusals, who may write, and the schema. The actions are in ``test_api_actions``."""

from datetime import timedelta
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alux_crm.core import roles as R
from dunning.services.deposits import deposit_record_payment
from products import choices as PC
from products.pricing import BasketItem
from subscriptions import services
from subscriptions.choices import SubscriptionStatus as S
from subscriptions.models import CreditLimit, Subscription
from tests.customers import factories as CF
from tests.products import factories as PF
from tests.subscriptions import factories as F

pytestmark = pytest.mark.django_db
D = Decimal
URL = "/api/v1/subscriptions/"


def catalogue():
    """The test catalogue, plus a dearer TV package for upgrades and multi-room."""
    cat = PF.catalogue()
    cat.premium = PF.product(PC.ProductCategory.TV_PACKAGE, code="tv-premium", max_devices=4)
    PF.plan(cat.premium, "20.00")
    return cat


@pytest.fixture
def cat():
    return catalogue()


@pytest.fixture
def today():
    return timezone.localdate()


def post_json(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def log_in_as(make_user, login, role, **kwargs):
    """A new user of ``role`` (partner roles: partner A unless told), logged in."""
    user = make_user(role, **kwargs)
    login(user)
    return user


def active(cat, today, *, customer=None, items=None, days_ago=100, **kwargs):
    """A subscription signed and installed ``days_ago`` days ago (out of cooling-off)."""
    signed = today - timedelta(days=days_ago)
    subscription = F.subscription(
        cat,
        billing_account=F.account(customer),
        items=items,
        signed_on=signed,
        **kwargs,
    )
    return services.subscription_activate(subscription=subscription, on=signed)


def status_of(subscription) -> str:
    return Subscription.objects.get(pk=subscription.pk).status


# --- reads -----------------------------------------------------------------------------------
def test_anonymous_is_refused_with_json(client, cat):
    response = client.get(URL)
    assert response.status_code == 403
    assert response.json()["error"] == "not_authenticated"


def test_list_and_detail_are_scoped_to_the_retailers_customers(
    make_user, login, client, cat, today, partner_a, partner_b
):
    own = active(cat, today, customer=CF.person(partner=partner_a))
    other = active(cat, today, customer=CF.person(partner=partner_b))
    staff_only = F.subscription(cat)

    log_in_as(make_user, login, R.RETAILER)  # partner A
    assert [s["id"] for s in client.get(URL).json()["results"]] == [own.pk]
    assert client.get(f"{URL}{own.pk}/").status_code == 200
    assert client.get(f"{URL}abc/").status_code == 404
    response = client.get(f"{URL}{other.pk}/")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
    assert post_json(client, f"{URL}{other.pk}/change/", {"remove": [1]}).status_code == 404

    log_in_as(make_user, login, R.RETAILER, partner=partner_b)
    assert client.get(f"{URL}{own.pk}/").status_code == 404
    assert [s["id"] for s in client.get(URL).json()["results"]] == [other.pk]

    log_in_as(make_user, login, R.BILLING_FINANCE)  # staff reads everything
    ids = {s["id"] for s in client.get(URL).json()["results"]}
    assert ids == {own.pk, other.pk, staff_only.pk}


def test_list_filters(make_user, login, client, cat, today):
    live = active(cat, today)
    pending = F.subscription(cat)
    log_in_as(make_user, login, R.SALES)

    def ids(**params):
        return {s["id"] for s in client.get(URL, params).json()["results"]}

    assert ids(status="active") == {live.pk}
    assert ids(status="pending") == {pending.pk}
    assert ids(customer=pending.customer_id) == {pending.pk}
    assert ids(billing_account=live.billing_account_id) == {live.pk}
    row = client.get(URL, {"status": "active"}).json()["results"][0]
    assert row["products"] == ["tv-basic", "box"]
    assert row["customer"]["number"] == live.customer.number
    response = client.get(URL, {"status": "sleeping"})
    assert response.status_code == 400
    assert "status" in response.json()["fields"]


def test_detail_shows_items_devices_timeline_and_the_contract(make_user, login, client, cat):
    CreditLimit.objects.create(
        credit_class="D", max_monthly_without_deposit=D("5"), deposit_months=D("2")
    )
    promotion = PF.promotion(value=50, duration_months=3, products=[cat.tv])
    subscription = F.subscription(cat, term_months=12)
    deposit_record_payment(deposit=subscription.deposits.get())  # else it stays pending
    services.subscription_activate(subscription=subscription)
    log_in_as(make_user, login, R.CUSTOMER_SERVICE)

    body = client.get(f"{URL}{subscription.pk}/").json()
    assert (body["number"], body["status"]) == (subscription.number, "active")
    # TV 5.00 (half price) + 1.05 VAT, box 3.00 + 0.63: 9.68 a month; class D: two months
    assert body["deposit_required"] == "19.36"
    assert body["minimum_term_months"] == 12
    assert body["contract_end"] == (timezone.localdate() + relativedelta(months=12)).isoformat()
    assert body["regret_until"] == subscription.regret_until.isoformat()
    tv, box = body["items"]
    assert (tv["product"]["code"], tv["product"]["name"]) == ("tv-basic", cat.tv.name)
    assert tv["promotions"] == [
        {"id": promotion.pk, "code": promotion.code, "name": promotion.name}
    ]
    assert (box["acquisition"], box["valid_to"], box["manual_discount_percent"]) == (
        "rental",
        None,
        "0.00",
    )
    [device] = body["devices"]
    assert device["serial"].startswith("SN-") and device["room"] == "Living room"
    assert device["installed_on"] == timezone.localdate().isoformat()
    activated, signed = body["timeline"]  # newest first
    assert (activated["from_status"], activated["to_status"], activated["command"]) == (
        "pending",
        "active",
        "activate",
    )
    assert activated["outbox_status"] == "pending"  # delivered after commit by the worker
    assert (signed["command"], signed["outbox_status"]) == ("", None)
    for key in ("resting_periods", "change_orders", "cancellation_requests"):
        assert body[key] == []


def test_list_queries_do_not_grow_with_the_subscriptions(make_user, login, client, cat):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    log_in_as(make_user, login, R.SALES)
    F.subscription(cat)
    queries()  # warms the operator settings cache
    few = queries()
    for _ in range(5):
        F.subscription(cat, items=[BasketItem(cat.tv), BasketItem(cat.broadband)], devices=[])
    assert queries() == few
    # session, user, OTP device, roles, count, rows, current items with their products,
    # and the session's save (a savepoint around an update)
    assert few <= 10


def test_detail_queries_do_not_grow_with_its_history(make_user, login, client, cat, today):
    subscription = active(cat, today)
    url = f"{URL}{subscription.pk}/"

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    def more_history(n: int):
        nonlocal subscription
        subscription = services.subscription_suspend(subscription=subscription)
        subscription = services.subscription_reconnect(subscription=subscription)
        services.change_order_create(
            subscription=subscription,
            request=services.ChangeRequest(add=[BasketItem(cat.addon)], remove=[], swaps=[]),
            wanted_on=today + timedelta(days=10 + n),
        )

    log_in_as(make_user, login, R.BACK_OFFICE)
    more_history(0)  # one of each, so every prefetch has rows
    queries()  # warms the operator settings cache
    few = queries()
    for n in range(1, 4):
        more_history(n)
    assert queries() == few
    # session, user, OTP device, roles, the subscription, one per prefetched relation (9),
    # and the session's save (a savepoint around an update)
    assert few <= 17


# --- the sale --------------------------------------------------------------------------------
def test_sales_sells_a_subscription(make_user, login, client, cat):
    agent = log_in_as(make_user, login, R.SALES)
    account = F.account()
    response = post_json(
        client,
        URL,
        {
            "billing_account": account.pk,
            "items": [
                {"product": "tv-premium"},
                {"product": str(cat.box.pk), "quantity": 2, "acquisition": "rental"},
                {"product": "hbo", "manual_discount_percent": "10"},
            ],
            "devices": [
                {"product": "box", "serial": "API-BOX-1", "room": "Living room"},
                {"product": "box", "serial": "API-BOX-2", "room": "Bedroom"},
            ],
            "term_months": 12,
            "renewal": "term",
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert response["Location"].endswith(f"{URL}{body['id']}/")
    assert (body["status"], body["channel"], body["renewal"]) == ("pending", "agent", "term")
    assert body["sold_by"]["username"] == agent.username and body["partner"] is None
    assert [(i["product"]["code"], i["quantity"]) for i in body["items"]] == [
        ("tv-premium", 1),
        ("box", 2),
        ("hbo", 1),
    ]
    assert body["items"][2]["manual_discount_percent"] == "10.00"
    assert [(d["serial"], d["room"]) for d in body["devices"]] == [
        ("API-BOX-1", "Living room"),
        ("API-BOX-2", "Bedroom"),
    ]
    assert body["deposit_required"] == "0.00"  # no credit limits configured


def test_a_retailer_sells_only_to_its_customers_as_a_retailer(
    make_user, login, client, cat, partner_a, partner_b
):
    own = F.account(CF.person(partner=partner_a))
    other = F.account(CF.person(partner=partner_b))
    log_in_as(make_user, login, R.RETAILER)
    items = [{"product": "tv-basic"}]
    response = post_json(client, URL, {"billing_account": other.pk, "items": items})
    assert response.status_code == 404
    response = post_json(
        client, URL, {"billing_account": own.pk, "items": items, "channel": "agent"}
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["channel"] == "retailer"
    assert body["partner"]["code"] == partner_a.code
    assert Subscription.objects.count() == 1


def test_sale_refusals_are_400_and_sell_nothing(make_user, login, client, cat, today):
    log_in_as(make_user, login, R.CUSTOMER_SERVICE)
    account = F.account()

    def sell(**fields):
        return post_json(client, URL, {"billing_account": account.pk, **fields})

    unknown = sell(items=[{"product": "tv-basic"}, {"product": "nope"}])
    assert unknown.status_code == 400
    assert unknown.json()["fields"]["items"] == ["Unknown product: nope."]
    alone = sell(items=[{"product": "hbo"}])  # the catalogue refuses it
    assert alone.status_code == 400
    assert alone.json()["fields"]["items"] == [f"{cat.addon.name} requires TV package."]
    boxes = sell(
        items=[{"product": "tv-basic"}, {"product": "box", "quantity": 4, "acquisition": "rental"}]
    )
    assert boxes.json()["fields"]["items"] == [
        "The TV package allows 3 TV boxes; the basket has 4."
    ]
    sunday = today + timedelta(days=(6 - today.weekday()) or 7)
    booking = sell(
        items=[{"product": "tv-basic"}],
        installation_date=sunday.isoformat(),
        installation_slot="morning",
    )
    assert booking.status_code == 400
    assert "installation_date" in booking.json()["fields"]
    F.subscription(cat, devices=[services.DeviceSpec(cat.box, "TAKEN-1")])
    taken = sell(items=[{"product": "tv-basic"}], devices=[{"product": "box", "serial": "TAKEN-1"}])
    assert taken.status_code == 400
    assert "devices" in taken.json()["fields"]
    missing = post_json(client, URL, {"items": []})
    assert set(missing.json()["fields"]) == {"billing_account", "items"}
    assert Subscription.objects.count() == 1  # the one holding TAKEN-1


def test_roles_that_may_not_write_get_403(make_user, login, client, cat, today):
    subscription = active(cat, today)
    refused = [
        (R.BILLING_FINANCE, URL, {"billing_account": subscription.billing_account_id}),
        (R.MARKETING, f"{URL}{subscription.pk}/change/", {"remove": [1]}),
        (R.SALES, f"{URL}{subscription.pk}/suspend/", {}),
        (R.SALES, f"{URL}{subscription.pk}/terminate/", {}),
        (R.RETAILER, f"{URL}{subscription.pk}/reconnect/", {}),
        (R.BILLING_FINANCE, f"{URL}{subscription.pk}/activate/", {}),
    ]
    for role, url, data in refused:
        log_in_as(make_user, login, role)
        response = post_json(client, url, data)
        assert response.status_code == 403, (role, url)
        assert response.json()["error"] == "permission_denied"
    assert status_of(subscription) == S.ACTIVE


# --- schema ----------------------------------------------------------------------------------
def test_openapi_schema_documents_subscriptions(tmp_path, make_user, login, client):
    call_command("spectacular", fail_on_warn=True, file=str(tmp_path / "schema.yaml"))
    log_in_as(make_user, login, R.BACK_OFFICE)
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/subscriptions/"])
    assert "get" in paths["/api/v1/subscriptions/{id}/"]
    for name in ("change", "rest", "resume", "suspend", "reconnect", "terminate", "activate"):
        assert "post" in paths[f"/api/v1/subscriptions/{{id}}/{name}/"], name
    change = paths["/api/v1/subscriptions/{id}/change/"]["post"]
    assert {"200", "201", "400", "409"} <= set(change["responses"])
    params = {p["name"] for p in paths["/api/v1/subscriptions/"]["get"]["parameters"]}
    assert {"status", "customer", "billing_account"} <= params
