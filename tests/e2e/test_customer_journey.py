"""Issue 3's journey in a real browser: search, create, duplicate warning, log a call
with an attachment, see it on the customer-360 page and its History tab."""

import re

import pytest
from playwright.sync_api import expect

from alux_crm.core import roles as R
from customers.models import Attachment, Customer
from tests.customers.factories import PDF_BYTES
from tests.e2e.test_login import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def create_person(page, base_url: str, first: str, last: str, phone: str) -> None:
    page.goto(f"{base_url}/customers/new/")
    page.locator("#kind-person").click()
    page.get_by_label("First name").fill(first)
    page.get_by_label("Last name").fill(last)
    page.get_by_label("Phone").fill(phone)
    page.get_by_label("Date of birth").fill("1986-04-12")
    page.locator("#submit").click()


def test_agent_searches_creates_sees_duplicate_logs_a_call(
    page, live_server, make_user, tmp_path, csp_violations
):
    agent = make_user(R.CUSTOMER_SERVICE, first_name="Ioana")
    log_in(page, live_server.url, agent.username)

    # The phone is not known yet: the search says so.
    search = page.locator("#global-search")
    search.fill("0744 123 456")
    results = page.locator("#search-results")
    expect(results).to_contain_text("Nothing found")

    # Create the person.
    create_person(page, live_server.url, "Mihaela", "Dobre", "0744 123 456")
    expect(page.locator("h1")).to_contain_text("Mihaela Dobre")
    first = Customer.objects.get(last_name="Dobre")
    assert first.phone == "+40744123456"

    # Now the search finds her by the phone in another format.
    search = page.locator("#global-search")
    search.fill("+40 744 123 456")
    expect(page.locator("#search-results")).to_contain_text("Mihaela Dobre")

    # A second person with the same phone: the agent is warned, with a link.
    create_person(page, live_server.url, "Mihai", "Dobre", "0744-123-456")
    warning = page.locator("#duplicates")
    expect(warning).to_contain_text(first.number)
    expect(warning.get_by_role("link", name=re.compile("Mihaela Dobre"))).to_be_visible()
    assert Customer.objects.filter(last_name="Dobre").count() == 1
    page.get_by_label("I checked these; create anyway").check()
    page.locator("#submit").click()
    expect(page.locator("h1")).to_contain_text("Mihai Dobre")
    assert Customer.objects.filter(last_name="Dobre").count() == 2

    # Log a call with an attachment on the first customer.
    page.goto(f"{live_server.url}{first.get_absolute_url()}")
    page.get_by_role("link", name="Log a contact").first.click()
    page.get_by_label("Channel").select_option("phone")
    page.get_by_label("Subject").fill("Asked to move the installation to Friday")
    recording = tmp_path / "call-notes.pdf"
    recording.write_bytes(PDF_BYTES)
    page.get_by_label("Attachments").set_input_files(str(recording))
    page.locator("#submit").click()

    # The 360 page shows it, with the attachment, and the History tab records it.
    expect(page).to_have_url(re.compile(rf"/customers/{first.pk}/"))
    page.locator('[data-tab="communications"]').click()
    communications = page.locator("#tab-content")
    expect(communications).to_contain_text("Asked to move the installation to Friday")
    expect(communications.get_by_role("link", name=re.compile("call-notes.pdf"))).to_be_visible()
    assert Attachment.objects.get().original_name == "call-notes.pdf"
    page.locator('[data-tab="history"]').click()
    expect(page.locator('[data-tab="history"]')).to_have_class(re.compile(r"\bactive\b"))
    expect(page.locator('[data-tab="communications"]')).not_to_have_class(re.compile(r"\bactive\b"))
    contact_row = page.locator('#history tr[data-model="customers.Communication"]')
    expect(contact_row).to_contain_text("Contact: Asked to move the installation to Friday")
    expect(contact_row).to_contain_text("Ioana")  # who logged it
    expect(contact_row).to_contain_text("insert")
    expect(page.locator('#history tr[data-model="customers.Customer"]').first).to_be_visible()
    page.screenshot(path="var/e2e-customer-history.png", full_page=True)
    assert csp_violations == []
