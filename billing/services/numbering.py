"""Gapless invoice numbers per series and year, assigned at posting under a row lock
(the number is taken in the same transaction that posts the invoice, so a rollback
gives it back and no number is ever skipped or used twice)."""

from django.db import transaction

from ..models import InvoiceSeries


def next_invoice_number(*, series: str, year: int) -> str:
    """Take the next number of ``series`` in ``year``; call inside the posting
    transaction. Concurrent posters wait on the series row."""
    return next_invoice_numbers(series=series, year=year, count=1)[0]


def next_invoice_numbers(*, series: str, year: int, count: int) -> list[str]:
    """Take the next ``count`` consecutive numbers of ``series`` in ``year`` at once
    (a posting batch), under the same row lock and rules as one number."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Invoice numbers are taken inside the posting transaction.")
    InvoiceSeries.objects.get_or_create(code=series, year=year)
    row = InvoiceSeries.objects.select_for_update().get(code=series, year=year)
    first = row.next_number
    row.next_number = first + count
    row.save(update_fields=["next_number"])
    return [f"{series}-{year}-{number:07d}" for number in range(first, first + count)]
