"""Billing (BIL-1..4, BIL-8): the append-only ledger of every billing account,
invoices with explainable lines, gapless invoice numbering, and billing runs worked
in chunks by Celery. Business rows are tracked by django-pghistory; ledger entries
and posted invoices are protected by database triggers."""

from decimal import Decimal

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from alux_crm.core.models import TimeStampedModel
from alux_crm.core.money import MONEY_FIELD, RATE_FIELD

from . import choices

ZERO = Decimal("0.00")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class BillingRun(TimeStampedModel):
    """A billing run for one bill cycle and period (BIL-1): scheduled or started by
    Back Office, worked in chunks, reviewed as a draft, approved by Billing & Finance,
    then posted. Its counters show progress while it runs."""

    bill_cycle_day = models.PositiveSmallIntegerField(_("bill-cycle day"))
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period until (exclusive)"))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=choices.RunStatus.choices,
        default=choices.RunStatus.SCHEDULED,
    )
    scheduled_for = models.DateTimeField(_("start at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    posted_at = models.DateTimeField(_("posted at"), null=True, blank=True)
    accounts_total = models.PositiveIntegerField(_("accounts"), default=0)
    accounts_done = models.PositiveIntegerField(_("accounts billed"), default=0)
    accounts_failed = models.PositiveIntegerField(_("accounts failed"), default=0)
    invoices_posted = models.PositiveIntegerField(_("invoices posted"), default=0)

    class Meta:
        ordering = ["-period_start", "-id"]
        verbose_name = _("billing run")
        verbose_name_plural = _("billing runs")
        constraints = [
            models.UniqueConstraint(
                fields=["bill_cycle_day", "period_start"],
                condition=~Q(status=choices.RunStatus.DISCARDED),
                name="billingrun_one_per_cycle_period",
                violation_error_message=_("This cycle and period already has a run."),
            ),
            models.CheckConstraint(
                condition=Q(period_end__gt=models.F("period_start")), name="billingrun_period_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{_('Cycle')} {self.bill_cycle_day}, {self.period_start}"

    def get_absolute_url(self) -> str:
        return reverse("billing:run_detail", args=[self.pk])


class BillingRunChunk(models.Model):
    """A slice of a run's paying accounts (by id range) worked by one task; a chunk
    done twice creates nothing twice (one invoice per account and period)."""

    run = models.ForeignKey(BillingRun, on_delete=models.CASCADE, related_name="chunks")
    first_account_id = models.BigIntegerField()
    last_account_id = models.BigIntegerField()
    accounts = models.PositiveIntegerField(default=0)
    billed = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    status = models.CharField(
        max_length=8, choices=choices.ChunkStatus.choices, default=choices.ChunkStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "first_account_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "first_account_id"], name="billingrunchunk_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.run_id}: {self.first_account_id}-{self.last_account_id}"


class BillingRunError(models.Model):
    """A billing account a run could not bill, and why (the run can retry it)."""

    run = models.ForeignKey(BillingRun, on_delete=models.CASCADE, related_name="errors")
    billing_account = models.ForeignKey(
        "customers.BillingAccount", on_delete=models.CASCADE, related_name="+"
    )
    message = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["run", "id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "billing_account"], name="billingrunerror_once"),
        ]

    def __str__(self) -> str:
        return f"{self.billing_account_id}: {self.message[:60]}"


class InvoiceSeries(models.Model):
    """The next number of an invoice series in a year. Numbers are taken under a row
    lock in the posting transaction, so they are gapless: a rollback returns the
    number with everything else."""

    code = models.CharField(_("series"), max_length=10)
    year = models.PositiveSmallIntegerField(_("year"))
    next_number = models.PositiveIntegerField(_("next number"), default=1)

    class Meta:
        ordering = ["code", "year"]
        verbose_name = _("invoice series")
        verbose_name_plural = _("invoice series")
        constraints = [models.UniqueConstraint(fields=["code", "year"], name="invoiceseries_once")]

    def __str__(self) -> str:
        return f"{self.code}-{self.year}: {self.next_number}"


@pghistory.track(
    # A run drafts and posts hundreds of thousands of invoices: their creation and
    # posting are on the invoice (run, number, dates) and the ledger, the PDF and
    # e-mail on the outbox. What history adds is who disputed one and when.
    pghistory.UpdateEvent(condition=pghistory.AnyChange("disputed", "dispute_reason")),
)
class Invoice(TimeStampedModel):
    """An invoice of a paying billing account (BIL-2, BIL-8): drafted by a billing run
    (at most one per account and period — a unique constraint), numbered and put on
    the ledger when the run is posted. A posted invoice never changes: corrections are
    credit and debit notes; the database refuses edits of posted amounts."""

    billing_account = models.ForeignKey(
        "customers.BillingAccount", on_delete=models.PROTECT, related_name="invoices"
    )
    run = models.ForeignKey(
        BillingRun, on_delete=models.PROTECT, null=True, blank=True, related_name="invoices"
    )
    kind = models.CharField(
        _("kind"),
        max_length=10,
        choices=choices.InvoiceKind.choices,
        default=choices.InvoiceKind.CYCLE,
    )
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=choices.InvoiceStatus.choices,
        default=choices.InvoiceStatus.DRAFT,
    )
    series = models.CharField(_("series"), max_length=10, default="INV")
    number = models.CharField(_("number"), max_length=30, null=True, blank=True, unique=True)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period until (exclusive)"))
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3)
    net = models.DecimalField(_("net"), **MONEY_FIELD, default=ZERO)
    tax = models.DecimalField(_("VAT"), **MONEY_FIELD, default=ZERO)
    total = models.DecimalField(_("total"), **MONEY_FIELD, default=ZERO)
    previous_total = models.DecimalField(
        _("previous invoice total"), **MONEY_FIELD, null=True, blank=True
    )
    is_first = models.BooleanField(_("first invoice"), default=False)
    disputed = models.BooleanField(_("disputed"), default=False)
    dispute_reason = models.TextField(_("dispute"), blank=True)
    pdf = models.FileField(_("PDF"), upload_to="invoices/%Y/%m/", blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        ordering = ["-period_start", "-id"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        constraints = [
            models.UniqueConstraint(
                fields=["billing_account", "period_start"],
                condition=Q(kind=choices.InvoiceKind.CYCLE),
                name="invoice_one_per_account_period",
                violation_error_message=_("This account already has an invoice for the period."),
            ),
            models.CheckConstraint(
                condition=Q(status=choices.InvoiceStatus.DRAFT) | Q(number__isnull=False),
                name="invoice_posted_has_number",
            ),
            models.CheckConstraint(
                condition=Q(total=models.F("net") + models.F("tax")),
                name="invoice_total_is_net_plus_tax",
            ),
        ]
        indexes = [
            models.Index(fields=["run", "status"], name="invoice_run_status"),
            models.Index(
                fields=["billing_account", "-period_start"], name="invoice_account_period"
            ),
            models.Index(fields=["issued_on"], name="invoice_issued_on"),  # revenue by month
        ]
        triggers = [
            pgtrigger.Protect(
                name="invoice_posted_frozen",
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__status="posted")
                & (
                    pgtrigger.Q(new__total__df=pgtrigger.F("old__total"))
                    | pgtrigger.Q(new__net__df=pgtrigger.F("old__net"))
                    | pgtrigger.Q(new__tax__df=pgtrigger.F("old__tax"))
                    | pgtrigger.Q(new__number__df=pgtrigger.F("old__number"))
                    | pgtrigger.Q(
                        new__billing_account_id__df=pgtrigger.F("old__billing_account_id")
                    )
                    | pgtrigger.Q(new__status__df=pgtrigger.F("old__status"))
                ),
            ),
            pgtrigger.Protect(
                name="invoice_posted_not_deleted",
                operation=pgtrigger.Delete,
                condition=pgtrigger.Q(old__status="posted"),
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"{_('Draft')} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("billing:invoice_detail", args=[self.pk])


class InvoiceLine(models.Model):
    """A line of an invoice with how it was computed (period, days, rate, rule,
    promotion), so an agent can answer "why is my bill this amount?". Lines of
    posted invoices cannot change (database trigger)."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    subscription = models.ForeignKey(
        "subscriptions.Subscription",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    source_account = models.ForeignKey(
        "customers.BillingAccount",
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The account whose subscription gave the charge (a child of the paying one)."),
    )
    product = models.ForeignKey(
        "products.Product", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=12, choices=choices.LineKind.choices)
    description = models.CharField(max_length=200)
    starts_on = models.DateField()
    ends_on = models.DateField()
    days = models.PositiveSmallIntegerField(default=0)
    period_days = models.PositiveSmallIntegerField(default=0)
    monthly_net = models.DecimalField(**MONEY_FIELD, default=ZERO)
    net = models.DecimalField(**MONEY_FIELD)
    tax_rate = models.DecimalField(**RATE_FIELD)
    tax = models.DecimalField(**MONEY_FIELD)
    total = models.DecimalField(**MONEY_FIELD)
    explanation = models.TextField()
    discounts = models.JSONField(default=list)

    class Meta:
        ordering = ["invoice", "id"]
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        constraints = [
            models.CheckConstraint(
                condition=Q(total=models.F("net") + models.F("tax")),
                name="invoiceline_total_is_net_plus_tax",
            ),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="invoiceline_posted_frozen",
                operation=pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete,
                when=pgtrigger.Before,
                func="""
                IF EXISTS (
                    SELECT 1 FROM billing_invoice
                    WHERE status = 'posted'
                      AND id IN (COALESCE(NEW.invoice_id, OLD.invoice_id), OLD.invoice_id)
                ) THEN
                    RAISE EXCEPTION 'The lines of a posted invoice cannot change.';
                END IF;
                RETURN COALESCE(NEW, OLD);
                """,
            )
        ]

    def __str__(self) -> str:
        return f"{self.description}: {self.total}"


class LedgerEntry(models.Model):
    """A financial fact on a billing account (BIL-3, BIL-4): an invoice, payment,
    credit or debit note, adjustment, refund, deposit, write-off or voucher top-up.
    Append-only (the database refuses updates and deletes), one per idempotency key
    (unique), so a retried request or a resumed run never books twice. The balance of
    an account is the sum of its entries; positive means the customer owes."""

    billing_account = models.ForeignKey(
        "customers.BillingAccount", on_delete=models.PROTECT, related_name="ledger_entries"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=choices.EntryKind.choices)
    amount = models.DecimalField(_("amount"), **MONEY_FIELD)
    currency = models.CharField(_("currency"), max_length=3)
    booked_on = models.DateField(_("booked on"))
    idempotency_key = models.CharField(_("idempotency key"), max_length=120, unique=True)
    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_entries"
    )
    payment = models.ForeignKey(
        "Payment", on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_entries"
    )
    transaction = models.ForeignKey(
        "ManualTransaction",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_entries",
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["billing_account", "id"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        indexes = [
            models.Index(fields=["billing_account", "booked_on"], name="ledger_account_day"),
            models.Index(fields=["booked_on"], name="ledger_day"),  # the GL journal of a period
        ]
        triggers = [
            pgtrigger.Protect(
                name="ledgerentry_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]

    def __str__(self) -> str:
        return f"{self.billing_account_id} {self.kind} {self.amount}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Payment(TimeStampedModel):
    """Money received for a billing account (BIL-3): by an agent (cash, card, bank
    transfer), through the API or the portal, or by direct debit. It is allocated to
    the oldest open invoices; what is left stays as credit on the account. One
    payment per idempotency key; a reversal is a new ledger entry, never an edit."""

    billing_account = models.ForeignKey(
        "customers.BillingAccount", on_delete=models.PROTECT, related_name="payments"
    )
    amount = models.DecimalField(_("amount"), **MONEY_FIELD)
    currency = models.CharField(_("currency"), max_length=3)
    method = models.CharField(_("method"), max_length=15, choices=choices.PaymentMethod.choices)
    received_on = models.DateField(_("received on"))
    reference = models.CharField(_("reference"), max_length=80, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=120, unique=True)
    held_as_deposit = models.BooleanField(
        _("held as a deposit"),
        default=False,
        help_text=_("Money held as a deposit settles no invoice until it is released."),
    )
    request_fingerprint = models.CharField(max_length=64, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=choices.PaymentStatus.choices,
        default=choices.PaymentStatus.RECEIVED,
    )
    reversed_reason = models.CharField(_("reversal reason"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive")
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} {self.received_on}"


class PaymentAllocation(models.Model):
    """The part of a payment that settles an invoice (oldest first). Removed only by
    the payment's reversal (the allocation rows of a reversed payment are kept and
    marked, the ledger shows the reversal)."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="allocations")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="allocations")
    amount = models.DecimalField(_("amount"), **MONEY_FIELD)
    is_reversed = models.BooleanField(default=False)

    class Meta:
        ordering = ["payment", "id"]
        constraints = [
            models.UniqueConstraint(fields=["payment", "invoice"], name="allocation_once"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.payment_id} -> {self.invoice_id}: {self.amount}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class ManualTransaction(TimeStampedModel):
    """A credit note, debit note, adjustment, refund or write-off by Billing & Finance
    (BIL-4), with its reason; above ``BILLING_APPROVAL_AMOUNT`` a second person
    approves it before it reaches the ledger. Credit notes and write-offs may settle
    an invoice (never beyond what is open on it)."""

    billing_account = models.ForeignKey(
        "customers.BillingAccount", on_delete=models.PROTECT, related_name="manual_transactions"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=choices.TransactionKind.choices)
    amount = models.DecimalField(_("amount"), **MONEY_FIELD)
    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, null=True, blank=True, related_name="manual_transactions"
    )
    invoice_lines = models.ManyToManyField(
        InvoiceLine,
        blank=True,
        related_name="+",
        verbose_name=_("invoice lines"),
        help_text=_("The lines of the invoice a credit note is for, when not the whole invoice."),
    )
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=choices.TransactionStatus.choices,
        default=choices.TransactionStatus.PENDING_APPROVAL,
    )
    number = models.CharField(_("number"), max_length=30, null=True, blank=True, unique=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    posted_on = models.DateField(_("posted on"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("manual transaction")
        verbose_name_plural = _("manual transactions")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="manualtransaction_positive")
        ]

    def __str__(self) -> str:
        return self.number or f"{self.get_kind_display()} #{self.pk}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class DirectDebitMandate(TimeStampedModel):
    """A SEPA direct-debit mandate signed by the holder of a billing account: the
    account is collected by payment runs while the mandate is active (one active
    mandate per account). ``first_collected_on`` tells the bank whether a
    collection is the first (FRST) or a recurring one (RCUR)."""

    billing_account = models.ForeignKey(
        "customers.BillingAccount", on_delete=models.PROTECT, related_name="mandates"
    )
    reference = models.CharField(_("mandate reference"), max_length=35, unique=True)
    debtor_name = models.CharField(_("account holder"), max_length=70)
    iban = models.CharField(_("IBAN"), max_length=34)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    signed_on = models.DateField(_("signed on"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=choices.MandateStatus.choices,
        default=choices.MandateStatus.ACTIVE,
    )
    first_collected_on = models.DateField(_("first collected on"), null=True, blank=True)

    class Meta:
        ordering = ["billing_account", "-signed_on"]
        verbose_name = _("direct-debit mandate")
        verbose_name_plural = _("direct-debit mandates")
        constraints = [
            models.UniqueConstraint(
                fields=["billing_account"],
                condition=Q(status="active"),
                name="mandate_one_active_per_account",
                violation_error_message=_("This account already has an active mandate."),
            )
        ]

    def __str__(self) -> str:
        return self.reference


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class PaymentRun(TimeStampedModel):
    """A direct-debit payment run (BIL-3): the accounts with an active mandate and an
    amount owed are selected as a draft, reviewed, exported as a SEPA direct-debit
    (pain.008) file — each collection recorded as a payment — and closed once the
    bank's rejected collections are taken back (their payments reversed)."""

    collection_date = models.DateField(_("collection date"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=choices.PaymentRunStatus.choices,
        default=choices.PaymentRunStatus.DRAFT,
    )
    message_id = models.CharField(_("message id"), max_length=35, blank=True)
    file = models.FileField(_("SEPA file"), upload_to="payment-runs/%Y/%m/", blank=True)
    collections = models.PositiveIntegerField(_("collections"), default=0)
    total = models.DecimalField(_("total"), **MONEY_FIELD, default=ZERO)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    rejected_total = models.DecimalField(_("rejected total"), **MONEY_FIELD, default=ZERO)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    exported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    exported_at = models.DateTimeField(_("exported at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-collection_date", "-id"]
        verbose_name = _("payment run")
        verbose_name_plural = _("payment runs")

    def __str__(self) -> str:
        return f"{_('Direct debit')} {self.collection_date}"

    def get_absolute_url(self) -> str:
        return reverse("billing:payment_run_detail", args=[self.pk])


class PaymentRunItem(models.Model):
    """One account's collection in a payment run: the amount owed when the run was
    drafted, its end-to-end id in the SEPA file, the payment it became and, when the
    bank rejects it, the reason code (the payment is then reversed)."""

    run = models.ForeignKey(PaymentRun, on_delete=models.CASCADE, related_name="items")
    billing_account = models.ForeignKey(
        "customers.BillingAccount", on_delete=models.PROTECT, related_name="+"
    )
    mandate = models.ForeignKey(DirectDebitMandate, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("amount"), **MONEY_FIELD)
    end_to_end_id = models.CharField(_("end-to-end id"), max_length=35, unique=True)
    sequence_type = models.CharField(_("sequence"), max_length=4, default="RCUR")
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=choices.CollectionStatus.choices,
        default=choices.CollectionStatus.PENDING,
    )
    payment = models.OneToOneField(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="collection"
    )
    reject_reason = models.CharField(_("rejection reason"), max_length=120, blank=True)

    class Meta:
        ordering = ["run", "id"]
        verbose_name = _("collection")
        verbose_name_plural = _("collections")
        constraints = [
            models.UniqueConstraint(fields=["run", "billing_account"], name="paymentrunitem_once"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="paymentrunitem_positive"),
        ]

    def __str__(self) -> str:
        return self.end_to_end_id


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class VoucherBatch(TimeStampedModel):
    """A batch of prepaid vouchers (SUB-9) of one value and currency, valid in a
    window. Its codes are shown once, as a CSV for printing, when the batch is
    generated; only their hashes are kept."""

    number = models.CharField(_("batch"), max_length=20, unique=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    value = models.DecimalField(_("value"), **MONEY_FIELD)
    currency = models.CharField(_("currency"), max_length=3)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    quantity = models.PositiveIntegerField(_("vouchers"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("voucher batch")
        verbose_name_plural = _("voucher batches")
        constraints = [
            models.CheckConstraint(condition=Q(value__gt=0), name="voucherbatch_value_positive"),
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("valid_from")),
                name="voucherbatch_valid_order",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("billing:voucher_batch_detail", args=[self.pk])


class Voucher(models.Model):
    """One voucher of a batch: its serial (printed on the card) and the keyed hash of
    its secret code (the code itself is never stored). Redeemed at most once — the
    status moves from issued to redeemed under a row lock — as a top-up of a
    prepaid subscription's balance."""

    batch = models.ForeignKey(VoucherBatch, on_delete=models.PROTECT, related_name="vouchers")
    serial = models.CharField(_("serial"), max_length=30, unique=True)
    code_hash = models.CharField(max_length=64, unique=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=choices.VoucherStatus.choices,
        default=choices.VoucherStatus.ISSUED,
    )
    redeemed_at = models.DateTimeField(_("redeemed at"), null=True, blank=True)
    subscription = models.ForeignKey(
        "subscriptions.Subscription",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    redeemed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["batch", "serial"]
        verbose_name = _("voucher")
        verbose_name_plural = _("vouchers")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    status="redeemed", subscription__isnull=False, redeemed_at__isnull=False
                )
                | ~Q(status="redeemed"),
                name="voucher_redeemed_has_target",
            )
        ]

    def __str__(self) -> str:
        return self.serial
