"""Portal pages of the subscriber's services (POR-1, issue 8): the subscriptions with
their products, devices and contract end; a subscription's page with what may be
done to it; booking a resting period (dates → charges → confirm) and cancelling or
ending one; buying an add-on or a pay-per-view event (choice → preview → confirm).

Every page starts from the subscriber's own customer (another customer's
subscription is a 404) and calls the agents' services with the portal's channel,
so the same rules apply and their messages are shown on the form."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from alux_crm.core.errors import DomainError
from products.choices import SalesChannel
from subscriptions.choices import ChangeStatus, RestingStatus
from subscriptions.services import change_order_create, resting_end, resting_request
from subscriptions.views.base import add_service_errors

from ..forms_services import OfferForm, PortalRestForm
from ..selectors import portal_customer
from ..selectors_services import (
    portal_can_rest,
    portal_change_request,
    portal_installation_address,
    portal_offer_preview,
    portal_offers,
    portal_rest_preview,
    portal_resting_period,
    portal_resting_policy,
    portal_service,
    portal_services,
)


def _service(request, pk: int):
    return portal_service(customer=portal_customer(request.user), pk=pk)


def _detail_url(subscription) -> str:
    return reverse("portal:service_detail", args=[subscription.pk])


class PortalServiceListView(View):
    """Every subscription of the subscriber as a card: status, products, devices,
    contract end, resting periods and changes to come."""

    def get(self, request):
        services = portal_services(customer=portal_customer(request.user))
        return render(
            request, "portal/services.html", {"title": _("My services"), "services": services}
        )


class PortalServiceDetailView(View):
    """One subscription with everything the subscriber may see and do: rest, add an
    add-on, buy a pay-per-view event (each offered only when the rules allow)."""

    def get(self, request, pk: int):
        service = _service(request, pk)
        subscription = service.subscription
        policy = portal_resting_policy(subscription=subscription)
        context = {
            "title": _("Subscription %(number)s") % {"number": subscription.number},
            "service": service,
            "subscription": subscription,
            "policy": policy,
            "can_rest": portal_can_rest(subscription=subscription, policy=policy),
            "addons": portal_offers(subscription=subscription, kind="addon"),
            "ppv": portal_offers(subscription=subscription, kind="ppv"),
            "address": portal_installation_address(customer=subscription.customer),
        }
        return render(request, "portal/subscription.html", context)


class PortalRestView(View):
    """Book a resting period: the dates, then the charges of the billing periods it
    touches (a dry run of the booking), then the confirmation. The policy's refusals
    (length, notice, how many a year, overlap) are shown on the fields."""

    template_name = "portal/rest.html"

    def get(self, request, pk: int):
        service = _service(request, pk)
        subscription = service.subscription
        policy = portal_resting_policy(subscription=subscription)
        bound = "starts_on" in request.GET
        form = PortalRestForm(request.GET if bound else None, initial=self._initial(policy))
        periods = None
        if bound and form.is_valid() and portal_can_rest(subscription=subscription, policy=policy):
            try:
                periods = portal_rest_preview(
                    subscription=subscription,
                    starts_on=form.cleaned_data["starts_on"],
                    ends_on=form.cleaned_data["ends_on"],
                    actor=request.user,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            except DomainError as exc:
                form.add_error(None, str(exc))
        return self._render(request, service, policy, form, periods)

    def post(self, request, pk: int):
        service = _service(request, pk)
        subscription = service.subscription
        form = PortalRestForm(request.POST)
        if form.is_valid():
            try:
                period = resting_request(
                    subscription=subscription,
                    starts_on=form.cleaned_data["starts_on"],
                    ends_on=form.cleaned_data["ends_on"],
                    actor=request.user,
                    channel=SalesChannel.PORTAL,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _("Your service pauses from %(start)s and resumes on %(end)s.")
                    % {"start": period.starts_on.isoformat(), "end": period.ends_on.isoformat()},
                )
                return redirect(_detail_url(subscription))
        policy = portal_resting_policy(subscription=subscription)
        return self._render(request, service, policy, form, None, status=422)

    @staticmethod
    def _initial(policy) -> dict:
        if policy is None:
            return {}
        starts = timezone.localdate() + timedelta(days=max(policy.notice_days, 1))
        return {"starts_on": starts, "ends_on": starts + timedelta(days=policy.min_days)}

    def _render(self, request, service, policy, form, periods, status: int = 200):
        subscription = service.subscription
        context = {
            "title": _("Pause %(number)s") % {"number": subscription.number},
            "service": service,
            "subscription": subscription,
            "policy": policy,
            "can_rest": portal_can_rest(subscription=subscription, policy=policy),
            "form": form,
            "periods": periods,
        }
        return render(request, self.template_name, context, status=status)


class PortalRestEndView(View):
    """Cancel a resting period that has not started, or end one early (the service
    resumes today): a confirmation page, then ``resting_end``."""

    template_name = "portal/rest_end.html"

    def _objects(self, request, pk: int, period: int):
        service = _service(request, pk)
        return service, portal_resting_period(service=service, pk=period)

    def get(self, request, pk: int, period: int):
        service, resting = self._objects(request, pk, period)
        return render(request, self.template_name, self._context(service, resting))

    def post(self, request, pk: int, period: int):
        service, resting = self._objects(request, pk, period)
        try:
            ended = resting_end(period=resting, actor=request.user)
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            if ended.status == RestingStatus.CANCELLED:
                messages.success(request, _("The planned pause was cancelled."))
            else:
                messages.success(request, _("Your service is back from today."))
        return redirect(_detail_url(service.subscription))

    @staticmethod
    def _context(service, resting) -> dict:
        planned = resting.status == RestingStatus.SCHEDULED
        return {
            "title": _("Cancel the planned pause") if planned else _("Resume my service now"),
            "service": service,
            "subscription": service.subscription,
            "period": resting,
            "planned": planned,
        }


class PortalAddProductView(View):
    """Buy an add-on (``kind = "addon"``) or a pay-per-view event (``"ppv"``): the
    products this subscription may buy in the portal with their price, then the
    preview of what changes on the invoices, then the change order (channel portal).
    A product the portal does not sell to it is refused with the reason."""

    kind = "addon"
    template_name = "portal/add_product.html"
    titles = {
        "addon": gettext_lazy("Add channels"),
        "ppv": gettext_lazy("Pay-per-view events"),
    }

    def get(self, request, pk: int):
        service = _service(request, pk)
        subscription = service.subscription
        bound = "product" in request.GET
        form = OfferForm(request.GET if bound else None, subscription=subscription, kind=self.kind)
        preview = None
        if bound and form.is_valid():
            preview = self._preview(form, subscription)
        return self._render(request, service, form, preview)

    def post(self, request, pk: int):
        service = _service(request, pk)
        subscription = service.subscription
        form = OfferForm(request.POST, subscription=subscription, kind=self.kind)
        if form.is_valid():
            offer = form.cleaned_data["product"]
            try:
                order = change_order_create(
                    subscription=subscription,
                    request=portal_change_request(offer),
                    actor=request.user,
                    channel=SalesChannel.PORTAL,
                    reason=_("Bought by the subscriber in the self-care portal"),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, self._done(order, offer))
                return redirect(_detail_url(subscription))
        return self._render(request, service, form, None, status=422)

    @staticmethod
    def _preview(form, subscription):
        try:
            return portal_offer_preview(
                subscription=subscription, offer=form.cleaned_data["product"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except DomainError as exc:
            form.add_error(None, str(exc))
        return None

    def _done(self, order, offer) -> str:
        product = offer.product.name
        if order.status != ChangeStatus.APPLIED:
            return _("%(product)s is ordered for %(day)s.") % {
                "product": product,
                "day": order.effective_on.isoformat(),
            }
        if self.kind == "ppv":
            return _("You bought %(product)s; it is charged on your next invoice.") % {
                "product": product
            }
        return _("%(product)s is on your subscription from today.") % {"product": product}

    def _render(self, request, service, form, preview, status: int = 200):
        subscription = service.subscription
        context = {
            "title": self.titles[self.kind],
            "kind": self.kind,
            "service": service,
            "subscription": subscription,
            "offers": portal_offers(subscription=subscription, kind=self.kind),
            "form": form,
            "preview": preview,
        }
        return render(request, self.template_name, context, status=status)
