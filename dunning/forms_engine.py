"""Forms of the dunning engine's pages: plans, steps (their templates are checked by
the service: a syntax error is a form error), an account's collection settings and
the account chosen for a step's preview."""

from django import forms
from django.utils.translation import gettext_lazy as _

from customers.choices import CustomerSegment
from customers.models import BillingAccount

from .models import DunningPlan, DunningStep
from .services.engine_messages import VARIABLES


class PlanForm(forms.ModelForm):
    """A dunning plan: segments it covers, grace days, minimum amount, fees."""

    segments = forms.MultipleChoiceField(
        label=_("Segments"),
        choices=CustomerSegment.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Customer segments this plan applies to."),
    )

    class Meta:
        model = DunningPlan
        fields = [
            "code",
            "name",
            "segments",
            "is_default",
            "grace_days",
            "min_overdue_amount",
            "reconnection_fee",
            "is_active",
        ]


class StepForm(forms.ModelForm):
    """One step of a plan; subject and message are Django templates."""

    class Meta:
        model = DunningStep
        fields = ["name", "days_after_due", "action", "subject", "body", "fee_amount"]
        widgets = {"body": forms.Textarea(attrs={"rows": 8})}
        help_texts = {
            "body": _("Django template. Variables: %(names)s.")
            % {"names": ", ".join(f"{{{{ {name} }}}}" for name in VARIABLES)},
        }

    def _post_clean(self):
        # The service validates (and the unique position is set by it), not the model.
        pass


class CollectionSettingsForm(forms.Form):
    """A billing account's own plan and its "never disconnect" flag."""

    plan = forms.ModelChoiceField(
        label=_("Plan"),
        queryset=DunningPlan.objects.filter(is_active=True),
        required=False,
        empty_label=_("By the customer's segment"),
    )
    never_disconnect = forms.BooleanField(label=_("Never disconnect"), required=False)
    reason = forms.CharField(label=_("Why"), max_length=200, required=False)


class PreviewForm(forms.Form):
    """The billing account whose step is previewed."""

    account = forms.CharField(label=_("Billing account number"), max_length=20)

    def clean_account(self):
        number = self.cleaned_data["account"].strip()
        account = (
            BillingAccount.objects.select_related("customer").filter(number__iexact=number).first()
        )
        if account is None:
            raise forms.ValidationError(_("No billing account has this number."))
        return account
