"""Forms of the subscriber's profile in the portal. They check input; the services
(``portal.services_profile`` over the customers app's services) apply the rules."""

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from customers.choices import InvoiceDelivery

WRONG_PASSWORD = _("This is not your current password.")


def password_is_right(request, user, password: str) -> bool:
    """Check ``user``'s password through ``authenticate`` so that wrong guesses count
    towards the same lockout (django-axes, with its cool-off) as the login: a session
    left open on a phone is no way to guess the password."""
    if not password:
        return False
    found = authenticate(request, username=user.get_username(), password=password)
    return found is not None and found.pk == user.pk


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: next to the field it names when
    the form has that field, above the form otherwise."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        target = field if field in form.fields and field != NON_FIELD_ERRORS else None
        for message in messages:
            form.add_error(target, message)


class ContactForm(forms.Form):
    """E-mail address and phone, confirmed with the current password (re-authentication
    on the same form: one step on a phone, nothing left behind in the session)."""

    email = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        help_text=_("Invoices, notices and password resets are sent here."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=32,
        required=False,
        help_text=_("Any usual format, e.g. 0721 234 567."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        help_text=_("To protect your account, confirm it is you."),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, data=None, *, request, customer, **kwargs):
        self.request = request
        kwargs.setdefault(
            "initial",
            {"email": customer.email, "phone": customer.phone, "version": customer.version},
        )
        super().__init__(data, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data.get("password", "")
        if not password_is_right(self.request, self.request.user, password):
            raise ValidationError(WRONG_PASSWORD, code="wrong_password")
        return password


class PreferencesForm(forms.Form):
    """Marketing consent per channel; off unless the subscriber ticks it."""

    CONSENT_FIELDS = ("marketing_email", "marketing_sms", "marketing_post")

    marketing_email = forms.BooleanField(label=_("Offers and news by e-mail"), required=False)
    marketing_sms = forms.BooleanField(label=_("Offers and news by SMS"), required=False)
    marketing_post = forms.BooleanField(label=_("Offers and news by post"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, data=None, *, customer, **kwargs):
        initial = {name: getattr(customer, name) for name in self.CONSENT_FIELDS}
        kwargs.setdefault("initial", {**initial, "version": customer.version})
        super().__init__(data, **kwargs)


class InvoiceDeliveryForm(forms.Form):
    """How the invoices of one paying billing account come (one form per account,
    prefixed by its id; the accounts come from the subscriber's own customer)."""

    invoice_delivery = forms.ChoiceField(
        label=_("How they come"), choices=InvoiceDelivery.choices, widget=forms.RadioSelect
    )
    invoice_email = forms.EmailField(
        label=_("E-mail for invoices"),
        required=False,
        help_text=_("Needed when invoices come by e-mail."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, data=None, *, billing_account, **kwargs):
        self.billing_account = billing_account
        kwargs.setdefault("prefix", f"account-{billing_account.pk}")
        kwargs.setdefault(
            "initial",
            {
                "invoice_delivery": billing_account.invoice_delivery,
                "invoice_email": billing_account.invoice_email,
                "version": billing_account.version,
            },
        )
        super().__init__(data, **kwargs)


class LanguageForm(forms.Form):
    """The language of the portal, of letters and of e-mails."""

    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)


class PortalPasswordChangeForm(PasswordChangeForm):
    """Django's password change, with the current password checked like a login
    attempt (wrong guesses count towards the lockout)."""

    def __init__(self, user, *args, request, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self) -> str:
        password = self.cleaned_data["old_password"]
        if not password_is_right(self.request, self.user, password):
            raise ValidationError(WRONG_PASSWORD, code="password_incorrect")
        return password


class PasswordResetRequestForm(forms.Form):
    """Ask for a password-reset link by customer number or e-mail."""

    identifier = forms.CharField(
        label=_("Customer number or e-mail"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
