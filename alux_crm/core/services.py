"""Writes of the core app: partners, organisation units, notifications, settings."""

from django.db import transaction
from django.utils import timezone

from . import choices
from .errors import InvalidTransition
from .models import Notification, OperatorSettings, OrgUnit, Partner, User
from .selectors import operator_settings_forget

PARTNER_EDITABLE_FIELDS = (
    "name",
    "code",
    "kind",
    "org_unit",
    "email",
    "phone",
    "address",
    "vat_number",
    "notes",
)


@transaction.atomic
def partner_create(*, actor: User, **fields) -> Partner:
    """Register a retailer or installer company in the business network."""
    partner = Partner(**{k: v for k, v in fields.items() if k in PARTNER_EDITABLE_FIELDS})
    partner.full_clean()
    partner.save()
    return partner


@transaction.atomic
def partner_update(*, partner: Partner, actor: User, **fields) -> Partner:
    """Change a partner's details (not its status: see ``partner_change_status``)."""
    changed = []
    for name, value in fields.items():
        if name in PARTNER_EDITABLE_FIELDS and getattr(partner, name) != value:
            setattr(partner, name, value)
            changed.append(name)
    if changed:
        partner.full_clean()
        partner.save(update_fields=[*changed, "updated_at"])
    return partner


@transaction.atomic
def partner_change_status(*, partner: Partner, status: str, reason: str, actor: User) -> Partner:
    """Suspend, reactivate or terminate a partner; a suspended or terminated partner's
    users can no longer log in. Refused when the state machine does not allow it."""
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    allowed = choices.PARTNER_TRANSITIONS.get(partner.status, set())
    if status not in allowed:
        raise InvalidTransition(
            f"A partner cannot go from {partner.get_status_display()} to "
            f"{choices.PartnerStatus(status).label}."
        )
    previous = partner.get_status_display()
    partner.status = status
    partner.notes = (
        f"{partner.notes}\n" if partner.notes else ""
    ) + f"{timezone.now():%Y-%m-%d} {previous} → {partner.get_status_display()}: {reason}"
    partner.save(update_fields=["status", "notes", "updated_at"])
    return partner


@transaction.atomic
def org_unit_create(*, actor: User | None, name: str, code: str, kind: str, parent=None) -> OrgUnit:
    """Add a unit to the organisation tree."""
    unit = OrgUnit(name=name, code=code, kind=kind, parent=parent)
    unit.full_clean()
    unit.save()
    return unit


def notification_send(
    *, recipient: User, title: str, body: str = "", url: str = "", level: str = "info"
) -> Notification:
    """Put a notification under the recipient's bell."""
    return Notification.objects.create(
        recipient=recipient, title=title, body=body, url=url, level=level
    )


def notification_send_to_role(
    *, role: str, title: str, body: str = "", url: str = "", level: str = "info"
) -> int:
    """Notify every active user holding ``role``; returns how many were notified."""
    users = User.objects.filter(groups__name=role, is_active=True)
    rows = [Notification(recipient=u, title=title, body=body, url=url, level=level) for u in users]
    Notification.objects.bulk_create(rows)
    return len(rows)


def notification_mark_read(*, notification: Notification) -> Notification:
    """Mark one notification read (idempotent)."""
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notification_mark_all_read(*, user: User) -> int:
    """Mark all the user's notifications read; returns how many changed."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def operator_settings_update(*, actor: User, **fields) -> OperatorSettings:
    """Change the operator's global settings (time zone, currency, country, hours)."""
    row = OperatorSettings.objects.select_for_update().first() or OperatorSettings()
    for name, value in fields.items():
        setattr(row, name, value)
    row.full_clean()
    row.save()
    transaction.on_commit(operator_settings_forget)
    return row


def user_update_profile(*, user: User, language: str, email: str, phone: str) -> User:
    """The user's own preferences: language of the screens and contact details."""
    user.language = language
    user.email = email
    user.phone = phone
    user.full_clean(exclude=["password", "username"])
    user.save(update_fields=["language", "email", "phone"])
    return user
