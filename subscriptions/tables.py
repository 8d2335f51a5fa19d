"""Tables of the subscription screens (django-tables2): sortable columns, CSV values."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from alux_crm.core.tables import StatusColumn

from .models import CancellationRequest, Subscription

SUBSCRIPTION_STATUS_COLOURS = {
    "pending": "info",
    "active": "success",
    "resting": "primary",
    "suspended": "warning",
    "disconnected": "danger",
    "terminated": "secondary",
    "cancelled": "dark",
}
CANCELLATION_STATUS_COLOURS = {
    "open": "warning",
    "approved": "info",
    "done": "success",
    "rejected": "secondary",
}
NOWRAP = {"td": {"class": "text-nowrap"}}
NUMBER = {"td": {"class": "text-end text-nowrap"}, "th": {"class": "text-end"}}


def _shown_from(breakpoint: str) -> dict:
    """Column attributes: hidden below a Bootstrap breakpoint (still in the CSV)."""
    css = f"d-none d-{breakpoint}-table-cell"
    return {"th": {"class": css}, "td": {"class": css}}


class SubscriptionStatusColumn(StatusColumn):
    COLOURS = SUBSCRIPTION_STATUS_COLOURS


class CancellationStatusColumn(StatusColumn):
    COLOURS = CANCELLATION_STATUS_COLOURS


def _person(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


class SubscriptionTable(tables.Table):
    """Subscriptions list. Narrow screens show fewer columns; the CSV has them all."""

    number = tables.Column(linkify=True, verbose_name=_("Number"), attrs=NOWRAP)
    customer = tables.Column(
        linkify=lambda record: record.customer.get_absolute_url(),
        verbose_name=_("Customer"),
        order_by=("customer__display_name",),
    )
    customer_number = tables.Column(
        accessor="customer__number", verbose_name=_("Customer number"), attrs=_shown_from("xxl")
    )
    billing_account = tables.Column(
        accessor="billing_account__number",
        verbose_name=_("Billing account"),
        attrs=_shown_from("xl"),
    )
    status = SubscriptionStatusColumn(verbose_name=_("Status"))
    channel = tables.Column(verbose_name=_("Sold through"), attrs=_shown_from("lg"))
    signed_on = tables.DateColumn(verbose_name=_("Signed"), format="Y-m-d", attrs=NOWRAP)
    activated_on = tables.DateColumn(
        verbose_name=_("Activated"), format="Y-m-d", attrs=_shown_from("xl")
    )
    contract_end = tables.DateColumn(
        verbose_name=_("Contract ends"), format="Y-m-d", attrs=_shown_from("md")
    )
    partner = tables.Column(verbose_name=_("Retailer"), attrs=_shown_from("xxl"))
    sold_by = tables.Column(
        verbose_name=_("Sold by"),
        order_by=("sold_by__first_name", "sold_by__last_name"),
        attrs=_shown_from("xxl"),
    )

    class Meta:
        model = Subscription
        fields = [
            "number",
            "customer",
            "customer_number",
            "billing_account",
            "status",
            "channel",
            "signed_on",
            "activated_on",
            "contract_end",
            "partner",
            "sold_by",
        ]
        attrs = {"class": "table table-hover align-middle", "id": "subscription-table"}

    def render_customer(self, value, record):
        return record.customer.name

    def value_customer(self, value, record):
        return record.customer.name

    def render_sold_by(self, value):
        return _person(value)

    def value_sold_by(self, value):
        return _person(value)


class CancellationTable(tables.Table):
    """The back-office queue: open requests first, with the fee and how it was
    computed, and the buttons to approve or reject."""

    subscription = tables.Column(
        linkify=lambda record: record.subscription.get_absolute_url(),
        verbose_name=_("Subscription"),
        order_by=("subscription__number",),
        attrs=NOWRAP,
    )
    customer = tables.Column(
        accessor="subscription__customer",
        linkify=lambda record: record.subscription.customer.get_absolute_url(),
        verbose_name=_("Customer"),
        order_by=("subscription__customer__display_name",),
    )
    kind = tables.Column(verbose_name=_("Request"))
    status = CancellationStatusColumn(verbose_name=_("Status"))
    requested_on = tables.DateColumn(
        verbose_name=_("Requested"), format="Y-m-d", attrs=_shown_from("lg")
    )
    effective_on = tables.DateColumn(verbose_name=_("Ends on"), format="Y-m-d", attrs=NOWRAP)
    early_termination_fee = tables.Column(verbose_name=_("Fee"), attrs=NUMBER)
    fee_explanation = tables.Column(verbose_name=_("How the fee was computed"))
    reason = tables.Column(verbose_name=_("Reason"), attrs=_shown_from("xl"))
    requested_by = tables.Column(verbose_name=_("Requested by"), attrs=_shown_from("xxl"))
    answer = tables.Column(verbose_name=_("Answer"), attrs=_shown_from("xl"))
    buttons = tables.TemplateColumn(
        template_name="subscriptions/partials/cancellation_buttons.html",
        verbose_name="",
        orderable=False,
        exclude_from_export=True,
    )

    class Meta:
        model = CancellationRequest
        fields = [
            "subscription",
            "customer",
            "kind",
            "status",
            "requested_on",
            "effective_on",
            "early_termination_fee",
            "fee_explanation",
            "reason",
            "requested_by",
            "answer",
        ]
        order_by = ()
        attrs = {"class": "table table-hover align-middle", "id": "cancellation-table"}

    def render_customer(self, value):
        return value.name

    def value_customer(self, value):
        return value.name

    def render_early_termination_fee(self, value, record):
        return f"{value} {record.subscription.currency}"

    def render_requested_by(self, value):
        return _person(value)

    def value_requested_by(self, value):
        return _person(value)
