"""The demo billing data: posted runs with numbered invoices and payments, a draft
run to review, and nothing new on a second run."""

import pytest
from django.core.management import call_command

from billing.choices import RunStatus
from billing.models import BillingRun, Invoice, LedgerEntry, Payment
from billing.services import ledger_reconcile

pytestmark = pytest.mark.django_db


def test_seed_demo_bills_the_demo_subscriptions_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        call_command("seed_demo", verbosity=0)
    statuses = set(BillingRun.objects.values_list("status", flat=True))
    assert statuses == {RunStatus.POSTED, RunStatus.DRAFT_READY}
    posted = Invoice.objects.filter(status="posted")
    assert posted.exists() and all(i.number for i in posted)
    assert Invoice.objects.filter(status="draft").exists()
    assert Payment.objects.exists()
    assert ledger_reconcile() == []
    counts = (BillingRun.objects.count(), Invoice.objects.count(), LedgerEntry.objects.count())
    with django_capture_on_commit_callbacks(execute=False):
        call_command("seed_demo", verbosity=0)
    assert (
        BillingRun.objects.count(),
        Invoice.objects.count(),
        LedgerEntry.objects.count(),
    ) == counts
