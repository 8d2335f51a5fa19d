"""Tables of the core screens (django-tables2): sortable columns, CSV values."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from .models import Notification, OrgUnit, OutboxMessage, Partner


class StatusColumn(tables.Column):
    """A status shown as a coloured badge; exported as its label."""

    COLOURS = {
        "active": "success",
        "sent": "success",
        "pending": "warning",
        "suspended": "warning",
        "failed": "danger",
        "terminated": "secondary",
    }

    def render(self, value, record):
        from django.utils.html import format_html

        raw = getattr(record, self.accessor.split(".")[-1], "")
        colour = self.COLOURS.get(str(raw), "secondary")
        return format_html('<span class="badge text-bg-{}">{}</span>', colour, value)

    def value(self, value, record):
        return value


class PartnerTable(tables.Table):
    """Partners list."""

    name = tables.Column(linkify=True, verbose_name=_("Name"))
    code = tables.Column(verbose_name=_("Dealer code"))
    kind = tables.Column(verbose_name=_("Kind"))
    status = StatusColumn(verbose_name=_("Status"))
    org_unit = tables.Column(verbose_name=_("Managed by"), order_by="org_unit__name")
    email = tables.EmailColumn(verbose_name=_("E-mail"))
    phone = tables.Column(verbose_name=_("Phone"))

    class Meta:
        model = Partner
        fields = ["name", "code", "kind", "status", "org_unit", "email", "phone"]
        order_by = "name"
        attrs = {"class": "table table-hover align-middle"}


class OrgUnitTable(tables.Table):
    """Organisation units list."""

    name = tables.Column(linkify=True, verbose_name=_("Name"))
    code = tables.Column(verbose_name=_("Code"))
    kind = tables.Column(verbose_name=_("Kind"))
    parent = tables.Column(verbose_name=_("Parent"), order_by="parent__name")

    class Meta:
        model = OrgUnit
        fields = ["name", "code", "kind", "parent"]
        order_by = "name"
        attrs = {"class": "table table-hover align-middle"}


class OutboxTable(tables.Table):
    """Outbox messages with a retry button for failed ones."""

    id = tables.Column(verbose_name="#")
    topic = tables.Column(verbose_name=_("Topic"))
    status = StatusColumn(verbose_name=_("Status"))
    attempts = tables.Column(verbose_name=_("Attempts"))
    created_at = tables.DateTimeColumn(verbose_name=_("Created"), format="Y-m-d H:i")
    next_attempt_at = tables.DateTimeColumn(verbose_name=_("Next attempt"), format="Y-m-d H:i")
    last_error = tables.Column(verbose_name=_("Last error"))
    retry = tables.TemplateColumn(
        template_name="core/partials/outbox_retry.html",
        verbose_name="",
        orderable=False,
        exclude_from_export=True,
    )

    class Meta:
        model = OutboxMessage
        fields = [
            "id",
            "topic",
            "status",
            "attempts",
            "created_at",
            "next_attempt_at",
            "last_error",
        ]
        attrs = {"class": "table table-sm table-hover align-middle"}


class NotificationTable(tables.Table):
    """The user's notifications."""

    created_at = tables.DateTimeColumn(verbose_name=_("When"), format="Y-m-d H:i")
    title = tables.TemplateColumn(
        template_name="core/partials/notification_title.html", verbose_name=_("Notification")
    )
    read_at = tables.DateTimeColumn(verbose_name=_("Read"), format="Y-m-d H:i", default="—")

    class Meta:
        model = Notification
        fields = ["created_at", "title", "read_at"]
        attrs = {"class": "table table-hover align-middle"}
