"""The monthly billing journey in a real browser, with a real Celery worker billing
the chunks: a Back Office user schedules December's run of cycle 1 and starts it,
and watches the progress bar move (htmx polling) until the draft is ready; a
Billing & Finance user reviews it against November's posted run (totals, the
outlier, per product and segment), approves it, waits until it is posted, and
opens an invoice and its PDF."""

import json
import re
import subprocess
import uuid
from datetime import date

import pytest
from django.db import transaction
from kombu import Exchange, Queue
from playwright.sync_api import expect

from alux_crm.core import roles as R
from billing import services
from billing.choices import RunStatus
from billing.models import BillingRun, Invoice
from products.pricing import BasketItem
from subscriptions import services as sub_services
from tests.conftest import start_celery_worker, stop_celery_worker, wait_for
from tests.customers import factories as CF
from tests.e2e.test_login import log_in
from tests.products import factories as PF
from tests.subscriptions import factories as SF

pytestmark = [pytest.mark.e2e, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

NOV, DEC, JAN = date(2026, 11, 1), date(2026, 12, 1), date(2027, 1, 1)


@pytest.fixture
def billing_worker(transactional_db, monkeypatch, settings):
    """A real Celery worker on queues of this test alone: the test process (and its
    live server) and the worker send their tasks there, so parallel test runs
    sharing Redis neither take nor purge each other's tasks."""
    from alux_crm.celery import app

    queue = f"alux-test-{uuid.uuid4().hex[:8]}"
    documents = f"{queue}-documents"
    # start_celery_worker consumes these two queues (-Q) ...
    settings.CELERY_TASK_DEFAULT_QUEUE, settings.CELERY_DOCUMENTS_QUEUE = queue, documents
    # ... and the worker sends its own tasks there too (config on its command line).
    worker_config = [
        "--",
        f"task.default_queue={queue}",
        "task.routes=(json)"
        + json.dumps({"billing.tasks.render_invoice_pdfs": {"queue": documents}}),
    ]
    popen = subprocess.Popen
    previous = app.conf.task_always_eager, app.conf.task_default_queue
    app.conf.task_always_eager, app.conf.task_default_queue = False, queue
    process = None
    try:
        with monkeypatch.context() as patch:
            patch.setattr(
                subprocess, "Popen", lambda args, **kw: popen([*args, *worker_config], **kw)
            )
            process = start_celery_worker()
        yield process
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = previous
        if process is not None:
            stop_celery_worker(process)
        with app.connection_for_write() as connection:  # no keys left behind in Redis
            for name in (queue, documents):
                Queue(name, Exchange(name), routing_key=name, channel=connection).declare()
                connection.default_channel.queue_delete(name)


def active(cat, account, items, on):
    subscription = SF.subscription(
        cat, billing_account=account, items=items, devices=[], signed_on=on
    )
    return sub_services.subscription_activate(subscription=subscription, on=on)


def wait_for_status(run, status, timeout=60):
    return wait_for(lambda: BillingRun.objects.get(pk=run.pk).status == status, timeout=timeout)


@pytest.fixture
def november(billing_worker, settings, make_user):
    """Three paying accounts billed and posted for November (through the worker):
    Ana with TV and broadband, Bogdan and a company with TV. For December Bogdan
    adds broadband (his bill goes from 12.10 to 30.25: an outlier)."""
    settings.BILLING_CHUNK_SIZE = 1
    settings.BILLING_OUTLIER_PERCENT = 30
    cat = PF.catalogue()
    ana = SF.account(CF.person(first_name="Ana", last_name="Pavel"))
    bogdan = SF.account(CF.person(first_name="Bogdan", last_name="Stan"))
    firm = SF.account(CF.company(company_name="Orizont SRL", segment="sme"))
    active(cat, ana, [BasketItem(cat.tv), BasketItem(cat.broadband)], date(2026, 10, 1))
    active(cat, bogdan, [BasketItem(cat.tv)], date(2026, 10, 1))
    active(cat, firm, [BasketItem(cat.tv)], date(2026, 10, 1))
    run = services.billing_run_create(bill_cycle_day=1, period_start=NOV)
    services.billing_run_start(run=run)
    assert wait_for_status(run, RunStatus.DRAFT_READY)
    services.billing_run_approve(run=run, actor=make_user(R.BILLING_FINANCE))
    assert wait_for_status(run, RunStatus.POSTED)
    active(cat, bogdan, [BasketItem(cat.broadband)], DEC)
    return {"run": run, "ana": ana, "bogdan": bogdan, "firm": firm}


def test_back_office_runs_and_finance_approves_december(
    page, browser, live_server, make_user, november, csp_violations, request
):
    base = live_server.url
    operator = make_user(R.BACK_OFFICE)
    approver = make_user(R.BILLING_FINANCE)

    # Back Office schedules December's run of cycle 1 on the runs page.
    log_in(page, base, operator.username)
    page.goto(f"{base}/billing/runs/")
    page.get_by_role("link", name="Schedule run").click()
    page.get_by_label("Bill-cycle day").fill("1")
    page.get_by_label("Period from").fill(DEC.isoformat())
    page.locator("#submit").click()
    expect(page).to_have_url(re.compile(r"/billing/runs/\d+/$"))
    expect(page.locator("#run-status")).to_have_text("Scheduled")
    run = BillingRun.objects.get(period_start=DEC)

    # The firm's invoice is held back (an uncommitted invoice of the same account and
    # period: the worker's insert waits on the unique index), so the bar stops short.
    with transaction.atomic():
        Invoice.objects.create(
            billing_account=november["firm"], period_start=DEC, period_end=JAN, currency="EUR"
        )
        page.locator("#action-start").click()
        page.locator("#confirm").click()
        expect(page.locator("#messages")).to_contain_text("The billing run has started.")
        expect(page.locator("#run-status")).to_have_text("Running")
        progress = page.locator("#run-progress")
        expect(progress).to_have_attribute("hx-trigger", "every 2s")
        # The bar moves without a reload: two of the three accounts are billed.
        expect(page.locator("#run-progress-bar")).to_have_attribute("value", "66", timeout=30_000)
        expect(progress.locator('[data-count="done"]')).to_have_text("2")
        expect(progress.locator('[data-count="invoices"]')).to_have_text("2")
        page.screenshot(path="var/e2e-billing-run-progress.png", full_page=True)
        transaction.set_rollback(True)  # let the firm's invoice through

    # When the last chunk is done, the page reloads itself on the ready draft.
    expect(page.locator("#run-status")).to_have_text("Draft ready for review", timeout=30_000)
    expect(page.locator("#run-progress-bar")).to_have_attribute("value", "100")
    expect(page.locator("#action-approve")).to_have_count(0)  # not Back Office's to approve

    # Billing & Finance opens the run from the list and reviews it against November.
    finance = browser.new_context()
    request.addfinalizer(finance.close)
    page = finance.new_page()
    log_in(page, base, approver.username)
    page.goto(f"{base}/billing/runs/")
    page.locator("table").get_by_role("link", name=str(run.pk), exact=True).click()
    expect(page).to_have_url(re.compile(rf"/billing/runs/{run.pk}/$"))
    review = page.locator("#run-review")
    expect(review.locator("h2")).to_contain_text(f"against {november['run']}")
    totals = page.locator("#review-totals")
    expect(totals).to_contain_text("3")  # invoices
    expect(totals).to_contain_text("60.00")  # net: 25.00 + 25.00 + 10.00
    expect(totals).to_contain_text("72.60")  # total, VAT 21 %
    broadband = page.locator("#review-by-product tr", has_text="net-300")
    expect(broadband.locator("td")).to_have_text(["net-300", "36.30", "18.15", "100.00 %"])
    sme = page.locator("#review-by-segment tr", has_text="sme")
    expect(sme.locator("td")).to_have_text(["sme", "12.10", "12.10", "0.00 %"])
    outliers = page.locator("#review-outliers li")
    expect(outliers).to_have_count(1)
    expect(outliers).to_contain_text(november["bogdan"].number)
    expect(outliers).to_contain_text("moved 150.00 % against 12.10")
    expect(page.locator("#run-chart")).to_be_visible()
    page.screenshot(path="var/e2e-billing-run-review.png", full_page=True)

    # Approves it, and waits (reloading) until every invoice is posted.
    page.locator("#action-approve").click()
    page.locator("#confirm").click()
    expect(page.locator("#messages")).to_contain_text("The billing run is approved")

    def posted() -> bool:
        page.reload()
        return page.locator("#run-status").inner_text() == "Posted"

    assert wait_for(posted, timeout=60, interval=1), page.locator("#run-status").inner_text()
    expect(page.locator("main")).to_contain_text("Invoices posted")

    # Bogdan's invoice, from the run's invoices: posted, numbered, every line explained.
    invoice = Invoice.objects.get(run=run, billing_account=november["bogdan"])
    page.get_by_role("link", name="All invoices of this run").click()
    page.get_by_role("link", name=invoice.number).click()
    expect(page).to_have_url(re.compile(rf"/invoices/{invoice.pk}/$"))
    expect(page.locator("#invoice-status")).to_have_text("Posted")
    expect(page.locator("#invoice-total")).to_have_text("30.25 EUR")
    expect(page.locator("#invoice-lines [data-explanation]")).to_have_count(2)
    page.screenshot(path="var/e2e-billing-invoice.png", full_page=True)

    assert csp_violations == []

    # Its PDF link answers with a PDF.
    pdf_link = page.locator('[data-download="pdf"]')
    response = page.request.get(f"{base}{pdf_link.first.get_attribute('href')}")
    assert response.ok and response.headers["content-type"] == "application/pdf"
    assert response.body()[:5] == b"%PDF-"
