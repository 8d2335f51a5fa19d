"""Forms of the core app (validation only; services do the writes)."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from . import choices
from . import roles as R
from .models import OperatorSettings, Partner, User


class LoginForm(AuthenticationForm):
    """Staff and partner login; a suspended partner's users are refused, and so are
    subscribers (they log in on the self-care portal)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "partner_inactive": _("Your company's access is suspended. Contact AluxSat."),
        "subscriber": _("Subscribers log in on the self-care portal, at /portal/."),
    }

    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        if user.role_names and user.role_names <= R.PORTAL_ROLES:
            raise forms.ValidationError(self.error_messages["subscriber"], code="subscriber")
        if user.partner_id and user.partner.status != choices.PartnerStatus.ACTIVE:
            raise forms.ValidationError(
                self.error_messages["partner_inactive"], code="partner_inactive"
            )


class TokenForm(forms.Form):
    """A six-digit TOTP token from the user's authenticator app."""

    token = forms.CharField(
        label=_("Code from your authenticator app"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class PartnerForm(forms.ModelForm):
    """Details of a partner (its status changes through the status action)."""

    class Meta:
        model = Partner
        fields = ["name", "code", "kind", "org_unit", "email", "phone", "address", "vat_number"]
        widgets = {"address": forms.Textarea(attrs={"rows": 2})}


class PartnerStatusForm(forms.Form):
    """Reason for suspending, reactivating or terminating a partner."""

    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


class OperatorSettingsForm(forms.ModelForm):
    """Global settings of the operator."""

    class Meta:
        model = OperatorSettings
        fields = [
            "name",
            "time_zone",
            "currency",
            "country",
            "business_day_start",
            "business_day_end",
        ]
        widgets = {
            "business_day_start": forms.TimeInput(attrs={"type": "time"}),
            "business_day_end": forms.TimeInput(attrs={"type": "time"}),
        }

    def clean_time_zone(self) -> str:
        import zoneinfo

        value = self.cleaned_data["time_zone"]
        if value not in zoneinfo.available_timezones():
            raise forms.ValidationError(_("Unknown time zone."))
        return value

    def clean_currency(self) -> str:
        value = self.cleaned_data["currency"].upper()
        if len(value) != 3 or not value.isalpha():
            raise forms.ValidationError(_("Use a three-letter ISO 4217 code, e.g. EUR."))
        return value

    def clean_country(self) -> str:
        import holidays

        value = self.cleaned_data["country"].upper()
        if value not in holidays.list_supported_countries():
            raise forms.ValidationError(_("Use a two-letter country code, e.g. RO."))
        return value


class ProfileForm(forms.ModelForm):
    """The user's own preferences."""

    class Meta:
        model = User
        fields = ["language", "email", "phone"]
