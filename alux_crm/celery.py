"""The Celery application: Redis broker, tasks discovered in every installed app."""

import os

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alux_crm.settings.base")

app = Celery("alux_crm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def _worker_database_priority(**_kwargs) -> None:
    """A worker's database sessions at ``WORKER_DATABASE_NICE`` (the pool's child
    processes inherit the receiver)."""
    from alux_crm.core.worker_priority import lower_worker_connections

    lower_worker_connections()
