"""Writes of the subscriber's profile in the portal: contact details, communication
preferences, language and password. Every change goes through the customers app's
services (same validation as the agents' screens, pghistory records it); e-mails go
through the outbox in the customer's language."""

from dataclasses import dataclass

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from alux_crm.core.outbox import outbox_enqueue
from customers.models import BillingAccount, Customer
from customers.services import billing_account_update, customer_update

from .models import PortalAccount
from .selectors_profile import portal_reset_requested_accounts

# One reset e-mail per login in this window: asking again reuses the message (and its
# still valid link), so nobody can flood a customer's mailbox through the form.
RESET_EMAIL_WINDOW_SECONDS = 300


def _portal_link(path: str) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def _email(*, to: str, subject: str, body: str, key: str) -> None:
    """One e-mail to ``to`` through the outbox (after commit)."""
    outbox_enqueue(
        topic="email",
        payload={"to": [to], "subject": subject, "body": body},
        idempotency_key=key,
    )


@transaction.atomic
def portal_contact_change(
    *, account: PortalAccount, email: str, phone: str, expected_version: int
) -> Customer:
    """The subscriber changes its e-mail address and phone (the view checked the
    password first). ``customer_update`` validates them as for agents (phone by the
    country's rules, stored E.164); an address another portal login already uses is
    refused (login and reset by e-mail must name one login). The login's e-mail and
    invoice e-mails that went to the old address follow; the old address is told."""
    customer = account.customer
    old_email, old_phone = customer.email, customer.phone
    email = (email or "").strip().lower()
    if email and email != old_email.lower():
        taken = PortalAccount.objects.filter(customer__email__iexact=email).exclude(pk=account.pk)
        if taken.exists():
            raise ValidationError(
                {"email": _("This address cannot be used for your login. Choose another one.")}
            )
    customer = customer_update(
        customer=customer,
        actor=account.user,
        expected_version=expected_version,
        email=email,
        phone=phone,
    )
    account.customer = customer
    if customer.email != old_email:
        account.user.email = customer.email
        account.user.save(update_fields=["email"])
        following = BillingAccount.objects.filter(
            customer=customer, invoice_email__iexact=old_email
        ).exclude(invoice_email="")
        for billing in following if customer.email else []:
            billing_account_update(
                account=billing,
                actor=account.user,
                expected_version=billing.version,
                invoice_email=customer.email,
            )
    changed = [
        field
        for field, before, after in (
            ("email", old_email, customer.email),
            ("phone", old_phone, customer.phone),
        )
        if before != after
    ]
    notify = old_email or customer.email
    if changed and notify:
        with translation.override(customer.language):
            what = {
                ("email",): _("e-mail address"),
                ("phone",): _("phone number"),
                ("email", "phone"): _("e-mail address and phone number"),
            }[tuple(changed)]
            _email(
                to=notify,
                subject=_("Your contact details were changed"),
                body=_(
                    "Hello %(name)s,\n\nthe %(what)s of your self-care account %(number)s "
                    "changed on %(when)s. If this was not you, call us at once.\n"
                )
                % {
                    "name": customer.name,
                    "what": what,
                    "number": customer.number,
                    "when": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
                },
                key=f"portal-contact-changed-{customer.pk}-{customer.version}",
            )
    return customer


@dataclass
class InvoiceDelivery:
    """How the invoices of one of the subscriber's billing accounts should come."""

    billing_account: BillingAccount
    expected_version: int
    invoice_delivery: str
    invoice_email: str


class PreferencesInvalid(ValidationError):
    """Some billing account refused its invoice delivery; ``by_account`` maps the
    account's id to its ValidationError. Nothing was saved."""

    def __init__(self, by_account: dict[int, ValidationError]):
        super().__init__([error for errors in by_account.values() for error in errors.messages])
        self.by_account = by_account


@transaction.atomic
def portal_preferences_set(
    *,
    account: PortalAccount,
    expected_version: int,
    marketing_email: bool,
    marketing_sms: bool,
    marketing_post: bool,
    deliveries: list[InvoiceDelivery],
) -> Customer:
    """The subscriber's communication preferences: marketing consent per channel
    (``customer_update``) and how each of its paying accounts gets invoices
    (``billing_account_update``, whose rules apply: e-mail delivery needs an invoice
    e-mail). All or nothing."""
    customer = customer_update(
        customer=account.customer,
        actor=account.user,
        expected_version=expected_version,
        marketing_email=marketing_email,
        marketing_sms=marketing_sms,
        marketing_post=marketing_post,
    )
    errors: dict[int, ValidationError] = {}
    for delivery in deliveries:
        if delivery.billing_account.customer_id != customer.pk:
            raise ValidationError(_("Unknown billing account."))
        try:
            with transaction.atomic():
                billing_account_update(
                    account=delivery.billing_account,
                    actor=account.user,
                    expected_version=delivery.expected_version,
                    invoice_delivery=delivery.invoice_delivery,
                    invoice_email=(delivery.invoice_email or "").strip().lower(),
                )
        except ValidationError as error:
            errors[delivery.billing_account.pk] = error
    if errors:
        raise PreferencesInvalid(errors)
    account.customer = customer
    return customer


@transaction.atomic
def portal_language_set(*, account: PortalAccount, language: str) -> Customer:
    """The subscriber's language: the customer's preferred language (letters,
    e-mails) and the portal login's, so every page shows in it from now on."""
    customer = account.customer
    if customer.language != language:
        current = Customer.objects.only("version").get(pk=customer.pk).version
        customer = customer_update(
            customer=customer, actor=account.user, expected_version=current, language=language
        )
        account.customer = customer
    portal_language_sync(account=account)
    return customer


@transaction.atomic
def portal_language_sync(*, account: PortalAccount) -> str:
    """Give the portal login the customer's language (an agent may have changed it);
    returns it. Called at login."""
    user, language = account.user, account.customer.language
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return language


@transaction.atomic
def portal_password_set(*, account: PortalAccount, password: str) -> PortalAccount:
    """A new password for the portal login (changed when logged in, or from a reset
    link): every other session of the login ends (Django ties sessions to the
    password), failed attempts are forgotten (a locked-out owner gets in again), a not
    yet activated login becomes active, and the customer is told by e-mail. The
    password was validated by the form."""
    user = account.user
    user.set_password(password)
    user.save(update_fields=["password"])
    axes_reset(username=user.get_username())  # a locked-out owner is let in again
    if account.activated_at is None:
        account.activated_at = timezone.now()
        account.save(update_fields=["activated_at", "updated_at"])
    customer = account.customer
    if customer.email:
        with translation.override(customer.language):
            _email(
                to=customer.email,
                subject=_("Your password was changed"),
                body=_(
                    "Hello %(name)s,\n\nthe password of your self-care account %(number)s "
                    "changed on %(when)s. If this was not you, reset it from the login "
                    "page and call us.\n"
                )
                % {
                    "name": customer.name,
                    "number": customer.number,
                    "when": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
                },
                key=f"portal-password-changed-{account.pk}-{timezone.now().timestamp()}",
            )
    return account


def password_reset_path(user) -> str:
    """The one-time path of a password reset (Django's token: it stops working once
    the password changes or the subscriber logs in)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("portal:password_reset_confirm", kwargs={"uidb64": uid, "token": token})


@transaction.atomic
def portal_password_reset_request(*, identifier: str) -> int:
    """Someone asks to reset the password of the login named by ``identifier``
    (customer number or e-mail). Each matching enabled subscriber login gets a
    one-time link at its customer's e-mail address; a disabled login, a staff user or
    an unknown name gets nothing, and the caller answers the same either way.
    Returns how many e-mails were queued (for tests; never shown)."""
    bucket = int(timezone.now().timestamp()) // RESET_EMAIL_WINDOW_SECONDS
    accounts = portal_reset_requested_accounts(identifier=identifier)
    for account in accounts:
        customer = account.customer
        with translation.override(customer.language):
            _email(
                to=customer.email,
                subject=_("Reset your self-care password"),
                body=_(
                    "Hello %(name)s,\n\nsomebody (we hope you) asked to reset the password "
                    "of your self-care account %(number)s. Set a new one here; the link "
                    "works once:\n%(link)s\n\nIf you did not ask, ignore this e-mail: your "
                    "password stays as it is.\n"
                )
                % {
                    "name": customer.name,
                    "number": customer.number,
                    "link": _portal_link(password_reset_path(account.user)),
                },
                key=f"portal-reset-{account.pk}-{bucket}",
            )
    return len(accounts)
