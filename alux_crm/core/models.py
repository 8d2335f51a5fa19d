"""Core models: users, the business network, notifications, operator settings, outbox."""

from datetime import time

import pghistory
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import choices


class TimeStampedModel(models.Model):
    """Abstract base: every business row knows when it was created and last changed."""

    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class OrgUnit(TimeStampedModel):
    """A unit of the operator's own organisation (department, team, shop, region).

    Units form a tree of unlimited depth through ``parent``; the tree is read with a
    recursive query (``selectors.org_unit_subtree``).
    """

    name = models.CharField(_("name"), max_length=120)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=choices.OrgUnitKind.choices, default="department"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")), name="orgunit_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("core:orgunit_detail", args=[self.pk])


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Partner(TimeStampedModel):
    """A business partner of the operator: a retailer (dealer) or an installer company.

    Partner users see only their partner's own customers, orders and jobs.
    """

    name = models.CharField(_("name"), max_length=160)
    code = models.CharField(
        _("dealer code"), max_length=20, unique=True, help_text=_("Short unique code, e.g. R-001.")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=choices.PartnerKind.choices)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=choices.PartnerStatus.choices,
        default=choices.PartnerStatus.ACTIVE,
    )
    org_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("managed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="partners",
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    address = models.TextField(_("address"), blank=True)
    vat_number = models.CharField(_("VAT number"), max_length=32, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        indexes = [models.Index(fields=["kind", "status"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def get_absolute_url(self) -> str:
        return reverse("core:partner_detail", args=[self.pk])


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    exclude=["password", "last_login"],
)
class User(AbstractUser):
    """A person who logs in: staff, a partner's employee, or (later) a subscriber.

    What a user may do comes from the Django groups (roles, see ``roles.py``);
    partner users belong to a ``Partner`` and see only its records.
    """

    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    org_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("organisation unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="users",
    )
    partner = models.ForeignKey(
        Partner,
        verbose_name=_("partner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )

    class Meta(AbstractUser.Meta):
        ordering = ["username"]
        swappable = "AUTH_USER_MODEL"

    @property
    def role_names(self) -> frozenset[str]:
        """Names of the roles (groups) of this user, cached on the instance."""
        cached = getattr(self, "_role_names", None)
        if cached is None:
            cached = frozenset(self.groups.values_list("name", flat=True))
            self._role_names = cached
        return cached


class Notification(models.Model):
    """An in-app notification for one user, shown under the bell in the header."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    level = models.CharField(
        _("level"), max_length=10, choices=choices.NotificationLevel.choices, default="info"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(
                fields=["recipient", "-created_at"],
                name="notification_unread_idx",
                condition=Q(read_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return self.title


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class OperatorSettings(models.Model):
    """Global settings of the operator, editable by System Administrators (one row).

    Read through ``selectors.operator_settings()``, which caches the row.
    """

    singleton = models.BooleanField(default=True, unique=True, editable=False)
    name = models.CharField(_("operator name"), max_length=120, default="AluxSat")
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Bucharest")
    currency = models.CharField(_("default currency"), max_length=3, default="EUR")
    country = models.CharField(_("country"), max_length=2, default="RO")
    # time objects, not strings: an unsaved default row (no row yet) is used as is.
    business_day_start = models.TimeField(_("business day starts"), default=time(9, 0))
    business_day_end = models.TimeField(_("business day ends"), default=time(17, 0))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("operator settings")
        verbose_name_plural = _("operator settings")
        constraints = [
            models.CheckConstraint(condition=Q(singleton=True), name="operatorsettings_single_row"),
            models.CheckConstraint(
                condition=Q(business_day_start__lt=models.F("business_day_end")),
                name="operatorsettings_business_hours_order",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Operator settings"))


class OutboxMessage(models.Model):
    """A message to another system, written in the same transaction as the change.

    A Celery task delivers it through the adapter configured for its ``topic``
    (``settings.OUTBOX_ADAPTERS``), retrying with backoff; after the last attempt it
    is marked failed and shown to back office. A rolled-back change leaves no row,
    so nothing is ever sent for it.
    """

    topic = models.CharField(_("topic"), max_length=60)
    payload = models.JSONField(_("payload"), default=dict)
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=choices.OutboxStatus.choices,
        default=choices.OutboxStatus.PENDING,
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    max_attempts = models.PositiveIntegerField(_("maximum attempts"), default=5)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True)
    result = models.JSONField(_("result"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="outbox_pending_idx",
                condition=Q(status="pending"),
            ),
            models.Index(fields=["topic", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "sent", "failed"]),
                name="outbox_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="outbox_sent_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.topic} #{self.pk} ({self.status})"
