"""Reads of the dunning engine: plans with their steps, daily runs, the accounts in
dunning (open processes) with their current step, the agency hand-overs, letters to
print, and one customer's collections for the customer-360 page."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone

from customers.models import BillingAccount

from .choices import ActionOutcome, DunningAction, PaymentPlanStatus, ProcessStatus, PromiseStatus
from .models import (
    AccountCollectionSettings,
    DunningActionRecord,
    DunningPlan,
    DunningProcess,
    DunningRun,
    DunningStep,
    PaymentPlan,
    PromiseToPay,
)
from .selectors import overdue_accounts
from .services.engine import plan_for_accounts

TIMELINE_PROCESSES = 5  # processes (current and past) shown per account on the tab


def plan_list() -> QuerySet[DunningPlan]:
    """Every plan (active first), with its steps."""
    return DunningPlan.objects.order_by("-is_active", "name").prefetch_related(
        Prefetch("steps", queryset=DunningStep.objects.order_by("position"))
    )


def plan_get(*, pk: int) -> DunningPlan:
    """One plan with its steps, or 404."""
    return get_object_or_404(plan_list(), pk=pk)


def step_get(*, pk: int) -> DunningStep:
    """One step (with its plan), or 404."""
    return get_object_or_404(DunningStep.objects.select_related("plan"), pk=pk)


def run_list() -> QuerySet[DunningRun]:
    """The daily dunning runs, newest first."""
    return DunningRun.objects.select_related("started_by").order_by("-run_on")


def run_get(*, pk: int) -> DunningRun:
    """One run, or 404."""
    return get_object_or_404(run_list(), pk=pk)


def run_actions(*, run: DunningRun, limit: int = 200) -> list[DunningActionRecord]:
    """The steps a run did (the newest ``limit``), with account and customer."""
    return list(
        run.actions.select_related("billing_account__customer", "step").order_by("-pk")[:limit]
    )


def _held(today: date):
    promised = PromiseToPay.objects.filter(
        billing_account_id=OuterRef("billing_account_id"),
        status=PromiseStatus.OPEN,
        pay_by__gte=today,
    )
    planned = PaymentPlan.objects.filter(
        billing_account_id=OuterRef("billing_account_id"), status=PaymentPlanStatus.ACTIVE
    )
    return Exists(promised) | Exists(planned)


def accounts_in_dunning(*, today: date | None = None) -> QuerySet[DunningProcess]:
    """The open processes with account, customer, plan, the last step done and
    whether the account is held (promise to pay, payment plan) — one query."""
    today = today or timezone.localdate()
    last = DunningActionRecord.objects.filter(process=OuterRef("pk")).order_by("-done_on", "-pk")
    return (
        DunningProcess.objects.filter(status=ProcessStatus.OPEN)
        .select_related("billing_account__customer", "plan")
        .annotate(
            current_step=Subquery(last.values("step__name")[:1]),
            current_step_id=Subquery(last.values("step_id")[:1]),
            last_done_on=Subquery(last.values("done_on")[:1]),
            held=_held(today),
        )
        .order_by("due_on", "pk")
    )


def agency_handovers() -> QuerySet[DunningActionRecord]:
    """Accounts handed over to the collection agency whose process is still open."""
    return (
        DunningActionRecord.objects.filter(
            action=DunningAction.AGENCY,
            outcome=ActionOutcome.DONE,
            process__status=ProcessStatus.OPEN,
        )
        .select_related("billing_account__customer", "billing_account__billing_address", "process")
        .order_by("done_on", "pk")
    )


def letters_to_print() -> QuerySet[DunningActionRecord]:
    """Letters not printed yet, oldest first."""
    return (
        DunningActionRecord.objects.filter(
            action=DunningAction.LETTER, outcome=ActionOutcome.DONE, printed_at__isnull=True
        )
        .select_related("billing_account__customer", "step")
        .order_by("done_on", "pk")
    )


def record_get(*, pk: int) -> DunningActionRecord:
    """One step done (with account and customer), or 404."""
    return get_object_or_404(
        DunningActionRecord.objects.select_related("billing_account__customer", "step"), pk=pk
    )


def account_settings(*, account: BillingAccount) -> AccountCollectionSettings | None:
    """The collection settings of a billing account (None: the plan by segment)."""
    return AccountCollectionSettings.objects.filter(billing_account=account).first()


@dataclass
class AccountCollections:
    """One billing account on the customer's Collections tab."""

    account: BillingAccount
    plan: DunningPlan | None
    overdue_amount: object = None
    days_overdue: int = 0
    settings: AccountCollectionSettings | None = None
    processes: list = field(default_factory=list)


def customer_collections(*, customer, today: date | None = None) -> list[AccountCollections]:
    """Per billing account of ``customer``: what is overdue and for how many days,
    the plan it follows, its "never disconnect" flag and the dunning timeline (the
    steps done, newest process first). A fixed number of queries."""
    today = today or timezone.localdate()
    accounts = list(customer.billing_accounts.order_by("number"))
    ids = [a.pk for a in accounts]
    overdue = overdue_accounts(today=today, account_ids=ids)
    plans = plan_for_accounts(ids)
    settings = {
        s.billing_account_id: s
        for s in AccountCollectionSettings.objects.filter(billing_account_id__in=ids)
    }
    processes: dict[int, list[DunningProcess]] = {}
    records = DunningActionRecord.objects.select_related("step", "outbox_message").order_by(
        "done_at", "pk"
    )
    for process in (
        DunningProcess.objects.filter(billing_account_id__in=ids)
        .select_related("plan")
        .prefetch_related(Prefetch("actions", queryset=records))
        .order_by("-started_on", "-pk")
    ):
        mine = processes.setdefault(process.billing_account_id, [])
        if len(mine) < TIMELINE_PROCESSES:
            mine.append(process)
    rows = []
    for account in accounts:
        owed = overdue.get(account.pk)
        rows.append(
            AccountCollections(
                account=account,
                plan=plans.get(account.pk),
                overdue_amount=owed.amount if owed else None,
                days_overdue=owed.days_overdue(today) if owed else 0,
                settings=settings.get(account.pk),
                processes=processes.get(account.pk, []),
            )
        )
    return rows
