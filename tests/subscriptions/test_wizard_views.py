"""The sales wizard (SUB-1) with the test client: each step a GET/POST form, the state
in the session; the live price with the deposit and the promotions that did not
apply; errors of the services shown on the step where they are fixed."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from alux_crm.core import roles as R
from alux_crm.core.selectors import working_calendar
from products import choices as PC
from products.pricing import BasketItem
from subscriptions import services
from subscriptions.models import CreditLimit, Subscription
from tests.customers import factories as CF
from tests.products import factories as PF
from tests.subscriptions import factories as F
from tests.subscriptions import test_views as screens

pytestmark = pytest.mark.django_db
# The fixtures of the other screen tests (no two-factor step, users per role, the
# catalogue, contract clauses).
_isolated, as_role, cat, clauses = screens._isolated, screens.as_role, screens.cat, screens.clauses
html = screens.html

QUOTE = {"HX-Request": "true", "HX-Target": "basket-quote"}
WIZARD = "/subscriptions/new"


def working_day(after_days: int = 2):
    calendar, day = working_calendar(), timezone.localdate() + timedelta(days=after_days)
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    return day


def non_working_day():
    calendar, day = working_calendar(), timezone.localdate() + timedelta(days=1)
    while calendar.is_working_day(day):
        day += timedelta(days=1)
    return day


def basket(*rows, discount="", term="24"):
    """POST data of the basket step: rows of (product, quantity, use)."""
    data = {"discount": discount, "term_months": term}
    for n, (product, quantity, acquisition) in enumerate(rows, start=1):
        data |= {
            f"product_{n}": product.pk,
            f"quantity_{n}": quantity,
            f"acquisition_{n}": acquisition,
        }
    return data


def start(client, customer, account):
    """Through the customer and account steps."""
    assert client.get(f"{WIZARD}/")["Location"] == f"{WIZARD}/customer/"
    assert client.post(f"{WIZARD}/customer/", {"customer": customer.pk}).status_code == 302
    page = html(client.get(f"{WIZARD}/account/"))
    assert f'value="{account.pk}"' in page and "checked" in page  # the only account
    response = client.post(f"{WIZARD}/account/", {"account": account.pk})
    assert response["Location"] == f"{WIZARD}/basket/"


@pytest.fixture
def limits():
    CreditLimit.objects.create(
        credit_class="D", max_monthly_without_deposit=Decimal("10"), deposit_months=Decimal("2")
    )


def test_a_sale_end_to_end(as_role, cat, clauses, limits):
    client, agent = as_role(R.SALES)
    customer = CF.person(last_name="Ionescu")
    account = F.account(customer)
    # The customer step finds the customer as the agent types (htmx).
    found = client.get(
        f"{WIZARD}/customer/?q=Ionescu",
        headers={"HX-Request": "true", "HX-Target": "customer-choices"},
    )
    assert "<html" not in html(found) and f'value="{customer.pk}"' in html(found)
    start(client, customer, account)

    # The live price: lines, the deposit the credit limits ask and why.
    rows = [
        (cat.tv, 1, "standard"),
        (cat.addon, 1, "standard"),
        (cat.box, 1, "rental"),
        (cat.install, 1, "standard"),
    ]
    quote = html(client.get(f"{WIZARD}/basket/", basket(*rows), headers=QUOTE))
    assert "<html" not in quote
    for code in ("tv-basic", "hbo", "box", "install"):
        assert f'data-product="{code}"' in quote
    assert 'id="deposit-needed"' in quote and "Credit class - buys up to 10" in quote
    assert 'id="quote-monthly">21.78 EUR' in quote  # (10 + 5 + 3) x 1.21
    assert client.post(f"{WIZARD}/basket/", basket(*rows)).status_code == 302

    # One rented TV box: one serial to register.
    page = html(client.get(f"{WIZARD}/devices/"))
    assert 'name="serial_1"' in page and 'name="serial_2"' not in page
    response = client.post(f"{WIZARD}/devices/", {"serial_1": "sn-0001", "room_1": "Living"})
    assert response["Location"] == f"{WIZARD}/installation/"
    day = working_day()
    client.post(
        f"{WIZARD}/installation/",
        {"installation_date": day, "installation_slot": "morning", "installation_notes": "Gate 2"},
    )
    client.post(
        f"{WIZARD}/contract/",
        {
            "term_months": "24",
            "renewal": "monthly",
            "clause_payment": "Invoices are due in 30 days.",
            "clause_termination": "A fee applies.",
        },
    )
    summary = html(client.get(f"{WIZARD}/confirm/"))
    assert "SN-0001" in summary and 'id="deposit-needed"' in summary
    response = client.post(f"{WIZARD}/confirm/")

    subscription = Subscription.objects.get()
    assert response["Location"] == f"/subscriptions/{subscription.pk}/?tab=documents"
    assert subscription.sold_by == agent and subscription.channel == "agent"
    assert subscription.billing_account == account
    assert subscription.deposit_required == Decimal("43.56")  # two months
    assert subscription.installation_date == day and subscription.installation_slot == "morning"
    assert {i.product.code for i in subscription.items.all()} == {
        "tv-basic",
        "hbo",
        "box",
        "install",
    }
    device = subscription.devices.get()
    assert (device.serial, device.room, device.product) == ("SN-0001", "Living", cat.box)
    document = subscription.documents.get()
    assert [c["code"] for c in document.modified_clauses] == ["payment"]
    assert "subscription_wizard" not in client.session
    documents = html(client.get(f"/subscriptions/{subscription.pk}/tabs/documents/"))
    assert f"/contract-documents/{document.pk}/pdf/" in documents


def test_steps_cannot_be_skipped(as_role, cat):
    client, _ = as_role(R.SALES)
    client.get(f"{WIZARD}/")
    assert client.get(f"{WIZARD}/confirm/")["Location"] == f"{WIZARD}/customer/"
    assert client.post(f"{WIZARD}/basket/", {})["Location"] == f"{WIZARD}/customer/"
    assert client.get(f"{WIZARD}/nowhere/").status_code == 404


def test_starting_from_the_customer_page(as_role, cat):
    client, _ = as_role(R.SALES)
    customer = CF.person()
    F.account(customer)
    response = client.get(f"{WIZARD}/?customer={customer.pk}")
    assert response["Location"] == f"{WIZARD}/account/"
    assert customer.name in html(client.get(f"{WIZARD}/account/"))


def test_an_add_on_for_a_customer_who_has_the_tv_package(as_role, cat):
    client, _ = as_role(R.CUSTOMER_SERVICE)
    customer = CF.person()
    account = F.account(customer)
    F.subscription(cat, billing_account=account)  # the TV package, pending installation
    start(client, customer, account)
    quote = html(client.get(f"{WIZARD}/basket/", basket((cat.addon, 1, "standard")), headers=QUOTE))
    assert "requires" not in quote and 'data-product="hbo"' in quote
    assert client.post(f"{WIZARD}/basket/", basket((cat.addon, 1, "standard"))).status_code == 302
    # No device in the basket: the devices step is skipped.
    assert client.get(f"{WIZARD}/devices/").status_code == 200
    client.post(f"{WIZARD}/installation/", {"installation_date": ""})
    client.post(f"{WIZARD}/contract/", {"term_months": "12", "renewal": "ends"})
    client.post(f"{WIZARD}/confirm/")
    sold = Subscription.objects.latest("id")
    assert sold.minimum_term_months == 12 and sold.renewal == "ends"
    assert [i.product for i in sold.items.all()] == [cat.addon]


def test_basket_refusals_promotions_and_approval(as_role, cat):
    PF.promotion(
        name_en="Students",
        rules=[{"kind": PC.EligibilityKind.SEGMENT, "values": ["student"]}],
    )
    client, _ = as_role(R.SALES)
    customer = CF.person()
    account = F.account(customer)
    start(client, customer, account)
    alone = client.post(f"{WIZARD}/basket/", basket((cat.addon, 1, "standard")))
    assert alone.status_code == 422 and "requires TV package" in html(alone)
    quote = html(
        client.get(
            f"{WIZARD}/basket/", basket((cat.tv, 1, "standard"), discount="30"), headers=QUOTE
        )
    )
    assert 'data-discount="manual"' in quote and "30" in quote
    assert 'id="approval-needed"' in quote  # no limits set for the segment
    assert "Students" in quote and 'id="rejected-promotions"' in quote
    nothing = client.post(f"{WIZARD}/basket/", {"term_months": "24"})
    assert "at least one product" in html(nothing)


def test_service_errors_are_shown_on_their_step(as_role, cat):
    client, _ = as_role(R.SALES)
    used = F.subscription(cat).devices.get().serial
    customer = CF.person()
    account = F.account(customer)
    start(client, customer, account)
    client.post(f"{WIZARD}/basket/", basket((cat.tv, 1, "standard"), (cat.box, 2, "rental")))
    twice = client.post(f"{WIZARD}/devices/", {"serial_1": "A-1", "serial_2": "a-1"})
    assert twice.status_code == 422 and "typed twice" in html(twice)
    taken = client.post(f"{WIZARD}/devices/", {"serial_1": used, "serial_2": "B-2"})
    assert taken.status_code == 422
    assert "already on a subscription" in " ".join(taken.context["form"].errors["serial_1"])
    client.post(f"{WIZARD}/devices/", {"serial_1": "A-1", "serial_2": "B-2"})
    sunday = non_working_day()
    client.post(
        f"{WIZARD}/installation/",
        {"installation_date": sunday, "installation_slot": "evening"},
    )
    client.post(f"{WIZARD}/contract/", {"term_months": "24", "renewal": "monthly"})
    refused = client.post(f"{WIZARD}/confirm/")
    assert refused.status_code == 422 and "is not a working day" in html(refused)
    assert f'href="{WIZARD}/installation/"' in html(refused)
    assert not Subscription.objects.filter(billing_account=account).exists()


def test_a_retailer_sells_to_its_own_customers_only(as_role, cat, partner_a, partner_b):
    client, retailer = as_role(R.RETAILER)
    theirs = CF.person(partner=partner_b)
    client.get(f"{WIZARD}/")
    assert client.post(f"{WIZARD}/customer/", {"customer": theirs.pk}).status_code == 422
    mine = CF.person(partner=partner_a)
    account = F.account(mine)
    start(client, mine, account)
    client.post(f"{WIZARD}/basket/", basket((cat.tv, 1, "standard")))
    client.post(f"{WIZARD}/installation/", {})
    client.post(f"{WIZARD}/contract/", {"term_months": "24", "renewal": "monthly"})
    client.post(f"{WIZARD}/confirm/")
    sold = Subscription.objects.get()
    assert sold.channel == "retailer" and sold.partner == partner_a and sold.sold_by == retailer


def test_quote_for_an_existing_customer_uses_live_products(as_role, cat):
    """``products_of_account`` is the very list the sale uses."""
    from subscriptions.selectors import products_of_account

    account = F.account()
    F.subscription(cat, billing_account=account, items=[BasketItem(cat.tv)], devices=[])
    assert products_of_account(billing_account=account) == [cat.tv]
    services.subscription_cancel_in_regret_window(subscription=account.subscriptions.get())
    assert products_of_account(billing_account=account) == []
