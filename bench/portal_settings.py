"""Settings of the portal benchmark's gunicorn (``make bench-portal``): the production
settings (DEBUG off, manifest static files, HSTS, secure headers) with the three
that need TLS turned off, because here gunicorn serves plain HTTP on 127.0.0.1 and
no proxy terminates TLS in front of it (a browser, or locust, does not send a
Secure cookie over http). The database is the benchmark's (``DATABASE_URL`` set by
``bench/portal_bench.py``); static files are collected into a folder of their own."""

from alux_crm.settings.production import *  # noqa: F403
from alux_crm.settings.production import BASE_DIR

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STATIC_ROOT = BASE_DIR / "var" / "bench-static"
