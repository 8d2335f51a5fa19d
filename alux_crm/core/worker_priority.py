"""The Celery workers' PostgreSQL sessions at a lower CPU priority.

A billing run's work is half in the worker and half in its PostgreSQL backend. When
web, workers and PostgreSQL share a machine, running the workers under ``nice`` is
not enough: their backends still compete with the web's at full priority. With
``WORKER_DATABASE_NICE`` set (say 10) and the ``prioritize`` extension in the
database (Debian/Ubuntu package ``postgresql-NN-prioritize``, then ``CREATE
EXTENSION prioritize``), every database connection a worker opens lowers its own
backend's priority (``set_backend_priority``: a login may lower its own backends'
priority, never raise it). Without the extension the worker logs one warning and
runs as before."""

import logging

from django.conf import settings
from django.db.backends.signals import connection_created

log = logging.getLogger(__name__)

HAS_FUNCTION_SQL = "SELECT to_regprocedure('set_backend_priority(integer, integer)') IS NOT NULL"
SET_SQL = "SELECT set_backend_priority(pg_backend_pid(), %s)"
_state = {"nice": 0}


def lower_worker_connections(nice: int | None = None) -> None:
    """From now on, every new database connection of this process lowers its backend
    to ``nice`` (``WORKER_DATABASE_NICE``); 0 turns it off. Called when a worker
    starts (``alux_crm.celery``)."""
    _state["nice"] = settings.WORKER_DATABASE_NICE if nice is None else nice
    if _state["nice"] > 0:
        connection_created.connect(_lower_backend, dispatch_uid="alux-worker-database-nice")
    else:
        connection_created.disconnect(dispatch_uid="alux-worker-database-nice")


def _lower_backend(sender, connection, **_kwargs) -> None:
    """``connection_created`` receiver: runs on the new connection, in autocommit."""
    nice = _state["nice"]
    if nice <= 0 or connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(HAS_FUNCTION_SQL)
        if not cursor.fetchone()[0]:
            _state["nice"] = 0  # warn once per process
            log.warning(
                "WORKER_DATABASE_NICE=%s, but the database has no prioritize extension: "
                "the worker's database sessions keep their priority",
                nice,
            )
            return
        cursor.execute(SET_SQL, [nice])
