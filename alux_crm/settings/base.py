"""Settings shared by every environment, read from environment variables.

Every value has a default that works on a fresh developer machine (PostgreSQL and
Redis on 127.0.0.1). Production values come only from the environment: see
``alux_crm.settings.production`` and ``docs/configuration.md``.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env.str(
    "DJANGO_SECRET_KEY", default="local-development-only-not-secret-f3b9c2e8a1d7465f9e0b"
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    # third party
    "axes",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_htmx",
    "django_tables2",
    "django_celery_beat",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    # AluxSat
    "alux_crm.core",
    "customers",
    "products",
    "subscriptions",
    "billing",
    "leads",
    "cases",
    "inventory",
    "portal",
    "dunning",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "alux_crm.core.middleware.SessionRefreshMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "alux_crm.core.middleware.ActivePartnerMiddleware",
    "alux_crm.core.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "alux_crm.core.middleware.AuditContextMiddleware",
    "alux_crm.core.middleware.TwoFactorMiddleware",
    "alux_crm.core.middleware.AccessMatrixMiddleware",
    # AxesMiddleware last: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "alux_crm.urls"
WSGI_APPLICATION = "alux_crm.wsgi.application"
ASGI_APPLICATION = "alux_crm.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "alux_crm.core.context_processors.navigation",
            ],
        },
    },
]

# --- Database and cache -------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/alux_crm"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env.str("CACHE_URL", default=REDIS_URL),
        "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="alux"),
    }
}

# --- Users, login and security ------------------------------------------------------
AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend loading the user, roles, partner and portal account in one query.
    "alux_crm.core.auth_backends.UserBackend",
]
AUTH_USER_SELECT_RELATED = ["partner", "portal_account__customer"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Idle timeout: the session expires after this many seconds without a request.
# Sessions are read from the cache (Redis) and written through to PostgreSQL, which
# stays the record (deleting a session through its store clears both).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_TIMEOUT_SECONDS", default=30 * 60)
# Idle timeout: the session's expiry is renewed when it is used, at most once a
# minute (core.middleware.SessionRefreshMiddleware), not written on every request.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # static/js/app.js hands the cookie's token to htmx requests
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Lockout by the pair (username, address): five failures from one address lock that
# login there for the cool-off; the same user elsewhere is not affected.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_META_PRECEDENCE_ORDER = env.list("AXES_CLIENT_IP_HEADERS", default=["REMOTE_ADDR"])

# Two-factor authentication (TOTP). Roles listed here must verify a TOTP token
# after the password; anyone who has enrolled a device is asked for it too.
OTP_TOTP_ISSUER = "AluxSat CRM"
OTP_REQUIRED_ROLES = env.list("OTP_REQUIRED_ROLES", default=[])

# Content-Security-Policy: no inline script anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
    },
}

# Upload limits (requests and files); per-field rules are in validators.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=10 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = env.int("FILE_UPLOAD_MAX_MEMORY_SIZE", default=5 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
MAX_UPLOAD_SIZE = env.int("MAX_UPLOAD_SIZE", default=20 * 1024 * 1024)

# --- Internationalisation -----------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ro", _("Romanian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env.str("OPERATOR_TIME_ZONE", default="Europe/Bucharest")

# Operator defaults; the editable values live in core.OperatorSettings.
OPERATOR_DEFAULTS = {
    "name": env.str("OPERATOR_NAME", default="AluxSat"),
    "time_zone": TIME_ZONE,
    "currency": env.str("OPERATOR_CURRENCY", default="EUR"),
    "country": env.str("OPERATOR_COUNTRY", default="RO"),
}

# --- Static and media ---------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- E-mail, SMS --------------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="AluxSat CRM <crm@aluxsat.example>")

# --- Outbox -------------------------------------------------------------------------
# topic -> adapter class. The default adapter records what it would send.
OUTBOX_ADAPTERS = {
    "default": "alux_crm.core.outbox.RecordingAdapter",
    "email": "alux_crm.core.outbox.EmailAdapter",
    # SUB-6: commands to the network; subscriptions.provisioning.WebhookAdapter posts
    # them (signed) to PROVISIONING_WEBHOOK_URL.
    "provisioning": env.str(
        "PROVISIONING_ADAPTER", default="alux_crm.core.outbox.RecordingAdapter"
    ),
    # BIL-6: dunning SMS; alux_crm.core.sms.SmsWebhookAdapter posts them to SMS_WEBHOOK_URL.
    "sms": env.str("SMS_ADAPTER", default="alux_crm.core.outbox.RecordingAdapter"),
}
PROVISIONING_WEBHOOK_URL = env.str("PROVISIONING_WEBHOOK_URL", default="http://127.0.0.1:9/")
PROVISIONING_WEBHOOK_SECRET = env.str("PROVISIONING_WEBHOOK_SECRET", default="change-me")
PROVISIONING_WEBHOOK_TIMEOUT = env.float("PROVISIONING_WEBHOOK_TIMEOUT", default=10.0)
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=5)
OUTBOX_RETRY_BASE_SECONDS = env.float("OUTBOX_RETRY_BASE_SECONDS", default=30.0)

# --- Billing ------------------------------------------------------------------------
BILLING_PAYMENT_TERMS_DAYS = env.int("BILLING_PAYMENT_TERMS_DAYS", default=15)
# Manual transactions above this amount need a second person's approval (BIL-4).
BILLING_APPROVAL_AMOUNT = env.int("BILLING_APPROVAL_AMOUNT", default=100)
# Paying accounts per Celery task of a billing run.
BILLING_CHUNK_SIZE = env.int("BILLING_CHUNK_SIZE", default=1000)
# A draft invoice whose total moved more than this share against the previous one is
# flagged for review (BIL-1).
BILLING_OUTLIER_PERCENT = env.int("BILLING_OUTLIER_PERCENT", default=30)
# The creditor of the SEPA direct-debit files of payment runs (BIL-3). The defaults
# are a demo creditor (a valid example IBAN); production sets its own.
BILLING_SEPA_CREDITOR = {
    "NAME": env.str("BILLING_SEPA_CREDITOR_NAME", default="AluxSat SRL"),
    "IBAN": env.str("BILLING_SEPA_CREDITOR_IBAN", default="RO49AAAA1B31007593840000"),
    "BIC": env.str("BILLING_SEPA_CREDITOR_BIC", default="AAAAROBU"),
    "CREDITOR_ID": env.str("BILLING_SEPA_CREDITOR_ID", default="RO90ZZZ12345678"),
}
# General-ledger accounts of the journal export (BIL-5), Romanian chart of accounts.
# BILLING_GL_ACCOUNTS (JSON) replaces the keys it names; see docs/configuration.md.
BILLING_GL_ACCOUNTS = {
    "receivables": "4111",
    "revenue": {
        "default": "704",
        "installation": "708",
        "repair": "708",
        "reconnection": "708",
        "early_termination": "7581",
    },
    "vat_payable": "4427",
    "payments": {
        "default": "5121",
        "cash": "5311",
        "card": "5125",
        "portal_card": "5125",
        "direct_debit": "5125",
    },
    "credit_notes": "709",
    "debit_notes": "704",
    "adjustments": "708",
    "refunds": "5121",
    "write_offs": "654",
    "deposits": "419",
    "vouchers_outstanding": "472",
    "prepaid_balances": "4191",
    **env.json("BILLING_GL_ACCOUNTS", default={}),
}
# Key of the HMAC-SHA256 under which prepaid voucher codes are stored (SUB-9). Changing
# it makes every unredeemed voucher unredeemable; empty means SECRET_KEY (read at use).
VOUCHER_CODE_KEY = env.str("VOUCHER_CODE_KEY", default="")

# --- Celery -------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Longer than the longest task, so a slow task is not handed to a second worker.
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=2 * 60 * 60),
}
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="alux")
# Invoice PDFs (hundreds of thousands after a billing run, about a second each) go to
# a queue of their own, worked by their own workers, so they never hold up billing,
# the outbox or the daily tasks (docs/operations.md).
CELERY_DOCUMENTS_QUEUE = env.str(
    "CELERY_DOCUMENTS_QUEUE", default=f"{CELERY_TASK_DEFAULT_QUEUE}-documents"
)
CELERY_TASK_ROUTES = {"billing.tasks.render_invoice_pdfs": {"queue": CELERY_DOCUMENTS_QUEUE}}
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# The niceness the Celery workers give their PostgreSQL sessions (0: none), so that
# web requests go first when web, workers and PostgreSQL share the CPU. Needs the
# prioritize extension in the database (alux_crm.core.worker_priority).
WORKER_DATABASE_NICE = env.int("WORKER_DATABASE_NICE", default=0)
# Defaults loaded into the database schedule, where back office can change them.
CELERY_BEAT_SCHEDULE = {
    "outbox-dispatch-due": {"task": "alux_crm.core.tasks.outbox_dispatch_due", "schedule": 60.0},
    "billing-start-due-runs": {"task": "billing.tasks.start_due_runs", "schedule": 60.0},
    # CUS-10: tiers from monthly value and tenure, nightly at 02:30 operator time.
    "customers-recompute-tiers": {
        "task": "customers.tasks.recompute_customer_tiers",
        "schedule": crontab(hour=2, minute=30),
    },
    # PRD-3: promotions go on sale on their first day and end after their last.
    # SUB-3: resting periods start and end by themselves.
    "subscriptions-run-resting-periods": {
        "task": "subscriptions.tasks.run_resting_periods",
        "schedule": crontab(hour=0, minute=15),
    },
    # SUB-2, SUB-4: scheduled plan changes and approved cancellations take effect.
    "subscriptions-apply-change-orders": {
        "task": "subscriptions.tasks.apply_change_orders",
        "schedule": crontab(hour=0, minute=20),
    },
    "subscriptions-run-cancellations": {
        "task": "subscriptions.tasks.run_cancellations",
        "schedule": crontab(hour=0, minute=25),
    },
    # SUB-9: prepaid subscriptions pay day by day from their balance.
    "subscriptions-charge-prepaid": {
        "task": "subscriptions.tasks.charge_prepaid_subscriptions",
        "schedule": crontab(hour=0, minute=30),
    },
    # BIL-3: the cached balances follow the ledger (a check; nothing expected).
    "billing-reconcile-ledger": {
        "task": "billing.tasks.reconcile_ledger",
        "schedule": crontab(hour=3, minute=30),
    },
    "products-refresh-promotions": {
        "task": "products.tasks.refresh_promotions",
        "schedule": crontab(hour=0, minute=5),
    },
    # --- collections (BIL-6, BIL-7, CUS-11): engine, runs, holds ---
    # engine: the daily dunning run (BIL-6), 06:00 operator time.
    "dunning-run-daily": {
        "task": "dunning.tasks.engine.run_daily_dunning",
        "schedule": crontab(hour=6, minute=0),
    },
    # runs: automatic reconnection of the accounts that paid (BIL-7), every
    # DUNNING_RECONNECT_EVERY_MINUTES (read here too: the schedule is built before it).
    "dunning-reconnect-paid-accounts": {
        "task": "dunning.tasks.runs.reconnect_paid_accounts",
        "schedule": 60.0 * env.int("DUNNING_RECONNECT_EVERY_MINUTES", default=10),
    },
    # holds: promises kept/broken, instalments paid/missed, deposits cancelled/refunded.
    "dunning-evaluate-holds": {
        "task": "dunning.tasks.holds.evaluate_holds",
        "schedule": crontab(minute=10),
    },
    # centre: the blocking rules (CUS-11), daily at 05:30 operator time.
    "dunning-evaluate-blocking-rules": {
        "task": "dunning.tasks.centre.evaluate_blocking_rules",
        "schedule": crontab(hour=5, minute=30),
    },
}
# engine (dunning run; docs/configuration.md "engine"): accounts per chunk task, and
# the SMS backend's webhook (alux_crm.core.sms.SmsWebhookAdapter, when SMS_ADAPTER names it).
DUNNING_CHUNK_SIZE = env.int("DUNNING_CHUNK_SIZE", default=1000)
SMS_WEBHOOK_URL = env.str("SMS_WEBHOOK_URL", default="http://127.0.0.1:9/")
SMS_WEBHOOK_TOKEN = env.str("SMS_WEBHOOK_TOKEN", default="")
SMS_WEBHOOK_TIMEOUT = env.float("SMS_WEBHOOK_TIMEOUT", default=10.0)
SMS_SENDER = env.str("SMS_SENDER", default="AluxSat")
# runs (disconnection and reconnection runs; docs/configuration.md "runs"): how often
# paid accounts are reconnected automatically, and accounts per execution chunk task.
DUNNING_RECONNECT_EVERY_MINUTES = env.int("DUNNING_RECONNECT_EVERY_MINUTES", default=10)
DUNNING_SERVICE_RUN_CHUNK_SIZE = env.int("DUNNING_SERVICE_RUN_CHUNK_SIZE", default=500)
# holds (promises to pay, payment plans, deposits; docs/configuration.md "holds").
DUNNING_PROMISE_MAX_DAYS = env.int("DUNNING_PROMISE_MAX_DAYS", default=14)
DUNNING_INSTALMENT_GRACE_DAYS = env.int("DUNNING_INSTALMENT_GRACE_DAYS", default=3)
DUNNING_DEPOSIT_WAIT_DAYS = env.int("DUNNING_DEPOSIT_WAIT_DAYS", default=30)
# centre (run centre; docs/configuration.md "centre"): beat keeps the schedules a person
# edited in the run centre or the admin instead of resetting them from
# CELERY_BEAT_SCHEDULE at each start (replaces the CELERY_BEAT_SCHEDULER set above).
CELERY_BEAT_SCHEDULER = "dunning.beat_centre:EditableDatabaseScheduler"

# --- Subscriber portal (POR-1) ------------------------------------------------------
# The address subscribers reach the portal at: the activation links in the invitation
# e-mails start with it.
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000")
# The card payment provider's adapter (dotted path to a portal.providers.CardProvider).
# The default simulates a provider's test mode with test cards and charges nothing.
PORTAL_CARD_PROVIDER = env.str("PORTAL_CARD_PROVIDER", default="portal.providers.TestCardProvider")

# --- API ----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["alux_crm.core.api_permissions.AccessMatrixPermission"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "alux_crm.core.api_errors.exception_handler",
    # Scoped throttles (per user): voucher redemption (SUB-9) against guessing codes.
    "DEFAULT_THROTTLE_RATES": {
        "voucher-redeem": env.str("API_VOUCHER_REDEEM_RATE", default="10/minute"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "AluxSat CRM API",
    "DESCRIPTION": "Integration API of AluxSat CRM (dealers, website, network systems).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["alux_crm.core.api_permissions.AccessMatrixPermission"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- UI -----------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5-responsive.html"
DJANGO_TABLES2_PAGE_RANGE = 8
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# --- Logging ------------------------------------------------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "alux.security": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # WeasyPrint logs every step of every PDF at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
