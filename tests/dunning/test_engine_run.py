"""The daily dunning run (BIL-6): every step exactly once over simulated days, also
when the run is repeated the same day or a chunk crashes half-way; holds, disputes,
"never disconnect", paid accounts, the texts sent and the late fee."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from alux_crm.core.models import OutboxMessage
from billing.models import LedgerEntry
from billing.services import payment_record
from dunning.choices import ActionOutcome, DunningRunStatus, ProcessStatus
from dunning.models import (
    AccountCollectionSettings,
    DunningActionRecord,
    DunningProcess,
    DunningRun,
    PaymentPlan,
    PromiseToPay,
)
from dunning.services import engine, engine_actions
from products.pricing import BasketItem
from subscriptions import services as subscription_services
from subscriptions.choices import SubscriptionStatus
from subscriptions.models import SubscriptionEvent
from tests.dunning.engine_world import DUE, STEPS, debtor, full_plan, run_day
from tests.products import factories as PF
from tests.subscriptions import factories as SF

pytestmark = pytest.mark.django_db
D = Decimal
ACTIONS = [action for _days, action, _name, _fee in STEPS]


@pytest.fixture
def cat():
    return PF.catalogue()


@pytest.fixture
def plan():
    return full_plan()


def timeline(account) -> list[tuple[str, str]]:
    return list(
        DunningActionRecord.objects.filter(billing_account=account)
        .order_by("done_on", "pk")
        .values_list("action", "outcome")
    )


def days(first: int, last: int):
    return [DUE + timedelta(days=n) for n in range(first, last + 1)]


def test_account_goes_through_every_step_once_also_when_run_twice_a_day(
    cat, plan, django_capture_on_commit_callbacks
):
    account = debtor(cat)
    for day in days(1, 100):
        run_day(day, django_capture_on_commit_callbacks)
        run_day(day, django_capture_on_commit_callbacks)  # the task runs twice that day
    assert timeline(account) == [(action, ActionOutcome.DONE) for action in ACTIONS]
    done_on = list(
        DunningActionRecord.objects.filter(billing_account=account)
        .order_by("pk")
        .values_list("done_on", flat=True)
    )
    assert done_on == [DUE + timedelta(days=d) for d, *_rest in STEPS]
    # Each step did its thing once: one e-mail, one SMS, one fee, one command per change.
    assert OutboxMessage.objects.filter(topic="email").count() == 1
    assert OutboxMessage.objects.filter(topic="sms").count() == 1
    assert LedgerEntry.objects.filter(billing_account=account, kind="debit_note").count() == 1
    subscription = account.subscriptions.get()
    assert subscription.status == SubscriptionStatus.TERMINATED
    assert list(
        SubscriptionEvent.objects.filter(subscription=subscription)
        .order_by("pk")
        .values_list("to_status", flat=True)
    )[-3:] == ["suspended", "disconnected", "terminated"]
    assert DunningRun.objects.get(run_on=DUE + timedelta(days=100)).status == "done"


def test_an_account_long_overdue_catches_up_one_step_per_day(
    cat, plan, django_capture_on_commit_callbacks
):
    account = debtor(cat)
    run = run_day(DUE + timedelta(days=40), django_capture_on_commit_callbacks)
    assert timeline(account) == [("email", ActionOutcome.DONE)]
    assert (run.actions_done, run.accounts_total, run.accounts_done) == (1, 1, 1)
    run_day(DUE + timedelta(days=41), django_capture_on_commit_callbacks)
    assert [a for a, _o in timeline(account)] == ["email", "sms"]


def test_crash_half_way_through_a_chunk_leaves_nothing_then_rerun_does_it_once(
    cat, plan, django_capture_on_commit_callbacks, monkeypatch
):
    accounts = [debtor(cat) for _ in range(4)]
    day = DUE + timedelta(days=21)  # three steps done first
    for earlier in (DUE + timedelta(days=3), DUE + timedelta(days=7), DUE + timedelta(days=14)):
        run_day(earlier, django_capture_on_commit_callbacks)
    real_fee, calls = engine_actions._late_fee, []

    def crash_on_third(result, item, *, today):
        calls.append(item.process.billing_account_id)
        if len(calls) == 3:
            raise RuntimeError("worker killed")
        real_fee(result, item, today=today)

    monkeypatch.setattr(engine_actions, "_late_fee", crash_on_third)
    run_day(day, django_capture_on_commit_callbacks)  # the chunk task dies on the 3rd fee
    assert len(calls) == 3
    # Neither records nor fees of the chunk stayed: all or nothing.
    assert not DunningActionRecord.objects.filter(action="late_fee").exists()
    assert not LedgerEntry.objects.filter(kind="debit_note").exists()
    assert DunningRun.objects.get(run_on=day).status == DunningRunStatus.RUNNING

    monkeypatch.setattr(engine_actions, "_late_fee", real_fee)
    run = run_day(day, django_capture_on_commit_callbacks)  # the task runs again
    run_day(day, django_capture_on_commit_callbacks)
    assert run.status == DunningRunStatus.DONE
    for account in accounts:
        fees = LedgerEntry.objects.filter(billing_account=account, kind="debit_note")
        record = DunningActionRecord.objects.get(billing_account=account, action="late_fee")
        assert list(fees) == [record.ledger_entry]
        assert fees.get().amount == D("5.00")


def test_a_chunk_worked_twice_does_nothing_twice(cat, plan, django_capture_on_commit_callbacks):
    account = debtor(cat)
    run = run_day(DUE + timedelta(days=3), django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        engine.dunning_run_chunk(run_id=run.pk, account_ids=[account.pk])  # redelivered
    assert timeline(account) == [("email", ActionOutcome.DONE)]
    assert OutboxMessage.objects.filter(topic="email").count() == 1


def test_disputed_invoices_are_never_dunned(cat, plan, django_capture_on_commit_callbacks):
    account = debtor(cat, disputed=True)
    for day in days(1, 50):
        run_day(day, django_capture_on_commit_callbacks)
    assert timeline(account) == []
    assert not DunningProcess.objects.filter(billing_account=account).exists()
    assert account.subscriptions.get().status == SubscriptionStatus.ACTIVE


def test_promise_and_payment_plan_hold_the_account_and_dunning_resumes_after(
    cat, plan, django_capture_on_commit_callbacks
):
    account = debtor(cat)
    run_day(DUE + timedelta(days=3), django_capture_on_commit_callbacks)  # e-mail
    promise = PromiseToPay.objects.create(
        billing_account=account,
        amount=D("40.00"),
        pay_by=DUE + timedelta(days=12),
        balance_when_made=D("40.00"),
    )
    for day in days(4, 12):
        run_day(day, django_capture_on_commit_callbacks)
    assert [a for a, _o in timeline(account)] == ["email"]  # held while promised
    promise.status = "broken"
    promise.save()
    payment_plan = PaymentPlan.objects.create(billing_account=account, total=D("40.00"))
    for day in days(13, 20):
        run_day(day, django_capture_on_commit_callbacks)
    assert [a for a, _o in timeline(account)] == ["email"]  # held by the payment plan
    payment_plan.status = "broken"
    payment_plan.save()
    run_day(DUE + timedelta(days=21), django_capture_on_commit_callbacks)
    assert [a for a, _o in timeline(account)] == ["email", "sms"]  # resumed, one step


def test_never_disconnect_skips_the_service_steps_with_the_reason(
    cat, plan, django_capture_on_commit_callbacks
):
    account = debtor(cat)
    AccountCollectionSettings.objects.create(
        billing_account=account, never_disconnect=True, reason="County hospital"
    )
    for day in days(1, 95):
        run_day(day, django_capture_on_commit_callbacks)
    outcomes = dict(timeline(account))
    assert outcomes["suspend"] == outcomes["disconnect"] == outcomes["terminate"] == "skipped"
    assert outcomes["email"] == outcomes["late_fee"] == outcomes["agency"] == "done"
    skipped = DunningActionRecord.objects.get(billing_account=account, action="suspend")
    assert "County hospital" in skipped.detail
    assert account.subscriptions.get().status == SubscriptionStatus.ACTIVE


def test_paid_account_process_closes(cat, plan, django_capture_on_commit_callbacks):
    account = debtor(cat)
    run_day(DUE + timedelta(days=3), django_capture_on_commit_callbacks)
    payment_record(account=account, amount=D("40.00"), method="cash", idempotency_key="paid-1")
    run = run_day(DUE + timedelta(days=7), django_capture_on_commit_callbacks)
    process = DunningProcess.objects.get(billing_account=account)
    assert (process.status, process.closed_reason) == (ProcessStatus.CLOSED, "paid")
    assert process.closed_on == DUE + timedelta(days=7)
    assert [a for a, _o in timeline(account)] == ["email"]
    assert run.accounts_total == 0 and run.status == DunningRunStatus.DONE


def test_messages_carry_the_rendered_text(cat, plan, django_capture_on_commit_callbacks):
    account = debtor(cat, owes=D("123.45"))
    customer = account.customer
    run_day(DUE + timedelta(days=3), django_capture_on_commit_callbacks)
    run_day(DUE + timedelta(days=7), django_capture_on_commit_callbacks)
    email = OutboxMessage.objects.get(topic="email")
    assert email.payload["to"] == [customer.email]
    assert email.payload["subject"] == "Overdue 123.45 EUR"
    assert email.payload["body"] == (
        f"Dear {customer.display_name}, account {account.number} owes 123.45 EUR since "
        f"{DUE:%Y-%m-%d} (3 days, 1 invoice). AluxSat"
    )
    assert email.idempotency_key.startswith("dunning-")
    sms = OutboxMessage.objects.get(topic="sms")
    assert sms.payload["to"] == customer.phone
    assert "owes 123.45 EUR" in sms.payload["text"] and "(7 days" in sms.payload["text"]
    record = DunningActionRecord.objects.get(action="sms")
    assert record.outbox_message == sms


def test_minimum_amount_and_grace_days_of_the_plan(cat, django_capture_on_commit_callbacks):
    full_plan(min_overdue_amount=D("50.00"), grace_days=5)
    small, large = debtor(cat, owes=D("20.00")), debtor(cat, owes=D("80.00"))
    run_day(DUE + timedelta(days=5), django_capture_on_commit_callbacks)
    assert not DunningProcess.objects.exists()  # still within the grace days
    run_day(DUE + timedelta(days=6), django_capture_on_commit_callbacks)
    assert list(DunningProcess.objects.values_list("billing_account_id", flat=True)) == [large.pk]
    assert timeline(small) == []


def test_plan_for_accounts_own_plan_then_segment_then_default(cat):
    residential = full_plan()
    corporate = full_plan("corporate", segments=["corporate", "sme"], default=False)
    own = full_plan("own", segments=[], default=False)
    from tests.customers import factories as CF

    mass = debtor(owes=D("0"))
    company = debtor(owes=D("0"), customer=CF.company(segment="corporate"))
    special = debtor(owes=D("0"), customer=CF.company(segment="corporate"))
    AccountCollectionSettings.objects.create(billing_account=special, plan=own)
    assert engine.plan_for_accounts([mass.pk, company.pk, special.pk]) == {
        mass.pk: residential,
        company.pk: corporate,
        special.pk: own,
    }


def test_suspension_reaches_the_accounts_rolled_up_below(
    cat, plan, django_capture_on_commit_callbacks
):
    from customers import services as customer_services

    account = debtor(cat)
    child = customer_services.billing_account_create(
        customer=account.customer, actor=None, parent=account, is_paying=False
    )
    below = SF.subscription(
        cat, items=[BasketItem(cat.tv)], devices=[], billing_account=child,
        signed_on=date(2026, 1, 5),
    )  # fmt: skip
    subscription_services.subscription_activate(subscription=below, on=date(2026, 1, 10))
    for day in days(1, 31):
        run_day(day, django_capture_on_commit_callbacks)
    assert dict(timeline(account))["suspend"] == "done"
    assert account.subscriptions.get().status == SubscriptionStatus.SUSPENDED
    below.refresh_from_db()
    assert below.status == SubscriptionStatus.SUSPENDED  # the child's service too
