"""Lists: subscriptions (filters, CSV), Back Office's queue of cancellation requests
with approve and reject, and the provisioning commands in the outbox."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alux_crm.core.generic_views import ObjectListView
from alux_crm.core.views import OutboxListView

from .. import choices, selectors, services
from ..filters import CancellationFilter, SubscriptionFilter
from ..forms import AnswerForm
from ..services import PROVISIONING_TOPIC
from ..tables import CancellationTable, SubscriptionTable
from .base import ServiceActionView, user_may_open


class SubscriptionListView(ObjectListView):
    """Subscriptions the user may see, filtered, sorted, paginated, exportable."""

    title = gettext_lazy("Subscriptions")
    table_class = SubscriptionTable
    filterset_class = SubscriptionFilter
    create_url_name = "subscriptions:subscription_create"
    export_name = "subscriptions"

    def get_queryset(self, request):
        return selectors.subscription_list(user=request.user)

    def get_actions(self, request) -> list[dict]:
        if not user_may_open(request, self.create_url_name):
            return []
        url = reverse(self.create_url_name)
        return [{"label": _("New subscription"), "url": url, "icon": "plus-lg"}]


class CancellationQueueView(ObjectListView):
    """Back Office's queue: open requests first, the fee and how it was computed."""

    title = gettext_lazy("Cancellation requests")
    table_class = CancellationTable
    filterset_class = CancellationFilter
    export_name = "cancellation-requests"

    def get_queryset(self, request):
        return selectors.cancellation_queue()


class ProvisioningListView(OutboxListView):
    """The provisioning commands sent to the network (the outbox, its topic
    ``provisioning.*``), with the retry of failed ones."""

    title = gettext_lazy("Provisioning commands")
    export_name = "provisioning-commands"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(topic__startswith=f"{PROVISIONING_TOPIC}.")


class CancellationAnswerView(ServiceActionView):
    """Approve or reject a request of the queue, with an answer."""

    approve = True

    def get_object(self, request, pk):
        return selectors.cancellation_get(pk=pk)

    def make_form(self, request, obj, data=None, files=None):
        return AnswerForm(data, required=not self.approve)

    def success_url(self, obj) -> str:
        return reverse("subscriptions:cancellation_queue")

    @property
    def danger(self) -> bool:
        return self.approve

    def get_title(self, obj) -> str:
        if self.approve:
            verb = _("Approve the %(kind)s of %(number)s")
        else:
            verb = _("Reject the %(kind)s of %(number)s")
        return verb % {"kind": obj.get_kind_display().lower(), "number": obj.subscription.number}

    def get_consequences(self, obj) -> list[str]:
        if obj.status != choices.CancellationStatus.OPEN:
            return [_("This request has already been handled.")]
        fee = _("Early-termination fee: %(fee)s %(currency)s (%(how)s).") % {
            "fee": obj.early_termination_fee,
            "currency": obj.subscription.currency,
            "how": obj.fee_explanation or "—",
        }
        if not self.approve:
            return [fee, _("The subscription continues; the subscriber is told why.")]
        if obj.kind == choices.CancellationKind.REGRET:
            ends = _("The subscription is cancelled at once (regret).")
        else:
            ends = _("The subscription ends on %(day)s.") % {"day": obj.effective_on}
        return [ends, fee, _("Reason given: %(reason)s") % {"reason": obj.reason}]

    def perform(self, request, obj, form) -> str:
        answer = form.cleaned_data["answer"]
        if self.approve:
            services.cancellation_approve(request=obj, actor=request.user, answer=answer)
            return _("The request of %(number)s is approved.") % {"number": obj.subscription.number}
        services.cancellation_reject(request=obj, actor=request.user, answer=answer)
        return _("The request of %(number)s is rejected.") % {"number": obj.subscription.number}
