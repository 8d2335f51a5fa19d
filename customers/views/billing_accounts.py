"""Billing accounts: create, detail, edit, move."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from alux_crm.core.generic_views import (
    ObjectDetailMixin,
    ObjectDetailView,
    ObjectTabView,
    Tab,
)

from .. import choices, selectors, services
from ..forms import (
    BillingAccountForm,
    BillingAccountMoveForm,
)
from .base import (
    CustomerChildFormView,
    FormActionView,
    ServiceFormView,
    user_may_open,
)


# --- billing accounts --------------------------------------------------------------------
class BillingAccountCreateView(CustomerChildFormView):
    """Open a billing account for a customer, at the top or under an account of its
    organisation."""

    template_name = "customers/form.html"

    def get_form(self, request, obj, data=None, files=None):
        return BillingAccountForm(data, customer=obj, user=request.user)

    def get_title(self, obj) -> str:
        return _("New billing account for %(name)s") % {"name": obj.name}

    def save(self, request, form, obj):
        return services.billing_account_create(
            customer=obj, actor=request.user, **form.account_data()
        )

    def success_url(self, saved) -> str:
        return saved.get_absolute_url()

    def success_message(self, saved) -> str:
        return _("Billing account %(number)s opened.") % {"number": saved.number}


class BillingAccountDetailMixin(ObjectDetailMixin):
    tabs = [
        Tab("overview", gettext_lazy("Overview")),
        Tab("ledger", gettext_lazy("Ledger")),
        Tab("mandates", gettext_lazy("Mandates")),
        Tab("history", gettext_lazy("History")),
    ]
    tab_url_name = "customers:billing_account_tab"

    def get_object(self, request, pk):
        return selectors.billing_account_get(user=request.user, pk=pk)

    def tab_overview(self, request, obj) -> dict:
        return {
            "template": "customers/partials/billing_account_overview.html",
            "paying": selectors.paying_account(account=obj),
            "children": obj.children.select_related("customer").order_by("number"),
            "address": obj.billing_address,
        }

    def tab_ledger(self, request, obj) -> dict:
        """The account statement: ledger entries with the running balance, open
        invoices, cached balance against the ledger (billing.views.payments)."""
        from billing.views.payments import ledger_tab

        return ledger_tab(request, obj)

    def tab_mandates(self, request, obj) -> dict:
        """SEPA direct-debit mandates (billing.views.payment_runs builds the tab)."""
        from billing.views.payment_runs import mandates_tab

        return mandates_tab(request, obj)


class BillingAccountDetailView(BillingAccountDetailMixin, ObjectDetailView):
    """A billing account: who pays for it, its sub-accounts and history."""

    def get_title(self, obj) -> str:
        return f"{obj.number} · {obj.name}"

    def get_status(self, obj):
        colour = "success" if obj.status == choices.BillingAccountStatus.ACTIVE else "secondary"
        return obj.get_status_display(), colour

    def get_actions(self, request, obj) -> list[dict]:
        actions = [
            {
                "label": obj.customer.name,
                "url": obj.customer.get_absolute_url(),
                "icon": "person",
                "style": "outline-secondary",
            }
        ]
        if user_may_open(request, "customers:billing_account_edit"):
            actions.append(
                {
                    "label": _("Edit"),
                    "url": reverse("customers:billing_account_edit", args=[obj.pk]),
                    "icon": "pencil",
                    "style": "primary",
                }
            )
        if user_may_open(request, "billing:payment_create"):
            actions.append(
                {
                    "label": _("Record a payment"),
                    "url": reverse("billing:payment_create") + f"?account={obj.pk}",
                    "icon": "cash-coin",
                    "style": "outline-primary",
                }
            )
        if user_may_open(request, "customers:billing_account_move"):
            actions.append(
                {
                    "label": _("Move"),
                    "url": reverse("customers:billing_account_move", args=[obj.pk]),
                    "icon": "diagram-3",
                    "style": "outline-primary",
                }
            )
        # Collections (dunning, holds): promise, payment plan, deposit for this account.
        for url_name, label, icon in (
            ("dunning:promise_create", _("Promise to pay"), "hand-thumbs-up"),
            ("dunning:payment_plan_create", _("Payment plan"), "calendar-check"),
            ("dunning:deposit_create", _("Ask a deposit"), "safe"),
        ):
            if user_may_open(request, url_name):
                url = f"{reverse(url_name)}?account={obj.pk}"
                actions.append(
                    {"label": label, "url": url, "icon": icon, "style": "outline-primary"}
                )
        # Collections (dunning, engine): the account's own plan, "never disconnect".
        if user_may_open(request, "dunning:account_settings"):
            actions.append(
                {
                    "label": _("Collection settings"),
                    "url": reverse("dunning:account_settings", args=[obj.pk]),
                    "icon": "sliders",
                    "style": "outline-secondary",
                }
            )
        return actions


class BillingAccountTabView(BillingAccountDetailMixin, ObjectTabView):
    """One tab of the billing account page."""


class BillingAccountEditView(ServiceFormView):
    """Change a billing account (concurrent edits refused, like customers)."""

    def get_object(self, request, pk):
        return selectors.billing_account_get(user=request.user, pk=pk)

    def get_form(self, request, obj, data=None, files=None):
        return BillingAccountForm(data, customer=obj.customer, user=request.user, instance=obj)

    def get_title(self, obj) -> str:
        return _("Edit billing account %(number)s") % {"number": obj.number}

    def save(self, request, form, obj):
        return services.billing_account_update(
            account=obj,
            actor=request.user,
            expected_version=form.cleaned_data["version"],
            **form.account_data(),
        )


class BillingAccountMoveView(FormActionView):
    """Move a billing account (with its sub-accounts) under another account."""

    danger = False

    def get_object(self, request, pk):
        return selectors.billing_account_get(user=request.user, pk=pk)

    def make_form(self, request, obj, data=None):
        return BillingAccountMoveForm(data, account=obj, user=request.user)

    def get_title(self, obj) -> str:
        return _("Move billing account %(number)s") % {"number": obj.number}

    def get_consequences(self, obj) -> list[str]:
        below = len(selectors.billing_account_subtree_ids(root=obj)) - 1
        where = (
            _("Now under %(parent)s.") % {"parent": obj.parent}
            if obj.parent_id
            else _("Now a top-level account.")
        )
        text = ngettext(
            "%(count)s sub-account moves with it.",
            "%(count)s sub-accounts move with it.",
            below,
        )
        return [
            where,
            text % {"count": below},
            _("Charges of accounts that do not pay go to the nearest paying account above."),
        ]

    def perform(self, request, obj, form) -> str:
        parent = form.cleaned_data["parent"]
        services.billing_account_move(account=obj, new_parent=parent, actor=request.user)
        if parent is None:
            return _("%(number)s is now a top-level account.") % {"number": obj.number}
        return _("%(number)s is now under %(parent)s.") % {
            "number": obj.number,
            "parent": parent.number,
        }
