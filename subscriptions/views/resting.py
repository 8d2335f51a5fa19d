"""Resting periods (SUB-3): the booking page with the policy's rules and a preview of
the invoices while resting, and the early return."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from alux_crm.core.errors import DomainError

from .. import choices, selectors, services
from ..forms import RestingForm
from .base import ServiceActionView, add_service_errors, channel_of, get_subscription

PREVIEW_TARGET = "resting-preview"


def _tab_url(subscription, tab: str) -> str:
    return f"{subscription.get_absolute_url()}?tab={tab}"


class RestingCreateView(View):
    """Book a resting period under the policy of the subscription's products; the
    service says what the policy refuses, on the fields. GET with the dates (the
    Preview button, or htmx as the dates change) shows the invoices while resting."""

    template_name = "subscriptions/resting_form.html"

    def get(self, request, pk: int):
        subscription = get_subscription(request, pk)
        policy = services.resting_policy_of(subscription)
        bound = "starts_on" in request.GET
        form = RestingForm(request.GET if bound else None, initial=self._initial(policy))
        preview = self._preview(request, subscription, form) if bound else None
        context = {"object": subscription, "form": form, "policy": policy, "preview": preview}
        if request.htmx and request.htmx.target == PREVIEW_TARGET:
            return render(request, "subscriptions/partials/resting_preview.html", context)
        return self._render(request, context)

    def post(self, request, pk: int):
        subscription = get_subscription(request, pk)
        form = RestingForm(request.POST)
        if form.is_valid():
            try:
                period = services.resting_request(
                    subscription=subscription,
                    starts_on=form.cleaned_data["starts_on"],
                    ends_on=form.cleaned_data["ends_on"],
                    actor=request.user,
                    channel=channel_of(request.user),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _("Resting booked from %(start)s; the service resumes on %(end)s.")
                    % {"start": period.starts_on, "end": period.ends_on},
                )
                return redirect(_tab_url(subscription, "resting"))
        context = {
            "object": subscription,
            "form": form,
            "policy": services.resting_policy_of(subscription),
        }
        return self._render(request, context, status=422)

    @staticmethod
    def _initial(policy) -> dict:
        if policy is None:
            return {}
        starts = timezone.localdate() + timedelta(days=max(policy.notice_days, 1))
        return {"starts_on": starts, "ends_on": starts + timedelta(days=policy.min_days)}

    @staticmethod
    def _preview(request, subscription, form) -> dict | None:
        """The invoices while resting, or why the booking would be refused."""
        if not form.is_valid():
            return None
        try:
            periods = selectors.resting_invoice_preview(
                subscription=subscription,
                starts_on=form.cleaned_data["starts_on"],
                ends_on=form.cleaned_data["ends_on"],
                actor=request.user,
            )
        except ValidationError as exc:
            return {"errors": exc.messages}
        except DomainError as exc:
            return {"errors": [str(exc)]}
        return {"periods": periods}

    def _render(self, request, context: dict, status: int = 200):
        context["title"] = _("Book resting for %(number)s") % {"number": context["object"].number}
        return render(request, self.template_name, context, status=status)


class RestingEndView(ServiceActionView):
    """End a resting period early (the service resumes today), or cancel one that
    has not started yet."""

    form_class = None
    danger = False

    def get_object(self, request, pk):
        subscription = get_subscription(request, pk)
        period = next(
            (p for p in subscription.resting_periods.all() if p.pk == self.kwargs["period"]), None
        )
        if period is None:
            raise Http404(_("No such resting period."))
        self.period = period
        return subscription

    def success_url(self, obj) -> str:
        return _tab_url(obj, "resting")

    def get_title(self, obj) -> str:
        if self.period.status == choices.RestingStatus.SCHEDULED:
            return _("Cancel the resting period of %(number)s") % {"number": obj.number}
        return _("Return %(number)s from resting early") % {"number": obj.number}

    def get_consequences(self, obj) -> list[str]:
        period = self.period
        if period.status == choices.RestingStatus.SCHEDULED:
            return [
                _("The resting period from %(start)s to %(end)s is cancelled.")
                % {"start": period.starts_on, "end": period.ends_on}
            ]
        if period.status == choices.RestingStatus.RESTING:
            return [
                _("The service resumes today instead of on %(day)s.") % {"day": period.ends_on},
                _("The full monthly fee applies again from today."),
            ]
        return [_("This resting period is over.")]

    def perform(self, request, obj, form) -> str:
        if self.period.status not in (
            choices.RestingStatus.SCHEDULED,
            choices.RestingStatus.RESTING,
        ):
            raise DomainError(_("This resting period is over."))
        period = services.resting_end(period=self.period, actor=request.user)
        if period.status == choices.RestingStatus.CANCELLED:
            return _("The resting period was cancelled.")
        return _("%(number)s is back from resting.") % {"number": obj.number}
