"""Reads of the core app, scoped to what the asking user may see."""

import time

from django.core.cache import cache
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from pghistory.models import Events

from . import roles, trees
from .calendar import WorkingCalendar
from .models import Notification, OperatorSettings, OrgUnit, OutboxMessage, Partner, User

OPERATOR_SETTINGS_CACHE_KEY = "core:operator-settings"
OPERATOR_SETTINGS_CACHE_SECONDS = 60
# Each process keeps the row this long on top of the shared cache: every request
# reads the settings (time zone, name), and a change reaches the other processes
# within these seconds.
OPERATOR_SETTINGS_LOCAL_SECONDS = 5
_operator_settings_local: dict = {"row": None, "until": 0.0}


def operator_settings() -> OperatorSettings:
    """The operator's global settings (one row): kept a few seconds in the process,
    a minute in the shared cache. Treat it as read-only."""
    now = time.monotonic()
    local = _operator_settings_local
    row = local["row"]
    if row is not None and now < local["until"]:
        return row
    row = cache.get(OPERATOR_SETTINGS_CACHE_KEY)
    if row is None:
        row = OperatorSettings.objects.first() or OperatorSettings()
        cache.set(OPERATOR_SETTINGS_CACHE_KEY, row, OPERATOR_SETTINGS_CACHE_SECONDS)
    local["row"], local["until"] = row, now + OPERATOR_SETTINGS_LOCAL_SECONDS
    return row


def operator_settings_forget() -> None:
    """Forget the cached settings, in this process and the shared cache (after a
    change; other processes follow within ``OPERATOR_SETTINGS_LOCAL_SECONDS``)."""
    _operator_settings_local["row"] = None
    cache.delete(OPERATOR_SETTINGS_CACHE_KEY)


def is_partner_user(user: User) -> bool:
    """True for retailer and installer logins (they see only their partner's data)."""
    return bool(user.role_names & roles.PARTNER_ROLES) and not user.is_superuser


def partner_list(*, user: User) -> QuerySet[Partner]:
    """Partners the user may see: all for staff, only their own for a partner user."""
    qs = Partner.objects.select_related("org_unit")
    if is_partner_user(user):
        return qs.filter(pk=user.partner_id) if user.partner_id else qs.none()
    return qs


def partner_get(*, user: User, pk: int) -> Partner:
    """One partner the user may see, or 404 (also for another partner's record)."""
    return get_object_or_404(partner_list(user=user), pk=pk)


def org_unit_list(*, user: User) -> QuerySet[OrgUnit]:
    """Organisation units with their parent, for staff."""
    return OrgUnit.objects.select_related("parent")


def org_unit_get(*, user: User, pk: int) -> OrgUnit:
    """One organisation unit or 404."""
    return get_object_or_404(org_unit_list(user=user), pk=pk)


def org_unit_subtree_ids(*, root: OrgUnit) -> list[int]:
    """IDs of ``root`` and every unit below it, at any depth (recursive query)."""
    return trees.subtree_ids(OrgUnit, root.pk)


def org_unit_ancestors(*, unit: OrgUnit) -> list[OrgUnit]:
    """The chain from the top of the tree down to ``unit``'s parent (breadcrumb)."""
    return trees.ancestors(OrgUnit, unit.pk)


def notification_list(*, user: User) -> QuerySet[Notification]:
    """The user's own notifications, newest first."""
    return Notification.objects.filter(recipient=user)


def notification_unread_count(*, user: User) -> int:
    """How many unread notifications the bell shows."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_get(*, user: User, pk: int) -> Notification:
    """One of the user's own notifications, or 404."""
    return get_object_or_404(notification_list(user=user), pk=pk)


def outbox_list() -> QuerySet[OutboxMessage]:
    """Outbox messages, newest first (back-office screen)."""
    return OutboxMessage.objects.all()


HISTORY_HIDDEN_FIELDS = frozenset({"updated_at"})


def annotate_history(events: list, *, hidden: frozenset[str] = HISTORY_HIDDEN_FIELDS) -> list:
    """Add who (``actor``), from where (``ip``, ``url``) and what (``changes``: sorted
    ``(field, [old, new])`` without ``hidden`` fields) to pghistory events; one query
    for all the users."""
    user_ids = {(e.pgh_context or {}).get("user") for e in events} - {None}
    users = {u.pk: u for u in User.objects.filter(pk__in=user_ids)}
    for event in events:
        meta = event.pgh_context or {}
        event.actor = users.get(meta.get("user"))
        event.ip = meta.get("ip")
        event.url = meta.get("url")
        event.changes = sorted(
            (field, values)
            for field, values in (event.pgh_diff or {}).items()
            if field not in hidden
        )
    return events


def history_for(obj, *, limit: int = 200) -> list:
    """History events of one tracked record, newest first, with who/where context.

    Each event has ``pgh_label`` (insert/update/delete), ``pgh_created_at``,
    ``pgh_diff`` (field -> [old, new]) and ``pgh_context`` (user, ip, url), plus what
    ``annotate_history`` adds.
    """
    return annotate_history(list(Events.objects.tracks(obj).order_by("-pgh_created_at")[:limit]))


def working_calendar() -> WorkingCalendar:
    """The operator's working-day calendar (country holidays, business hours, time
    zone from the operator settings): the one calendar every SLA uses."""
    row = operator_settings()
    return WorkingCalendar(
        country=row.country,
        time_zone=row.time_zone,
        day_start=row.business_day_start,
        day_end=row.business_day_end,
    )
