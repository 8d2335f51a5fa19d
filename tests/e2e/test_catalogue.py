"""The offer simulator in a real browser: a Sales agent finds a customer, builds two
offers, compares them with a competitor's and sees the chart; on a phone the page
does not scroll sideways."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from alux_crm.core import roles as R
from tests.customers.factories import person
from tests.e2e.test_login import log_in
from tests.products.factories import catalogue, competitor_offer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def chart_drawn(page) -> bool:
    return page.evaluate(
        "() => { const c = document.getElementById('offer-chart');"
        " return !!(c && window.Chart && Chart.getChart(c)); }"
    )


def build_offers(page, cat) -> None:
    page.locator("#id_b1-label").fill("TV only")
    page.locator("#id_b1-product_1").select_option(str(cat.tv.pk))
    page.locator("#id_b2-label").fill("Everything")
    page.locator("#id_b2-product_1").select_option(str(cat.triple.pk))
    page.locator("#id_b2-product_2").select_option(str(cat.box.pk))
    page.locator("#id_b2-acquisition_2").select_option("rental")


def test_sales_agent_compares_two_offers_with_a_competitor(
    page, live_server, make_user, csp_violations
):
    cat = catalogue()
    rival = competitor_offer(monthly_price=Decimal("45.00"))
    customer = person(first_name="Ilinca", last_name="Marin")
    agent = make_user(R.SALES, first_name="Sorin")
    log_in(page, live_server.url, agent.username)

    page.locator("#main-nav").get_by_role("link", name="Offer simulator").click()
    expect(page.get_by_role("heading", name="Offer simulator")).to_be_visible()

    # Find the customer by name: the picker fills in as the agent types.
    page.locator("#customer-search").fill("Ilinca")
    # (a generous wait: a busy 2-core machine answers the search slowly)
    expect(page.locator("#id_customer")).to_contain_text(customer.number, timeout=15_000)
    expect(page.locator("#id_customer")).to_have_value(str(customer.pk))

    build_offers(page, cat)
    page.locator("#competitor-choice summary").click()
    page.get_by_label(str(rival)).check()
    page.locator("#simulate").click()

    columns = page.locator("#offer-columns")
    expect(columns.locator('[data-offer="TV only"]')).to_be_visible()
    expect(columns.locator('[data-offer="Everything"]')).to_be_visible()
    expect(columns).to_contain_text("Orion TV + Net 500")
    expect(page.locator("#cheapest-offer")).to_have_attribute("data-offer", "TV only")
    expect(page.locator("#simulator-buyer")).to_contain_text("Ilinca Marin")
    expect(page.locator("#offer-chart")).to_be_visible()
    page.wait_for_function("() => !!Chart.getChart(document.getElementById('offer-chart'))")
    assert chart_drawn(page)
    # htmx replaced only the results and put the comparison in the address bar.
    expect(page).to_have_url(re.compile(r"/simulator/\?.*run=1"))
    page.locator("#basket-detail-2 summary").click()
    expect(page.locator("#basket-detail-2")).to_contain_text(f"included in {cat.triple.name}")
    page.screenshot(path="var/e2e-simulator.png", full_page=True)

    # The shared address shows the same comparison on its own.
    page.goto(page.url)
    expect(page.locator("#cheapest-offer")).to_have_attribute("data-offer", "TV only")
    page.wait_for_function("() => !!Chart.getChart(document.getElementById('offer-chart'))")
    assert csp_violations == []


def test_simulator_fits_a_phone(browser, live_server, make_user):
    cat = catalogue()
    agent = make_user(R.SALES)
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    log_in(page, live_server.url, agent.username)
    page.goto(f"{live_server.url}/simulator/")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    build_offers(page, cat)
    page.locator("#simulate").click()
    expect(page.locator("#offer-columns [data-offer]")).to_have_count(2)
    page.wait_for_function("() => !!Chart.getChart(document.getElementById('offer-chart'))")
    assert page.evaluate(NO_SIDEWAYS_SCROLL), page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    page.screenshot(path="var/e2e-simulator-phone.png", full_page=True)
    context.close()
