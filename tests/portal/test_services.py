"""The subscriber's services in the portal (issue 8): the subscriptions with their
products, devices and contract end; a resting period booked through the agents'
service (dates → charges → confirm) and cancelled; an add-on and a pay-per-view
event bought through a change order of the portal's channel; what the portal does
not sell refused; another customer's subscription a 404 on every URL."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.demo_services import seed_services
from portal.models import PortalAccount
from portal.selectors_services import portal_offers, portal_service
from products import choices as C
from products.pricing import BasketItem
from subscriptions import selectors as subscription_selectors
from subscriptions import services
from subscriptions.charges import period_charges
from subscriptions.models import ChangeOrder, RestingPeriod, SubscriptionItem
from tests.portal.test_invoices import subscriber
from tests.products import factories as PF
from tests.subscriptions import factories as SF

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = timedelta(days=1)


def live(cat, account=None, **kwargs):
    """An active subscription of the TV package and a rented TV box (one device)."""
    subscription = SF.subscription(
        cat, billing_account=account or SF.account(), signed_on=TODAY - 40 * DAY, **kwargs
    )
    return services.subscription_activate(subscription=subscription, on=TODAY - 35 * DAY)


@pytest.fixture
def cat():
    cat = PF.catalogue()
    SF.resting_policy(cat.tv, min_days=30, max_days=90, max_per_year=2, notice_days=1)
    return cat


def _urls(subscription, period=None) -> dict[str, str]:
    pk = subscription.pk
    urls = {
        name: reverse(f"portal:{name}", args=[pk])
        for name in ("service_detail", "service_rest", "service_addons", "service_ppv")
    }
    if period is not None:
        urls["service_rest_end"] = reverse("portal:service_rest_end", args=[pk, period.pk])
    return urls


def _dates(start_in: int, days: int) -> dict[str, str]:
    starts = TODAY + start_in * DAY
    return {"starts_on": starts.isoformat(), "ends_on": (starts + days * DAY).isoformat()}


# --- the pages -------------------------------------------------------------------------------
def test_services_show_products_devices_status_and_contract_end(cat):
    subscription = live(cat)
    account = subscription.billing_account
    pending = SF.subscription(cat, billing_account=account, items=[BasketItem(cat.broadband)])
    client = subscriber(account)

    page = client.get("/portal/services/").content.decode()

    card = page.split(f'id="service-card-{subscription.pk}"')[1].split("</section>")[0]
    assert subscription.number in card and "Active" in card
    products = card.split(f'id="products-{subscription.pk}"')[1].split("</ul>")[0]
    assert cat.tv.name in products and cat.box.name not in products  # a device, below
    device = subscription.devices.get()
    assert f"Serial {device.serial}" in card.split(f'id="devices-{subscription.pk}"')[1]
    assert f"Until {subscription.contract_end:%Y-%m-%d}" in card
    other = page.split(f'id="service-card-{pending.pk}"')[1].split("</section>")[0]
    assert "Pending installation" in other and "The term starts with the service." in other
    assert cat.broadband.name in other

    detail = client.get(reverse("portal:service_detail", args=[subscription.pk])).content.decode()
    assert all(f'id="action-{a}"' in detail for a in ("rest", "addon", "ppv"))
    pending_page = client.get(reverse("portal:service_detail", args=[pending.pk])).content.decode()
    assert 'id="action-rest"' not in pending_page  # only an active subscription rests


def test_services_page_queries_do_not_grow_with_subscriptions(cat):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    subscription = live(cat)
    account = subscription.billing_account
    client = subscriber(account)
    client.get("/portal/services/")  # the session's first page writes more
    with CaptureQueriesContext(connection) as one:
        client.get("/portal/services/")
    for _n in range(3):
        live(cat, account)
    with CaptureQueriesContext(connection) as four:
        page = client.get("/portal/services/").content.decode()
    assert page.count('id="service-card-') == 4
    assert len(four) == len(one)


# --- resting -------------------------------------------------------------------------------
def test_rest_previewed_then_booked_with_the_portal_channel(cat):
    subscription = live(cat)
    client = subscriber(subscription.billing_account)
    url = reverse("portal:service_rest", args=[subscription.pk])
    dates = _dates(5, 30)

    form = client.get(url).content.decode()
    assert 'id="resting-policy"' in form and "30 to 90 days" in form
    preview = client.get(url, dates).content.decode()
    expected = subscription_selectors.resting_invoice_preview(
        subscription=subscription, starts_on=TODAY + 5 * DAY, ends_on=TODAY + 35 * DAY
    )
    assert 'id="rest-preview"' in preview and 'id="rest-confirm"' in preview
    assert "resting fee" in preview
    for charges in expected:
        assert f'data-total="{charges.total}"' in preview
    assert not RestingPeriod.objects.exists()  # the preview books nothing

    response = client.post(url, dates, follow=True)

    period = RestingPeriod.objects.get()
    assert (period.channel, period.status) == ("portal", "scheduled")
    assert period.requested_by == PortalAccount.objects.get(customer=subscription.customer).user
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse(
        "portal:service_detail", args=[subscription.pk]
    )
    assert f"pauses from {dates['starts_on']} and resumes on {dates['ends_on']}" in page
    assert f'data-period="{period.pk}"' in page and "Planned" in page


def test_rest_breaking_the_policy_shows_its_message_on_the_field(cat):
    subscription = live(cat)
    client = subscriber(subscription.billing_account)
    url = reverse("portal:service_rest", args=[subscription.pk])

    too_short = client.post(url, _dates(5, 10))
    no_notice = client.get(url, _dates(0, 30)).content.decode()

    assert too_short.status_code == 422
    page = too_short.content.decode()
    assert "A resting period lasts 30 to 90 days; this one is 10." in page
    assert 'id="error_1_id_ends_on"' in page or "invalid-feedback" in page.split("id_ends_on")[1]
    assert "Resting needs 1 days&#x27; notice" in no_notice and 'id="rest-preview"' not in no_notice
    assert not RestingPeriod.objects.exists()


def test_planned_rest_cancelled_by_the_subscriber(cat):
    subscription = live(cat)
    client = subscriber(subscription.billing_account)
    client.post(reverse("portal:service_rest", args=[subscription.pk]), _dates(5, 30))
    period = RestingPeriod.objects.get()
    url = reverse("portal:service_rest_end", args=[subscription.pk, period.pk])

    assert "Yes, cancel the pause" in client.get(url).content.decode()
    page = client.post(url, follow=True).content.decode()

    period.refresh_from_db()
    assert period.status == "cancelled"
    assert "The planned pause was cancelled." in page and f'data-period="{period.pk}"' not in page
    assert client.get(url).status_code == 404  # over: no longer offered


def test_rest_under_way_ended_early_by_the_subscriber(cat):
    cat.tv.resting_policy.notice_days = 0
    cat.tv.resting_policy.save()
    subscription = live(cat)
    client = subscriber(subscription.billing_account)
    client.post(reverse("portal:service_rest", args=[subscription.pk]), _dates(0, 30))
    period = RestingPeriod.objects.get()
    subscription.refresh_from_db()
    assert (period.status, subscription.status) == ("resting", "resting")
    url = reverse("portal:service_rest_end", args=[subscription.pk, period.pk])

    assert "The full monthly fee applies again from today." in client.get(url).content.decode()
    page = client.post(url, follow=True).content.decode()

    period.refresh_from_db()
    subscription.refresh_from_db()
    assert (period.status, subscription.status) == ("ended", "active")
    assert "Your service is back from today." in page


def test_rest_not_offered_without_a_policy(cat):
    subscription = live(cat, items=[BasketItem(cat.broadband)], devices=[])
    client = subscriber(subscription.billing_account)
    page = client.get(reverse("portal:service_rest", args=[subscription.pk])).content.decode()
    assert 'id="rest-unavailable"' in page and 'id="rest-form"' not in page
    response = client.post(reverse("portal:service_rest", args=[subscription.pk]), _dates(5, 30))
    assert response.status_code == 422
    assert "The products of this subscription cannot rest." in response.content.decode()


# --- add-ons and pay-per-view --------------------------------------------------------------
def test_addon_previewed_then_added_by_a_portal_change_order(cat):
    subscription = live(cat)
    client = subscriber(subscription.billing_account)
    url = reverse("portal:service_addons", args=[subscription.pk])

    listing = client.get(url).content.decode()
    assert f'id="offer-{cat.addon.code}"' in listing and "6.05 EUR a month" in listing
    assert cat.ppv.name not in listing and cat.broadband.name not in listing
    preview = client.get(url, {"product": cat.addon.pk}).content.decode()
    expected = services.change_preview(
        subscription=subscription,
        request=services.ChangeRequest(add=[BasketItem(cat.addon)], remove=[], swaps=[]),
    )
    assert f"{expected.adjustment} EUR" in preview.split('id="preview-adjustment"')[1][:40]
    assert f"{expected.next_invoice_total} EUR" in preview.split('id="preview-next-invoice"')[1]
    assert "6.05 EUR" in preview.split('id="preview-next-period"')[1][:40]  # a full month
    assert not ChangeOrder.objects.exists()

    response = client.post(url, {"product": cat.addon.pk}, follow=True)

    order = ChangeOrder.objects.get()
    assert (order.channel, order.kind, order.status) == ("portal", "add_addon", "applied")
    assert subscription.items.filter(product=cat.addon, valid_to__isnull=True).exists()
    page = response.content.decode()
    assert "is on your subscription from today" in page
    assert f'data-product="{cat.addon.code}"' in page.split('id="products-')[1]
    again = client.post(url, {"product": cat.addon.pk})  # twice: refused, nothing ordered
    assert again.status_code == 422 and "is already on this subscription" in again.content.decode()
    assert ChangeOrder.objects.count() == 1


def test_ppv_bought_as_a_one_time_item(cat):
    subscription = live(cat)
    client = subscriber(subscription.billing_account)
    url = reverse("portal:service_ppv", args=[subscription.pk])

    listing = client.get(url).content.decode()
    assert f'id="offer-{cat.ppv.code}"' in listing and "9.08 EUR once" in listing
    preview = client.get(url, {"product": cat.ppv.pk}).content.decode()
    assert "One-time charge" in preview
    assert "9.08 EUR" in preview.split('id="preview-adjustment"')[1][:40]

    page = client.post(url, {"product": cat.ppv.pk}, follow=True).content.decode()

    item = SubscriptionItem.objects.get(subscription=subscription, product=cat.ppv)
    assert item.valid_from == TODAY
    order = ChangeOrder.objects.get()
    assert order.channel == "portal"
    period = period_charges(
        subscription=subscription, period_start=TODAY - 3 * DAY, period_end=TODAY + 27 * DAY
    )
    (line,) = [line for line in period.lines if line.product.pk == cat.ppv.pk]
    assert (line.kind, line.total) == ("one_time", Decimal("9.08"))
    assert "You bought" in page
    assert f'data-product="{cat.ppv.code}"' in page.split(f'id="purchases-{subscription.pk}"')[1]
    assert f'id="offer-{cat.ppv.code}"' not in client.get(url).content.decode()


def test_what_the_portal_does_not_sell_is_refused_even_posted_by_hand(cat):
    subscription = live(cat)
    client = subscriber(subscription.billing_account)
    addons = reverse("portal:service_addons", args=[subscription.pk])
    ppv = reverse("portal:service_ppv", args=[subscription.pk])
    needs_net = PF.product(C.ProductCategory.TV_ADDON, code="net-tv")
    PF.plan(needs_net, "2.00")
    PF.requires(needs_net, category=C.ProductCategory.BROADBAND)
    aired = PF.product(
        C.ProductCategory.PAY_PER_VIEW,
        code="old-match",
        air_starts_at=timezone.now() - 3 * DAY,
        air_ends_at=timezone.now() - 2 * DAY,
    )
    PF.plan(aired, "4.00")
    assert f'id="offer-{needs_net.code}"' not in client.get(addons).content.decode()
    assert f'id="offer-{aired.code}"' not in client.get(ppv).content.decode()

    cases = [
        (addons, cat.broadband, "cannot be bought in the portal"),  # not sold here
        (addons, cat.ppv, "cannot be bought in the portal"),  # another page's product
        (addons, cat.tv, "cannot be bought in the portal"),
        (addons, needs_net, "requires Broadband"),  # the catalogue's rule
        (ppv, aired, "has already aired"),
    ]
    for url, product, message in cases:
        response = client.post(url, {"product": product.pk})
        assert response.status_code == 422, product
        assert message in response.content.decode(), product
    assert client.post(addons, {"product": 999999}).status_code == 422
    assert not ChangeOrder.objects.exists()


def test_a_suspended_subscription_is_refused_with_the_agents_rule(cat):
    subscription = live(cat)
    services.subscription_suspend(subscription=subscription)
    client = subscriber(subscription.billing_account)
    detail = client.get(reverse("portal:service_detail", args=[subscription.pk])).content.decode()
    assert 'id="no-actions"' in detail
    response = client.post(
        reverse("portal:service_addons", args=[subscription.pk]), {"product": cat.addon.pk}
    )
    assert response.status_code == 422
    assert "A suspended (non-payment) subscription cannot be changed." in response.content.decode()
    assert not ChangeOrder.objects.exists()


# --- another customer's ----------------------------------------------------------------------
def test_every_services_url_is_a_404_for_another_customer(cat):
    mine, theirs = live(cat), live(cat)
    their_period = services.resting_request(
        subscription=theirs, starts_on=TODAY + 5 * DAY, ends_on=TODAY + 40 * DAY
    )
    client = subscriber(mine.billing_account)
    posts = {
        "service_rest": _dates(60, 30),
        "service_addons": {"product": cat.addon.pk},
        "service_ppv": {"product": cat.ppv.pk},
        "service_rest_end": {},
    }
    for name, url in _urls(theirs, their_period).items():
        assert client.get(url).status_code == 404, name
        if name in posts:  # the subscription's page takes no POST
            assert client.post(url, posts[name]).status_code == 404, name
    # their period under my subscription's id: still theirs, a 404
    url = reverse("portal:service_rest_end", args=[mine.pk, their_period.pk])
    assert client.get(url).status_code == 404 and client.post(url).status_code == 404
    assert theirs.number not in client.get("/portal/services/").content.decode()
    assert not ChangeOrder.objects.exists()
    assert list(RestingPeriod.objects.values_list("status", flat=True)) == ["scheduled"]
    assert (
        subscriber(theirs.billing_account).get(_urls(theirs)["service_detail"]).status_code == 200
    )


# --- demo ---------------------------------------------------------------------------------
def test_demo_buys_an_event_and_plans_a_pause_once_leaving_more_to_buy(cat):
    second = PF.product(C.ProductCategory.PAY_PER_VIEW, code="derby")
    PF.plan(second, "5.00")
    subscription = live(cat)
    subscriber(subscription.billing_account)
    account = PortalAccount.objects.get(customer=subscription.customer)

    assert seed_services(account) == {"ppv": 1, "pause": 1}
    assert seed_services(account) == {"ppv": 0, "pause": 0}

    order = ChangeOrder.objects.get()
    assert (order.channel, order.requested_on) == ("portal", TODAY - 7 * DAY)
    assert RestingPeriod.objects.get().channel == "portal"
    service = portal_service(customer=subscription.customer, pk=subscription.pk)
    assert [o.product for o in portal_offers(subscription=service.subscription, kind="addon")]
    assert [o.product for o in portal_offers(subscription=service.subscription, kind="ppv")]
    assert len(service.purchases) == 1 and len(service.resting) == 1
