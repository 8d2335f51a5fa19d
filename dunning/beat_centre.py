"""The beat scheduler of the project (centre part): django-celery-beat's
``DatabaseScheduler``, except that a schedule a person changed (in the run centre or
the admin: it has an admin ``LogEntry``) is no longer overwritten from
``CELERY_BEAT_SCHEDULE`` when beat starts. Schedules nobody edited still follow the
settings, so a new default in the code reaches them."""

import logging

from django_celery_beat.schedulers import DatabaseScheduler

logger = logging.getLogger(__name__)


class EditableDatabaseScheduler(DatabaseScheduler):
    """``DatabaseScheduler`` that keeps the schedules Back Office edited."""

    def update_from_dict(self, mapping):
        from .selectors_centre_runs import edited_task_names

        edited = edited_task_names() & set(mapping)
        if edited:
            logger.info("Beat schedules edited by people, kept as they are: %s", sorted(edited))
        super().update_from_dict({name: e for name, e in mapping.items() if name not in edited})
