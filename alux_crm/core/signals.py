"""Security log: every login attempt, successful or not, and every logout."""

import logging

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .net import client_ip

security_log = logging.getLogger("alux.security")


@receiver(user_logged_in, dispatch_uid="core.log_login")
def log_login(sender, request, user, **kwargs) -> None:
    """Log a successful login with the address it came from."""
    security_log.info("login ok: user=%s ip=%s", user.get_username(), client_ip(request))


@receiver(user_login_failed, dispatch_uid="core.log_login_failed")
def log_login_failed(sender, credentials, request=None, **kwargs) -> None:
    """Log a failed login (the password is never logged)."""
    security_log.warning(
        "login failed: user=%s ip=%s",
        credentials.get("username"),
        client_ip(request) if request is not None else None,
    )


@receiver(user_logged_out, dispatch_uid="core.log_logout")
def log_logout(sender, request, user, **kwargs) -> None:
    """Log a logout."""
    if user is not None:
        security_log.info("logout: user=%s ip=%s", user.get_username(), client_ip(request))
