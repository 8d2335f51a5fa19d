"""Manual transactions (BIL-4): the list with the approval queue, the request form
of Billing & Finance (from an invoice, a credit note may name some of its lines),
and the transaction page where a second person approves or rejects it."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from alux_crm.core.errors import DomainError
from alux_crm.core.generic_views import ObjectActionView, ObjectListView, ReasonForm
from customers.selectors import billing_account_list

from .. import selectors
from ..choices import TransactionStatus
from ..filters import TransactionFilter
from ..forms import TransactionRequestForm
from ..services.transactions import transaction_approve, transaction_reject, transaction_request
from ..tables import TRANSACTION_STATUS_COLOURS, TransactionTable
from .payments import may_open


def transaction_url(row) -> str:
    """The page of a manual transaction."""
    return reverse("billing:transaction_detail", args=[row.pk])


class TransactionListView(ObjectListView):
    """Manual transactions; ``?status=pending`` is the queue waiting for approval."""

    title = gettext_lazy("Manual transactions")
    table_class = TransactionTable
    filterset_class = TransactionFilter
    create_url_name = "billing:transaction_create"
    export_name = "manual-transactions"

    def get_queryset(self, request):
        return selectors.transaction_list(user=request.user)

    def get_actions(self, request) -> list[dict]:
        actions = [
            {
                "label": _("Waiting for approval"),
                "url": f"{reverse('billing:transaction_list')}?status="
                f"{TransactionStatus.PENDING_APPROVAL}",
                "icon": "hourglass-split",
            }
        ]
        if may_open(request, self.create_url_name):
            actions.append(
                {
                    "label": _("New transaction"),
                    "url": reverse(self.create_url_name),
                    "icon": "plus-lg",
                }
            )
        return actions


class TransactionCreateView(View):
    """Ask for a credit or debit note, adjustment, refund or write-off. Opened from an
    invoice (``?invoice=<id>``) the account and invoice are fixed and a credit note
    may name some of its lines; from an account page (``?account=<id>``) the account
    is filled in. Small amounts post at once, larger ones wait for approval."""

    template_name = "billing/transaction_form.html"

    def _sources(self, request):
        invoice = selectors.invoice_for_transaction(
            user=request.user, pk=request.GET.get("invoice")
        )
        account = None
        account_id = request.GET.get("account", "")
        if invoice is None and account_id.isdigit():
            account = billing_account_list(user=request.user).filter(pk=account_id).first()
        return invoice, account

    def get(self, request):
        invoice, account = self._sources(request)
        form = TransactionRequestForm(user=request.user, invoice=invoice, account=account)
        return self._render(request, form, invoice)

    def post(self, request):
        invoice, account = self._sources(request)
        form = TransactionRequestForm(
            request.POST, user=request.user, invoice=invoice, account=account
        )
        if form.is_valid():
            try:
                row = transaction_request(actor=request.user, **form.service_kwargs())
            except ValidationError as exc:
                for field, errors in exc.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                if row.status == TransactionStatus.POSTED:
                    text = _("%(row)s of %(amount)s posted.")
                else:
                    text = _("%(row)s of %(amount)s waits for approval by another person.")
                messages.success(request, text % {"row": row, "amount": row.amount})
                return redirect(transaction_url(row))
        return self._render(request, form, invoice, status=422)

    def _render(self, request, form, invoice, status: int = 200) -> HttpResponse:
        cancel = invoice.get_absolute_url() if invoice else reverse("billing:transaction_list")
        context = {
            "title": _("Credit note for invoice %(number)s") % {"number": invoice.number}
            if invoice
            else _("New manual transaction"),
            "form": form,
            "invoice": invoice,
            "cancel_url": cancel,
        }
        return render(request, self.template_name, context, status=status)


class TransactionDetailView(View):
    """A manual transaction: amount, reason, invoice and lines it credits, who asked
    and who decided, its ledger entry; approve or reject while it waits."""

    def get(self, request, pk: int):
        row = selectors.transaction_get(user=request.user, pk=pk)
        pending = row.status == TransactionStatus.PENDING_APPROVAL
        may_decide = pending and may_open(request, "billing:transaction_approve")
        context = {
            "title": str(row),
            "row": row,
            "object": row,
            "status_colour": TRANSACTION_STATUS_COLOURS.get(row.status, "secondary"),
            "lines": list(row.invoice_lines.all()),
            "entries": list(row.ledger_entries.all()),
            "may_decide": may_decide,
            "own_request": row.requested_by_id == request.user.pk,
        }
        return render(request, "billing/transaction_detail.html", context)


class _DecisionView(ObjectActionView):
    """Shared by approve and reject: the transaction, and its page after."""

    def get_object(self, request, pk):
        return selectors.transaction_get(user=request.user, pk=pk)

    def success_url(self, obj) -> str:
        return transaction_url(obj)


class TransactionApproveView(_DecisionView):
    """A second person of Billing & Finance approves: the transaction posts (the
    service refuses the requester's own approval)."""

    form_class = None
    danger = False

    def get_title(self, obj) -> str:
        return _("Approve %(row)s of %(amount)s") % {"row": obj, "amount": obj.amount}

    def get_consequences(self, obj) -> list[str]:
        return [
            _("It is booked on account %(number)s now.") % {"number": obj.billing_account.number},
            _("Credit and debit notes get their number."),
        ]

    def perform(self, request, obj, form) -> str:
        row = transaction_approve(row=obj, actor=request.user)
        return _("%(row)s approved and posted.") % {"row": row}


class TransactionRejectView(_DecisionView):
    """Refuse a transaction waiting for approval, with a reason."""

    form_class = ReasonForm

    def get_title(self, obj) -> str:
        return _("Reject %(row)s of %(amount)s") % {"row": obj, "amount": obj.amount}

    def get_consequences(self, obj) -> list[str]:
        return [_("Nothing is booked; the requester sees the reason.")]

    def perform(self, request, obj, form) -> str:
        transaction_reject(row=obj, actor=request.user, reason=form.cleaned_data["reason"])
        return _("The transaction is rejected.")
