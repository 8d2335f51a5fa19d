"""Reads of the subscriber's profile in the portal: always the logged-in subscriber's
own customer (``portal_customer``), never one picked by an id from the request."""

from dataclasses import dataclass

from django.contrib.auth.tokens import default_token_generator
from django.http import Http404
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode

from alux_crm.core import roles as R
from alux_crm.core.models import User
from customers import selectors as customer_selectors
from customers.choices import BillingAccountStatus
from customers.models import BillingAccount

from .models import PortalAccount


def portal_invoice_accounts(*, customer) -> list[BillingAccount]:
    """The customer's open paying billing accounts: the ones invoices are sent for."""
    return list(
        BillingAccount.objects.filter(
            customer=customer, is_paying=True, status=BillingAccountStatus.ACTIVE
        ).order_by("number")
    )


@dataclass
class Profile:
    """What the profile page shows: the customer, its current addresses and how its
    invoices are delivered."""

    customer: object
    addresses: list
    invoice_accounts: list[BillingAccount]


def portal_profile(*, customer) -> Profile:
    """The profile of the subscriber's own ``customer`` in three queries."""
    return Profile(
        customer=customer,
        addresses=customer_selectors.current_addresses(customer=customer),
        invoice_accounts=portal_invoice_accounts(customer=customer),
    )


def portal_login_may_reset(account: PortalAccount) -> bool:
    """A password may be reset through the portal only for an enabled subscriber
    login: never a disabled one, never a staff or partner user."""
    user = account.user
    return (
        user.is_active
        and account.disabled_at is None
        and not user.is_staff
        and not user.is_superuser
        and user.role_names <= R.PORTAL_ROLES
    )


def portal_reset_requested_accounts(*, identifier: str) -> list[PortalAccount]:
    """The portal logins a reset request names: by customer number, else by e-mail
    (the same lookup as the login), those that may reset and have an e-mail."""
    identifier = (identifier or "").strip()
    if not identifier:
        return []
    accounts = PortalAccount.objects.select_related("user", "customer").exclude(customer__email="")
    found = list(accounts.filter(customer__number=identifier.upper())) or list(
        accounts.filter(customer__email__iexact=identifier)
    )
    return [account for account in found if portal_login_may_reset(account)]


def user_of_link(*, uidb64: str, token: str) -> User | None:
    """The user of a one-time link (the invitation's, a password reset's): None when
    the link is broken, used or expired (Django's token generator)."""
    try:
        user = User.objects.get(pk=force_str(urlsafe_base64_decode(uidb64)))
    except (User.DoesNotExist, ValueError, TypeError, OverflowError):
        return None
    return user if default_token_generator.check_token(user, token) else None


def portal_reset_link_account(*, uidb64: str, token: str) -> PortalAccount | None:
    """The portal login of a password-reset link, or None when the link is broken,
    used, expired, or the login may not reset (disabled, staff)."""
    user = user_of_link(uidb64=uidb64, token=token)
    if user is None:
        return None
    account = PortalAccount.objects.filter(user=user).select_related("user", "customer").first()
    if account is None or not portal_login_may_reset(account):
        return None
    return account


def portal_own_account(user) -> PortalAccount:
    """The logged-in subscriber's own portal login with its customer, or 404 (a
    staff user, a login without one): the profile is never anybody else's."""
    account = (
        PortalAccount.objects.select_related("user", "customer").filter(user_id=user.pk).first()
        if user.is_authenticated
        else None
    )
    if account is None:
        raise Http404
    return account


def portal_account_of(*, customer) -> PortalAccount:
    """The portal login of a customer the agent may see (the caller checked), or 404."""
    account = PortalAccount.objects.select_related("user").filter(customer=customer).first()
    if account is None:
        raise Http404
    return account
