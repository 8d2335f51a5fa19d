"""Request middleware of the core: preferences, audit context, 2FA and the access matrix."""

import logging
import time
import zoneinfo
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django_otp import user_has_device
from pghistory.middleware import HistoryMiddleware
from rest_framework.views import APIView

from . import roles as R
from .access import rule_for
from .choices import PartnerStatus
from .net import client_ip
from .selectors import operator_settings

security_log = logging.getLogger("alux.security")


class SessionRefreshMiddleware:
    """The idle timeout without a write per request: a session in use is marked
    modified (so saved, its expiry renewed by ``SESSION_COOKIE_AGE``) when it was last
    renewed more than ``SESSION_REFRESH_SECONDS`` ago. An idle session still ends
    ``SESSION_COOKIE_AGE`` after its last use, give or take that minute."""

    KEY = "_alux_renewed"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            now = int(time.time())
            if now - session.get(self.KEY, 0) >= settings.SESSION_REFRESH_SECONDS:
                session[self.KEY] = now  # modified: SessionMiddleware saves it
        return response


class UserPreferencesMiddleware:
    """Activates the operator's time zone and the logged-in user's language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tz_name = operator_settings().time_zone
        try:
            timezone.activate(zoneinfo.ZoneInfo(tz_name))
        except zoneinfo.ZoneInfoNotFoundError:
            timezone.deactivate()
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


class AuditContextMiddleware(HistoryMiddleware):
    """Adds who (user), from where (IP address) and which page (path) to every
    history event written while the request runs (django-pghistory context)."""

    def get_context(self, request: HttpRequest) -> dict:
        context = super().get_context(request)
        context["ip"] = client_ip(request)
        context["method"] = request.method
        return context


def _view_class(view_func) -> type | None:
    """The class behind a view function (DRF sets ``cls``, Django ``view_class``)."""
    view_class = getattr(view_func, "cls", None) or getattr(view_func, "view_class", None)
    return view_class if isinstance(view_class, type) else None


def _is_api_view(view_func) -> bool:
    view_class = _view_class(view_func)
    return view_class is not None and issubclass(view_class, APIView)


def _api_view_applies_matrix(view_func) -> bool:
    from .api_permissions import AccessMatrixPermission

    permissions = getattr(_view_class(view_func), "permission_classes", ())
    return any(isinstance(p, type) and issubclass(p, AccessMatrixPermission) for p in permissions)


TWO_FACTOR_EXEMPT = frozenset(
    {"two_factor_verify", "two_factor_setup", "logout", "healthz", "set_language"}
)


def two_factor_required(user) -> bool:
    """A user must pass TOTP when they enrolled a device or their role demands it.
    Subscribers (portal-only logins) cannot enrol and never need it."""
    if not user.is_superuser and user.role_names and user.role_names <= R.PORTAL_ROLES:
        return False
    if user_has_device(user, confirmed=True):
        return True
    required = set(settings.OTP_REQUIRED_ROLES)
    return bool(required & user.role_names) or (user.is_superuser and bool(required))


class TwoFactorMiddleware:
    """Sends a logged-in user who has not passed two-factor authentication (and must)
    to the token page, or to the enrolment page when they have no device yet."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        match = request.resolver_match
        if match is None or match.view_name in TWO_FACTOR_EXEMPT:
            return None
        if not two_factor_required(user):
            return None
        if _is_api_view(view_func):
            raise PermissionDenied("Two-factor authentication required.")
        target = (
            "two_factor_verify" if user_has_device(user, confirmed=True) else "two_factor_setup"
        )
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")


class ActivePartnerMiddleware:
    """Ends the session of a partner user whose partner was suspended or terminated
    while they were logged in (the login form refuses them from then on)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        partner_id = getattr(user, "partner_id", None) if user is not None else None
        if partner_id and user.partner.status != PartnerStatus.ACTIVE:
            security_log.warning(
                "session ended: partner %s of user %s is %s",
                user.partner.code,
                user.get_username(),
                user.partner.status,
            )
            logout(request)
            return redirect_to_login(request.get_full_path())
        return self.get_response(request)


class AccessMatrixMiddleware:
    """Enforces ``access.ACCESS_MATRIX`` for every page (API views are checked by
    ``AccessMatrixPermission`` after DRF has authenticated the caller)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if _is_api_view(view_func):
            # DRF authenticates API callers (sessions, later tokens) inside the view,
            # so the matrix is applied there; an API view that replaced the matrix
            # permission would bypass it, so it is refused outright.
            if _api_view_applies_matrix(view_func):
                return None
            security_log.error("refused: API view %s lacks AccessMatrixPermission", request.path)
            raise PermissionDenied("This API view does not apply the access matrix.")
        view_name = match.view_name if match else ""
        rule = rule_for(view_name)
        if rule is None:
            security_log.error("refused: URL %s (%s) has no access rule", request.path, view_name)
            raise PermissionDenied("This page has no access rule.")
        if rule.allows(request.user):
            return None
        if not request.user.is_authenticated:
            # Subscribers log in on the portal's own page.
            portal = match is not None and match.namespace == "portal"
            return redirect_to_login(
                request.get_full_path(), login_url="portal:login" if portal else None
            )
        security_log.warning(
            "refused: user=%s roles=%s ip=%s path=%s view=%s",
            request.user.get_username(),
            sorted(request.user.role_names),
            client_ip(request),
            request.path,
            view_name,
        )
        raise PermissionDenied
