"""Forms of the subscriber portal."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .models import PortalAccount


class PortalLoginForm(AuthenticationForm):
    """Log in with the customer number or the e-mail address, and the password. The
    identifier is turned into the login's username before authentication;
    django-axes counts failures per identifier and address, and its cool-off lets a
    real customer in again after an attacker's attempts."""

    username = forms.CharField(label=_("Customer number or e-mail"), max_length=254)

    def clean(self):
        identifier = (self.data.get("username") or "").strip()
        account = (
            PortalAccount.objects.select_related("user")
            .filter(customer__number=identifier.upper())
            .first()
            or PortalAccount.objects.select_related("user")
            .filter(customer__email__iexact=identifier)
            .first()
        )
        if account is not None:
            self.cleaned_data["username"] = account.user.get_username()
        return super().clean()

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not PortalAccount.objects.filter(user=user).exists():
            raise forms.ValidationError(self.error_messages["invalid_login"], code="invalid_login")
