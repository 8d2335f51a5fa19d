"""Kinds and states of collections: dunning actions, holds, runs, deposits, blocks."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DunningAction(models.TextChoices):
    """What a dunning step does (BIL-6)."""

    EMAIL = "email", _("E-mail reminder")
    LETTER = "letter", _("Letter (PDF, queued for print)")
    SMS = "sms", _("SMS")
    LATE_FEE = "late_fee", _("Late fee")
    SUSPEND = "suspend", _("Suspend services")
    DISCONNECT = "disconnect", _("Disconnect")
    TERMINATE = "terminate", _("Terminate")
    AGENCY = "agency", _("Hand over to a collection agency")


# Steps that cut or end the service: skipped for accounts flagged "never disconnect".
SERVICE_ACTIONS = {DunningAction.SUSPEND, DunningAction.DISCONNECT, DunningAction.TERMINATE}


class ProcessStatus(models.TextChoices):
    """A dunning process of an account: open while it owes overdue money."""

    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class ActionOutcome(models.TextChoices):
    """What came of a dunning step on an account."""

    DONE = "done", _("Done")
    SKIPPED = "skipped", _("Skipped")
    FAILED = "failed", _("Failed")


class DunningRunStatus(models.TextChoices):
    """The daily dunning run."""

    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class PromiseStatus(models.TextChoices):
    """A promise to pay: open until the day it falls due, then kept or broken."""

    OPEN = "open", _("Open")
    KEPT = "kept", _("Kept")
    BROKEN = "broken", _("Broken")
    CANCELLED = "cancelled", _("Cancelled")


class PaymentPlanStatus(models.TextChoices):
    """A payment plan (instalments agreed by an agent)."""

    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    BROKEN = "broken", _("Broken (instalment missed)")
    CANCELLED = "cancelled", _("Cancelled")


class InstalmentStatus(models.TextChoices):
    """One instalment of a payment plan."""

    DUE = "due", _("Due")
    PAID = "paid", _("Paid")
    MISSED = "missed", _("Missed")


class RunKind(models.TextChoices):
    """A collections run of Back Office (BIL-7)."""

    DISCONNECTION = "disconnection", _("Disconnection")
    RECONNECTION = "reconnection", _("Reconnection")


class ServiceRunStatus(models.TextChoices):
    """Draft (selection set) → previewed (accounts listed) → executing → done; or
    cancelled before execution."""

    DRAFT = "draft", _("Draft")
    PREVIEWED = "previewed", _("Previewed")
    EXECUTING = "executing", _("Executing")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


SERVICE_RUN_TRANSITIONS: dict[str, set[str]] = {
    ServiceRunStatus.DRAFT: {ServiceRunStatus.PREVIEWED, ServiceRunStatus.CANCELLED},
    ServiceRunStatus.PREVIEWED: {
        ServiceRunStatus.PREVIEWED,
        ServiceRunStatus.EXECUTING,
        ServiceRunStatus.CANCELLED,
    },
    ServiceRunStatus.EXECUTING: {ServiceRunStatus.DONE},
    ServiceRunStatus.DONE: set(),
    ServiceRunStatus.CANCELLED: set(),
}


class RunItemOutcome(models.TextChoices):
    """What happened to one account of a disconnection or reconnection run."""

    PENDING = "pending", _("Pending")
    EXCLUDED = "excluded", _("Excluded by hand")
    DONE = "done", _("Done")
    PAID = "paid", _("Skipped: paid since the preview")
    HELD = "held", _("Skipped: disputed, promised or on a payment plan")
    NEVER_DISCONNECT = "never", _("Skipped: never disconnect")
    SAVE_DESK = "save_desk", _("Sent to the save desk")
    FAILED = "failed", _("Failed")


class SaveDeskStatus(models.TextChoices):
    """An account on the save desk's call list (retention before disconnection)."""

    OPEN = "open", _("To call")
    SAVED = "saved", _("Saved")
    RELEASED = "released", _("Released for disconnection")


class DepositReason(models.TextChoices):
    """Why a deposit is asked."""

    CREDIT_CLASS = "credit_class", _("Credit class")
    FRAUD_REVIEW = "fraud_review", _("Fraud review")


class DepositStatus(models.TextChoices):
    """A deposit: requested → paid → refunded; or cancelled (unpaid in time)."""

    REQUESTED = "requested", _("Requested")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled (not paid in time)")
    REFUNDED = "refunded", _("Refunded")


class BlockAction(models.TextChoices):
    """What a blocking rule does to the customers it matches (CUS-11)."""

    BLOCK = "block", _("Block")
    UNBLOCK = "unblock", _("Unblock")
