"""Human-readable numbers of business records (C-000001, BA-000001, SUB-000001)
taken from PostgreSQL sequences: unique and never reused, safe under concurrency."""

from django.db import connection


def next_number(sequence: str, prefix: str) -> str:
    """The next value of ``sequence`` as ``<prefix><6+ digits>``."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s)", [sequence])
        (value,) = cursor.fetchone()
    return f"{prefix}{value:06d}"
