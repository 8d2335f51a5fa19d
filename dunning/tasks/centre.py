"""Celery tasks of collections (centre)."""
