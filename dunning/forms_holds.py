"""Forms of the holds screens: a promise to pay, a payment plan, a deposit asked by a
fraud review and the deposit's payment. An agent on the phone opens them from the
customer or billing-account page with the account and the overdue amount filled in."""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from billing.choices import PaymentMethod
from billing.forms import AGENT_PAYMENT_METHODS, account_number_form

from .services.payment_plans import MAX_INSTALMENTS

DATE = {"type": "date"}


class AccountNumberMixin:
    """Finds the billing account typed in ``account_number`` among those the user may
    see (another partner's account is "not found")."""

    def clean_account_number(self):
        from customers.selectors import billing_account_list

        number = account_number_form(self.cleaned_data["account_number"])
        self.account = billing_account_list(user=self.user).filter(number=number).first()
        if self.account is None:
            raise forms.ValidationError(_("No billing account %(number)s.") % {"number": number})
        return number


def _account_field():
    return forms.CharField(
        label=_("Billing account"),
        max_length=20,
        help_text=_("The account number, e.g. BA-000045."),
    )


def _amount_field(label):
    return forms.DecimalField(
        label=label,
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )


class PromiseForm(AccountNumberMixin, forms.Form):
    """The customer promises to pay an amount by a day."""

    account_number = _account_field()
    amount = _amount_field(_("Amount promised"))
    pay_by = forms.DateField(label=_("Pay by"), widget=forms.DateInput(attrs=DATE))
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.account = None


class PaymentPlanForm(AccountNumberMixin, forms.Form):
    """A total split into monthly instalments from a first day (the cent remainder on
    the last); previewed before it is saved."""

    account_number = _account_field()
    total = _amount_field(_("Total"))
    count = forms.IntegerField(
        label=_("Instalments"), min_value=1, max_value=MAX_INSTALMENTS, initial=3
    )
    first_due_on = forms.DateField(
        label=_("First instalment on"), widget=forms.DateInput(attrs=DATE)
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.account = None


class DepositRequestForm(AccountNumberMixin, forms.Form):
    """Back Office asks a deposit after a fraud review: for one subscription pending
    installation, or for all of the account's."""

    account_number = _account_field()
    subscription_number = forms.CharField(
        label=_("Subscription"),
        max_length=30,
        required=False,
        help_text=_("Empty: every subscription of the account waiting for installation."),
    )
    amount = _amount_field(_("Amount"))
    why = forms.CharField(label=_("Why"), max_length=250, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.account = None
        self.subscription = None

    def clean(self):
        data = super().clean()
        number = (data.get("subscription_number") or "").strip().upper()
        if number and self.account is not None:
            self.subscription = self.account.subscriptions.filter(number=number).first()
            if self.subscription is None:
                self.add_error(
                    "subscription_number",
                    _("Account %(account)s has no subscription %(number)s.")
                    % {"account": self.account.number, "number": number},
                )
        return data


class DepositPaymentForm(forms.Form):
    """The deposit was paid: when, how, and the receipt or transfer reference."""

    received_on = forms.DateField(
        label=_("Received on"), widget=forms.DateInput(attrs=DATE), initial=timezone.localdate
    )
    method = forms.ChoiceField(
        label=_("Method"),
        choices=[(m, label) for m, label in PaymentMethod.choices if m in AGENT_PAYMENT_METHODS],
    )
    reference = forms.CharField(label=_("Reference"), max_length=80, required=False)
