"""WORKER_DATABASE_NICE: a worker's database sessions lower their own backend's CPU
priority through PostgreSQL's prioritize extension, and run as before without it."""

import logging

import pytest
from django.db import connection, connections

from alux_crm.core import worker_priority

PRIORITY_SQL = "SELECT get_backend_priority(pg_backend_pid())"


@pytest.fixture
def new_connection():
    """A connection of its own (the test's own stays in its transaction), opened by
    the test, closed after it; the receiver is turned off again."""
    opened = []

    def make():
        fresh = connections.create_connection("default")
        fresh.ensure_connection()
        opened.append(fresh)
        return fresh

    yield make
    worker_priority.lower_worker_connections(0)
    for fresh in opened:
        fresh.close()


def _has_extension_package() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'prioritize'")
        return cursor.fetchone() is not None


@pytest.mark.django_db(transaction=True)
def test_a_worker_connection_runs_at_the_configured_niceness(new_connection):
    if not _has_extension_package():
        pytest.skip("postgresql-NN-prioritize is not installed (scripts/ensure_pg_prioritize.sh)")
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS prioritize")
    try:
        worker_priority.lower_worker_connections(10)
        with new_connection().cursor() as cursor:
            cursor.execute(PRIORITY_SQL)
            assert cursor.fetchone()[0] == 10
        worker_priority.lower_worker_connections(0)
        with new_connection().cursor() as cursor:  # off: the backend keeps its priority
            cursor.execute(PRIORITY_SQL)
            assert cursor.fetchone()[0] == 0
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP EXTENSION IF EXISTS prioritize")


@pytest.mark.django_db
def test_without_the_extension_the_worker_warns_once_and_works(new_connection, caplog):
    worker_priority.lower_worker_connections(10)
    with caplog.at_level(logging.WARNING, logger="alux_crm.core.worker_priority"):
        first = new_connection()
        with first.cursor() as cursor:
            cursor.execute("SELECT 1")
            assert cursor.fetchone()[0] == 1
        new_connection()  # the second connection does not ask again
    warnings = [r for r in caplog.records if "no prioritize extension" in r.getMessage()]
    assert len(warnings) == 1
