"""Tables of the customer screens (django-tables2): sortable columns, CSV values."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from alux_crm.core.tables import StatusColumn

from .models import Customer

CUSTOMER_STATUS_COLOURS = {
    "prospect": "info",
    "active": "success",
    "inactive": "secondary",
    "blocked": "danger",
}


class CustomerStatusColumn(StatusColumn):
    """The customer's status as a coloured badge; exported as its label."""

    COLOURS = CUSTOMER_STATUS_COLOURS


class TierColumn(tables.Column):
    """The tier as a badge in the tier's colour (``app-tier-*`` in app.css)."""

    def render(self, value, record):
        return format_html('<span class="badge app-tier app-tier-{}">{}</span>', record.tier, value)

    def value(self, value, record):
        return value


def _shown_from(breakpoint: str) -> dict:
    """Column attributes: hidden below a Bootstrap breakpoint (still in the CSV)."""
    css = f"d-none d-{breakpoint}-table-cell"
    return {"th": {"class": css}, "td": {"class": css}}


NOWRAP = {"td": {"class": "text-nowrap"}}


class CustomerTable(tables.Table):
    """Customers list. Narrow screens show fewer columns; the CSV has them all."""

    number = tables.Column(linkify=True, verbose_name=_("Number"), attrs=NOWRAP)
    display_name = tables.Column(linkify=True, verbose_name=_("Name"))
    kind = tables.Column(verbose_name=_("Kind"), attrs=_shown_from("xxl"))
    category = tables.Column(verbose_name=_("Category"), attrs=_shown_from("xxl"))
    segment = tables.Column(verbose_name=_("Segment"), attrs=_shown_from("xl"))
    status = CustomerStatusColumn(verbose_name=_("Status"))
    tier = TierColumn(verbose_name=_("Tier"))
    phone = tables.Column(verbose_name=_("Phone"), attrs=NOWRAP)
    email = tables.EmailColumn(verbose_name=_("E-mail"), attrs=_shown_from("md"))
    serving_agent = tables.Column(
        verbose_name=_("Serving agent"),
        order_by=("serving_agent__first_name", "serving_agent__last_name"),
        attrs=_shown_from("xxl"),
    )
    created_at = tables.DateTimeColumn(
        verbose_name=_("Created"), format="Y-m-d", attrs=_shown_from("xxl")
    )

    class Meta:
        model = Customer
        fields = [
            "number",
            "display_name",
            "kind",
            "category",
            "segment",
            "status",
            "tier",
            "phone",
            "email",
            "serving_agent",
            "created_at",
        ]
        attrs = {"class": "table table-hover align-middle", "id": "customer-table"}

    def render_serving_agent(self, value):
        return value.get_full_name() or value.username

    def value_serving_agent(self, value):
        return value.get_full_name() or value.username
