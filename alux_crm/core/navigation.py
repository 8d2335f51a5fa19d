"""The main navigation: one list, filtered per user by the access matrix.

Each issue that adds a screen adds its entry here; a user sees only the entries
whose URL the access matrix lets them open.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .access import rule_for


@dataclass(frozen=True)
class NavItem:
    """One entry of the side navigation."""

    label: str | Promise
    url_name: str
    icon: str
    section: str | Promise = ""


NAV_ITEMS: list[NavItem] = [
    NavItem(_("Dashboard"), "dashboard", "speedometer2"),
    NavItem(_("Customers"), "customers:customer_list", "people", _("Customers")),
    NavItem(_("New customer"), "customers:customer_create", "person-plus", _("Customers")),
    NavItem(_("Customer base"), "customers:customer_base_report", "graph-up", _("Customers")),
    NavItem(
        _("Subscriptions"), "subscriptions:subscription_list", "collection-play", _("Subscriptions")
    ),
    NavItem(
        _("New subscription"), "subscriptions:subscription_create", "bag-plus", _("Subscriptions")
    ),
    NavItem(
        _("Cancellation queue"), "subscriptions:cancellation_queue", "x-octagon", _("Subscriptions")
    ),
    NavItem(
        _("Provisioning commands"),
        "subscriptions:provisioning_list",
        "broadcast",
        _("Subscriptions"),
    ),
    NavItem(_("Billing runs"), "billing:run_list", "calendar-check", _("Billing")),
    NavItem(_("Invoices"), "billing:invoice_list", "receipt", _("Billing")),
    # --- billing: more pages (payments, payment runs, vouchers, reports) ---
    NavItem(_("Vouchers"), "billing:voucher_batch_list", "ticket-perforated", _("Billing")),
    NavItem(_("Redeem a voucher"), "billing:voucher_redeem", "ticket", _("Billing")),
    NavItem(_("Payments"), "billing:payment_list", "cash-coin", _("Billing")),
    NavItem(_("Record a payment"), "billing:payment_create", "cash-stack", _("Billing")),
    NavItem(_("Manual transactions"), "billing:transaction_list", "receipt-cutoff", _("Billing")),
    NavItem(_("Payment runs"), "billing:payment_run_list", "bank", _("Billing")),
    NavItem(_("GL journal"), "billing:gl_journal", "journal-text", _("Billing")),
    NavItem(_("Revenue"), "billing:report_revenue", "bar-chart", _("Billing")),
    NavItem(_("Receivables ageing"), "billing:report_ageing", "hourglass-split", _("Billing")),
    NavItem(_("Billing-run summary"), "billing:report_runs", "table", _("Billing")),
    # --- collections (dunning app): engine, runs, holds ---
    NavItem(
        _("Accounts in dunning"), "dunning:account_list", "exclamation-diamond", _("Collections")
    ),
    NavItem(_("Dunning runs"), "dunning:dunning_run_list", "calendar2-week", _("Collections")),
    NavItem(_("Dunning plans"), "dunning:plan_list", "list-ol", _("Collections")),
    NavItem(_("Letters to print"), "dunning:letter_list", "envelope-paper", _("Collections")),
    # runs
    NavItem(_("Disconnection runs"), "dunning:service_run_list", "plug", _("Collections")),
    NavItem(_("Save desk"), "dunning:save_desk_list", "telephone", _("Collections")),
    NavItem(_("Promises to pay"), "dunning:promise_list", "hand-thumbs-up", _("Collections")),
    NavItem(_("Payment plans"), "dunning:payment_plan_list", "calendar-check", _("Collections")),
    NavItem(_("Deposits"), "dunning:deposit_list", "safe", _("Collections")),
    # centre
    NavItem(_("Blocking rules"), "dunning:blocking_rule_list", "slash-circle", _("Collections")),
    NavItem(_("Run centre"), "dunning:run_centre", "speedometer", _("Collections")),
    NavItem(_("Products"), "products:product_list", "box-seam", _("Catalogue")),
    NavItem(_("Promotions"), "products:promotion_list", "megaphone", _("Catalogue")),
    NavItem(_("Offer simulator"), "products:offer_simulator", "calculator", _("Catalogue")),
    NavItem(_("Competitor offers"), "products:competitor_offer_list", "binoculars", _("Catalogue")),
    NavItem(_("Standard offers"), "products:standard_offer_list", "clipboard-data", _("Catalogue")),
    NavItem(_("Partners"), "core:partner_list", "shop", _("Business network")),
    NavItem(_("Organisation"), "core:orgunit_list", "diagram-3", _("Business network")),
    NavItem(_("Outbox"), "core:outbox_list", "send", _("Operations")),
    NavItem(_("Operator settings"), "core:operator_settings", "sliders", _("Administration")),
    NavItem(_("Admin site"), "admin:index", "gear", _("Administration")),
    NavItem(_("API"), "api-docs", "braces", _("Administration")),
]


def nav_for(user) -> list[dict]:
    """The entries ``user`` may open, as dicts for the template."""
    items = []
    for item in NAV_ITEMS:
        rule = rule_for(item.url_name)
        if rule is not None and rule.allows(user):
            items.append(
                {
                    "label": item.label,
                    "url": reverse(item.url_name),
                    "icon": item.icon,
                    "section": item.section,
                    "name": item.url_name,
                }
            )
    if user.is_authenticated and getattr(user, "partner_id", None):
        items.insert(
            1,
            {
                "label": _("My company"),
                "url": reverse("core:partner_detail", args=[user.partner_id]),
                "icon": "building",
                "section": "",
                "name": "core:partner_detail",
            },
        )
    return items
