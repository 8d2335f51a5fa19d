"""DRF permission that applies the access matrix to API views."""

import logging

from rest_framework.permissions import BasePermission

from .access import rule_for
from .net import client_ip

security_log = logging.getLogger("alux.security")


class AccessMatrixPermission(BasePermission):
    """Allows an API call when the access matrix allows its URL name for the caller."""

    def has_permission(self, request, view) -> bool:
        match = request.resolver_match
        rule = rule_for(match.view_name if match else "")
        allowed = rule is not None and rule.allows(request.user)
        if not allowed and request.user.is_authenticated:
            security_log.warning(
                "refused API: user=%s ip=%s path=%s",
                request.user.get_username(),
                client_ip(request),
                request.path,
            )
        return allowed
