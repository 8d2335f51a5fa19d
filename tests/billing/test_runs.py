"""Billing runs (BIL-1, BIL-2, BIL-8): chunks, one invoice per account and period,
roll-up to the paying account, review, approval, posting, discarding."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import DatabaseError, transaction

from alux_crm.core.errors import DomainError, InvalidTransition
from billing import services
from billing.choices import RunStatus
from billing.models import BillingRunChunk, Invoice, InvoiceLine, LedgerEntry
from customers import services as customer_services
from customers.models import BillingAccount
from products.pricing import BasketItem
from subscriptions import services as sub_services
from tests.customers import factories as CF
from tests.products import factories as PF
from tests.subscriptions import factories as SF

pytestmark = pytest.mark.django_db
D = Decimal
DEC = date(2026, 12, 1)


@pytest.fixture
def cat():
    return PF.catalogue()


def active(cat, account, items=None, on=date(2026, 11, 1)):
    subscription = SF.subscription(
        cat, billing_account=account, items=items or [BasketItem(cat.tv)], devices=[], signed_on=on
    )
    return sub_services.subscription_activate(subscription=subscription, on=on)


@pytest.fixture
def world(cat):
    """Two paying accounts; the company's branch account (not paying) rolls up."""
    person = SF.account()
    active(cat, person, [BasketItem(cat.tv), BasketItem(cat.broadband)])
    company = CF.company(segment="sme")
    head = customer_services.billing_account_create(customer=company, actor=None)
    branch = customer_services.billing_account_create(
        customer=company, actor=None, parent=head, is_paying=False
    )
    active(cat, head)
    active(cat, branch, [BasketItem(cat.broadband)])
    idle = SF.account()  # nothing to bill
    return {"person": person, "head": head, "branch": branch, "idle": idle}


def run_to_draft(capture, **kwargs):
    run = services.billing_run_create(bill_cycle_day=1, period_start=DEC)
    with capture(execute=True):
        services.billing_run_start(run=run)
    run.refresh_from_db()
    return run


def test_a_run_drafts_one_invoice_per_paying_account(world, django_capture_on_commit_callbacks):
    run = run_to_draft(django_capture_on_commit_callbacks)
    assert run.status == RunStatus.DRAFT_READY
    assert (run.accounts_total, run.accounts_done, run.accounts_failed) == (3, 3, 0)
    invoices = {i.billing_account_id: i for i in run.invoices.all()}
    assert set(invoices) == {world["person"].pk, world["head"].pk}
    # TV 10.00 + broadband 15.00, 21 % VAT
    assert invoices[world["person"].pk].total == D("30.25")
    head = invoices[world["head"].pk]
    # The branch's broadband is billed to the head office, and says where it came from.
    assert head.total == D("30.25")
    assert {line.source_account_id for line in head.lines.all()} == {
        world["head"].pk,
        world["branch"].pk,
    }
    assert head.is_first and head.number is None
    assert "31 of 31 days" in head.lines.first().explanation
    assert LedgerEntry.objects.count() == 0  # a draft books nothing


def test_a_chunk_worked_twice_creates_nothing_twice(world, django_capture_on_commit_callbacks):
    run = run_to_draft(django_capture_on_commit_callbacks)
    chunk = run.chunks.get()
    BillingRunChunk.objects.filter(pk=chunk.pk).update(status="pending")
    type(run).objects.filter(pk=run.pk).update(status=RunStatus.RUNNING)
    services.billing_run_chunk(chunk_id=chunk.pk)
    run.refresh_from_db()
    assert Invoice.objects.count() == 2 and run.accounts_done == 3
    assert run.status == RunStatus.DRAFT_READY


def test_approval_posts_numbers_and_ledger(world, django_capture_on_commit_callbacks, make_user):
    run = run_to_draft(django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.billing_run_approve(run=run, actor=make_user("Billing & Finance"))
    run.refresh_from_db()
    assert run.status == RunStatus.POSTED and run.invoices_posted == 2
    numbers = sorted(run.invoices.values_list("number", flat=True))
    year = numbers[0].split("-")[1]
    assert numbers == [f"INV-{year}-0000001", f"INV-{year}-0000002"]
    world["person"].refresh_from_db()
    assert world["person"].balance == D("30.25")
    assert services.ledger_reconcile() == []
    # Posting again does nothing.
    services.billing_run_post(run_id=run.pk)
    assert LedgerEntry.objects.count() == 2


def test_posted_invoices_never_change(world, django_capture_on_commit_callbacks, make_user):
    run = run_to_draft(django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.billing_run_approve(run=run, actor=make_user("Billing & Finance"))
    invoice = run.invoices.first()
    with pytest.raises(DatabaseError), transaction.atomic():
        Invoice.objects.filter(pk=invoice.pk).update(total=D("1"), net=D("1"), tax=D("0"))
    with pytest.raises(DatabaseError, match="posted invoice"), transaction.atomic():
        InvoiceLine.objects.filter(invoice=invoice).update(explanation="edited")
    with pytest.raises(DatabaseError), transaction.atomic():
        invoice.delete()


def test_discard_leaves_nothing_and_the_period_can_run_again(
    world, django_capture_on_commit_callbacks
):
    run = run_to_draft(django_capture_on_commit_callbacks)
    services.billing_run_discard(run=run)
    assert Invoice.objects.count() == 0 and InvoiceLine.objects.count() == 0
    again = run_to_draft(django_capture_on_commit_callbacks)
    assert again.invoices.count() == 2


def test_one_run_per_cycle_and_period_and_transitions_are_checked(
    world, django_capture_on_commit_callbacks
):
    run = run_to_draft(django_capture_on_commit_callbacks)
    with pytest.raises(DomainError, match="already has a run"):
        services.billing_run_create(bill_cycle_day=1, period_start=DEC)
    with pytest.raises(DomainError, match="starts on day 1"):
        services.billing_run_create(bill_cycle_day=1, period_start=date(2026, 12, 2))
    with pytest.raises(InvalidTransition):
        services.billing_run_start(run=run)


def test_a_failing_account_is_recorded_and_retried(
    world, django_capture_on_commit_callbacks, monkeypatch
):
    from billing.services import runs

    real = runs.period_charges

    def broken(**kwargs):
        if kwargs["subscription"].billing_account_id == world["person"].pk:
            raise ValueError("no price for the period")
        return real(**kwargs)

    monkeypatch.setattr(runs, "period_charges", broken)
    run = run_to_draft(django_capture_on_commit_callbacks)
    assert run.status == RunStatus.FAILED and run.accounts_failed == 1
    assert "no price for the period" in run.errors.get().message
    monkeypatch.setattr(runs, "period_charges", real)
    with django_capture_on_commit_callbacks(execute=True):
        services.billing_run_resume(run=run)
    run.refresh_from_db()
    assert run.status == RunStatus.DRAFT_READY
    assert (run.accounts_done, run.accounts_failed, run.invoices.count()) == (3, 0, 2)
    assert not run.errors.exists()


def test_review_compares_with_the_previous_run_and_flags_outliers(
    cat, world, django_capture_on_commit_callbacks, make_user, settings
):
    from billing.selectors import run_review

    settings.BILLING_OUTLIER_PERCENT = 30
    first = run_to_draft(django_capture_on_commit_callbacks)
    review = run_review(run=first)
    assert review.previous is None and review.total == D("60.50")
    assert {o.invoice.billing_account_id for o in review.outliers} == {
        world["person"].pk,
        world["head"].pk,
    }  # both first invoices
    with django_capture_on_commit_callbacks(execute=True):
        services.billing_run_approve(run=first, actor=make_user("Billing & Finance"))
    # The person adds an add-on for January: 25.00 -> 30.00 net (+20 %), not an outlier;
    # the head office adds broadband: 25.00 -> 40.00 net (+60 %), an outlier.
    active(cat, world["person"], [BasketItem(cat.addon)], on=date(2026, 12, 1))
    active(cat, world["head"], [BasketItem(cat.broadband)], on=date(2026, 12, 1))
    second = services.billing_run_create(bill_cycle_day=1, period_start=date(2027, 1, 1))
    with django_capture_on_commit_callbacks(execute=True):
        services.billing_run_start(run=second)
    review = run_review(run=second)
    assert review.previous == first
    assert [(o.invoice.billing_account_id, o.reasons) for o in review.outliers] == [
        (world["head"].pk, ["moved 60.00 % against 30.25"])
    ]
    by_product = {row.label: row for row in review.by_product}
    assert by_product["net-300"].previous == D("36.30") and by_product["net-300"].total == D(
        "54.45"
    )
    assert by_product["net-300"].change_percent == D("50.00")
    segments = {row.label: (row.previous, row.total) for row in review.by_segment}
    assert segments == {"mass": (D("30.25"), D("36.30")), "sme": (D("30.25"), D("48.40"))}


def test_posting_renders_the_pdfs_and_emails_them(
    world, django_capture_on_commit_callbacks, make_user
):
    from django.core import mail

    run = run_to_draft(django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.billing_run_approve(run=run, actor=make_user("Billing & Finance"))
    invoices = list(run.invoices.select_related("billing_account"))
    assert all(invoice.pdf for invoice in invoices)
    assert invoices[0].pdf.read(5) == b"%PDF-"
    emailed = [i for i in invoices if i.billing_account.invoice_delivery in ("email", "both")]
    assert emailed and all(i.emailed_at for i in emailed)
    subjects = [m.subject for m in mail.outbox]
    assert all(any(i.number in s for s in subjects) for i in emailed)
    assert mail.outbox[0].attachments[0][2] == "application/pdf"
    # Rendering again does nothing.
    services.invoice_pdf_render(invoice_id=invoices[0].pk)
    assert len(mail.outbox) == len(emailed)


def test_credit_on_an_account_settles_its_new_invoice_at_posting(
    world, django_capture_on_commit_callbacks, make_user
):
    person = world["person"]
    services.payment_record(
        account=person, amount=D("50.00"), method="cash", idempotency_key="advance"
    )
    run = run_to_draft(django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.billing_run_approve(run=run, actor=make_user("Billing & Finance"))
    invoice = run.invoices.get(billing_account=person)
    assert services.invoice_open_amount(invoice) == D("0.00")
    person.refresh_from_db()
    assert person.balance == invoice.total - D("50.00")
    assert services.ledger_reconcile() == []


def test_a_chunk_reads_its_accounts_in_a_fixed_number_of_queries(
    cat, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def chunk_queries(accounts: int) -> int:  # the accounts of earlier calls stay
        for _ in range(accounts - BillingAccount.objects.count()):
            active(cat, SF.account(), [BasketItem(cat.tv), BasketItem(cat.broadband)])
        run = services.billing_run_create(bill_cycle_day=1, period_start=DEC)
        services.billing_run_start(run=run)
        chunk = run.chunks.get()
        with CaptureQueriesContext(connection) as captured:
            services.billing_run_chunk(chunk_id=chunk.pk)
        assert run.invoices.count() == accounts
        services.billing_run_discard(run=run)
        return len(captured)

    assert chunk_queries(2) == chunk_queries(8)


def test_a_scheduled_run_starts_by_itself_when_its_time_comes(
    world, django_capture_on_commit_callbacks
):
    from datetime import UTC, datetime

    at = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
    run = services.billing_run_create(bill_cycle_day=1, period_start=DEC, scheduled_for=at)
    assert services.billing_runs_start_due(now=datetime(2026, 12, 1, 5, 59, tzinfo=UTC)) == []
    with django_capture_on_commit_callbacks(execute=True):
        assert services.billing_runs_start_due(now=at) == [run.pk]
    run.refresh_from_db()
    assert run.status == RunStatus.DRAFT_READY and run.invoices.count() == 2
    assert services.billing_runs_start_due(now=at) == []  # started once
