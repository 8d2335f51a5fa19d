"""Settings for the test suite: the real PostgreSQL and Redis, with fast hashing."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tests use Redis database 15 so they never touch the data of `make run`.
REDIS_URL = env.str("TEST_REDIS_URL", default="redis://127.0.0.1:6379/15")
CACHES["default"]["LOCATION"] = REDIS_URL  # noqa: F405
# Two test runs on one Redis (CI and a developer, or parallel runs) keep apart.
CACHES["default"]["KEY_PREFIX"] = "alux-test-" + env.str(  # noqa: F405
    "TEST_DATABASE_NAME", default="test_alux_crm"
)
CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_DEFAULT_QUEUE = "alux-test"
CELERY_DOCUMENTS_QUEUE = "alux-test-documents"
CELERY_TASK_ROUTES = {"billing.tasks.render_invoice_pdfs": {"queue": CELERY_DOCUMENTS_QUEUE}}
OUTBOX_RETRY_BASE_SECONDS = 0.2
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
# Adapters that fail on purpose, for the outbox tests (also loaded by the test worker).
OUTBOX_ADAPTERS = {
    **OUTBOX_ADAPTERS,  # noqa: F405
    "test.flaky": "tests.core.outbox_adapters.FlakyAdapter",
    "test.broken": "tests.core.outbox_adapters.BrokenAdapter",
}
# A separate name lets two test runs share one PostgreSQL (e.g. CI and a developer).
DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME", default="test_alux_crm")}  # noqa: F405
