"""Invoices: the list (filters, CSV) and the invoice with every line explained."""

from django.shortcuts import render
from django.utils.translation import gettext_lazy
from django.views import View

from alux_crm.core.generic_views import ObjectListView

from .. import selectors
from ..filters import InvoiceFilter
from ..tables import INVOICE_STATUS_COLOURS, InvoiceTable


class InvoiceListView(ObjectListView):
    """Invoices the user may see (a retailer: its customers' only)."""

    title = gettext_lazy("Invoices")
    table_class = InvoiceTable
    filterset_class = InvoiceFilter
    export_name = "invoices"

    def get_queryset(self, request):
        return selectors.invoice_list(user=request.user)


class InvoiceDetailView(View):
    """The header of an invoice and every line with how it was computed."""

    def get(self, request, pk: int):
        invoice = selectors.invoice_get(user=request.user, pk=pk)
        context = {
            "title": str(invoice),
            "invoice": invoice,
            "object": invoice,
            "lines": list(invoice.lines.all()),
            "status_colour": INVOICE_STATUS_COLOURS.get(invoice.status, "secondary"),
        }
        return render(request, "billing/invoice_detail.html", context)
