"""Confirmation pages of a subscription's status steps (SUB-5): installation done,
suspend, reconnect, disconnect, a cancellation request with its fee (SUB-4) and a
regret in the cooling-off window. Each POST calls one service."""

from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from alux_crm.core.errors import DomainError

from .. import choices, services
from ..choices import SubscriptionStatus as S
from ..forms import TerminationForm
from .base import ServiceActionView, channel_of, get_subscription


class SubscriptionActionView(ServiceActionView):
    """A step of the subscription's life; the service checks the transition."""

    target = ""  # the status the step leads to

    def get_object(self, request, pk):
        return get_subscription(request, pk)

    def success_url(self, obj) -> str:
        return obj.get_absolute_url()

    def allowed(self, obj) -> bool:
        return self.target in choices.TRANSITIONS[obj.status]

    def get_consequences(self, obj) -> list[str]:
        if not self.allowed(obj):
            return [
                _("A subscription cannot go from %(old)s to %(new)s.")
                % {"old": obj.get_status_display(), "new": S(self.target).label}
            ]
        return [
            *self.what_happens(obj),
            _("The network is told (provisioning) and the step is kept in the timeline."),
        ]

    def what_happens(self, obj) -> list[str]:
        return []

    def done(self, subscription) -> str:
        return _("%(number)s is now %(status)s.") % {
            "number": subscription.number,
            "status": subscription.get_status_display().lower(),
        }


class ActivateView(SubscriptionActionView):
    """The installer has been: the service starts, and so does the contract term."""

    form_class = None
    danger = False
    target = S.ACTIVE

    def get_title(self, obj) -> str:
        return _("Installation of %(number)s done") % {"number": obj.number}

    def allowed(self, obj) -> bool:
        return obj.status == S.PENDING_INSTALLATION

    def what_happens(self, obj) -> list[str]:
        return [
            _("The service starts today; the %(n)s-month minimum term starts with it.")
            % {"n": obj.minimum_term_months},
            _("The devices are recorded as installed today."),
        ]

    def perform(self, request, obj, form) -> str:
        if obj.status != S.PENDING_INSTALLATION:
            raise DomainError(_("Only a subscription waiting for its installation is activated."))
        return self.done(services.subscription_activate(subscription=obj, actor=request.user))


class SuspendView(SubscriptionActionView):
    """Suspend for non-payment."""

    target = S.SUSPENDED

    def get_title(self, obj) -> str:
        return _("Suspend %(number)s") % {"number": obj.number}

    def what_happens(self, obj) -> list[str]:
        return [_("The subscriber loses the service until it is reconnected.")]

    def perform(self, request, obj, form) -> str:
        subscription = services.subscription_suspend(
            subscription=obj, actor=request.user, reason=form.cleaned_data["reason"]
        )
        return self.done(subscription)


class ReconnectView(SubscriptionActionView):
    """Give the service back after a suspension or disconnection."""

    danger = False
    target = S.ACTIVE

    def get_title(self, obj) -> str:
        return _("Reconnect %(number)s") % {"number": obj.number}

    def allowed(self, obj) -> bool:
        return obj.status in (S.SUSPENDED, S.DISCONNECTED)

    def what_happens(self, obj) -> list[str]:
        return [_("The subscriber has the service again from today.")]

    def perform(self, request, obj, form) -> str:
        subscription = services.subscription_reconnect(
            subscription=obj, actor=request.user, reason=form.cleaned_data["reason"]
        )
        return self.done(subscription)


class DisconnectView(SubscriptionActionView):
    """Disconnect (collections)."""

    target = S.DISCONNECTED

    def get_title(self, obj) -> str:
        return _("Disconnect %(number)s") % {"number": obj.number}

    def what_happens(self, obj) -> list[str]:
        return [_("The service is cut off; reconnecting it needs a new activation.")]

    def perform(self, request, obj, form) -> str:
        subscription = services.subscription_disconnect(
            subscription=obj, actor=request.user, reason=form.cleaned_data["reason"]
        )
        return self.done(subscription)


class RegretView(SubscriptionActionView):
    """The subscriber changed their mind in the cooling-off window: cancel, no fee."""

    target = S.CANCELLED

    def get_title(self, obj) -> str:
        return _("Cancel %(number)s in the cooling-off window") % {"number": obj.number}

    def allowed(self, obj) -> bool:
        return super().allowed(obj) and timezone.localdate() <= obj.regret_until

    def get_consequences(self, obj) -> list[str]:
        if timezone.localdate() > obj.regret_until:
            return [_("The cooling-off window ended on %(day)s.") % {"day": obj.regret_until}]
        return super().get_consequences(obj)

    def what_happens(self, obj) -> list[str]:
        return [
            _("The subscription is cancelled today without an early-termination fee."),
            _("The cooling-off window lasts until %(day)s.") % {"day": obj.regret_until},
        ]

    def perform(self, request, obj, form) -> str:
        subscription = services.subscription_cancel_in_regret_window(
            subscription=obj, actor=request.user, reason=form.cleaned_data["reason"]
        )
        return self.done(subscription)


class TerminateRequestView(SubscriptionActionView):
    """A request to end the subscription, sent to Back Office: the page shows the
    early-termination fee for the chosen day before the agent confirms."""

    target = S.TERMINATED

    def make_form(self, request, obj, data=None, files=None):
        initial = {"effective_on": timezone.localdate()}
        day = request.GET.get("effective_on")
        if data is None and day:
            initial["effective_on"] = day
        return TerminationForm(data, initial=initial)

    def get_title(self, obj) -> str:
        return _("Request the cancellation of %(number)s") % {"number": obj.number}

    def allowed(self, obj) -> bool:
        return obj.status not in choices.FINAL_STATUSES

    def get_consequences(self, obj) -> list[str]:
        if not self.allowed(obj):
            return [_("The subscription has already ended.")]
        lines = [_("Back Office receives the request and approves or rejects it.")]
        if timezone.localdate() <= obj.regret_until:
            lines.append(
                _("Inside the cooling-off window (until %(day)s): a regret, without a fee.")
                % {"day": obj.regret_until}
            )
        return lines

    def extra_context(self, request, obj) -> dict:
        source = request.POST if request.method == "POST" else request.GET
        try:
            day = parse_date(source.get("effective_on", "")) or timezone.localdate()
        except ValueError:
            day = timezone.localdate()
        fee, how = services.early_termination_fee(subscription=obj, on=day)
        return {"fee": {"day": day, "amount": fee, "how": how, "currency": obj.currency}}

    def get(self, request, pk: int, **kwargs):
        if request.htmx and request.htmx.target == "termination-fee":
            context = self.extra_context(request, self.get_object(request, pk))
            return render(request, "subscriptions/partials/termination_fee.html", context)
        return super().get(request, pk, **kwargs)

    def perform(self, request, obj, form) -> str:
        data = form.cleaned_data
        cancellation = services.cancellation_request_create(
            subscription=obj,
            effective_on=data["effective_on"],
            reason=data["reason"],
            actor=request.user,
            channel=channel_of(request.user),
        )
        return _("%(kind)s requested for %(day)s; Back Office will answer.") % {
            "kind": cancellation.get_kind_display(),
            "day": cancellation.effective_on,
        }
