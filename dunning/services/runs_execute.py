"""Execution of one chunk of a disconnection or reconnection run (BIL-7).

The chunk locks its items that are still ``pending`` (a chunk delivered twice finds
none left: nothing is done twice), checks each account again and writes the
outcome in the same transaction as the changes:

- **disconnection**: no longer overdue past the run's thresholds → ``paid`` (a
  payment between preview and execution removes the account); held (promise,
  payment plan) → ``held``; "never disconnect" → ``never``; a Gold or Platinum
  customer → an open save-desk entry and ``save_desk`` (unless the save desk
  released the account); otherwise every live subscription of the account and of
  the non-paying accounts rolled up below it is disconnected → ``done``. The
  disconnections use ``subscriptions.services.lifecycle_bulk`` (the same event and
  outbox provisioning command as ``subscription_disconnect``, for the whole chunk in
  a few statements).
- **reconnection**: still owing without an approved promise → ``failed``; otherwise
  every suspended or disconnected subscription is reconnected
  (``subscription_reconnect``) and the plan's reconnection fee booked once
  (idempotency key per run and account) → ``done``.
"""

import logging
from datetime import date

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from alux_crm.core.errors import DomainError
from billing.choices import EntryKind
from billing.services.ledger import ledger_post
from customers.choices import Tier
from customers.models import BillingAccount
from subscriptions.choices import SubscriptionStatus
from subscriptions.models import Subscription
from subscriptions.services.lifecycle import subscription_reconnect
from subscriptions.services.lifecycle_bulk import subscriptions_transition_bulk

from ..choices import RunItemOutcome, RunKind, SaveDeskStatus
from ..models import SaveDeskEntry, ServiceRun, ServiceRunItem
from ..selectors import held_account_ids, never_disconnect_ids, overdue_accounts, subscriptions_of
from .runs import finish_if_done
from .runs_selection import CUT, LIVE, may_reconnect, qualifies

log = logging.getLogger(__name__)
O = RunItemOutcome  # noqa: E741
SAVE_DESK_TIERS = {Tier.GOLD, Tier.PLATINUM}


def service_run_chunk(*, run_id: int, item_ids: list[int], today: date, actor=None) -> int:
    """Handle the items of ``item_ids`` still pending; returns how many it handled."""
    with transaction.atomic():
        run = ServiceRun.objects.get(pk=run_id)
        items = list(
            ServiceRunItem.objects.select_for_update(of=("self",))
            .filter(pk__in=item_ids, run_id=run_id, outcome=O.PENDING)
            .select_related("billing_account")
            .order_by("pk")
        )
        if items:
            if run.kind == RunKind.DISCONNECTION:
                _disconnect(run, items, today=today, actor=actor)
            else:
                _reconnect(run, items, today=today, actor=actor)
            now = timezone.now()
            for item in items:
                item.handled_at = now
            ServiceRunItem.objects.bulk_update(
                items, ["outcome", "detail", "subscriptions_changed", "handled_at"], batch_size=1000
            )
        # The row lock on the run orders the chunks' ends: the last one finishes it.
        ServiceRun.objects.filter(pk=run_id).update(accounts_done=F("accounts_done") + len(items))
        finish_if_done(run_id)
    return len(items)


# --- disconnection ------------------------------------------------------------------------
def _released_ids(account_ids: list[int]) -> set[int]:
    """Accounts whose latest save-desk entry was released for disconnection."""
    latest: dict[int, str] = {}
    for account_id, status in (
        SaveDeskEntry.objects.filter(billing_account_id__in=account_ids)
        .order_by("billing_account_id", "-created_at", "-id")
        .values_list("billing_account_id", "status")
    ):
        latest.setdefault(account_id, status)
    return {pk for pk, status in latest.items() if status == SaveDeskStatus.RELEASED}


def _disconnect(run: ServiceRun, items: list[ServiceRunItem], *, today: date, actor) -> None:
    ids = [item.billing_account_id for item in items]
    overdue = overdue_accounts(today=today, account_ids=ids)
    held = held_account_ids(account_ids=ids, today=today)
    never = never_disconnect_ids(account_ids=ids)
    tiers = dict(BillingAccount.objects.filter(pk__in=ids).values_list("pk", "customer__tier"))
    released = _released_ids([pk for pk in ids if tiers.get(pk) in SAVE_DESK_TIERS])
    to_cut, save_desk = [], []
    for item in items:
        pk, owed = item.billing_account_id, overdue.get(item.billing_account_id)
        if not qualifies(run, owed, today):
            item.outcome = O.PAID
            item.detail = _("Overdue now: %(amount)s.") % {"amount": owed.amount if owed else 0}
        elif pk in held:
            item.outcome, item.detail = O.HELD, _("A promise to pay or a payment plan holds it.")
        elif pk in never:
            item.outcome, item.detail = O.NEVER_DISCONNECT, _("Flagged never to disconnect.")
        elif tiers.get(pk) in SAVE_DESK_TIERS and pk not in released:
            item.outcome = O.SAVE_DESK
            item.detail = _("Tier %(tier)s: on the save desk's call list.") % {
                "tier": Tier(tiers[pk]).label
            }
            save_desk.append(
                SaveDeskEntry(
                    billing_account_id=pk, run=run, tier=tiers[pk], overdue_amount=owed.amount
                )
            )
        else:
            to_cut.append(item)
    # One open entry per account (a unique constraint): an account already on the
    # list keeps its entry.
    SaveDeskEntry.objects.bulk_create(save_desk, ignore_conflicts=True)
    if not to_cut:
        return
    subscriptions = subscriptions_of([item.billing_account_id for item in to_cut], LIVE)
    wanted = [pk for item in to_cut for pk in subscriptions.get(item.billing_account_id, [])]
    changed = set(
        subscriptions_transition_bulk(
            subscription_ids=wanted,
            to_status=SubscriptionStatus.DISCONNECTED,
            actor=actor,
            reason=_("Disconnection run #%(run)s") % {"run": run.pk},
            effective_on=today,
            skip_invalid=True,
        )
    )
    numbers = dict(Subscription.objects.filter(pk__in=changed).values_list("pk", "number"))
    for item in to_cut:
        mine = [pk for pk in subscriptions.get(item.billing_account_id, []) if pk in changed]
        item.outcome = O.DONE
        item.subscriptions_changed = len(mine)
        item.detail = (
            _("Disconnected: %(numbers)s") % {"numbers": ", ".join(numbers[pk] for pk in mine)}
            if mine
            else _("No live service was left to disconnect.")
        )


# --- reconnection -------------------------------------------------------------------------
def _reconnect(run: ServiceRun, items: list[ServiceRunItem], *, today: date, actor) -> None:
    from .engine import plan_for_accounts

    ids = [item.billing_account_id for item in items]
    allowed = may_reconnect(ids, today)
    plans = plan_for_accounts(ids)
    subscriptions = subscriptions_of(ids, CUT)
    by_pk = Subscription.objects.in_bulk([pk for pks in subscriptions.values() for pk in pks])
    reason = _("Reconnection run #%(run)s") % {"run": run.pk}
    for item in items:
        pk = item.billing_account_id
        if pk not in allowed:
            item.outcome = O.FAILED
            item.detail = _("Owes overdue money again and has no approved promise.")
            continue
        try:
            with transaction.atomic():
                done = [
                    subscription_reconnect(subscription=by_pk[s], actor=actor, reason=reason)
                    for s in subscriptions.get(pk, [])
                ]
                item.detail = _("Reconnected: %(numbers)s") % {
                    "numbers": ", ".join(s.number for s in done) or "—"
                }
                plan = plans.get(pk)
                if done and plan is not None and plan.reconnection_fee > 0:
                    ledger_post(
                        account=item.billing_account,
                        kind=EntryKind.DEBIT_NOTE,
                        amount=plan.reconnection_fee,
                        idempotency_key=f"reconnection-fee-run-{run.pk}-account-{pk}",
                        booked_on=today,
                        description=_("Reconnection fee (%(plan)s)") % {"plan": plan.name},
                        actor=actor,
                    )
                    item.detail += " · " + _("fee %(amount)s %(currency)s") % {
                        "amount": plan.reconnection_fee,
                        "currency": item.billing_account.currency,
                    }
        except DomainError as error:
            log.warning("reconnection of account %s in run %s refused: %s", pk, run.pk, error)
            item.outcome, item.detail = O.FAILED, str(error)
            continue
        item.outcome, item.subscriptions_changed = O.DONE, len(done)
