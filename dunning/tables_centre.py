"""Tables of the centre screens (django-tables2): blocking rules and account blocks."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from alux_crm.core.tables import StatusColumn

from .models import AccountBlock, BlockingRule

NOWRAP = {"td": {"class": "text-nowrap"}}
NUMBER = {"td": {"class": "text-end text-nowrap"}, "th": {"class": "text-end"}}
ATTRS = {"class": "table table-hover align-middle"}
ACTION_COLOURS = {"block": "danger", "unblock": "success"}


class ActionColumn(StatusColumn):
    COLOURS = ACTION_COLOURS


class BlockingRuleTable(tables.Table):
    """Blocking rules with how many customers each holds now."""

    name = tables.Column(
        linkify=lambda record: reverse("dunning:blocking_rule_detail", args=[record.pk]),
        verbose_name=_("Name"),
    )
    action = ActionColumn(verbose_name=_("Action"))
    is_active = tables.BooleanColumn(verbose_name=_("Active"))
    block_days = tables.Column(verbose_name=_("Days"), attrs=NUMBER)
    live_count = tables.Column(verbose_name=_("In force now"), attrs=NUMBER, orderable=True)
    last_evaluated_at = tables.DateTimeColumn(
        verbose_name=_("Last evaluated"), format="Y-m-d H:i", attrs=NOWRAP
    )

    class Meta:
        model = BlockingRule
        fields = ["name", "action", "is_active", "block_days", "live_count", "last_evaluated_at"]
        attrs = ATTRS


class AccountBlockTable(tables.Table):
    """Every block and unblock with its customer, rule and period."""

    customer_number = tables.Column(
        accessor="customer__number",
        verbose_name=_("Customer number"),
        linkify=lambda record: record.customer.get_absolute_url(),
        attrs=NOWRAP,
    )
    customer = tables.Column(accessor="customer__display_name", verbose_name=_("Customer"))
    rule = tables.Column(
        accessor="rule__name",
        verbose_name=_("Rule"),
        linkify=lambda record: reverse("dunning:blocking_rule_detail", args=[record.rule_id]),
    )
    action = ActionColumn(verbose_name=_("Action"))
    starts_on = tables.DateColumn(verbose_name=_("From"), format="Y-m-d", attrs=NOWRAP)
    ends_on = tables.DateColumn(verbose_name=_("Until"), format="Y-m-d", attrs=NOWRAP)
    lifted_on = tables.DateColumn(
        verbose_name=_("Lifted on"), format="Y-m-d", attrs=NOWRAP, default="—"
    )

    class Meta:
        model = AccountBlock
        fields = [
            "customer_number",
            "customer",
            "rule",
            "action",
            "starts_on",
            "ends_on",
            "lifted_on",
        ]
        attrs = ATTRS
