"""The Celery application: Redis broker, tasks discovered in every installed app."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alux_crm.settings.base")

app = Celery("alux_crm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
