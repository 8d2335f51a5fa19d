"""Celery tasks of collections (runs)."""
