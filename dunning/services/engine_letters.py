"""Dunning letters: the record is made by the run with the letter's text; its PDF is
rendered afterwards by WeasyPrint on the documents queue and stored on the record.
Back Office downloads the letters not printed yet as one PDF or a zip of PDFs,
which marks them printed."""

import io
import zipfile

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation

from alux_crm.core.pdf import render_template_pdf
from alux_crm.core.selectors import operator_settings

from ..choices import ActionOutcome, DunningAction
from ..models import DunningActionRecord

LETTER_TEMPLATE = "dunning/engine/letter.html"


def letters_queryset():
    """Letter records with what their page needs."""
    return DunningActionRecord.objects.filter(
        action=DunningAction.LETTER, outcome=ActionOutcome.DONE
    ).select_related(
        "billing_account__customer", "billing_account__billing_address", "step", "process"
    )


def _letter(record: DunningActionRecord) -> dict:
    subject, _sep, body = record.detail.partition("\n\n")
    account = record.billing_account
    return {
        "subject": subject,
        "body": body,
        "account": account,
        "customer": account.customer,
        "address": account.billing_address,
        "done_on": record.done_on,
    }


def _render(records: list[DunningActionRecord]) -> bytes:
    language = records[0].billing_account.customer.language if len(records) == 1 else None
    with translation.override(language or None):
        return render_template_pdf(
            LETTER_TEMPLATE,
            {"letters": [_letter(r) for r in records], "operator": operator_settings()},
        )


def letter_pdf_render(*, record_id: int) -> DunningActionRecord | None:
    """Render and store the PDF of one letter (once; safe to run twice)."""
    record = letters_queryset().filter(pk=record_id).first()
    if record is None or record.document:
        return record
    pdf = _render([record])
    with transaction.atomic():
        locked = DunningActionRecord.objects.select_for_update().get(pk=record.pk)
        if not locked.document:
            locked.document.save(f"letter-{locked.pk}.pdf", ContentFile(pdf), save=False)
            locked.save(update_fields=["document"])
        return locked


def letter_pdf_content(*, record: DunningActionRecord) -> bytes:
    """The stored PDF of a letter (rendered and stored now if not yet)."""
    if not record.document:
        record = letter_pdf_render(record_id=record.pk)
    try:
        with record.document.open("rb") as stored:
            return stored.read()
    except (FileNotFoundError, ValueError):
        return _render([letters_queryset().get(pk=record.pk)])


@transaction.atomic
def letters_print(*, record_ids: list[int], as_zip: bool = False, actor=None) -> bytes:
    """The letters to print (those of ``record_ids`` not printed yet) as one PDF, or
    as a zip of one PDF per letter; they are marked printed."""
    records = list(
        letters_queryset()
        .select_for_update(of=("self",))
        .filter(pk__in=record_ids, printed_at__isnull=True)
        .order_by("billing_account__number", "pk")
    )
    if not records:
        return b""
    if as_zip:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for record in records:
                name = f"{record.done_on:%Y%m%d}-{record.billing_account.number}-{record.pk}.pdf"
                archive.writestr(name, letter_pdf_content(record=record))
        content = buffer.getvalue()
    else:
        content = _render(records)
    DunningActionRecord.objects.filter(pk__in=[r.pk for r in records]).update(
        printed_at=timezone.now()
    )
    return content
