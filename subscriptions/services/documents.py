"""Contract documents (SUB-7): the contract and its addenda rendered as PDF by
WeasyPrint from an HTML template, personalised (customer, products, prices, term,
clauses) with the clauses that differ from the standard template listed
explicitly; e-mailed through the outbox; the signed scan uploaded back."""

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from alux_crm.core.outbox import outbox_enqueue
from alux_crm.core.pdf import render_pdf
from alux_crm.core.selectors import operator_settings
from customers.validation import check_attachment
from products.models import translated

from ..charges import current_items_quote
from ..choices import DocumentKind
from ..models import ContractClause, ContractDocument, Subscription

PDF_MIME = "application/pdf"


def _clauses(modified: dict[str, str]) -> tuple[list[dict], list[dict]]:
    """Every clause of the template, the subscriber's version where it differs, and
    the list of the differing ones."""
    clauses, changed = [], []
    for clause in ContractClause.objects.filter(is_active=True):
        standard = translated(clause, "text")
        text = modified.get(clause.code, standard).strip() or standard
        row = {
            "code": clause.code,
            "title": translated(clause, "title"),
            "standard": standard,
            "text": text,
            "modified": text != standard,
        }
        clauses.append(row)
        if row["modified"]:
            changed.append(row)
    unknown = set(modified) - {c["code"] for c in clauses}
    if unknown:
        raise ValidationError(
            {
                "modified_clauses": _("Unknown clauses: %(codes)s")
                % {"codes": ", ".join(sorted(unknown))}
            }
        )
    return clauses, changed


def contract_html(
    *,
    subscription: Subscription,
    kind: str,
    number: str,
    modified: dict[str, str],
    change_order=None,
) -> tuple[str, list[dict]]:
    """The HTML of a contract or addendum and the clauses that differ from the standard."""
    clauses, changed = _clauses(modified)
    today = timezone.localdate()
    context = {
        "operator": operator_settings(),
        "subscription": subscription,
        "customer": subscription.customer,
        "account": subscription.billing_account,
        "address": subscription.customer.addresses.valid_on(today).first(),
        "quote": current_items_quote(
            subscription=subscription,
            on=max(today, subscription.signed_on),
            term_months=subscription.minimum_term_months,
        ),
        "kind": kind,
        "is_addendum": kind == DocumentKind.ADDENDUM,
        "number": number,
        "change_order": change_order,
        "clauses": clauses,
        "changed": changed,
        "today": today,
    }
    return render_to_string("subscriptions/documents/contract.html", context), changed


@transaction.atomic
def contract_generate(
    *,
    subscription: Subscription,
    actor=None,
    modified_clauses: dict[str, str] | None = None,
    change_order=None,
    language: str | None = None,
) -> ContractDocument:
    """Render the contract (or, with a change order, an addendum) as PDF in the
    customer's language and keep it with the subscription."""
    language = language or getattr(actor, "language", "") or "en"
    kind = DocumentKind.ADDENDUM if change_order else DocumentKind.CONTRACT
    count = subscription.documents.filter(kind=kind).count() + 1
    number = f"{subscription.number}-{'A' if change_order else 'C'}{count}"
    with translation.override(language):
        html, changed = contract_html(
            subscription=subscription,
            kind=kind,
            number=number,
            modified=modified_clauses or {},
            change_order=change_order,
        )
        pdf = render_pdf(html)
    document = ContractDocument(
        subscription=subscription,
        kind=kind,
        number=number,
        change_order=change_order,
        language=language,
        modified_clauses=[
            {k: c[k] for k in ("code", "title", "standard", "text")} for c in changed
        ],
        generated_by=actor,
    )
    document.pdf.save(f"{number}.pdf", ContentFile(pdf), save=False)
    document.save()
    return document


@transaction.atomic
def contract_email(*, document: ContractDocument, actor=None) -> ContractDocument:
    """E-mail the document to the customer (through the outbox, after commit)."""
    customer = document.subscription.customer
    to = document.subscription.billing_account.invoice_email or customer.email
    if not to:
        raise ValidationError(_("The customer has no e-mail address."))
    outbox_enqueue(
        topic="email.contract",
        payload={
            "to": [to],
            "subject": _("Your AluxSat %(kind)s %(number)s")
            % {"kind": document.get_kind_display().lower(), "number": document.number},
            "body": _(
                "Dear %(name)s,\n\nplease find attached your %(kind)s %(number)s. Sign it "
                "and send it back to us, or hand it to our installer.\n\nAluxSat"
            )
            % {
                "name": customer.display_name,
                "kind": document.get_kind_display().lower(),
                "number": document.number,
            },
            "attachments": [
                {
                    "storage_name": document.pdf.name,
                    "filename": f"{document.number}.pdf",
                    "mimetype": PDF_MIME,
                }
            ],
        },
        idempotency_key=f"contract-{document.pk}-email-{timezone.now().timestamp()}",
    )
    document.emailed_at = timezone.now()
    document.save(update_fields=["emailed_at", "updated_at"])
    return document


@transaction.atomic
def contract_upload_signed(*, document: ContractDocument, upload, actor=None) -> ContractDocument:
    """Store the signed scan of a document (a PDF or an image, checked by content)."""
    checked = check_attachment(upload)
    if checked.content_type not in (PDF_MIME, "image/jpeg", "image/png", "image/tiff"):
        raise ValidationError(_("Upload the signed contract as a PDF or an image."))
    document.signed_scan.save(upload.name, upload, save=False)
    document.signed_uploaded_at = timezone.now()
    document.signed_uploaded_by = actor
    document.save(
        update_fields=["signed_scan", "signed_uploaded_at", "signed_uploaded_by", "updated_at"]
    )
    return document
