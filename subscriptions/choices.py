"""States of subscriptions with their allowed transitions, and the provisioning
command each transition sends (SUB-5, SUB-6). This table is the one place that
says what may follow what."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SubscriptionStatus(models.TextChoices):
    """Life cycle of a subscription (SUB-5)."""

    PENDING_INSTALLATION = "pending", _("Pending installation")
    ACTIVE = "active", _("Active")
    RESTING = "resting", _("Resting")
    SUSPENDED = "suspended", _("Suspended (non-payment)")
    DISCONNECTED = "disconnected", _("Disconnected")
    TERMINATED = "terminated", _("Terminated")
    CANCELLED = "cancelled", _("Cancelled (regret)")


class Command(models.TextChoices):
    """Provisioning commands sent to the network and conditional-access systems."""

    ACTIVATE = "activate", _("Activate")
    SUSPEND = "suspend", _("Suspend")
    RESUME = "resume", _("Resume")
    CHANGE_ENTITLEMENTS = "change_entitlements", _("Change entitlements")
    DEACTIVATE = "deactivate", _("Deactivate")


S = SubscriptionStatus
# from-status -> {to-status: the provisioning command of that step}
TRANSITIONS: dict[str, dict[str, str]] = {
    S.PENDING_INSTALLATION: {
        S.ACTIVE: Command.ACTIVATE,
        S.CANCELLED: Command.DEACTIVATE,
        S.TERMINATED: Command.DEACTIVATE,
    },
    S.ACTIVE: {
        S.RESTING: Command.SUSPEND,
        S.SUSPENDED: Command.SUSPEND,
        S.DISCONNECTED: Command.DEACTIVATE,
        S.TERMINATED: Command.DEACTIVATE,
        S.CANCELLED: Command.DEACTIVATE,
    },
    S.RESTING: {
        S.ACTIVE: Command.RESUME,
        S.SUSPENDED: Command.SUSPEND,
        S.TERMINATED: Command.DEACTIVATE,
    },
    S.SUSPENDED: {
        S.ACTIVE: Command.RESUME,
        S.DISCONNECTED: Command.DEACTIVATE,
        S.TERMINATED: Command.DEACTIVATE,
    },
    S.DISCONNECTED: {
        S.ACTIVE: Command.ACTIVATE,
        S.TERMINATED: Command.DEACTIVATE,
    },
    S.TERMINATED: {},
    S.CANCELLED: {},
}

# States in which the subscriber has the service (and is billed the full fee).
LIVE_STATUSES = (S.ACTIVE,)
# States that end the subscription for good.
FINAL_STATUSES = (S.TERMINATED, S.CANCELLED)


class RenewalRule(models.TextChoices):
    """What happens at the end of the minimum term."""

    MONTHLY = "monthly", _("Continues month to month")
    TERM = "term", _("Renews for another term")
    ENDS = "ends", _("Ends")


class ItemStatus(models.TextChoices):
    """A product line of a subscription."""

    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")


class RestingStatus(models.TextChoices):
    """A resting period (SUB-3)."""

    SCHEDULED = "scheduled", _("Scheduled")
    RESTING = "resting", _("Resting")
    ENDED = "ended", _("Ended")
    CANCELLED = "cancelled", _("Cancelled")


class ChangeKind(models.TextChoices):
    """What a change order does (SUB-2)."""

    UPGRADE = "upgrade", _("Upgrade")
    DOWNGRADE = "downgrade", _("Downgrade")
    PACKAGE_CHANGE = "package_change", _("Package change")
    ADD_ADDON = "add_addon", _("Add an add-on")
    REMOVE_ADDON = "remove_addon", _("Remove an add-on")
    DEVICE_SWAP = "device_swap", _("Device swap")


class ChangeStatus(models.TextChoices):
    """A change order's life: scheduled until its effective day, then applied."""

    SCHEDULED = "scheduled", _("Scheduled")
    APPLIED = "applied", _("Applied")
    CANCELLED = "cancelled", _("Cancelled")


class ChangeAction(models.TextChoices):
    """A line of a change order."""

    ADD = "add", _("Add")
    REMOVE = "remove", _("Remove")


class CancellationKind(models.TextChoices):
    """A request to end a subscription (SUB-4)."""

    CANCELLATION = "cancellation", _("Cancellation")
    REGRET = "regret", _("Regret (cooling-off)")


class CancellationStatus(models.TextChoices):
    """Back office's handling of a cancellation request."""

    OPEN = "open", _("Open")
    APPROVED = "approved", _("Approved")
    DONE = "done", _("Done")
    REJECTED = "rejected", _("Rejected")


class DocumentKind(models.TextChoices):
    """Contract documents (SUB-7)."""

    CONTRACT = "contract", _("Contract")
    ADDENDUM = "addendum", _("Addendum")


class PrepaidEntryKind(models.TextChoices):
    """Movements of a prepaid balance (SUB-9)."""

    TOP_UP = "top_up", _("Top-up")
    DAILY_CHARGE = "daily_charge", _("Daily charge")
    ADJUSTMENT = "adjustment", _("Adjustment")


class InstallationSlot(models.TextChoices):
    """When the installer comes, within the installation day."""

    MORNING = "morning", _("Morning, 08:00-12:00")
    AFTERNOON = "afternoon", _("Afternoon, 12:00-16:00")
    EVENING = "evening", _("Evening, 16:00-20:00")
