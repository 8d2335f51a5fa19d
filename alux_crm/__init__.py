"""AluxSat CRM: CRM and billing for subscription TV, broadband and telephony operators."""

from .celery import app as celery_app

__all__ = ["celery_app"]
