"""Tables of the dunning engine's pages (django-tables2): runs, accounts in dunning,
letters to print; sortable, with CSV values."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from alux_crm.core.tables import StatusColumn

from .models import DunningProcess, DunningRun

NUMBER = {"td": {"class": "text-end text-nowrap"}, "th": {"class": "text-end"}}
DUNNING_RUN_COLOURS = {"running": "primary", "done": "success", "failed": "danger"}


class DunningRunStatusColumn(StatusColumn):
    COLOURS = DUNNING_RUN_COLOURS


class DunningRunTable(tables.Table):
    """Daily dunning runs with their counters."""

    run_on = tables.DateColumn(
        verbose_name=_("Day"),
        format="Y-m-d",
        linkify=("dunning:dunning_run_detail", [tables.A("pk")]),
    )
    status = DunningRunStatusColumn(verbose_name=_("Status"))
    accounts_total = tables.Column(verbose_name=_("Overdue accounts"), attrs=NUMBER)
    accounts_done = tables.Column(verbose_name=_("Handled"), attrs=NUMBER)
    actions_done = tables.Column(verbose_name=_("Steps done"), attrs=NUMBER)
    actions_failed = tables.Column(verbose_name=_("Steps failed"), attrs=NUMBER)
    started_at = tables.DateTimeColumn(verbose_name=_("Started"), format="Y-m-d H:i")
    finished_at = tables.DateTimeColumn(verbose_name=_("Finished"), format="Y-m-d H:i")

    class Meta:
        model = DunningRun
        fields = [
            "run_on",
            "status",
            "accounts_total",
            "accounts_done",
            "actions_done",
            "actions_failed",
            "started_at",
            "finished_at",
        ]
        attrs = {"class": "table table-hover align-middle"}


class AccountInDunningTable(tables.Table):
    """Open dunning processes: the account, what it owes, its plan and current step."""

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
    overdue_amount = tables.Column(verbose_name=_("Overdue"), attrs=NUMBER)
    currency = tables.Column(accessor="billing_account__currency", verbose_name=_("Currency"))
    due_on = tables.DateColumn(verbose_name=_("Oldest due date"), format="Y-m-d")
    plan = tables.Column(accessor="plan__name", verbose_name=_("Plan"))
    current_step = tables.Column(verbose_name=_("Last step"), default="—")
    last_done_on = tables.DateColumn(verbose_name=_("On"), format="Y-m-d", default="—")
    held = tables.BooleanColumn(verbose_name=_("Held"))

    class Meta:
        model = DunningProcess
        fields = []
        sequence = [
            "account",
            "customer",
            "overdue_amount",
            "currency",
            "due_on",
            "plan",
            "current_step",
            "last_done_on",
            "held",
        ]
        attrs = {"class": "table table-hover align-middle"}

    def render_held(self, value):
        if value:
            return format_html('<span class="badge text-bg-info">{}</span>', _("Held"))
        return "—"

    def value_held(self, value):
        return "yes" if value else "no"
