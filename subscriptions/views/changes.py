"""Plan changes (SUB-2): the change page with its line-by-line preview (htmx) and
the cancellation of a scheduled change."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from alux_crm.core.errors import DomainError
from products import selectors as product_selectors
from products.choices import ChangePolicy
from products.pricing import BasketItem

from .. import choices, services
from ..forms import ChangeForm
from ..services import ChangeRequest, DeviceSwap
from ..services.changes import CHANGEABLE_STATUSES
from .base import ServiceActionView, add_service_errors, channel_of, get_subscription

PREVIEW_TARGET = "change-preview"


def _form(subscription, products: dict, data=None) -> ChangeForm:
    current = [i.pk for i in subscription.items.all() if i.valid_to is None]
    return ChangeForm(
        data,
        items=subscription.items.filter(pk__in=current).select_related("product"),
        devices=subscription.devices.filter(returned_on__isnull=True).select_related("product"),
        product_choices=[(p.pk, f"{p.name} ({p.code})") for p in products.values()],
    )


def change_request(form: ChangeForm, products: dict) -> ChangeRequest:
    """The service's request from the form's cleaned data."""
    data = form.cleaned_data
    discount = data.get("discount") or Decimal("0")
    swaps = []
    if data.get("swap_device"):
        swaps.append(DeviceSwap(device=data["swap_device"], new_serial=data["new_serial"]))
    return ChangeRequest(
        add=[
            BasketItem(products[line["product"]], line["quantity"], line["acquisition"], discount)
            for line in form.lines()
        ],
        remove=list(data.get("remove") or []),
        swaps=swaps,
    )


class ChangeView(View):
    """Choose products to add and items to remove, or a device to swap, and a day;
    "Preview" shows what the next invoices become, "Confirm" places the order."""

    template_name = "subscriptions/change_form.html"

    def get(self, request, pk: int):
        subscription = get_subscription(request, pk)
        products = self._products()
        return self._render(request, subscription, _form(subscription, products))

    def post(self, request, pk: int):
        subscription = get_subscription(request, pk)
        products = self._products()
        form = _form(subscription, products, request.POST)
        preview_only = request.POST.get("action") == "preview"
        preview = None
        if form.is_valid():
            change = change_request(form, products)
            try:
                if preview_only:
                    preview = services.change_preview(
                        subscription=subscription,
                        request=change,
                        requested_on=form.cleaned_data["wanted_on"],
                    )
                else:
                    order = services.change_order_create(
                        subscription=subscription,
                        request=change,
                        actor=request.user,
                        channel=channel_of(request.user),
                        reason=form.cleaned_data["reason"],
                        wanted_on=form.cleaned_data["wanted_on"],
                    )
            except ValidationError as exc:
                add_service_errors(form, exc)
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                if not preview_only:
                    messages.success(request, self._done(order))
                    return redirect(f"{subscription.get_absolute_url()}?tab=changes")
        status = 200 if preview is not None else 422
        if request.htmx and request.htmx.target == PREVIEW_TARGET:
            context = {"form": form, "object": subscription, **self._preview(preview)}
            return render(
                request, "subscriptions/partials/change_preview.html", context, status=status
            )
        return self._render(request, subscription, form, preview, status=status)

    @staticmethod
    def _preview(preview) -> dict:
        if preview is None:
            return {"preview": None}
        return {
            "preview": preview,
            "kind_label": choices.ChangeKind(preview.kind).label,
            "policy_label": ChangePolicy(preview.policy).label,
        }

    @staticmethod
    def _products() -> dict:
        return {p.pk: p for p in product_selectors.simulator_products()}

    @staticmethod
    def _done(order) -> str:
        if order.status == choices.ChangeStatus.APPLIED:
            return _("%(kind)s applied today.") % {"kind": order.get_kind_display()}
        return _("%(kind)s scheduled for %(day)s.") % {
            "kind": order.get_kind_display(),
            "day": order.effective_on,
        }

    def _render(self, request, subscription, form, preview=None, status: int = 200):
        context = {
            "object": subscription,
            "form": form,
            **self._preview(preview),
            "title": _("Change %(number)s") % {"number": subscription.number},
            "changeable": subscription.status in CHANGEABLE_STATUSES,
        }
        return render(request, self.template_name, context, status=status)


class ChangeOrderCancelView(ServiceActionView):
    """Withdraw a scheduled change before its day."""

    form_class = None

    def get_object(self, request, pk):
        subscription = get_subscription(request, pk)
        order = next(
            (o for o in subscription.change_orders.all() if o.pk == self.kwargs["order"]), None
        )
        if order is None:
            raise Http404(_("No such change."))
        self.order = order
        return subscription

    def success_url(self, obj) -> str:
        return f"{obj.get_absolute_url()}?tab=changes"

    def get_title(self, obj) -> str:
        return _("Cancel the change of %(number)s") % {"number": obj.number}

    def get_consequences(self, obj) -> list[str]:
        order = self.order
        if order.status != choices.ChangeStatus.SCHEDULED:
            return [_("Only a scheduled change can be cancelled.")]
        return [
            _("%(kind)s planned for %(day)s will not happen.")
            % {"kind": order.get_kind_display(), "day": order.effective_on},
        ]

    def perform(self, request, obj, form) -> str:
        services.change_order_cancel(order=self.order, actor=request.user)
        return _("The change was cancelled.")
