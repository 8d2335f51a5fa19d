"""Gapless invoice numbers per series and year, assigned at posting under a row lock
(the number is taken in the same transaction that posts the invoice, so a rollback
gives it back and no number is ever skipped or used twice)."""

from django.db import transaction

from ..models import InvoiceSeries


def next_invoice_number(*, series: str, year: int) -> str:
    """Take the next number of ``series`` in ``year``; call inside the posting
    transaction. Concurrent posters wait on the series row."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Invoice numbers are taken inside the posting transaction.")
    InvoiceSeries.objects.get_or_create(code=series, year=year)
    row = InvoiceSeries.objects.select_for_update().get(code=series, year=year)
    number = row.next_number
    row.next_number = number + 1
    row.save(update_fields=["next_number"])
    return f"{series}-{year}-{number:07d}"
