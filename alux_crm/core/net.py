"""Network helpers shared by logging, audit and lockout."""

from axes.helpers import get_client_ip_address
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, read the same way django-axes reads it for lockouts
    (``AXES_IPWARE_META_PRECEDENCE_ORDER``: behind a proxy, set it to the header)."""
    return get_client_ip_address(request)
