"""Invoices: the list (filters, CSV), the invoice with every line explained and
what settled it, and the bill-dispute actions (BIL-4)."""

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from alux_crm.core.errors import DomainError
from alux_crm.core.generic_views import ObjectActionView, ObjectListView, ReasonForm

from .. import selectors
from ..choices import InvoiceStatus
from ..filters import InvoiceFilter
from ..services.documents import invoice_pdf_content
from ..services.transactions import invoice_dispute, invoice_dispute_resolve
from ..tables import INVOICE_STATUS_COLOURS, InvoiceTable
from .payments import may_open


class InvoiceListView(ObjectListView):
    """Invoices the user may see (a retailer: its customers' only)."""

    title = gettext_lazy("Invoices")
    table_class = InvoiceTable
    filterset_class = InvoiceFilter
    export_name = "invoices"

    def get_queryset(self, request):
        return selectors.invoice_list(user=request.user)


def invoice_actions(request, invoice) -> list[dict]:
    """The buttons the user may press on a posted invoice: record a payment, a credit
    note (Billing & Finance), dispute it or resolve its dispute."""
    if invoice.status != InvoiceStatus.POSTED:
        return []
    actions = []

    def add(name, url_name, label, icon, style, query=""):
        if may_open(request, url_name):
            url = reverse(url_name, args=[invoice.pk]) if not query else reverse(url_name) + query
            actions.append({"name": name, "label": label, "icon": icon, "style": style, "url": url})

    add(
        "pay",
        "billing:payment_create",
        _("Record a payment"),
        "cash-coin",
        "primary",
        f"?account={invoice.billing_account_id}",
    )
    add(
        "credit",
        "billing:transaction_create",
        _("Credit note"),
        "receipt-cutoff",
        "outline-primary",
        f"?invoice={invoice.pk}",
    )
    if invoice.disputed:
        add("resolve", "billing:invoice_dispute_resolve", _("Resolve dispute"), "check2", "success")
    else:
        add("dispute", "billing:invoice_dispute", _("Dispute"), "flag", "outline-danger")
    return actions


class InvoiceDetailView(View):
    """The header of an invoice, every line with how it was computed, what is open
    on it and what settled it (payments, credit notes), and its actions."""

    def get(self, request, pk: int):
        invoice = selectors.invoice_get(user=request.user, pk=pk)
        money = selectors.invoice_money(invoice=invoice)
        context = {
            "title": str(invoice),
            "invoice": invoice,
            "object": invoice,
            "lines": list(invoice.lines.all()),
            "status_colour": INVOICE_STATUS_COLOURS.get(invoice.status, "secondary"),
            "money": money,
            "actions": invoice_actions(request, invoice),
            "can_open_payments": may_open(request, "billing:payment_detail"),
            "can_open_transactions": may_open(request, "billing:transaction_detail"),
        }
        return render(request, "billing/invoice_detail.html", context)


class _InvoiceActionView(ObjectActionView):
    """A dispute action on an invoice the user may see (another's is a 404)."""

    danger = False

    def get_object(self, request, pk):
        invoice = selectors.invoice_get(user=request.user, pk=pk)
        if invoice.status != InvoiceStatus.POSTED:
            from django.http import Http404

            raise Http404("Only posted invoices are disputed.")
        return invoice


class InvoiceDisputeForm(ReasonForm):
    """What the customer disputes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = _("What does the customer dispute?")


class InvoiceDisputeView(_InvoiceActionView):
    """Flag a posted invoice as disputed, with what the customer disputes; collections
    pause on it until the dispute is resolved."""

    form_class = InvoiceDisputeForm

    def get_title(self, obj) -> str:
        return _("Dispute invoice %(number)s") % {"number": obj.number}

    def get_consequences(self, obj) -> list[str]:
        return [
            _("The invoice is marked as disputed on every page."),
            _("Collections pause on it until Billing & Finance resolves the dispute."),
        ]

    def perform(self, request, obj, form) -> str:
        try:
            invoice_dispute(invoice=obj, reason=form.cleaned_data["reason"], actor=request.user)
        except ValidationError as exc:
            raise DomainError(" ".join(exc.messages)) from exc
        return _("Invoice %(number)s is disputed.") % {"number": obj.number}


class InvoiceDisputeResolveView(_InvoiceActionView):
    """Close the dispute of an invoice (with a credit note made before, or without):
    collections resume."""

    form_class = None

    def get_title(self, obj) -> str:
        return _("Resolve the dispute of invoice %(number)s") % {"number": obj.number}

    def get_consequences(self, obj) -> list[str]:
        return [
            _("The dispute flag is removed; collections resume on what is still open."),
            _("To credit the customer, post a credit note first."),
        ]

    def perform(self, request, obj, form) -> str:
        if not obj.disputed:
            raise DomainError(_("This invoice is not disputed."))
        invoice_dispute_resolve(invoice=obj, actor=request.user)
        return _("The dispute of invoice %(number)s is resolved.") % {"number": obj.number}


def invoice_pdf(request, pk: int):
    """The PDF of an invoice the user may see (rendered now if the documents workers
    have not got to it yet); a draft has none (404)."""
    invoice = selectors.invoice_get(user=request.user, pk=pk)
    if invoice.status != InvoiceStatus.POSTED:
        raise Http404(_("A draft invoice has no PDF yet."))
    content = invoice_pdf_content(invoice=invoice)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{invoice.number}.pdf"'
    return response
