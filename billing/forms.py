"""Forms of the billing screens."""

import uuid
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _


class RunScheduleForm(forms.Form):
    """Schedule the billing run of a bill cycle for a period."""

    bill_cycle_day = forms.IntegerField(
        label=_("Bill-cycle day"),
        min_value=1,
        max_value=28,
        help_text=_("Day of the month the cycle's periods start (1-28)."),
    )
    period_start = forms.DateField(
        label=_("Period from"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The first day of the period; it falls on the bill-cycle day."),
    )

    def clean(self):
        data = super().clean()
        day, start = data.get("bill_cycle_day"), data.get("period_start")
        if day and start and start.day != day:
            self.add_error(
                "period_start",
                _("A period of cycle %(day)s starts on day %(day)s of a month.") % {"day": day},
            )
        return data


# --- payments, ledger, manual transactions ---------------------------------------------
AGENT_PAYMENT_METHODS = ("cash", "card", "transfer")


def account_number_form(text: str) -> str:
    """A billing-account number as typed (``ba 45``, ``BA-000045``) in its stored form."""
    import re

    upper = re.sub(r"\s+", "", (text or "").upper())
    match = re.match(r"^BA-?(\d+)$", upper)
    return f"BA-{int(match.group(1)):06d}" if match else upper


def _account_field(**kwargs):
    return forms.CharField(
        label=_("Billing account"),
        max_length=20,
        help_text=_("The account number, e.g. BA-000045."),
        **kwargs,
    )


class _AccountLookupMixin:
    """Finds the billing account typed in ``account_number`` among those the user
    may see (another partner's account is "not found", never a hint it exists)."""

    def clean_account_number(self):
        from customers.selectors import billing_account_list

        number = account_number_form(self.cleaned_data["account_number"])
        self.account = (
            billing_account_list(user=self.user).select_related(None).filter(number=number).first()
        )
        if self.account is None:
            raise forms.ValidationError(_("No billing account %(number)s.") % {"number": number})
        return number


class PaymentRecordForm(_AccountLookupMixin, forms.Form):
    """Record a payment taken by an agent (cash, card, bank transfer). The hidden
    idempotency key is made when the form is shown, so submitting the same form
    twice records one payment."""

    account_number = _account_field()
    amount = forms.DecimalField(
        label=_("Amount"), max_digits=14, decimal_places=2, min_value=Decimal("0.01")
    )
    method = forms.ChoiceField(label=_("Method"))
    received_on = forms.DateField(
        label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reference = forms.CharField(
        label=_("Reference"),
        max_length=80,
        required=False,
        help_text=_("Receipt, card slip or bank reference."),
    )
    idempotency_key = forms.CharField(max_length=120, widget=forms.HiddenInput)

    def __init__(self, data=None, *, user, initial=None):
        from django.utils import timezone

        from .choices import PaymentMethod

        initial = {
            "received_on": timezone.localdate(),
            "method": "cash",
            "idempotency_key": f"web-{uuid.uuid4()}",
            **(initial or {}),
        }
        super().__init__(data, initial=initial)
        self.user = user
        self.account = None
        self.fields["method"].choices = [
            (value, label)
            for value, label in PaymentMethod.choices
            if value in AGENT_PAYMENT_METHODS
        ]
        self.fields["amount"].widget.attrs.update({"inputmode": "decimal", "step": "0.01"})

    def clean_received_on(self):
        from django.utils import timezone

        day = self.cleaned_data["received_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("A payment cannot be received in the future."))
        return day

    def request_data(self) -> dict:
        """What identifies the request (to tell a double submit from a different one)."""
        data = self.cleaned_data
        return {
            "account": self.account.pk,
            "amount": str(data["amount"]),
            "method": data["method"],
            "received_on": str(data["received_on"]),
            "reference": data["reference"],
        }


class TransactionRequestForm(_AccountLookupMixin, forms.Form):
    """Ask for a manual transaction (BIL-4). Started from an invoice, the account and
    invoice are fixed and a credit note may name some of the invoice's lines (the
    amount then defaults to their totals)."""

    kind = forms.ChoiceField(label=_("Kind"))
    account_number = _account_field()
    invoice_number = forms.CharField(
        label=_("Invoice"),
        max_length=30,
        required=False,
        help_text=_("Optional: the invoice a credit note or write-off settles."),
    )
    invoice_lines = forms.ModelMultipleChoiceField(
        label=_("Invoice lines"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Credit only these lines; leave the amount empty to credit their totals."),
    )
    amount = forms.DecimalField(
        label=_("Amount"),
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=False,
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, data=None, *, user, invoice=None, account=None):
        from .choices import TransactionKind

        initial = {"kind": TransactionKind.CREDIT_NOTE if invoice else None}
        if invoice is not None:
            account = invoice.billing_account
            initial["invoice_number"] = invoice.number
        if account is not None:
            initial["account_number"] = account.number
        super().__init__(data, initial=initial)
        self.user, self.invoice, self.account = user, invoice, account
        self.fields["kind"].choices = TransactionKind.choices
        self.fields["amount"].widget.attrs.update({"inputmode": "decimal", "step": "0.01"})
        if invoice is not None:
            self.fields["account_number"].disabled = True
            self.fields["invoice_number"].disabled = True
            self.fields["invoice_lines"].queryset = invoice.lines.all()
            self.fields["invoice_lines"].label_from_instance = lambda line: (
                f"{line.description} · {line.total} {invoice.currency}"
            )
        else:
            del self.fields["invoice_lines"]

    def clean_invoice_number(self):
        from .selectors import invoice_list

        if self.invoice is not None:
            return self.invoice.number
        number = (self.cleaned_data.get("invoice_number") or "").strip().upper()
        if not number:
            return ""
        self.invoice = invoice_list(user=self.user).filter(number=number).first()
        if self.invoice is None:
            raise forms.ValidationError(_("No invoice %(number)s.") % {"number": number})
        return number

    def service_kwargs(self) -> dict:
        """The arguments of ``transaction_request`` (besides the actor)."""
        data = self.cleaned_data
        return {
            "account": self.account,
            "kind": data["kind"],
            "amount": data.get("amount"),
            "reason": data["reason"],
            "invoice": self.invoice,
            "lines": list(data.get("invoice_lines") or []),
        }
