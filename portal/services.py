"""Writes of the subscriber portal: the invitation an agent sends from the
customer-360 page, and the activation the subscriber does from its link."""

from django.conf import settings
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
