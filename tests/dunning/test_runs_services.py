"""Disconnection and reconnection runs (BIL-7): the selection by each criterion, the
re-checks at execution (paid since the preview, disputed, held, never disconnect,
Gold on the save desk), execution twice doing nothing twice, and the automatic
reconnection of a paid account with its fee booked once."""

from datetime import timedelta
from decimal import Decimal

import pytest

from alux_crm.core import roles as R
from alux_crm.core.errors import DomainError, InvalidTransition
from alux_crm.core.models import OutboxMessage
from billing.models import Invoice, LedgerEntry
from customers.services import billing_account_create
from dunning.choices import RunItemOutcome as O
from dunning.choices import SaveDeskStatus, ServiceRunStatus
from dunning.models import (
    AccountCollectionSettings,
    DunningPlan,
    PromiseToPay,
    SaveDeskEntry,
    ServiceRun,
)
from dunning.services import runs, runs_execute
from dunning.services.runs_save_desk import save_desk_resolve
from dunning.tasks.runs import reconnect_paid_accounts
from subscriptions.choices import SubscriptionStatus as S
from subscriptions.models import Subscription, SubscriptionEvent
from tests.dunning.runs_world import TODAY, debtor, live, pay
from tests.products import factories as PF

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def cat():
    return PF.catalogue()


@pytest.fixture
def execute(django_capture_on_commit_callbacks):
    """Execute a run with its chunk tasks (eager) worked after commit."""

    def run_it(run, actor=None):
        with django_capture_on_commit_callbacks(execute=True):
            runs.service_run_execute(run=run, actor=actor, today=TODAY)
        run.refresh_from_db()
        return run

    return run_it


def disconnection(**criteria):
    run = runs.service_run_create(kind="disconnection", **criteria)
    return runs.service_run_preview(run=run, today=TODAY)


def selected(run) -> set[int]:
    return set(run.items.values_list("billing_account_id", flat=True))


def statuses(account) -> set[str]:
    return set(
        Subscription.objects.filter(billing_account=account).values_list("status", flat=True)
    )


def test_preview_selects_by_days_amount_segment_and_region(cat):
    chosen = debtor(cat, owes=D("80.00"), days=45, segment="mass", region="Cluj")
    too_recent = debtor(cat, days=20)
    too_small = debtor(cat, owes=D("10.00"))
    other_segment = debtor(cat, owes=D("80.00"), segment="corporate")
    other_region = debtor(cat, owes=D("80.00"), region="Iasi")
    run = disconnection(
        min_days_overdue=30, min_amount=D("20.00"), segments=["mass"], regions=["Cluj"]
    )
    assert selected(run) == {chosen.pk}
    assert (run.accounts_total, run.amount_total) == (1, D("80.00"))
    # Without segment and region every account past the days and the amount is in.
    wide = disconnection(min_days_overdue=30, min_amount=D("20.00"))
    assert selected(wide) == {chosen.pk, other_segment.pk, other_region.pk}
    assert too_recent.pk not in selected(wide) and too_small.pk not in selected(wide)
    assert wide.amount_total == D("240.00")


def test_preview_leaves_out_held_disputed_and_accounts_without_live_service(cat):
    chosen = debtor(cat)
    promised = debtor(cat)
    PromiseToPay.objects.create(
        billing_account=promised, amount=D("40"), pay_by=TODAY + timedelta(days=5),
        balance_when_made=D("40"),
    )  # fmt: skip
    disputed = debtor(cat, disputed=True)
    without_service = debtor(cat, subscriptions=0)
    assert selected(disconnection()) == {chosen.pk}
    assert {promised.pk, disputed.pk, without_service.pk}.isdisjoint(selected(disconnection()))


def test_execution_disconnects_live_services_with_event_and_outbox_command(cat, execute, make_user):
    account = debtor(cat, subscriptions=2)
    child = billing_account_create(
        customer=account.customer, actor=None, parent=account, is_paying=False, name="Branch"
    )
    child_subscription = live(cat, child)
    actor = make_user(R.BACK_OFFICE)
    run = execute(disconnection(), actor)
    assert run.status == ServiceRunStatus.DONE and run.accounts_done == 1
    item = run.items.get()
    assert (item.outcome, item.subscriptions_changed) == (O.DONE, 3)
    assert statuses(account) == {S.DISCONNECTED} and statuses(child) == {S.DISCONNECTED}
    event = SubscriptionEvent.objects.get(subscription=child_subscription, to_status=S.DISCONNECTED)
    assert event.actor == actor and event.from_status == S.ACTIVE
    assert event.outbox_message.topic == "provisioning.deactivate"
    assert event.outbox_message.payload["status"] == S.DISCONNECTED
    assert (
        event.outbox_message.idempotency_key
        == f"subscription-{child_subscription.pk}-event-{event.pk}"
    )


def test_a_payment_between_preview_and_execution_removes_the_account(cat, execute):
    paying, other = debtor(cat), debtor(cat)
    run = disconnection()
    assert selected(run) == {paying.pk, other.pk}
    pay(paying)
    outbox_before = OutboxMessage.objects.filter(topic__startswith="provisioning").count()
    run = execute(run)
    assert run.items.get(billing_account=paying).outcome == O.PAID
    assert statuses(paying) == {S.ACTIVE}
    assert statuses(other) == {S.DISCONNECTED}
    # One provisioning command: the other account's; none for the one that paid.
    assert (
        OutboxMessage.objects.filter(topic__startswith="provisioning").count() == outbox_before + 1
    )


def test_an_account_whose_only_overdue_invoice_is_disputed_is_never_disconnected(cat, execute):
    account = debtor(cat)
    run = disconnection()
    Invoice.objects.filter(billing_account=account).update(disputed=True, dispute_reason="Wrong")
    run = execute(run)
    assert run.items.get().outcome == O.PAID  # nothing overdue any more
    assert statuses(account) == {S.ACTIVE}
    assert not SubscriptionEvent.objects.filter(to_status=S.DISCONNECTED).exists()


def test_never_disconnect_and_held_accounts_are_skipped_at_execution(cat, execute):
    vip, promised = debtor(cat), debtor(cat)
    run = disconnection()
    AccountCollectionSettings.objects.create(billing_account=vip, never_disconnect=True)
    PromiseToPay.objects.create(
        billing_account=promised, amount=D("40"), pay_by=TODAY, balance_when_made=D("40")
    )
    run = execute(run)
    assert run.items.get(billing_account=vip).outcome == O.NEVER_DISCONNECT
    assert run.items.get(billing_account=promised).outcome == O.HELD
    assert statuses(vip) == statuses(promised) == {S.ACTIVE}


def test_gold_goes_to_the_save_desk_until_released(cat, execute, make_user):
    gold = debtor(cat, tier="gold")
    run = execute(disconnection())
    assert run.items.get().outcome == O.SAVE_DESK
    entry = SaveDeskEntry.objects.get(billing_account=gold)
    assert (entry.status, entry.tier, entry.overdue_amount) == ("open", "gold", D("40.00"))
    assert statuses(gold) == {S.ACTIVE}
    # A second run while the call is open: still on the list, one entry.
    assert execute(disconnection()).items.get().outcome == O.SAVE_DESK
    assert SaveDeskEntry.objects.filter(billing_account=gold).count() == 1
    # The save desk releases it: the next run disconnects.
    save_desk_resolve(
        entry=entry,
        status=SaveDeskStatus.RELEASED,
        note="No deal",
        actor=make_user(R.CUSTOMER_SERVICE),
    )
    assert execute(disconnection()).items.get().outcome == O.DONE
    assert statuses(gold) == {S.DISCONNECTED}
    with pytest.raises(InvalidTransition):
        save_desk_resolve(entry=entry, status=SaveDeskStatus.SAVED)


def test_excluded_accounts_stay_excluded_on_a_new_preview_and_are_not_touched(cat, execute):
    kept, excluded = debtor(cat), debtor(cat)
    run = disconnection()
    item = run.items.get(billing_account=excluded)
    runs.service_run_item_exclude(item=item)
    run.refresh_from_db()
    assert (run.accounts_total, run.amount_total) == (1, D("40.00"))
    run = runs.service_run_preview(run=run, today=TODAY)
    assert run.items.get(billing_account=excluded).outcome == O.EXCLUDED
    assert run.accounts_total == 1
    run = execute(run)
    assert statuses(excluded) == {S.ACTIVE} and statuses(kept) == {S.DISCONNECTED}
    with pytest.raises(InvalidTransition):  # done: no more exclusions, no second execution
        runs.service_run_item_exclude(item=run.items.get(billing_account=kept))
    with pytest.raises(InvalidTransition):
        runs.service_run_execute(run=run, today=TODAY)


def test_executing_a_chunk_twice_does_nothing_twice(cat, execute):
    accounts = [debtor(cat) for _n in range(3)]
    run = execute(disconnection())
    events = SubscriptionEvent.objects.count()
    messages = OutboxMessage.objects.count()
    item_ids = list(run.items.values_list("pk", flat=True))
    again = runs_execute.service_run_chunk(run_id=run.pk, item_ids=item_ids, today=TODAY)
    assert again == 0
    assert (SubscriptionEvent.objects.count(), OutboxMessage.objects.count()) == (events, messages)
    run.refresh_from_db()
    assert run.accounts_done == 3 and all(statuses(a) == {S.DISCONNECTED} for a in accounts)


def test_cancel_and_wrong_states_are_refused(cat):
    debtor(cat)
    run = runs.service_run_create(kind="disconnection")
    with pytest.raises(InvalidTransition):
        runs.service_run_execute(run=run, today=TODAY)  # a draft is previewed first
    run = runs.service_run_preview(run=run, today=TODAY)
    runs.service_run_item_exclude(item=run.items.get())
    with pytest.raises(DomainError):
        runs.service_run_execute(run=run, today=TODAY)  # every account excluded
    run = runs.service_run_cancel(run=run)
    assert run.status == ServiceRunStatus.CANCELLED
    with pytest.raises(InvalidTransition):
        runs.service_run_preview(run=run, today=TODAY)


def test_a_paid_account_is_reconnected_by_the_automatic_task_with_the_fee_once(
    cat, execute, django_capture_on_commit_callbacks, monkeypatch
):
    DunningPlan.objects.create(
        code="std", name="Standard", is_default=True, reconnection_fee=D("15.00")
    )
    payer, still_owing = debtor(cat), debtor(cat)
    execute(disconnection())
    assert statuses(payer) == statuses(still_owing) == {S.DISCONNECTED}
    pay(payer)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)
    with django_capture_on_commit_callbacks(execute=True):
        reconnect_paid_accounts.delay()
    run = ServiceRun.objects.get(kind="reconnection")
    assert run.automatic and run.status == ServiceRunStatus.DONE
    assert statuses(payer) == {S.ACTIVE} and statuses(still_owing) == {S.DISCONNECTED}
    fees = LedgerEntry.objects.filter(billing_account=payer, kind="debit_note")
    assert [f.amount for f in fees] == [D("15.00")]
    event = SubscriptionEvent.objects.filter(subscription__billing_account=payer).first()
    assert (event.to_status, event.command) == (S.ACTIVE, "activate")
    # The task again: nobody left to reconnect, no new (empty) run, no second fee.
    with django_capture_on_commit_callbacks(execute=True):
        reconnect_paid_accounts.delay()
    assert ServiceRun.objects.filter(kind="reconnection").count() == 1
    assert fees.count() == 1


def test_an_approved_promise_gets_the_account_reconnected(
    cat, execute, django_capture_on_commit_callbacks
):
    account = debtor(cat)
    execute(disconnection())
    PromiseToPay.objects.create(
        billing_account=account, amount=D("40"), pay_by=TODAY + timedelta(days=3),
        balance_when_made=D("40"), approved_for_reconnection=True,
    )  # fmt: skip
    run = runs.service_run_preview(run=runs.service_run_create(kind="reconnection"), today=TODAY)
    assert selected(run) == {account.pk}
    run = execute(run)
    assert run.items.get().outcome == O.DONE and statuses(account) == {S.ACTIVE}
    assert not LedgerEntry.objects.filter(kind="debit_note").exists()  # no plan with a fee


def test_an_automatic_run_that_lost_its_tasks_is_resumed_at_the_next_turn(
    cat, execute, django_capture_on_commit_callbacks
):
    account = debtor(cat)
    execute(disconnection())
    pay(account)
    # The run's chunk tasks are lost (the callbacks queueing them never run).
    run = runs.reconnection_run_automatic(today=TODAY)
    assert run.status == ServiceRunStatus.EXECUTING and statuses(account) == {S.DISCONNECTED}
    with django_capture_on_commit_callbacks(execute=True):
        assert runs.reconnection_run_automatic(today=TODAY) is None  # still within its turn
    run.refresh_from_db()
    assert run.status == ServiceRunStatus.EXECUTING
    ServiceRun.objects.filter(pk=run.pk).update(started_at=run.started_at - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert runs.reconnection_run_automatic(today=TODAY) is None
    run.refresh_from_db()
    assert run.status == ServiceRunStatus.DONE and statuses(account) == {S.ACTIVE}
    assert ServiceRun.objects.filter(kind="reconnection").count() == 1
