"""Shared fixtures: users per role, partners, a real Celery worker, the browser."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from alux_crm.core import roles as R
from tests.core.factories import PartnerFactory, UserFactory

# Playwright's sync API runs an event loop in the main thread; Django's ORM calls
# made there by live_server fixtures are safe in tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _fresh_operator_settings_cache():
    """The database is rolled back after each test, the Redis cache is not: forget the
    cached operator settings so no test sees another's."""
    from alux_crm.core.selectors import operator_settings_forget

    operator_settings_forget()
    yield
    operator_settings_forget()


@pytest.fixture
def partner_a(db):
    return PartnerFactory(code="R-100", name="Alpha Retail SRL")


@pytest.fixture
def partner_b(db):
    return PartnerFactory(code="R-200", name="Beta Retail SRL")


@pytest.fixture
def make_user(db, partner_a):
    """``make_user(role)`` → a user holding that role (partner roles get partner A)."""

    def make(role: str | None = None, **kwargs):
        if role in R.PARTNER_ROLES:
            kwargs.setdefault("partner", partner_a)
        return UserFactory(role=role, **kwargs)

    return make


@pytest.fixture
def login(client):
    """``login(user)`` logs the test client in (bypassing the login form)."""

    def do(user):
        client.force_login(user, backend="alux_crm.core.auth_backends.UserBackend")
        return client

    return do


def start_celery_worker() -> subprocess.Popen:
    """Start a real Celery worker process on the test database and Redis db 15 and
    wait until it answers a ping; the caller stops it."""
    from django.conf import settings
    from django.db import connection

    from alux_crm.celery import app

    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "alux_crm.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    name = f"test-{uuid.uuid4().hex[:8]}@localhost"
    (ROOT / "var").mkdir(exist_ok=True)
    log_file = open(ROOT / "var" / f"{name.split('@')[0]}.log", "w+")  # noqa: SIM115
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "alux_crm",
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "INFO",
            "-n",
            name,
            "--without-gossip",
            "--without-mingle",
            "-Q",
            f"{settings.CELERY_TASK_DEFAULT_QUEUE},{settings.CELERY_DOCUMENTS_QUEUE}",
        ],
        cwd=ROOT,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        text=True,
    )
    process.log_file = log_file
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log_file.seek(0)
            raise RuntimeError(f"Celery worker exited:\n{log_file.read()}")
        if app.control.ping(destination=[name], timeout=0.5):
            return process
    process.kill()
    raise RuntimeError("Celery worker did not answer within 30 s")


def stop_celery_worker(process: subprocess.Popen) -> None:
    """Stop a worker started by ``start_celery_worker`` (politely, then by force)."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    process.log_file.close()


@pytest.fixture
def celery_worker_process(transactional_db):
    """A real Celery worker (separate process) on the test database and Redis db 15."""
    from alux_crm.celery import app

    app.control.purge()
    previous_eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    process = None
    try:
        process = start_celery_worker()
        yield process
    finally:
        app.conf.task_always_eager = previous_eager
        if process is not None:
            stop_celery_worker(process)


def wait_for(predicate, timeout: float = 20.0, interval: float = 0.1):
    """Poll ``predicate`` until it returns a truthy value or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()
