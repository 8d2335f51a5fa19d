"""Template context for the base layout: navigation, bell count, operator name."""

from django.urls import reverse

from .access import rule_for
from .navigation import nav_for
from .selectors import notification_unread_count, operator_settings


def _search_url(user) -> str | None:
    """The global search (customers), when the user's role may use it."""
    rule = rule_for("customers:search")
    return reverse("customers:search") if rule is not None and rule.allows(user) else None


def navigation(request) -> dict:
    """Navigation entries and the unread-notification count for the logged-in user."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"operator": operator_settings()}
    match = getattr(request, "resolver_match", None)
    if match is not None and match.namespace == "portal" and match.route.startswith("portal/"):
        return {"operator": operator_settings()}  # the portal's pages have their own menu
    # Templates that render sub-templates with the request (django-tables2) run the
    # context processors again: compute once per request.
    cached = getattr(request, "_alux_navigation", None)
    if cached is None:
        cached = {
            "nav_items": nav_for(user),
            "unread_notifications": notification_unread_count(user=user),
            "operator": operator_settings(),
            "search_url": _search_url(user),
        }
        request._alux_navigation = cached
    return cached
