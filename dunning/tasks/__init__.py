"""Celery tasks of collections, one module per part (Celery autodiscovers this package)."""

from .centre import *  # noqa: F403
from .engine import *  # noqa: F403
from .holds import *  # noqa: F403
from .runs import *  # noqa: F403
