"""Demo disconnection and reconnection runs (runs part of seed_demo): on a simulated
day when every demo account that owes is more than 30 days overdue, one executed
disconnection run (every other account from the third on excluded by hand; the first
one's customer made Gold and sent to the save desk instead), one previewed run
waiting for execution (the accounts the first left out), and an automatic
reconnection run after one disconnected account paid. Idempotent: made once, when
no run exists."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from billing.services import payment_record
from customers.choices import Tier
from customers.models import BillingAccount, Customer
from subscriptions.selectors import suspended_account_ids

from .choices import RunItemOutcome, RunKind
from .models import SaveDeskEntry, ServiceRun
from .selectors import overdue_accounts
from .services import runs

DAYS_AFTER_LAST_DUE = 31  # every account owing is past the run's 30 days


@transaction.atomic
def seed_runs(*, stdout=None) -> None:
    """The demo runs and the save-desk entry (once)."""
    if ServiceRun.objects.exists():
        return
    owing = overdue_accounts(today=timezone.localdate() + timedelta(days=60))
    if not owing:
        return
    day = max(o.oldest_due_on for o in owing.values()) + timedelta(days=DAYS_AFTER_LAST_DUE)
    first = runs.service_run_preview(
        run=runs.service_run_create(
            kind=RunKind.DISCONNECTION, name="Deconectare lunară", min_days_overdue=30
        ),
        today=day,
    )
    suspended = suspended_account_ids()
    items = []
    for item in first.items.order_by("billing_account_id"):
        if item.billing_account_id in suspended:  # the agent agreed to wait a week
            runs.service_run_item_exclude(item=item)
        else:
            items.append(item)
    if not items:
        return
    if len(items) > 1:
        # A Gold customer among the selected: the save desk calls before anyone cuts.
        gold = items[0].billing_account
        Customer.objects.filter(pk=gold.customer_id).update(tier=Tier.GOLD)
    for item in items[2::2]:  # the second account is always disconnected
        runs.service_run_item_exclude(item=item)
    first = runs.service_run_execute(run=first, today=day, inline=True)
    waiting = runs.service_run_preview(
        run=runs.service_run_create(
            kind=RunKind.DISCONNECTION, name="Deconectare — restanțe peste 30 de zile"
        ),
        today=day,
    )
    cut = first.items.filter(outcome=RunItemOutcome.DONE).first()
    reconnected = None
    if cut is not None:
        account = BillingAccount.objects.get(pk=cut.billing_account_id)
        payment_record(
            account=account,
            amount=account.balance,
            method="cash",
            idempotency_key=f"demo-runs-reconnect-{account.pk}",
            received_on=day,
        )
        reconnected = runs.reconnection_run_automatic(today=day, inline=True)
    if stdout is not None:
        stdout.write(
            f"  runs: disconnection #{first.pk} ({first.accounts_done} accounts), "
            f"#{waiting.pk} previewed ({waiting.accounts_total}), reconnection "
            f"#{reconnected.pk if reconnected else '-'}, "
            f"{SaveDeskEntry.objects.count()} on the save desk"
        )
