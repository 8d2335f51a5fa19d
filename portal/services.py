"""Writes of the subscriber portal: the invitation an agent sends from the
customer-360 page, and the activation the subscriber does from its link."""

from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from alux_crm.core import roles as R
from alux_crm.core.errors import DomainError
from alux_crm.core.models import User
from alux_crm.core.outbox import outbox_enqueue

from .models import PortalAccount


def activation_path(user) -> str:
    """The one-time path that lets ``user`` set a password (Django's token: it stops
    working once the password is set or the user logs in)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("portal:activate", kwargs={"uidb64": uid, "token": token})


@transaction.atomic
def portal_invite(*, customer, actor=None) -> PortalAccount:
    """Invite ``customer`` to the portal: a Subscriber login named after the customer
    number (no usable password yet) and an e-mail with the activation link, sent
    through the outbox. Inviting again sends a new link until the account is active."""
    if not customer.email:
        raise DomainError(_("The customer has no e-mail address for the invitation."))
    account = PortalAccount.objects.select_related("user").filter(customer=customer).first()
    if account is not None and account.disabled_at is not None:
        raise DomainError(_("The customer's portal login is disabled: enable it first."))
    if account is not None and account.activated_at is not None:
        raise DomainError(_("The customer already uses the portal."))
    if account is None:
        user = User(username=customer.number, email=customer.email, is_active=True)
        user.set_unusable_password()
        user.save()
        user.groups.add(Group.objects.get_or_create(name=R.SUBSCRIBER)[0])
        account = PortalAccount.objects.create(user=user, customer=customer)
    account.invited_at, account.invited_by = timezone.now(), actor
    account.save(update_fields=["invited_at", "invited_by", "updated_at"])
    link = settings.PORTAL_BASE_URL.rstrip("/") + activation_path(account.user)
    outbox_enqueue(
        topic="email",
        payload={
            "to": [customer.email],
            "subject": _("Your AluxSat self-care account"),
            "body": _(
                "Hello %(name)s,\n\nset your password to start using the self-care "
                "portal (your login is your customer number, %(number)s):\n%(link)s\n"
            )
            % {"name": customer.name, "number": customer.number, "link": link},
        },
        idempotency_key=f"portal-invite-{account.pk}-{account.invited_at.timestamp()}",
    )
    return account


@transaction.atomic
def portal_activate(*, account: PortalAccount) -> PortalAccount:
    """The subscriber set a password from the link: the account is active."""
    if account.activated_at is None:
        account.activated_at = timezone.now()
        account.save(update_fields=["activated_at", "updated_at"])
    return account


# --- profile: disabling a portal login (the agents' action on the customer-360 page) ---
def _end_sessions(user) -> int:
    """Delete every stored session of ``user`` (database-backed session engines);
    returns how many. Sessions live 30 idle minutes, so the scan stays small; even a
    session missed here is refused, since an inactive user is never authenticated."""
    engine = import_module(settings.SESSION_ENGINE)
    store = engine.SessionStore
    if not hasattr(store, "get_model_class"):
        return 0
    ended = 0
    rows = store.get_model_class().objects.filter(expire_date__gt=timezone.now())
    for row in rows.only("session_key", "session_data").iterator():
        data = store().decode(row.session_data)
        if str(data.get(SESSION_KEY)) == str(user.pk):
            store(session_key=row.session_key).delete()
            ended += 1
    return ended


@transaction.atomic
def portal_disable(*, account: PortalAccount, actor) -> PortalAccount:
    """Disable a subscriber's portal login: the user becomes inactive (login,
    activation and password reset refuse it), its open sessions end at once, and
    who did it and when is recorded. Disabling twice changes nothing."""
    account = PortalAccount.objects.select_for_update().select_related("user").get(pk=account.pk)
    if account.disabled_at is not None:
        return account
    account.user.is_active = False
    account.user.save(update_fields=["is_active"])
    account.disabled_at, account.disabled_by = timezone.now(), actor
    account.save(update_fields=["disabled_at", "disabled_by", "updated_at"])
    _end_sessions(account.user)
    return account


@transaction.atomic
def portal_enable(*, account: PortalAccount, actor) -> PortalAccount:
    """Enable a disabled portal login again: the subscriber logs in with the same
    password (a not yet activated login can be invited again)."""
    account = PortalAccount.objects.select_for_update().select_related("user").get(pk=account.pk)
    if account.disabled_at is None:
        return account
    account.user.is_active = True
    account.user.save(update_fields=["is_active"])
    account.disabled_at, account.disabled_by = None, None
    account.save(update_fields=["disabled_at", "disabled_by", "updated_at"])
    return account
