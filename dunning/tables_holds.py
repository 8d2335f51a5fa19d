"""Tables of the holds screens (django-tables2): sortable columns, CSV values."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from alux_crm.core.tables import StatusColumn

from .models import Deposit, PaymentPlan, PromiseToPay

NOWRAP = {"td": {"class": "text-nowrap"}}
NUMBER = {"td": {"class": "text-end text-nowrap"}, "th": {"class": "text-end"}}
ATTRS = {"class": "table table-hover align-middle"}

PROMISE_COLOURS = {"open": "primary", "kept": "success", "broken": "danger"}
PLAN_COLOURS = {"active": "primary", "completed": "success", "broken": "danger"}
INSTALMENT_COLOURS = {"due": "secondary", "paid": "success", "missed": "danger"}
DEPOSIT_COLOURS = {"requested": "warning", "paid": "success", "refunded": "info"}


class PromiseStatusColumn(StatusColumn):
    COLOURS = PROMISE_COLOURS


class PlanStatusColumn(StatusColumn):
    COLOURS = PLAN_COLOURS


class DepositStatusColumn(StatusColumn):
    COLOURS = DEPOSIT_COLOURS


def _account_columns():
    return (
        tables.Column(
            accessor="billing_account__number", verbose_name=_("Billing account"), attrs=NOWRAP
        ),
        tables.Column(
            accessor="billing_account__customer__display_name", verbose_name=_("Customer")
        ),
    )


class PromiseTable(tables.Table):
    """Promises to pay."""

    id = tables.Column(
        linkify=lambda record: reverse("dunning:promise_detail", args=[record.pk]),
        verbose_name="#",
    )
    account, customer = _account_columns()
    amount = tables.Column(verbose_name=_("Amount"), attrs=NUMBER)
    pay_by = tables.DateColumn(verbose_name=_("Pay by"), format="Y-m-d", attrs=NOWRAP)
    status = PromiseStatusColumn(verbose_name=_("Status"))
    approved_for_reconnection = tables.BooleanColumn(verbose_name=_("Approved to reconnect"))
    created_by = tables.Column(verbose_name=_("Recorded by"), default="—")

    class Meta:
        model = PromiseToPay
        fields = [
            "id",
            "account",
            "customer",
            "amount",
            "pay_by",
            "status",
            "approved_for_reconnection",
            "created_by",
        ]
        attrs = ATTRS


class PaymentPlanTable(tables.Table):
    """Payment plans."""

    id = tables.Column(
        linkify=lambda record: reverse("dunning:payment_plan_detail", args=[record.pk]),
        verbose_name="#",
    )
    account, customer = _account_columns()
    total = tables.Column(verbose_name=_("Total"), attrs=NUMBER)
    status = PlanStatusColumn(verbose_name=_("Status"))
    created_at = tables.DateColumn(verbose_name=_("Agreed on"), format="Y-m-d", attrs=NOWRAP)
    created_by = tables.Column(verbose_name=_("Agreed by"), default="—")

    class Meta:
        model = PaymentPlan
        fields = ["id", "account", "customer", "total", "status", "created_at", "created_by"]
        attrs = ATTRS


class DepositTable(tables.Table):
    """Deposits."""

    id = tables.Column(
        linkify=lambda record: reverse("dunning:deposit_detail", args=[record.pk]),
        verbose_name="#",
    )
    account, customer = _account_columns()
    subscription = tables.Column(
        accessor="subscription__number", verbose_name=_("Subscription"), default="—"
    )
    amount = tables.Column(verbose_name=_("Amount"), attrs=NUMBER)
    currency = tables.Column(verbose_name=_("Currency"))
    reason = tables.Column(verbose_name=_("Reason"))
    status = DepositStatusColumn(verbose_name=_("Status"))
    pay_by = tables.DateColumn(verbose_name=_("Pay by"), format="Y-m-d", attrs=NOWRAP)

    class Meta:
        model = Deposit
        fields = [
            "id",
            "account",
            "customer",
            "subscription",
            "amount",
            "currency",
            "reason",
            "status",
            "pay_by",
        ]
        attrs = ATTRS
