"""Deposits (holds): the list, the fraud-review form of Back Office (opened from the
billing-account page), the deposit with its ledger entries, recording its payment and
refunding it when its services are terminated."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from alux_crm.core.errors import DomainError
from alux_crm.core.generic_views import ObjectActionView, ObjectListView

from ..choices import DepositReason, DepositStatus
from ..filters_holds import DepositFilter
from ..forms_holds import DepositPaymentForm, DepositRequestForm
from ..selectors_holds import deposit_entries, deposit_get, deposit_list
from ..services.deposits import (
    deposit_record_payment,
    deposit_refund,
    deposit_refundable,
    deposit_request,
    deposit_wait_days,
)
from ..tables_holds import DEPOSIT_COLOURS, DepositTable
from .holds_common import account_from_query, may_open


def _form_errors(form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


class DepositListView(ObjectListView):
    """Deposits of the accounts the user may see, newest first."""

    title = gettext_lazy("Deposits")
    table_class = DepositTable
    filterset_class = DepositFilter
    export_name = "deposits"

    def get_queryset(self, request):
        return deposit_list(user=request.user)

    def get_actions(self, request) -> list[dict]:
        base = reverse("dunning:deposit_list")
        return [
            {
                "label": _("Waiting for payment"),
                "url": f"{base}?status=requested",
                "icon": "hourglass",
            },
            {"label": _("Held"), "url": f"{base}?status=paid", "icon": "safe"},
        ]


class DepositCreateView(View):
    """Back Office asks a deposit after a fraud review (``?account=<id>``)."""

    template_name = "dunning/holds/deposit_form.html"

    def get(self, request):
        context = account_from_query(request)
        initial = {"account_number": context.account.number} if context else {}
        form = DepositRequestForm(user=request.user, initial=initial)
        return self._render(request, form, context)

    def post(self, request):
        form = DepositRequestForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                deposit = deposit_request(
                    account=form.account,
                    amount=data["amount"],
                    reason=DepositReason.FRAUD_REVIEW,
                    why=data["why"],
                    subscription=form.subscription,
                    actor=request.user,
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _("Deposit of %(amount)s %(currency)s asked, to pay by %(day)s.")
                    % {
                        "amount": deposit.amount,
                        "currency": deposit.currency,
                        "day": deposit.pay_by,
                    },
                )
                return redirect(reverse("dunning:deposit_detail", args=[deposit.pk]))
        return self._render(request, form, None, status=422)

    def _render(self, request, form, context, status: int = 200) -> HttpResponse:
        data = {
            "title": _("Ask a deposit (fraud review)"),
            "form": form,
            "account_context": context,
            "wait_days": deposit_wait_days(),
            "cancel_url": context.account.get_absolute_url()
            if context
            else reverse("dunning:deposit_list"),
        }
        return render(request, self.template_name, data, status=status)


class DepositDetailView(View):
    """A deposit: why, for what, its ledger entries and the actions its state allows."""

    def get(self, request, pk: int):
        deposit = deposit_get(user=request.user, pk=pk)
        entries = deposit_entries(deposit=deposit)
        context = {
            "title": _("Deposit #%(pk)s") % {"pk": deposit.pk},
            "deposit": deposit,
            "object": deposit,
            "entries": list(entries),
            "status_colour": DEPOSIT_COLOURS.get(deposit.status, "secondary"),
            "can_pay": deposit.status == DepositStatus.REQUESTED
            and may_open(request, "dunning:deposit_pay"),
            "refundable": deposit_refundable(deposit),
            "can_refund": deposit.status == DepositStatus.PAID
            and may_open(request, "dunning:deposit_refund"),
        }
        return render(request, "dunning/holds/deposit_detail.html", context)


def _deposit_url(deposit) -> str:
    return reverse("dunning:deposit_detail", args=[deposit.pk])


class DepositPayView(ObjectActionView):
    """Record the deposit's payment (received on, method, reference)."""

    form_class = DepositPaymentForm
    danger = False

    def get_object(self, request, pk):
        return deposit_get(user=request.user, pk=pk)

    def get_title(self, obj) -> str:
        return _("Record the payment of deposit #%(pk)s: %(amount)s %(currency)s") % {
            "pk": obj.pk,
            "amount": obj.amount,
            "currency": obj.currency,
        }

    def get_consequences(self, obj) -> list[str]:
        return [
            _("The money is held as a deposit: it pays no invoice and the balance does not move."),
            _("The subscriptions it held may be installed."),
        ]

    def success_url(self, obj) -> str:
        return _deposit_url(obj)

    def perform(self, request, obj, form) -> str:
        data = form.cleaned_data
        try:
            deposit_record_payment(
                deposit=obj,
                received_on=data["received_on"],
                method=data["method"],
                reference=data["reference"],
                actor=request.user,
            )
        except ValidationError as exc:
            raise DomainError(" ".join(exc.messages)) from exc
        return _("The deposit is paid.")


class DepositRefundView(ObjectActionView):
    """Refund a paid deposit once its services are terminated (it first settles what
    the account owes)."""

    form_class = None

    def get_object(self, request, pk):
        return deposit_get(user=request.user, pk=pk)

    def get_title(self, obj) -> str:
        return _("Refund deposit #%(pk)s of %(amount)s %(currency)s") % {
            "pk": obj.pk,
            "amount": obj.amount,
            "currency": obj.currency,
        }

    def get_consequences(self, obj) -> list[str]:
        return [
            _("The deposit first settles what account %(number)s owes (%(balance)s).")
            % {"number": obj.billing_account.number, "balance": obj.billing_account.balance},
            _("The rest is refunded to the customer."),
        ]

    def success_url(self, obj) -> str:
        return _deposit_url(obj)

    def perform(self, request, obj, form) -> str:
        rest = deposit_refund(deposit=obj, actor=request.user)
        return _("The deposit is refunded: %(rest)s %(currency)s paid back.") % {
            "rest": rest,
            "currency": obj.currency,
        }
