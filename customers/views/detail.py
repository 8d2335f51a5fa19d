"""The customer-360 page and its tabs."""

from django.core.paginator import Paginator
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alux_crm.core.generic_views import (
    ObjectDetailMixin,
    ObjectDetailView,
    ObjectTabView,
    Tab,
)

from .. import choices, selectors
from ..models import Address, BillingAccount, Communication, CreditCheck, Customer
from ..tables import CUSTOMER_STATUS_COLOURS
from .base import (
    COMMUNICATIONS_PAGE_SIZE,
    user_may_open,
)
from .customers import STATUS_BUTTONS

# --- customer 360 ------------------------------------------------------------------------
EMPTY_TABS = {
    "subscriptions": (
        "collection-play",
        gettext_lazy("No subscriptions yet."),
        gettext_lazy("Subscriptions sold to this customer will appear here."),
    ),
    "invoices": (
        "receipt",
        gettext_lazy("No invoices yet."),
        gettext_lazy("Invoices of this customer's billing accounts will appear here."),
    ),
    "payments": (
        "cash-coin",
        gettext_lazy("No payments yet."),
        gettext_lazy("Payments received from this customer will appear here."),
    ),
    "cases": (
        "life-preserver",
        gettext_lazy("No cases yet."),
        gettext_lazy(
            "Complaints, enquiries and service requests of this customer will appear here."
        ),
    ),
    "leads": (
        "lightbulb",
        gettext_lazy("No leads or offers yet."),
        gettext_lazy("Leads and offers made to this customer will appear here."),
    ),
    "documents": (
        "file-earmark-text",
        gettext_lazy("No documents yet."),
        gettext_lazy("Contracts, addenda and signed scans of this customer will appear here."),
    ),
    "devices": (
        "router",
        gettext_lazy("No devices yet."),
        gettext_lazy(
            "TV boxes, routers and other devices installed at this customer will appear here."
        ),
    ),
}


def _history_subject(event) -> tuple[str, str]:
    data = event.pgh_data or {}
    model = event.pgh_obj_model
    if model == Customer._meta.label:
        return _("Customer"), "person"
    if model == Address._meta.label:
        kinds = dict(choices.AddressKind.choices)
        place = ", ".join(p for p in (data.get("line1"), data.get("city")) if p)
        return (
            _("%(kind)s address: %(place)s")
            % {"kind": kinds.get(data.get("kind"), data.get("kind")), "place": place},
            "geo-alt",
        )
    if model == BillingAccount._meta.label:
        return (
            _("Billing account %(number)s %(name)s")
            % {"number": data.get("number", ""), "name": data.get("name", "")},
            "wallet2",
        )
    if model == CreditCheck._meta.label:
        return _("Credit check: class %(cls)s") % {
            "cls": data.get("credit_class", "")
        }, "shield-check"
    if model == Communication._meta.label:
        return _("Contact: %(subject)s") % {"subject": data.get("subject", "")}, "chat-left-text"
    return f"{model} #{event.pgh_obj_id}", "record"


class CustomerDetailMixin(ObjectDetailMixin):
    tabs = [
        Tab("profile", gettext_lazy("Profile")),
        Tab("communications", gettext_lazy("Communications")),
        Tab("subscriptions", gettext_lazy("Subscriptions")),
        Tab("invoices", gettext_lazy("Invoices")),
        Tab("payments", gettext_lazy("Payments")),
        Tab("balance", gettext_lazy("Balance")),
        Tab("collections", gettext_lazy("Collections")),
        Tab("cases", gettext_lazy("Cases")),
        Tab("leads", gettext_lazy("Leads & offers")),
        Tab("documents", gettext_lazy("Documents")),
        Tab("devices", gettext_lazy("Devices")),
        Tab("history", gettext_lazy("History")),
    ]
    tab_url_name = "customers:customer_tab"

    def get_object(self, request, pk):
        return selectors.customer_get(user=request.user, pk=pk)

    def setup(self, request, *args, **kwargs):
        """The Collections tab only for the roles that see collections (dunning)."""
        super().setup(request, *args, **kwargs)
        if not user_may_open(request, "dunning:account_list"):
            self.tabs = [t for t in self.tabs if t.name != "collections"]

    def tab_profile(self, request, obj) -> dict:
        return {
            "template": "customers/partials/customer_profile.html",
            "addresses": selectors.current_addresses(customer=obj),
            "ancestors": selectors.customer_ancestors(customer=obj),
            "org_tree": selectors.customer_org_tree(customer=obj),
            "billing_tree": selectors.customer_billing_tree(customer=obj),
            "credit_check": obj.credit_checks.select_related("checked_by").first(),
            "can_add_address": user_may_open(request, "customers:address_create"),
            "can_add_account": user_may_open(request, "customers:billing_account_create"),
            "can_credit_check": user_may_open(request, "customers:customer_credit_check"),
            **self._portal(request, obj),
        }

    def _portal(self, request, obj) -> dict:
        """The customer's self-care login (POR-1) and whether the agent may invite,
        disable or enable it."""
        from portal.models import PortalAccount

        return {
            "portal_account": PortalAccount.objects.select_related("disabled_by")
            .filter(customer=obj)
            .first(),
            "can_invite_portal": user_may_open(request, "portal:invite"),
            "can_disable_portal": user_may_open(request, "portal:disable"),
        }

    def tab_communications(self, request, obj) -> dict:
        page = Paginator(
            selectors.communication_list(customer=obj), COMMUNICATIONS_PAGE_SIZE
        ).get_page(request.GET.get("page"))
        return {
            "template": "customers/partials/customer_communications.html",
            "page": page,
            "communications": page.object_list,
            "can_log": user_may_open(request, "customers:communication_create"),
        }

    def tab_history(self, request, obj) -> dict:
        events = selectors.customer_history(obj)
        for event in events:
            event.about, event.about_icon = _history_subject(event)
        return {"template": "partials/related_history.html", "events": events}

    def _empty(self, name: str) -> dict:
        icon, title, text = EMPTY_TABS[name]
        return {
            "template": "customers/partials/empty_tab.html",
            "empty": {"name": name, "icon": icon, "title": title, "text": text},
        }

    def tab_subscriptions(self, request, obj) -> dict:
        from subscriptions.selectors import subscriptions_of_customer
        from subscriptions.tables import SUBSCRIPTION_STATUS_COLOURS

        subscriptions = list(subscriptions_of_customer(user=request.user, customer=obj))
        for subscription in subscriptions:
            subscription.status_colour = SUBSCRIPTION_STATUS_COLOURS.get(
                subscription.status, "secondary"
            )
        return {
            **self._empty("subscriptions"),
            "template": "customers/partials/customer_subscriptions.html",
            "subscriptions": subscriptions,
            "can_sell": user_may_open(request, "subscriptions:subscription_create"),
        }

    def tab_invoices(self, request, obj) -> dict:
        """The newest invoices of the customer's billing accounts: number, period,
        total, what is open, status and dispute (one query)."""
        from billing.selectors import customer_invoices
        from billing.tables import INVOICE_STATUS_COLOURS

        invoices = customer_invoices(user=request.user, customer=obj)
        for invoice in invoices:
            invoice.status_colour = INVOICE_STATUS_COLOURS.get(invoice.status, "secondary")
        return {
            **self._empty("invoices"),
            "template": "customers/partials/customer_invoices.html",
            "invoices": invoices,
        }

    def tab_payments(self, request, obj) -> dict:
        """The newest payments of the customer's billing accounts (one query)."""
        from billing.selectors import customer_payments
        from billing.tables import PAYMENT_STATUS_COLOURS

        payments = customer_payments(user=request.user, customer=obj)
        for payment in payments:
            payment.status_colour = PAYMENT_STATUS_COLOURS.get(payment.status, "secondary")
        return {
            **self._empty("payments"),
            "template": "customers/partials/customer_payments.html",
            "payments": payments,
            "can_open_payments": user_may_open(request, "billing:payment_detail"),
        }

    def tab_balance(self, request, obj) -> dict:
        """Per billing account: balance, overdue amount and the last payment (three
        queries whatever the number of accounts)."""
        from billing.selectors import customer_balances

        return {
            "template": "customers/partials/customer_balance.html",
            "balances": customer_balances(customer=obj),
            "can_record_payment": user_may_open(request, "billing:payment_create"),
        }

    def tab_collections(self, request, obj) -> dict:
        """Per billing account: overdue amount and days, plan, "never disconnect",
        the dunning timeline, and the holds (promises, payment plans, deposits)."""
        from dunning.views.engine_customer import collections_tab_context

        return collections_tab_context(request, obj)

    def tab_cases(self, request, obj) -> dict:
        """The customer's newest cases (portal requests and others) with their status
        (one query); linked to the case page for the agents who answer cases."""
        from cases.selectors import customer_cases
        from cases.tables import with_status_colours

        return {
            **self._empty("cases"),
            "template": "customers/partials/customer_cases.html",
            "cases": with_status_colours(customer_cases(customer=obj)),
            "can_open_cases": user_may_open(request, "cases:case_detail"),
        }

    def tab_leads(self, request, obj) -> dict:
        return self._empty("leads")

    def tab_documents(self, request, obj) -> dict:
        return self._empty("documents")

    def tab_devices(self, request, obj) -> dict:
        return self._empty("devices")


class CustomerDetailView(CustomerDetailMixin, ObjectDetailView):
    """The customer-360 page: header with badges and actions, tabs below."""

    template_name = "customers/customer_detail.html"

    def get_title(self, obj) -> str:
        return obj.name

    def get_status(self, obj):
        return obj.get_status_display(), CUSTOMER_STATUS_COLOURS.get(obj.status, "secondary")

    def get_actions(self, request, obj) -> list[dict]:
        """Buttons the user may use: ``main`` ones in the header, the rest under More."""
        actions = []

        def add(url_name, label, icon, style="outline-primary", group="more", args=None):
            if user_may_open(request, url_name):
                actions.append(
                    {
                        "label": label,
                        "url": reverse(url_name, args=args or [obj.pk]),
                        "icon": icon,
                        "style": style,
                        "group": group,
                        "name": url_name.split(":")[1],
                    }
                )

        add("customers:customer_edit", _("Edit"), "pencil", "primary", "main")
        add("customers:communication_create", _("Log a contact"), "chat-left-text", group="main")
        add("customers:billing_account_create", _("New billing account"), "wallet2")
        add("customers:address_create", _("New address"), "geo-alt")
        add("customers:customer_credit_check", _("Credit check"), "clipboard-check")
        add("customers:customer_move", _("Move in organisation"), "diagram-3")
        for status in sorted(choices.CUSTOMER_TRANSITIONS.get(obj.status, set())):
            label, icon, colour = STATUS_BUTTONS[status]
            add(
                "customers:customer_status",
                label,
                icon,
                f"outline-{colour}",
                "status",
                args=[obj.pk, status],
            )
        return actions


class CustomerTabView(CustomerDetailMixin, ObjectTabView):
    """One tab of the customer-360 page."""
