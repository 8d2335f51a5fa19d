"""One JSON error shape for the API: ``{"error": code, "detail": ..., "fields": {...}}``."""

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import DomainError


def exception_handler(exc, context):
    """Map domain errors to 409, Django validation errors to 400 (like DRF's own
    validation errors: one status for "fix your input"), and wrap DRF's."""
    if isinstance(exc, DomainError):
        return Response({"error": exc.code, "detail": str(exc)}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {}
        if NON_FIELD_ERRORS in fields:  # one key for "not about one field", as in DRF
            fields[api_settings.NON_FIELD_ERRORS_KEY] = fields.pop(NON_FIELD_ERRORS)
        return Response(
            {"error": "invalid", "detail": " ".join(exc.messages), "fields": fields},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or None)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"error": "invalid", "detail": "Invalid input.", "fields": response.data}
    elif isinstance(response.data, dict) and "detail" in response.data:
        code = getattr(exc, "default_code", "error")
        response.data = {"error": code, "detail": str(response.data["detail"])}
    return response
