"""The subscriptions API's actions: one per step of the life cycle (409 for a step
the table forbids), resting, the preview and the orders of a change, and the
termination request with its early-termination fee."""

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from alux_crm.core import roles as R
from products.pricing import BasketItem
from subscriptions import services
from subscriptions.charges import billing_period
from subscriptions.choices import SubscriptionStatus as S
from subscriptions.models import CancellationRequest, ChangeOrder
from tests.subscriptions import factories as F
from tests.subscriptions.test_api import URL, active, catalogue, log_in_as, post_json, status_of

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def cat():
    return catalogue()


@pytest.fixture
def today():
    return timezone.localdate()


# --- the life cycle --------------------------------------------------------------------------
def test_activate_once_the_installation_is_done(make_user, login, client, cat):
    subscription = F.subscription(cat)
    log_in_as(make_user, login, R.BACK_OFFICE)
    response = post_json(client, f"{URL}{subscription.pk}/activate/")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "active" and body["activated_on"] is not None
    assert body["timeline"][0]["command"] == "activate"
    again = post_json(client, f"{URL}{subscription.pk}/activate/")
    assert again.status_code == 409
    assert again.json()["error"] == "invalid_transition"


def test_suspend_and_reconnect_by_collections(make_user, login, client, cat, today):
    subscription = active(cat, today)
    log_in_as(make_user, login, R.BILLING_FINANCE)
    refused = post_json(client, f"{URL}{subscription.pk}/reconnect/")  # it is active
    assert refused.status_code == 409
    assert refused.json() == {
        "error": "invalid_transition",
        "detail": "Only a suspended or disconnected subscription is reconnected.",
    }
    response = post_json(client, f"{URL}{subscription.pk}/suspend/", {"reason": "Invoice unpaid"})
    assert response.status_code == 200
    event = response.json()["timeline"][0]
    assert (event["to_status"], event["command"], event["reason"]) == (
        "suspended",
        "suspend",
        "Invoice unpaid",
    )
    response = post_json(client, f"{URL}{subscription.pk}/reconnect/")
    assert response.status_code == 200
    assert response.json()["timeline"][0]["command"] == "resume"
    assert status_of(subscription) == S.ACTIVE


def test_rest_and_resume(make_user, login, client, cat, today):
    F.resting_policy(cat.tv, min_days=30, max_days=90, max_per_year=2, notice_days=0)
    subscription = active(cat, today)
    url = f"{URL}{subscription.pk}/"
    log_in_as(make_user, login, R.CUSTOMER_SERVICE)
    assert post_json(client, f"{url}resume/").status_code == 409  # not resting
    short = post_json(
        client, f"{url}rest/", {"starts_on": today, "ends_on": today + timedelta(days=10)}
    )
    assert short.status_code == 400
    assert "lasts 30 to 90 days" in short.json()["fields"]["ends_on"][0]

    response = post_json(
        client, f"{url}rest/", {"starts_on": today, "ends_on": today + timedelta(days=30)}
    )
    assert response.status_code == 201, response.json()
    assert (response.json()["status"], response.json()["channel"]) == ("resting", "agent")
    assert status_of(subscription) == S.RESTING

    response = post_json(client, f"{url}resume/")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "active"
    [period] = body["resting_periods"]
    assert (period["status"], period["ended_on"]) == ("ended", today.isoformat())
    assert [e["command"] for e in body["timeline"][:2]] == ["resume", "suspend"]


def test_resting_needs_a_policy_and_an_active_subscription(make_user, login, client, cat, today):
    days = {"starts_on": today + timedelta(days=5), "ends_on": today + timedelta(days=40)}
    log_in_as(make_user, login, R.SALES)
    response = post_json(client, f"{URL}{active(cat, today).pk}/rest/", days)
    assert response.status_code == 409
    assert response.json()["error"] == "conflict"  # its products cannot rest
    F.resting_policy(cat.tv)
    response = post_json(client, f"{URL}{F.subscription(cat).pk}/rest/", days)
    assert response.json()["error"] == "invalid_transition"  # pending installation


# --- plan changes ----------------------------------------------------------------------------
def test_change_preview_answers_the_prorated_lines_and_creates_nothing(
    make_user, login, client, cat, today
):
    subscription = active(cat, today)
    tv = subscription.items.get(product=cat.tv)
    log_in_as(make_user, login, R.SALES)
    response = post_json(
        client,
        f"{URL}{subscription.pk}/change/",
        {"add": [{"product": "tv-premium"}], "remove": [tv.pk], "preview": True},
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["kind"], body["policy"], body["effective_on"]) == (
        "upgrade",
        "immediate",
        today.isoformat(),
    )
    start, end = billing_period(bill_cycle_day=1, day=today)
    period_days, left = (end - start).days, (end - today).days
    before = {line["product"]["code"]: line for line in body["current_before"]["lines"]}
    assert set(before) == {"tv-basic", "box"} and before["tv-basic"]["net"] == "10.00"
    after = {line["product"]["code"]: line for line in body["current_after"]["lines"]}
    premium = after["tv-premium"]
    assert (premium["starts_on"], premium["ends_on"], premium["days"]) == (
        today.isoformat(),
        end.isoformat(),
        left,
    )
    net = (D("20.00") * left / period_days).quantize(D("0.01"), ROUND_HALF_UP)
    assert (premium["net"], premium["kind"], premium["monthly_net"]) == (
        str(net),
        "recurring",
        "20.00",
    )
    assert f"{left} of {period_days} days x 20.00 a month" in premium["explanation"]
    assert D(premium["total"]) == D(premium["net"]) + D(premium["tax"])
    if today > start:  # the old package until yesterday
        assert after["tv-basic"]["days"] == (today - start).days
    adjustment = D(body["current_after"]["total"]) - D(body["current_before"]["total"])
    assert D(body["adjustment"]) == adjustment
    next_codes = [line["product"]["code"] for line in body["next_period"]["lines"]]
    assert next_codes == ["box", "tv-premium"]
    assert D(body["next_invoice_total"]) == D(body["next_period"]["total"]) + adjustment
    assert not ChangeOrder.objects.exists()
    assert subscription.items.get(pk=tv.pk).valid_to is None


def test_change_is_an_order_applied_now_or_scheduled(make_user, login, client, cat, today):
    subscription = active(cat, today)
    tv = subscription.items.get(product=cat.tv)
    log_in_as(make_user, login, R.CUSTOMER_SERVICE)
    url = f"{URL}{subscription.pk}/change/"
    response = post_json(
        client, url, {"add": [{"product": "tv-premium"}], "remove": [tv.pk], "reason": "More"}
    )
    assert response.status_code == 201, response.json()
    order = response.json()
    assert (order["kind"], order["status"], order["reason"]) == ("upgrade", "applied", "More")
    assert {(line["action"], line["product"]["code"]) for line in order["lines"]} == {
        ("add", "tv-premium"),
        ("remove", "tv-basic"),
    }
    later = (today + timedelta(days=40)).isoformat()
    response = post_json(client, url, {"add": [{"product": "hbo"}], "wanted_on": later})
    assert response.status_code == 201
    assert (response.json()["status"], response.json()["effective_on"]) == ("scheduled", later)

    device = subscription.devices.get()
    swap = post_json(client, url, {"swaps": [{"device": device.pk, "new_serial": "SWAP-1"}]})
    assert swap.status_code == 201 and swap.json()["kind"] == "device_swap"
    body = client.get(f"{URL}{subscription.pk}/").json()
    assert {d["serial"]: d["returned_on"] for d in body["devices"]} == {
        device.serial: today.isoformat(),
        "SWAP-1": None,
    }
    assert [o["kind"] for o in body["change_orders"]].count("upgrade") == 1
    assert body["timeline"][0]["command"] == "change_entitlements"


def test_change_refusals(make_user, login, client, cat, today):
    subscription = active(cat, today)
    other = active(cat, today)
    tv = subscription.items.get(product=cat.tv)
    url = f"{URL}{subscription.pk}/change/"
    log_in_as(make_user, login, R.SALES)
    empty = post_json(client, url, {})
    assert empty.json()["fields"]["non_field_errors"] == ["The change is empty."]
    foreign_item = other.items.first().pk
    response = post_json(client, url, {"remove": [foreign_item]})
    assert response.json()["fields"]["remove"] == [
        f"Item {foreign_item} is not on this subscription now."
    ]
    response = post_json(client, url, {"add": [{"product": "hbo"}], "remove": [tv.pk]})
    assert response.status_code == 400
    assert response.json()["fields"]["add"] == [f"{cat.addon.name} requires TV package."]
    response = post_json(
        client, url, {"swaps": [{"device": other.devices.get().pk, "new_serial": "X"}]}
    )
    assert "swaps" in response.json()["fields"]
    services.subscription_terminate(subscription=subscription)
    response = post_json(client, url, {"add": [{"product": "hbo"}]})
    assert response.status_code == 409
    assert response.json()["error"] == "invalid_transition"
    assert not ChangeOrder.objects.exists()


# --- the end ---------------------------------------------------------------------------------
def test_terminate_asks_back_office_with_the_fee(make_user, login, client, cat, today):
    subscription = active(
        cat, today, items=[BasketItem(cat.tv), BasketItem(cat.broadband)], devices=[]
    )
    on = today + timedelta(days=10)
    log_in_as(make_user, login, R.CUSTOMER_SERVICE)
    url = f"{URL}{subscription.pk}/terminate/"
    response = post_json(
        client, url, {"effective_on": on, "reason": "Moving abroad", "approve": True}
    )
    assert response.status_code == 403  # only Back Office approves
    assert not CancellationRequest.objects.exists()

    response = post_json(client, url, {"effective_on": on, "reason": "Moving abroad"})
    assert response.status_code == 201, response.json()
    body = response.json()
    # 25.00 a month (TV 10.00 + internet 15.00, net) for what is left of the term.
    left = relativedelta(subscription.contract_end, on)
    months = left.years * 12 + left.months
    fee = (D("25.00") * months + D("25.00") * left.days / 30).quantize(D("0.01"), ROUND_HALF_UP)
    assert (body["kind"], body["status"], body["early_termination_fee"]) == (
        "cancellation",
        "open",
        str(fee),
    )
    assert f"{months} months and {left.days} days left" in body["fee_explanation"]
    assert body["subscription_status"] == "active"
    again = post_json(client, url, {"effective_on": on, "reason": "Again"})
    assert again.status_code == 400
    assert again.json()["fields"]["non_field_errors"] == [
        "This subscription already has a pending request."
    ]
    assert CancellationRequest.objects.get().status == "open"  # in Back Office's queue


def test_back_office_approves_a_termination_due_today(make_user, login, client, cat, today):
    subscription = active(cat, today)
    clerk = log_in_as(make_user, login, R.BACK_OFFICE)
    url = f"{URL}{subscription.pk}/terminate/"
    past = post_json(client, url, {"effective_on": today - timedelta(days=1), "reason": "x"})
    assert "past" in past.json()["fields"]["effective_on"][0]
    blank = post_json(client, url, {"effective_on": today, "reason": " "})
    assert "reason" in blank.json()["fields"]
    response = post_json(
        client,
        url,
        {"effective_on": today, "reason": "Deceased", "approve": True, "answer": "Condolences"},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["handled_by"], body["answer"]) == ("done", clerk.pk, "Condolences")
    assert body["subscription_status"] == "terminated"
    ended = post_json(client, url, {"effective_on": today, "reason": "again"})
    assert ended.status_code == 409
    assert ended.json()["detail"] == "The subscription has already ended."


def test_a_request_inside_the_cooling_off_window_is_a_free_regret(make_user, login, client, cat):
    subscription = F.subscription(cat)
    log_in_as(make_user, login, R.BACK_OFFICE)
    response = post_json(
        client,
        f"{URL}{subscription.pk}/terminate/",
        {"effective_on": timezone.localdate(), "reason": "Changed my mind", "approve": True},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["kind"], body["early_termination_fee"]) == ("regret", "0.00")
    assert body["subscription_status"] == "cancelled"
