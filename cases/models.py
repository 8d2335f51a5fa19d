"""Cases (CAS-1): a customer's request with its replies. The minimal shape the
self-care portal's information requests need; the cases issue adds queues, SLAs and
escalation on top of it."""

from datetime import timedelta

import pghistory
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from alux_crm.core.models import TimeStampedModel

from . import choices


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Case(TimeStampedModel):
    """A request of a customer (information, billing question, problem …) with its
    status; numbered ``CS-000001`` from a database sequence."""

    number = models.CharField(_("case number"), max_length=20, unique=True, editable=False)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="cases"
    )
    kind = models.CharField(_("type"), max_length=20, choices=choices.CaseType.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=choices.CaseChannel.choices)
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=choices.CaseStatus.choices,
        default=choices.CaseStatus.OPEN,
    )
    attachment = models.FileField(_("attachment"), upload_to="cases/%Y/%m/", blank=True)
    attachment_name = models.CharField(_("file name"), max_length=255, blank=True)
    attachment_type = models.CharField(_("file type"), max_length=100, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [models.Index(fields=["customer", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.number} · {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("cases:case_detail", args=[self.pk])

    @property
    def is_closed(self) -> bool:
        """Whether the case is closed."""
        return self.status == choices.CaseStatus.CLOSED

    def customer_may_reply(self, now) -> bool:
        """A customer may reply while the case is not closed, and for
        ``REOPEN_WITHIN_DAYS`` after it was closed (the reply reopens it)."""
        if not self.is_closed:
            return True
        limit = timedelta(days=choices.REOPEN_WITHIN_DAYS)
        return self.closed_at is not None and now - self.closed_at <= limit


class CaseReply(models.Model):
    """A message on a case: the customer's (from the portal) or an agent's answer."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_customer = models.BooleanField(_("from the customer"), default=False)
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("case reply")
        verbose_name_plural = _("case replies")

    def __str__(self) -> str:
        return f"{self.case.number} · {self.created_at:%Y-%m-%d %H:%M}"
