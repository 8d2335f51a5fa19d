"""Portal pages of invoices and payments (POR-1): the list, one invoice with its
explained lines, its PDF."""

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import View

from billing.services.documents import invoice_pdf_content

from ..selectors import portal_customer, portal_invoice, portal_invoices, portal_payments


class PortalInvoiceListView(View):
    """The subscriber's invoices (what is left on each, the PDF) and payments."""

    page_size = 24

    def get(self, request):
        customer = portal_customer(request.user)
        invoices = Paginator(portal_invoices(customer=customer), self.page_size)
        return render(
            request,
            "portal/invoices.html",
            {
                "title": _("Invoices and payments"),
                "invoices": invoices.get_page(request.GET.get("page")),
                "payments": list(portal_payments(customer=customer)[: self.page_size]),
            },
        )


class PortalInvoiceDetailView(View):
    """One invoice with every line and how it was computed."""

    def get(self, request, pk: int):
        customer = portal_customer(request.user)
        invoice = portal_invoice(customer=customer, pk=pk)
        return render(
            request,
            "portal/invoice_detail.html",
            {"title": str(invoice), "invoice": invoice, "lines": list(invoice.lines.all())},
        )


def portal_invoice_pdf(request, pk: int):
    """The PDF of one of the subscriber's invoices (another's is a 404)."""
    invoice = portal_invoice(customer=portal_customer(request.user), pk=pk)
    response = HttpResponse(invoice_pdf_content(invoice=invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{invoice.number}.pdf"'
    return response
