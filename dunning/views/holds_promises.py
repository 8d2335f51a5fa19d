"""Promises to pay (holds): the list (status, due soon), the form an agent fills in
on the phone (opened from the customer or billing-account page with the overdue
amount filled in), the promise with its cancel and approve-for-reconnection actions."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from alux_crm.core.errors import DomainError
from alux_crm.core.generic_views import ObjectActionView, ObjectListView

from ..choices import PromiseStatus
from ..filters_holds import PromiseFilter
from ..forms_holds import PromiseForm
from ..selectors_holds import promise_get, promise_list
from ..services.promises import (
    paid_since,
    promise_approve_for_reconnection,
    promise_cancel,
    promise_create,
    promise_max_days,
)
from ..tables_holds import PROMISE_COLOURS, PromiseTable
from .holds_common import account_from_number, account_from_query, may_open

DEFAULT_PROMISE_DAYS = 7


class PromiseListView(ObjectListView):
    """Promises to pay of the accounts the user may see, newest first."""

    title = gettext_lazy("Promises to pay")
    table_class = PromiseTable
    filterset_class = PromiseFilter
    export_name = "promises-to-pay"

    def get_queryset(self, request):
        return promise_list(user=request.user)

    def get_actions(self, request) -> list[dict]:
        base = reverse("dunning:promise_list")
        actions = [
            {"label": _("Open"), "url": f"{base}?status=open", "icon": "hourglass"},
            {"label": _("Due soon"), "url": f"{base}?due_soon=true", "icon": "alarm"},
        ]
        if may_open(request, "dunning:promise_create"):
            url = reverse("dunning:promise_create")
            actions.append({"label": _("Record a promise"), "url": url, "icon": "plus-lg"})
        return actions


class PromiseCreateView(View):
    """Record a promise to pay. ``?account=<id>`` fills in the account, the overdue
    amount and a day a week ahead (within the allowed days)."""

    template_name = "dunning/holds/promise_form.html"

    def get(self, request):
        context = account_from_query(request)
        initial = {}
        if context is not None:
            today = timezone.localdate()
            days = min(DEFAULT_PROMISE_DAYS, promise_max_days())
            initial = {
                "account_number": context.account.number,
                "amount": context.suggested_amount if context.suggested_amount > 0 else None,
                "pay_by": today + timedelta(days=days),
            }
        return self._render(request, PromiseForm(user=request.user, initial=initial), context)

    def post(self, request):
        form = PromiseForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                promise = promise_create(
                    account=form.account,
                    amount=data["amount"],
                    pay_by=data["pay_by"],
                    note=data["note"],
                    actor=request.user,
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _("Promise of %(amount)s by %(day)s recorded: dunning waits until then.")
                    % {"amount": promise.amount, "day": promise.pay_by},
                )
                return redirect(promise.get_absolute_url())
        context = account_from_number(request, form.cleaned_data.get("account_number", ""))
        return self._render(request, form, context, status=422)

    def _render(self, request, form, context, status: int = 200) -> HttpResponse:
        cancel = context.account.get_absolute_url() if context else reverse("dunning:promise_list")
        data = {
            "title": _("Record a promise to pay"),
            "form": form,
            "account_context": context,
            "max_days": promise_max_days(),
            "cancel_url": cancel,
        }
        return render(request, self.template_name, data, status=status)


class PromiseDetailView(View):
    """A promise: what was promised, what was paid since, who recorded and approved
    it, and the actions its state allows."""

    def get(self, request, pk: int):
        promise = promise_get(user=request.user, pk=pk)
        is_open = promise.status == PromiseStatus.OPEN
        context = {
            "title": _("Promise to pay #%(pk)s") % {"pk": promise.pk},
            "promise": promise,
            "object": promise,
            "status_colour": PROMISE_COLOURS.get(promise.status, "secondary"),
            "paid_since": paid_since(promise=promise),
            "can_cancel": is_open and may_open(request, "dunning:promise_cancel"),
            "can_approve": is_open
            and not promise.approved_for_reconnection
            and promise.created_by_id != request.user.pk
            and may_open(request, "dunning:promise_approve"),
        }
        return render(request, "dunning/holds/promise_detail.html", context)


class PromiseCancelView(ObjectActionView):
    """Withdraw an open promise (dunning resumes)."""

    form_class = None

    def get_object(self, request, pk):
        return promise_get(user=request.user, pk=pk)

    def get_title(self, obj) -> str:
        return _("Cancel the promise of %(amount)s by %(day)s") % {
            "amount": obj.amount,
            "day": obj.pay_by,
        }

    def get_consequences(self, obj) -> list[str]:
        return [_("Dunning of account %(number)s resumes.") % {"number": obj.billing_account}]

    def perform(self, request, obj, form) -> str:
        promise_cancel(promise=obj, actor=request.user)
        return _("The promise is cancelled.")


class PromiseApproveView(ObjectActionView):
    """Billing & Finance approve an open promise for reconnection (not their own)."""

    form_class = None
    danger = False

    def get_object(self, request, pk):
        return promise_get(user=request.user, pk=pk)

    def get_title(self, obj) -> str:
        return _("Approve the promise of %(amount)s for reconnection") % {"amount": obj.amount}

    def get_consequences(self, obj) -> list[str]:
        return [
            _("The reconnection run may give the service back before the money arrives."),
        ]

    def perform(self, request, obj, form) -> str:
        promise_approve_for_reconnection(promise=obj, actor=request.user)
        return _("The promise is approved for reconnection.")
