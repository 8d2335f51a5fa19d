"""Collections (BIL-6, BIL-7, CUS-11): dunning plans with ordered steps, the dunning
process of every overdue account and the steps done on it (each at most once, by a
unique constraint), holds (promises to pay, payment plans, "never disconnect"),
disconnection and reconnection runs with their accounts, the save desk's call list,
deposits and account blocking rules."""

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from alux_crm.core.models import TimeStampedModel
from alux_crm.core.money import MONEY_FIELD

from . import choices


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class DunningPlan(TimeStampedModel):
    """A collection plan: the dunning steps for the customers of some segments
    (residential, corporate, major account, high value …). The default plan takes
    the segments no other plan names; an account may be given a plan of its own."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    segments = ArrayField(
        models.CharField(max_length=20),
        verbose_name=_("segments"),
        default=list,
        blank=True,
        help_text=_("Customer segments this plan applies to."),
    )
    is_default = models.BooleanField(_("default plan"), default=False)
    grace_days = models.PositiveSmallIntegerField(
        _("grace days"),
        default=0,
        help_text=_("Days after the due date before an invoice counts as overdue."),
    )
    min_overdue_amount = models.DecimalField(
        _("minimum overdue amount"),
        **MONEY_FIELD,
        default=0,
        help_text=_("Smaller overdue amounts are not dunned."),
    )
    reconnection_fee = models.DecimalField(
        _("reconnection fee"), **MONEY_FIELD, default=0, help_text=_("0: none.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("dunning plan")
        verbose_name_plural = _("dunning plans")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="dunningplan_one_default",
            ),
        ]

    def __str__(self) -> str:
        return self.name


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class DunningStep(models.Model):
    """One step of a plan: ``days_after_due`` days after the oldest overdue invoice's
    due date, do ``action``. The message templates (Django template language, with
    the account, customer, amount and invoices in the context) are edited by Back
    Office."""

    plan = models.ForeignKey(DunningPlan, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("position"))
    days_after_due = models.PositiveSmallIntegerField(_("days after the due date"))
    action = models.CharField(_("action"), max_length=12, choices=choices.DunningAction.choices)
    name = models.CharField(_("name"), max_length=120)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("message"), blank=True)
    fee_amount = models.DecimalField(
        _("fee"), **MONEY_FIELD, default=0, help_text=_("For a late-fee step.")
    )

    class Meta:
        ordering = ["plan", "position"]
        verbose_name = _("dunning step")
        verbose_name_plural = _("dunning steps")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "position"], name="dunningstep_unique_position"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} · {self.position}. {self.name}"


class AccountCollectionSettings(TimeStampedModel):
    """What Back Office set for one billing account: its own plan, and the "never
    disconnect" flag (hospitals, VIPs) that the disconnection steps and runs skip."""

    billing_account = models.OneToOneField(
        "customers.BillingAccount", on_delete=models.CASCADE, related_name="collection_settings"
    )
    plan = models.ForeignKey(
        DunningPlan, verbose_name=_("plan"), null=True, blank=True, on_delete=models.PROTECT
    )
    never_disconnect = models.BooleanField(_("never disconnect"), default=False)
    reason = models.CharField(_("why"), max_length=200, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("collection settings")
        verbose_name_plural = _("collection settings")

    def __str__(self) -> str:
        return str(self.billing_account)


class DunningRun(models.Model):
    """The daily dunning run of one day: its progress and counts. There is one per
    day; the task running twice that day resumes the same run."""

    run_on = models.DateField(_("day"), unique=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=choices.DunningRunStatus.choices,
        default=choices.DunningRunStatus.RUNNING,
    )
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    accounts_total = models.PositiveIntegerField(_("overdue accounts"), default=0)
    accounts_done = models.PositiveIntegerField(_("accounts handled"), default=0)
    actions_done = models.PositiveIntegerField(_("steps done"), default=0)
    actions_failed = models.PositiveIntegerField(_("steps failed"), default=0)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-run_on"]
        verbose_name = _("dunning run")
        verbose_name_plural = _("dunning runs")

    def __str__(self) -> str:
        return str(self.run_on)


class DunningProcess(TimeStampedModel):
    """The dunning of one billing account from the day it became overdue until it is
    settled: its plan and the due date its step days count from. An account has at
    most one open process."""

    billing_account = models.ForeignKey(
        "customers.BillingAccount", on_delete=models.PROTECT, related_name="dunning_processes"
    )
    plan = models.ForeignKey(DunningPlan, on_delete=models.PROTECT, related_name="processes")
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=choices.ProcessStatus.choices,
        default=choices.ProcessStatus.OPEN,
    )
    due_on = models.DateField(_("oldest due date"))
    overdue_amount = models.DecimalField(_("overdue amount"), **MONEY_FIELD, default=0)
    started_on = models.DateField(_("started on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closed_reason = models.CharField(_("why closed"), max_length=200, blank=True)

    class Meta:
        ordering = ["-started_on", "-id"]
        verbose_name = _("dunning process")
        verbose_name_plural = _("dunning processes")
        constraints = [
            models.UniqueConstraint(
                fields=["billing_account"],
                condition=Q(status="open"),
                name="dunningprocess_one_open_per_account",
            ),
        ]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return f"{self.billing_account} · {self.due_on}"


class DunningActionRecord(models.Model):
    """A step done (or skipped, or failed) on a process: the dunning timeline. A step
    is recorded once per process, by a unique constraint, so no reminder, fee or
    suspension happens twice."""

    process = models.ForeignKey(DunningProcess, on_delete=models.CASCADE, related_name="actions")
    step = models.ForeignKey(DunningStep, on_delete=models.PROTECT, related_name="+")
    billing_account = models.ForeignKey(
        "customers.BillingAccount", on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(_("action"), max_length=12, choices=choices.DunningAction.choices)
    outcome = models.CharField(_("outcome"), max_length=10, choices=choices.ActionOutcome.choices)
    detail = models.TextField(_("detail"), blank=True)
    run = models.ForeignKey(
        DunningRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    done_on = models.DateField(_("day"))
    done_at = models.DateTimeField(_("at"))
    outbox_message = models.ForeignKey(
        "core.OutboxMessage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    document = models.FileField(_("letter"), upload_to="dunning/letters/%Y/%m/", blank=True)
    ledger_entry = models.ForeignKey(
        "billing.LedgerEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # engine: a letter is "to print" until Back Office downloads it for the printer.
    printed_at = models.DateTimeField(_("printed at"), null=True, blank=True)

    class Meta:
        ordering = ["done_at", "id"]
        verbose_name = _("dunning step done")
        verbose_name_plural = _("dunning steps done")
        constraints = [
            models.UniqueConstraint(fields=["process", "step"], name="dunningaction_once"),
        ]
        indexes = [models.Index(fields=["billing_account", "done_at"])]

    def __str__(self) -> str:
        return f"{self.process} · {self.get_action_display()}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class PromiseToPay(TimeStampedModel):
    """An agent's record that the customer promised to pay ``amount`` by ``pay_by``:
    dunning holds the account until then; kept when paid, broken otherwise. Back
    Office may approve it for reconnection before the money arrives."""

    billing_account = models.ForeignKey(
        "customers.BillingAccount", on_delete=models.PROTECT, related_name="promises_to_pay"
    )
    amount = models.DecimalField(_("amount"), **MONEY_FIELD)
    pay_by = models.DateField(_("pay by"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=choices.PromiseStatus.choices,
        default=choices.PromiseStatus.OPEN,
    )
    note = models.TextField(_("note"), blank=True)
    balance_when_made = models.DecimalField(_("balance when made"), **MONEY_FIELD)
    approved_for_reconnection = models.BooleanField(_("approved for reconnection"), default=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("promise to pay")
        verbose_name_plural = _("promises to pay")
        constraints = [
            models.UniqueConstraint(
                fields=["billing_account"],
                condition=Q(status="open"),
                name="promise_one_open_per_account",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="promise_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.billing_account} · {self.amount} · {self.pay_by}"

    def get_absolute_url(self) -> str:
        return reverse("dunning:promise_detail", args=[self.pk])


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class PaymentPlan(TimeStampedModel):
    """Instalments agreed by an agent for an overdue amount: dunning holds the account
    while the plan is kept; a missed instalment breaks it and dunning resumes."""

    billing_account = models.ForeignKey(
        "customers.BillingAccount", on_delete=models.PROTECT, related_name="payment_plans"
    )
    total = models.DecimalField(_("total"), **MONEY_FIELD)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=choices.PaymentPlanStatus.choices,
        default=choices.PaymentPlanStatus.ACTIVE,
    )
    note = models.TextField(_("note"), blank=True)
    paid_before = models.DecimalField(
        _("paid on the account before the plan"),
        **MONEY_FIELD,
        default=0,
        help_text=_("Payments on the account up to the plan; later ones pay instalments."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("payment plan")
        verbose_name_plural = _("payment plans")
        constraints = [
            models.UniqueConstraint(
                fields=["billing_account"],
                condition=Q(status="active"),
                name="paymentplan_one_active_per_account",
            ),
            models.CheckConstraint(condition=Q(total__gt=0), name="paymentplan_total_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.billing_account} · {self.total}"

    def get_absolute_url(self) -> str:
        return reverse("dunning:payment_plan_detail", args=[self.pk])


class Instalment(models.Model):
    """One dated instalment of a payment plan."""

    plan = models.ForeignKey(PaymentPlan, on_delete=models.CASCADE, related_name="instalments")
    number = models.PositiveSmallIntegerField(_("number"))
    due_on = models.DateField(_("due on"))
    amount = models.DecimalField(_("amount"), **MONEY_FIELD)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=choices.InstalmentStatus.choices,
        default=choices.InstalmentStatus.DUE,
    )
    paid_on = models.DateField(_("paid on"), null=True, blank=True)

    class Meta:
        ordering = ["plan", "number"]
        verbose_name = _("instalment")
        verbose_name_plural = _("instalments")
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="instalment_unique_number"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="instalment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.plan} · {self.number}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class ServiceRun(TimeStampedModel):
    """A disconnection or reconnection run (BIL-7): Back Office sets the selection,
    previews the accounts with their totals, excludes some by hand and executes.
    Reconnection runs are also created and executed by the periodic task."""

    kind = models.CharField(_("kind"), max_length=14, choices=choices.RunKind.choices)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=choices.ServiceRunStatus.choices,
        default=choices.ServiceRunStatus.DRAFT,
    )
    name = models.CharField(_("name"), max_length=120, blank=True)
    min_days_overdue = models.PositiveSmallIntegerField(_("overdue more than (days)"), default=30)
    min_amount = models.DecimalField(_("overdue amount over"), **MONEY_FIELD, default=0)
    segments = ArrayField(
        models.CharField(max_length=20), verbose_name=_("segments"), default=list, blank=True
    )
    regions = ArrayField(
        models.CharField(max_length=100), verbose_name=_("regions"), default=list, blank=True
    )
    automatic = models.BooleanField(_("automatic"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    previewed_at = models.DateTimeField(_("previewed at"), null=True, blank=True)
    executed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    accounts_total = models.PositiveIntegerField(_("accounts"), default=0)
    accounts_done = models.PositiveIntegerField(_("accounts handled"), default=0)
    amount_total = models.DecimalField(_("overdue total"), **MONEY_FIELD, default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("disconnection or reconnection run")
        verbose_name_plural = _("disconnection and reconnection runs")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("dunning:service_run_detail", args=[self.pk])


class ServiceRunItem(models.Model):
    """One account of a disconnection or reconnection run: what it owed at the
    preview and what the execution did to it."""

    run = models.ForeignKey(ServiceRun, on_delete=models.CASCADE, related_name="items")
    billing_account = models.ForeignKey(
        "customers.BillingAccount", on_delete=models.PROTECT, related_name="+"
    )
    overdue_amount = models.DecimalField(_("overdue amount"), **MONEY_FIELD, default=0)
    days_overdue = models.PositiveIntegerField(_("days overdue"), default=0)
    outcome = models.CharField(
        _("outcome"),
        max_length=10,
        choices=choices.RunItemOutcome.choices,
        default=choices.RunItemOutcome.PENDING,
    )
    excluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subscriptions_changed = models.PositiveSmallIntegerField(_("services changed"), default=0)
    detail = models.TextField(_("detail"), blank=True)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)

    class Meta:
        ordering = ["run", "billing_account"]
        verbose_name = _("account of a run")
        verbose_name_plural = _("accounts of a run")
        constraints = [
            models.UniqueConstraint(fields=["run", "billing_account"], name="runitem_once"),
        ]
        indexes = [models.Index(fields=["run", "outcome"])]

    def __str__(self) -> str:
        return f"{self.run} · {self.billing_account}"


class SaveDeskEntry(TimeStampedModel):
    """A Gold or Platinum account that a disconnection would have cut: put on the save
    desk's call list instead (the retention offer hook; the cases module works it)."""

    billing_account = models.ForeignKey(
        "customers.BillingAccount", on_delete=models.PROTECT, related_name="save_desk_entries"
    )
    run = models.ForeignKey(
        ServiceRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="save_desk"
    )
    tier = models.CharField(_("tier"), max_length=10)
    overdue_amount = models.DecimalField(_("overdue amount"), **MONEY_FIELD, default=0)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=choices.SaveDeskStatus.choices,
        default=choices.SaveDeskStatus.OPEN,
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["status", "-created_at"]
        verbose_name = _("save-desk call")
        verbose_name_plural = _("save-desk call list")
        constraints = [
            models.UniqueConstraint(
                fields=["billing_account"],
                condition=Q(status="open"),
                name="savedesk_one_open_per_account",
            ),
        ]

    def __str__(self) -> str:
        return str(self.billing_account)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Deposit(TimeStampedModel):
    """A deposit asked of an account (by credit class or by fraud review): its own
    ledger entries (asked, paid, refunded). While unpaid it keeps the subscription
    it is for pending; unpaid after ``pay_by`` the subscription is cancelled.
    Refundable when the customer's services are terminated."""

    billing_account = models.ForeignKey(
        "customers.BillingAccount", on_delete=models.PROTECT, related_name="deposits"
    )
    subscription = models.ForeignKey(
        "subscriptions.Subscription",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deposits",
    )
    amount = models.DecimalField(_("amount"), **MONEY_FIELD)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    reason = models.CharField(_("reason"), max_length=14, choices=choices.DepositReason.choices)
    why = models.CharField(_("why"), max_length=250, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=choices.DepositStatus.choices,
        default=choices.DepositStatus.REQUESTED,
    )
    pay_by = models.DateField(_("pay by"))
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    refunded_on = models.DateField(_("refunded on"), null=True, blank=True)
    cancelled_on = models.DateField(_("cancelled on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("deposit")
        verbose_name_plural = _("deposits")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="deposit_amount_positive"),
        ]
        indexes = [models.Index(fields=["status", "pay_by"])]

    def __str__(self) -> str:
        return f"{self.billing_account} · {self.amount} {self.currency}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class BlockingRule(TimeStampedModel):
    """A rule that blocks (or unblocks) the customers matching its criteria for a
    number of days (CUS-11); every criterion left empty matches everyone. A
    scheduled task evaluates the active rules."""

    name = models.CharField(_("name"), max_length=120)
    action = models.CharField(
        _("action"),
        max_length=10,
        choices=choices.BlockAction.choices,
        default=choices.BlockAction.BLOCK,
    )
    is_active = models.BooleanField(_("active"), default=True)
    min_monthly_value = models.DecimalField(
        _("estimated monthly value at least"), **MONEY_FIELD, null=True, blank=True
    )
    max_monthly_value = models.DecimalField(
        _("estimated monthly value at most"), **MONEY_FIELD, null=True, blank=True
    )
    min_sims = models.PositiveIntegerField(_("SIMs at least"), null=True, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    sales_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sales agent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    dealer = models.ForeignKey(
        "core.Partner",
        verbose_name=_("dealer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    block_days = models.PositiveSmallIntegerField(_("for (days)"), default=30)
    reason = models.CharField(_("reason shown"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_evaluated_at = models.DateTimeField(_("last evaluated"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("blocking rule")
        verbose_name_plural = _("blocking rules")

    def __str__(self) -> str:
        return self.name


class AccountBlock(models.Model):
    """A customer blocked (or unblocked) by a rule, for a period: the record of why."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="blocks"
    )
    rule = models.ForeignKey(BlockingRule, on_delete=models.PROTECT, related_name="blocks")
    action = models.CharField(_("action"), max_length=10, choices=choices.BlockAction.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    lifted_on = models.DateField(_("lifted on"), null=True, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("account block")
        verbose_name_plural = _("account blocks")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "rule"],
                condition=Q(lifted_on__isnull=True),
                name="accountblock_one_live_per_rule",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer} · {self.rule}"
