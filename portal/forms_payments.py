"""Forms of the portal's payments: pay by card, top up a prepaid service with a
voucher. The card is checked for what can be checked here (Luhn digit, expiry, the
security code's length); what may be paid is the service's rule
(``card_payment_amount_check``), called here to show it next to the field."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum import luhn

from .providers import Card
from .selectors_payments import PaymentTarget, portal_prepaid_subscriptions
from .services_payments import card_payment_amount_check

_KEY_RE = re.compile(r"^[0-9a-f]{32}$")
_EXPIRY_RE = re.compile(r"^(\d{1,2})\s*/\s*(\d{2}|\d{4})$")
_CVC_RE = re.compile(r"^\d{3,4}$")
#: How many years ahead a card's expiry may be.
MAX_EXPIRY_YEARS = 20


class CardPaymentForm(forms.Form):
    """Amount, card number, expiry (MM/YY), security code, and the form's one-time
    idempotency key (hidden, made when the page is rendered). ``check_amount`` is
    False when the key was used already: the first attempt's amount counts."""

    amount = forms.DecimalField(
        label=_("Amount"),
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0.01", "inputmode": "decimal"}),
    )
    card_number = forms.CharField(
        label=_("Card number"),
        max_length=30,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "cc-number",
                "inputmode": "numeric",
                "placeholder": "1234 5678 9012 3456",
                "spellcheck": "false",
            }
        ),
    )
    expiry = forms.CharField(
        label=_("Expiry (MM/YY)"),
        max_length=7,
        widget=forms.TextInput(
            attrs={"autocomplete": "cc-exp", "inputmode": "numeric", "placeholder": "MM/YY"}
        ),
    )
    cvc = forms.CharField(
        label=_("Security code (CVC)"),
        max_length=4,
        widget=forms.PasswordInput(
            attrs={"autocomplete": "cc-csc", "inputmode": "numeric", "placeholder": "123"},
            render_value=False,
        ),
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, target: PaymentTarget, check_amount: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.target = target
        self.check_amount = check_amount
        self.fields["amount"].label = _("Amount (%(currency)s)") % {"currency": target.currency}

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if self.check_amount:
            try:
                amount = card_payment_amount_check(
                    account=self.target.account, invoice=self.target.invoice, amount=amount
                )
            except ValidationError as exc:
                raise forms.ValidationError(exc.message_dict["amount"]) from None
        return amount

    def clean_card_number(self) -> str:
        digits = re.sub(r"[\s\-]", "", self.cleaned_data["card_number"])
        if not (digits.isdigit() and 12 <= len(digits) <= 19 and luhn.is_valid(digits)):
            raise forms.ValidationError(_("This is not a valid card number: check the digits."))
        return digits

    def clean_expiry(self) -> tuple[int, int]:
        match = _EXPIRY_RE.match(self.cleaned_data["expiry"].strip())
        if not match:
            raise forms.ValidationError(_("Enter the expiry as MM/YY, e.g. 08/29."))
        month, year = int(match[1]), int(match[2])
        year = year + 2000 if year < 100 else year
        today = timezone.localdate()
        if not 1 <= month <= 12 or year > today.year + MAX_EXPIRY_YEARS:
            raise forms.ValidationError(_("Enter the expiry as MM/YY, e.g. 08/29."))
        if (year, month) < (today.year, today.month):
            raise forms.ValidationError(_("This card has expired."))
        return month, year

    def clean_cvc(self) -> str:
        cvc = self.cleaned_data["cvc"].strip()
        if not _CVC_RE.match(cvc):
            raise forms.ValidationError(
                _("Enter the 3 or 4 digits of the security code on the card.")
            )
        return cvc

    def clean_idempotency_key(self) -> str:
        key = self.cleaned_data["idempotency_key"].strip()
        if not _KEY_RE.match(key):
            raise forms.ValidationError(_("This payment form has expired. Please start again."))
        return key

    def card(self) -> Card:
        """The card of a valid form (for the provider; never stored)."""
        month, year = self.cleaned_data["expiry"]
        return Card(self.cleaned_data["card_number"], month, year, self.cleaned_data["cvc"])


class PrepaidChoiceField(forms.ModelChoiceField):
    """A prepaid subscription shown by number and products (short enough for a
    phone's select; the balances are listed above the form)."""

    def label_from_instance(self, obj) -> str:
        products = ", ".join(item.product.name for item in obj.items.all() if item.valid_to is None)
        return f"{obj.number} · {products}" if products else obj.number


class VoucherTopUpForm(forms.Form):
    """Which of the subscriber's prepaid services, and the voucher's code. Only the
    subscriber's own prepaid services are choices: another's is a field error."""

    subscription = PrepaidChoiceField(label=_("Service to top up"), queryset=None, empty_label=None)
    code = forms.CharField(
        label=_("Voucher code"),
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "placeholder": "XXXX-XXXX-XXXX-XXXX",
                "class": "font-monospace",
            }
        ),
    )

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subscription"].queryset = portal_prepaid_subscriptions(customer=customer)
