"""Payments (BIL-3): the list (filters, CSV), recording a payment taken by an agent
(cash, card, bank transfer — a double submit records one payment), the payment with
its allocations and ledger entries, and its reversal by Billing & Finance."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from alux_crm.core.access import rule_for
from alux_crm.core.errors import DomainError
from alux_crm.core.generic_views import ObjectActionView, ObjectListView, ReasonForm
from customers.selectors import billing_account_list

from .. import selectors
from ..choices import PaymentStatus
from ..filters import PaymentFilter
from ..forms import PaymentRecordForm
from ..services.payments import IdempotencyConflict, fingerprint, payment_record, payment_reverse
from ..tables import PAYMENT_STATUS_COLOURS, PaymentTable


def may_open(request, url_name: str) -> bool:
    """True when the access matrix lets the user open ``url_name``."""
    rule = rule_for(url_name)
    return rule is not None and rule.allows(request.user)


def payment_url(payment) -> str:
    """The page of a payment (the model has no ``get_absolute_url`` of its own)."""
    return reverse("billing:payment_detail", args=[payment.pk])


class PaymentListView(ObjectListView):
    """Payments the user may see (a retailer: its customers' only), newest first."""

    title = gettext_lazy("Payments")
    table_class = PaymentTable
    filterset_class = PaymentFilter
    create_url_name = "billing:payment_create"
    export_name = "payments"

    def get_queryset(self, request):
        return selectors.payment_list(user=request.user)

    def get_actions(self, request) -> list[dict]:
        if not may_open(request, self.create_url_name):
            return []
        url = reverse(self.create_url_name)
        return [{"label": _("Record a payment"), "url": url, "icon": "cash-coin"}]


class PaymentCreateView(View):
    """Record a payment taken by an agent. The form carries an idempotency key made
    when it was shown: a second submit of the same form finds the first payment and
    shows it instead of recording another."""

    template_name = "billing/payment_form.html"

    def _initial(self, request) -> dict:
        account_id = request.GET.get("account", "")
        if not account_id.isdigit():
            return {}
        account = billing_account_list(user=request.user).filter(pk=account_id).first()
        return {"account_number": account.number} if account else {}

    def get(self, request):
        form = PaymentRecordForm(user=request.user, initial=self._initial(request))
        return self._render(request, form)

    def post(self, request):
        form = PaymentRecordForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                payment, created = payment_record(
                    account=form.account,
                    amount=data["amount"],
                    method=data["method"],
                    idempotency_key=data["idempotency_key"],
                    received_on=data["received_on"],
                    reference=data["reference"],
                    actor=request.user,
                    request_fingerprint=fingerprint(form.request_data()),
                )
            except IdempotencyConflict:
                form.add_error(
                    None,
                    _("This form was already used for another payment: reload it to record one."),
                )
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                if created:
                    messages.success(
                        request,
                        _("Payment of %(amount)s %(currency)s recorded.")
                        % {"amount": payment.amount, "currency": payment.currency},
                    )
                else:
                    messages.info(request, _("This payment was already recorded (sent twice)."))
                return redirect(payment_url(payment))
        return self._render(request, form, status=422)

    def _render(self, request, form, status: int = 200) -> HttpResponse:
        context = {
            "title": _("Record a payment"),
            "form": form,
            "cancel_url": reverse("billing:payment_list"),
        }
        return render(request, self.template_name, context, status=status)


class PaymentDetailView(View):
    """A payment: what it settled (allocations to invoices), its ledger entries and,
    for Billing & Finance, the reversal."""

    def get(self, request, pk: int):
        payment = selectors.payment_get(user=request.user, pk=pk)
        allocations = list(payment.allocations.all())
        context = {
            "title": _("Payment #%(pk)s") % {"pk": payment.pk},
            "payment": payment,
            "object": payment,
            "status_colour": PAYMENT_STATUS_COLOURS.get(payment.status, "secondary"),
            "allocations": allocations,
            "allocated": sum((a.amount for a in allocations if not a.is_reversed), 0),
            "entries": list(payment.ledger_entries.all()),
            "can_reverse": payment.status == PaymentStatus.RECEIVED
            and may_open(request, "billing:payment_reverse"),
        }
        return render(request, "billing/payment_detail.html", context)


class PaymentReverseView(ObjectActionView):
    """Take a payment back (bounced transfer, chargeback) with a reason: Billing &
    Finance only (the access matrix); the invoices it settled are open again."""

    form_class = ReasonForm

    def get_object(self, request, pk):
        return selectors.payment_get(user=request.user, pk=pk)

    def get_title(self, obj) -> str:
        return _("Reverse payment #%(pk)s of %(amount)s %(currency)s") % {
            "pk": obj.pk,
            "amount": obj.amount,
            "currency": obj.currency,
        }

    def get_consequences(self, obj) -> list[str]:
        return [
            _("A reversal entry puts the amount back on account %(number)s.")
            % {"number": obj.billing_account.number},
            _("The invoices this payment settled are open again."),
        ]

    def success_url(self, obj) -> str:
        return payment_url(obj)

    def perform(self, request, obj, form) -> str:
        try:
            payment_reverse(payment=obj, reason=form.cleaned_data["reason"], actor=request.user)
        except ValidationError as exc:
            raise DomainError(" ".join(exc.messages)) from exc
        return _("The payment is reversed.")


def ledger_tab(request, account) -> dict:
    """The Ledger tab of a billing account page (customers.views.billing_accounts):
    the statement (entries with running balance, newest first, paged), open invoices
    with what is left on each, and the cached balance against the ledger's sum."""
    statement = selectors.account_statement(account=account, page_number=request.GET.get("page"))
    return {
        "template": "billing/partials/account_statement.html",
        "statement": statement,
        "entries": statement.page.object_list,
        "can_record_payment": may_open(request, "billing:payment_create"),
        "can_request_transaction": may_open(request, "billing:transaction_create"),
        "can_open_payments": may_open(request, "billing:payment_detail"),
        "can_open_transactions": may_open(request, "billing:transaction_detail"),
    }
