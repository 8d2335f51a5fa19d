"""Celery tasks of collections (engine)."""
