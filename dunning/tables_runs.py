"""Tables of the disconnection and reconnection runs and the save desk
(django-tables2): sortable, with CSV values."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from alux_crm.core.tables import StatusColumn

from .models import SaveDeskEntry, ServiceRun

NUMBER = {"td": {"class": "text-end text-nowrap"}, "th": {"class": "text-end"}}
RUN_COLOURS = {
    "draft": "secondary",
    "previewed": "warning",
    "executing": "primary",
    "done": "success",
    "cancelled": "secondary",
}
OUTCOME_COLOURS = {
    "pending": "warning",
    "excluded": "secondary",
    "done": "success",
    "paid": "info",
    "held": "info",
    "never": "info",
    "save_desk": "primary",
    "failed": "danger",
}
SAVE_DESK_COLOURS = {"open": "warning", "saved": "success", "released": "danger"}


class RunStatusColumn(StatusColumn):
    COLOURS = RUN_COLOURS


class SaveDeskStatusColumn(StatusColumn):
    COLOURS = SAVE_DESK_COLOURS


class ServiceRunTable(tables.Table):
    """Disconnection and reconnection runs with their totals and progress."""

    id = tables.Column(verbose_name="#", linkify=True)
    kind = tables.Column(verbose_name=_("Kind"))
    name = tables.Column(verbose_name=_("Name"), default="—")
    status = RunStatusColumn(verbose_name=_("Status"))
    accounts_total = tables.Column(verbose_name=_("Accounts"), attrs=NUMBER)
    accounts_done = tables.Column(verbose_name=_("Handled"), attrs=NUMBER)
    amount_total = tables.Column(verbose_name=_("Overdue total"), attrs=NUMBER)
    automatic = tables.BooleanColumn(verbose_name=_("Automatic"))
    created_at = tables.DateTimeColumn(verbose_name=_("Created"), format="Y-m-d H:i")
    created_by = tables.Column(verbose_name=_("By"), default="—")
    finished_at = tables.DateTimeColumn(verbose_name=_("Finished"), format="Y-m-d H:i", default="—")

    class Meta:
        model = ServiceRun
        fields = [
            "id",
            "kind",
            "name",
            "status",
            "accounts_total",
            "accounts_done",
            "amount_total",
            "automatic",
            "created_at",
            "created_by",
            "finished_at",
        ]
        attrs = {"class": "table table-hover align-middle"}


class SaveDeskTable(tables.Table):
    """The save desk's call list: the account, its tier and debt, and the call's end."""

    account = tables.Column(
        accessor="billing_account__number",
        verbose_name=_("Account"),
        linkify=lambda record: record.billing_account.get_absolute_url(),
    )
    customer = tables.Column(
        accessor="billing_account__customer__display_name",
        verbose_name=_("Customer"),
        linkify=lambda record: record.billing_account.customer.get_absolute_url(),
    )
    phone = tables.Column(accessor="billing_account__customer__phone", verbose_name=_("Phone"))
    tier = tables.Column(verbose_name=_("Tier"))
    overdue_amount = tables.Column(verbose_name=_("Overdue"), attrs=NUMBER)
    status = SaveDeskStatusColumn(verbose_name=_("Status"))
    created_at = tables.DateTimeColumn(verbose_name=_("Since"), format="Y-m-d")
    note = tables.Column(verbose_name=_("Note"), default="")
    handle = tables.Column(
        verbose_name=_("Call"), empty_values=(), orderable=False, exclude_from_export=True
    )

    class Meta:
        model = SaveDeskEntry
        fields = []
        sequence = [
            "account",
            "customer",
            "phone",
            "tier",
            "overdue_amount",
            "status",
            "created_at",
            "note",
            "handle",
        ]
        attrs = {"class": "table table-hover align-middle", "id": "save-desk-table"}

    def render_tier(self, value):
        return value.title()

    def render_handle(self, record):
        if record.status != "open":
            return format_html(
                '<span class="text-body-secondary">{}</span>', record.handled_by or "—"
            )
        return format_html(
            '<a class="btn btn-sm btn-outline-primary" href="{}" id="resolve-{}">'
            '<i class="bi bi-telephone"></i> {}</a>',
            reverse("dunning:save_desk_resolve", args=[record.pk]),
            record.pk,
            _("Record the call"),
        )
