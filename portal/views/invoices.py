"""Portal pages of invoices and payments (POR-1): the list, one invoice with its
explained lines, its PDF."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import View

from billing.services.documents import invoice_pdf_content

from ..selectors import portal_customer, portal_invoice, portal_invoices, portal_payments


def _page_number(value: str | None) -> int:
    """The page asked for in ``?page=``: a whole number from 1, else the first."""
    try:
        return max(int(value or 1), 1)
    except ValueError:
        return 1


class PortalInvoiceListView(View):
    """The subscriber's invoices (what is left on each, the PDF) and payments. Pages
    of ``page_size`` newest first, with Newer/Older links: one row more than a page
    is read to know whether there is an older page, and nothing is counted."""

    page_size = 24

    def get(self, request):
        customer = portal_customer(request.user)
        page = _page_number(request.GET.get("page"))
        start = (page - 1) * self.page_size
        rows = list(portal_invoices(customer=customer)[start : start + self.page_size + 1])
        return render(
            request,
            "portal/invoices.html",
            {
                "title": _("Invoices and payments"),
                "invoices": rows[: self.page_size],
                "page": page,
                "older_page": page + 1 if len(rows) > self.page_size else None,
                "newer_page": page - 1 if page > 1 else None,
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
