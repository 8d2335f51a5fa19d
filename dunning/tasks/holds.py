"""Celery tasks of collections (holds)."""
