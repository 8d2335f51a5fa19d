"""The subscription page: a header with status and actions, and its tabs."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alux_crm.core.generic_views import (
    ObjectDetailMixin,
    ObjectDetailView,
    ObjectTabView,
    Tab,
)
from products.views.base import history_about

from .. import choices, selectors, services
from ..choices import SubscriptionStatus as S
from ..models import (
    CancellationRequest,
    ChangeOrder,
    ChangeOrderLine,
    ContractDocument,
    Device,
    RestingPeriod,
    Subscription,
    SubscriptionItem,
)
from ..services.changes import CHANGEABLE_STATUSES
from ..tables import SUBSCRIPTION_STATUS_COLOURS
from .base import get_subscription, user_may_open

PENDING_REQUESTS = (choices.CancellationStatus.OPEN, choices.CancellationStatus.APPROVED)

HISTORY_LABELS = {
    Subscription._meta.label: lambda d: (_("Subscription"), "collection-play"),
    SubscriptionItem._meta.label: lambda d: (
        _("Product line from %(day)s") % {"day": d.get("valid_from", "")},
        "box",
    ),
    Device._meta.label: lambda d: (_("Device %(s)s") % {"s": d.get("serial", "")}, "router"),
    RestingPeriod._meta.label: lambda d: (
        _("Resting %(start)s to %(end)s")
        % {"start": d.get("starts_on", ""), "end": d.get("ends_on", "")},
        "pause-circle",
    ),
    ChangeOrder._meta.label: lambda d: (
        _("Change order for %(day)s") % {"day": d.get("effective_on", "")},
        "arrow-left-right",
    ),
    ChangeOrderLine._meta.label: lambda d: (_("Change order line"), "list-ul"),
    CancellationRequest._meta.label: lambda d: (_("Cancellation request"), "x-octagon"),
    ContractDocument._meta.label: lambda d: (
        _("Document %(n)s") % {"n": d.get("number", "")},
        "file-earmark-pdf",
    ),
}


def _may(request, name: str) -> bool:
    return user_may_open(request, f"subscriptions:{name}")


class SubscriptionDetailMixin(ObjectDetailMixin):
    tabs = [
        Tab("overview", gettext_lazy("Overview")),
        Tab("products", gettext_lazy("Products")),
        Tab("devices", gettext_lazy("Devices")),
        Tab("timeline", gettext_lazy("Timeline")),
        Tab("resting", gettext_lazy("Resting")),
        Tab("changes", gettext_lazy("Changes")),
        Tab("documents", gettext_lazy("Documents")),
        Tab("history", gettext_lazy("History")),
    ]
    tab_url_name = "subscriptions:subscription_tab"

    def get_object(self, request, pk):
        return get_subscription(request, pk)

    def tab_overview(self, request, obj) -> dict:
        ended = obj.status in choices.FINAL_STATUSES
        return {
            "template": "subscriptions/partials/overview.html",
            "in_cooling_off": timezone.localdate() <= obj.regret_until and not ended,
            "pending_request": next(
                (r for r in obj.cancellation_requests.all() if r.status in PENDING_REQUESTS), None
            ),
        }

    def tab_products(self, request, obj) -> dict:
        today = timezone.localdate()
        items = list(obj.items.all())
        current = [i for i in items if i.valid_to is None or i.valid_to > today]
        return {
            "template": "subscriptions/partials/products.html",
            "current_items": current,
            "past_items": [i for i in items if i not in current],
        }

    def tab_devices(self, request, obj) -> dict:
        return {"template": "subscriptions/partials/devices.html", "devices": obj.devices.all()}

    def tab_timeline(self, request, obj) -> dict:
        statuses, commands = dict(S.choices), dict(choices.Command.choices)
        events = list(obj.timeline.all())
        for event in events:
            event.from_label = statuses.get(event.from_status, event.from_status)
            event.to_label = statuses.get(event.to_status, event.to_status)
            event.command_label = commands.get(event.command, event.command)
        return {"template": "subscriptions/partials/timeline.html", "events": events}

    def tab_resting(self, request, obj) -> dict:
        return {
            "template": "subscriptions/partials/resting.html",
            "periods": obj.resting_periods.all(),
            "policy": services.resting_policy_of(obj),
            "can_book": obj.status == S.ACTIVE and _may(request, "resting_create"),
            "can_end": _may(request, "resting_end"),
        }

    def tab_changes(self, request, obj) -> dict:
        return {
            "template": "subscriptions/partials/changes.html",
            "orders": obj.change_orders.select_related("requested_by").prefetch_related(
                "lines__product", "lines__device"
            ),
            "can_change": (
                obj.status in CHANGEABLE_STATUSES and _may(request, "subscription_change")
            ),
            "can_cancel": _may(request, "change_order_cancel"),
        }

    def tab_documents(self, request, obj) -> dict:
        return {
            "template": "subscriptions/partials/documents.html",
            "documents": obj.documents.select_related(
                "generated_by", "signed_uploaded_by", "change_order"
            ),
            "can_generate": _may(request, "document_create"),
            "can_email": _may(request, "document_email"),
            "can_upload": _may(request, "document_upload"),
        }

    def tab_history(self, request, obj) -> dict:
        events = history_about(selectors.subscription_history(obj), HISTORY_LABELS)
        return {"template": "partials/related_history.html", "events": events}


def _action(name, label, icon, obj, style="outline-primary", group="more") -> dict:
    return {
        "label": label,
        "url": reverse(f"subscriptions:{name}", args=[obj.pk]),
        "icon": icon,
        "style": style,
        "group": group,
        "name": name,
    }


class SubscriptionDetailView(SubscriptionDetailMixin, ObjectDetailView):
    """A subscription: its contract, products, devices, life cycle, resting periods,
    changes, documents and history, with the actions its state allows."""

    template_name = "subscriptions/subscription_detail.html"

    def get_title(self, obj) -> str:
        return obj.number

    def get_status(self, obj):
        return obj.get_status_display(), SUBSCRIPTION_STATUS_COLOURS.get(obj.status, "secondary")

    def get_actions(self, request, obj) -> list[dict]:
        """The buttons the user may use and the state allows; the matrix and the
        services refuse the rest anyway."""
        status, allowed = obj.status, choices.TRANSITIONS[obj.status]
        today = timezone.localdate()
        pending = any(r.status in PENDING_REQUESTS for r in obj.cancellation_requests.all())
        candidates = [
            (
                status in CHANGEABLE_STATUSES,
                "subscription_change",
                _("Change products"),
                "arrow-left-right",
                "primary",
                "main",
            ),
            (
                status == S.PENDING_INSTALLATION,
                "subscription_activate",
                _("Installation done"),
                "check2-circle",
                "success",
                "main",
            ),
            (status == S.ACTIVE, "resting_create", _("Book resting"), "pause-circle", None, "main"),
            (
                status in (S.SUSPENDED, S.DISCONNECTED),
                "subscription_reconnect",
                _("Reconnect"),
                "plug",
                "outline-success",
                "status",
            ),
            (S.SUSPENDED in allowed, "subscription_suspend", _("Suspend"), "pause", None, "status"),
            (
                S.DISCONNECTED in allowed,
                "subscription_disconnect",
                _("Disconnect"),
                "plug-fill",
                None,
                "status",
            ),
            (
                status not in choices.FINAL_STATUSES and not pending,
                "subscription_terminate",
                _("Request cancellation"),
                "x-octagon",
                None,
                "status",
            ),
            (
                S.CANCELLED in allowed and today <= obj.regret_until,
                "subscription_regret",
                _("Regret (cooling-off)"),
                "arrow-counterclockwise",
                None,
                "status",
            ),
            (True, "document_create", _("Generate contract"), "file-earmark-pdf", None, "more"),
        ]
        return [
            _action(name, label, icon, obj, style or "outline-primary", group)
            for shown, name, label, icon, style, group in candidates
            if shown and _may(request, name)
        ]


class SubscriptionTabView(SubscriptionDetailMixin, ObjectTabView):
    """One tab of the subscription page."""
