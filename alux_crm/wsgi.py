"""WSGI entry point (gunicorn alux_crm.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alux_crm.settings.base")
application = get_wsgi_application()
