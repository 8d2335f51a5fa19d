"""Invoice PDFs (BIL-2): rendered by WeasyPrint in the background after posting and
e-mailed through the outbox to accounts that take their invoices by e-mail."""

from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from alux_crm.core.errors import DomainError
from alux_crm.core.outbox import outbox_enqueue
from alux_crm.core.pdf import render_template_pdf
from alux_crm.core.selectors import operator_settings

from ..choices import InvoiceStatus
from ..models import Invoice

EMAIL_DELIVERY = ("email", "both")


def invoice_pdf_render(*, invoice_id: int) -> Invoice | None:
    """Render and store the PDF of a posted invoice (once), then e-mail it when the
    account takes invoices by e-mail. Safe to run twice."""
    invoice = (
        Invoice.objects.select_related(
            "billing_account__customer", "billing_account__billing_address"
        )
        .filter(pk=invoice_id, status=InvoiceStatus.POSTED)
        .first()
    )
    if invoice is None or invoice.pdf:
        return invoice
    account = invoice.billing_account
    pdf = _render(invoice)
    with transaction.atomic():
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if locked.pdf:
            return locked
        locked.pdf.save(f"{locked.number}.pdf", ContentFile(pdf), save=False)
        locked.save(update_fields=["pdf", "updated_at"])
        if account.invoice_delivery in EMAIL_DELIVERY and account.invoice_email:
            outbox_enqueue(
                topic="email.invoice",
                payload={
                    "to": [account.invoice_email],
                    "subject": _("Your AluxSat invoice %(number)s") % {"number": locked.number},
                    "body": _(
                        "Dear customer,\n\nyour invoice %(number)s of %(total)s %(currency)s is "
                        "attached; it is due on %(due)s.\n\nAluxSat"
                    )
                    % {
                        "number": locked.number,
                        "total": locked.total,
                        "currency": locked.currency,
                        "due": locked.due_on,
                    },
                    "attachments": [
                        {
                            "storage_name": locked.pdf.name,
                            "filename": f"{locked.number}.pdf",
                            "mimetype": "application/pdf",
                        }
                    ],
                },
                idempotency_key=f"invoice-{locked.pk}-email",
            )
            locked.emailed_at = timezone.now()
            locked.save(update_fields=["emailed_at", "updated_at"])
    return locked


def _render(invoice: Invoice) -> bytes:
    account = invoice.billing_account
    with translation.override(account.customer.language or None):
        return render_template_pdf(
            "billing/documents/invoice.html",
            {
                "invoice": invoice,
                "account": account,
                "customer": account.customer,
                "operator": operator_settings(),
                "lines": list(invoice.lines.order_by("pk")),
                "period_last_day": invoice.period_end - timedelta(days=1),
            },
        )


def invoice_pdf_content(*, invoice: Invoice) -> bytes:
    """The PDF of a posted invoice for a download: the stored one, or — when the
    documents workers have not got to it yet — rendered now and stored (and e-mailed,
    as the background task would have). Raises ``DomainError`` for a draft."""
    if invoice.status != InvoiceStatus.POSTED:
        raise DomainError(_("A draft invoice has no PDF yet."), code="draft")
    if not invoice.pdf:
        invoice = invoice_pdf_render(invoice_id=invoice.pk)
    try:
        with invoice.pdf.open("rb") as stored:
            return stored.read()
    except FileNotFoundError:  # the file store lost it: the document is the same
        return _render(
            Invoice.objects.select_related("billing_account__customer").get(pk=invoice.pk)
        )
