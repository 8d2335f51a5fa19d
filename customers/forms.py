"""Forms of the customer screens. They check input; services do the writes and the
business rules (``services.clean_customer_data`` checks numbers by country rules)."""

import re
from decimal import Decimal

import phonenumbers
from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from alux_crm.core.models import Partner
from alux_crm.core.selectors import is_partner_user, operator_settings

from . import choices, selectors
from .models import Address, BillingAccount, Customer

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _model_field(name: str, **kwargs) -> forms.Field:
    """The form field of a Customer model field (label, length and choices from the model)."""
    return Customer._meta.get_field(name).formfield(**kwargs)


class UserChoiceField(forms.ModelChoiceField):
    """A user shown by full name (username when the name is empty)."""

    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.username


def assignable_agents(user):
    """Users who may be recorded as serving agent: the partner's own users for a
    partner login, every active user for staff."""
    users = get_user_model().objects.filter(is_active=True).order_by("first_name", "last_name")
    if is_partner_user(user):
        return users.filter(partner_id=user.partner_id)
    return users


CUSTOMER_NUMBER = re.compile(r"^C?-?(\d{1,12})$")


def normalise_customer_number(value: str) -> str:
    """``c12``, ``C-12`` or ``12`` → ``C-000012``; anything else is returned as typed."""
    compact = (value or "").strip().upper().replace(" ", "")
    match = CUSTOMER_NUMBER.match(compact)
    return f"C-{int(match.group(1)):06d}" if match else compact


def find_customer(*, user, number: str) -> Customer | None:
    """A customer the user may see, by its number in any usual spelling."""
    return (
        selectors.customer_list(user=user).filter(number=normalise_customer_number(number)).first()
    )


class CountryField(forms.CharField):
    """A two-letter country code (ISO 3166-1 alpha-2)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 2)
        kwargs.setdefault("min_length", 2)
        kwargs.setdefault(
            "help_text", _("Two-letter code, e.g. RO. Numbers are checked by its rules.")
        )
        super().__init__(**kwargs)
        self.widget.attrs.update({"class": "text-uppercase", "autocomplete": "country"})

    def clean(self, value):
        value = super().clean(value).upper()
        if value and value not in phonenumbers.SUPPORTED_REGIONS:
            raise forms.ValidationError(
                _("“%(value)s” is not a country code."), params={"value": value}
            )
        return value


class CustomerForm(forms.Form):
    """A person's or a company's details. ``kind`` decides which fields are shown.

    On create it also takes an optional first address and an optional credit check;
    on edit it carries the ``version`` the agent loaded (concurrent-edit check)."""

    PERSON_FIELDS = ("first_name", "last_name", "id_number", "date_of_birth")
    COMPANY_FIELDS = ("company_name", "registration_number", "vat_number")
    CONTACT_FIELDS = ("phone", "email", "country", "language")
    CONSENT_FIELDS = ("marketing_email", "marketing_sms", "marketing_post")
    CLASS_FIELDS = ("category", "segment", "line_type", "payment_type")
    STAFF_FIELDS = ("serving_agent", "partner")
    ADDRESS_FIELDS = (
        "address_line1",
        "address_line2",
        "address_postal_code",
        "address_city",
        "address_region",
    )
    CREDIT_FIELDS = ("declared_monthly_income", "credit_history")

    kind = forms.ChoiceField(choices=choices.CustomerKind.choices, widget=forms.HiddenInput)
    first_name = _model_field("first_name", required=False)
    last_name = _model_field("last_name", required=True)
    id_number = _model_field("id_number", required=False)
    date_of_birth = _model_field("date_of_birth", required=False, widget=DATE_INPUT)
    company_name = _model_field("company_name", required=True)
    registration_number = _model_field("registration_number", required=False)
    vat_number = _model_field("vat_number", required=False)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=32,
        required=False,
        help_text=_("Any usual format; stored as +40…"),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    email = _model_field("email", required=False)
    country = CountryField(label=_("Country"), initial="RO")
    language = _model_field("language")
    marketing_email = _model_field("marketing_email")
    marketing_sms = _model_field("marketing_sms")
    marketing_post = _model_field("marketing_post")
    category = _model_field("category", required=False)
    segment = _model_field("segment")
    line_type = _model_field("line_type")
    payment_type = _model_field("payment_type")
    serving_agent = UserChoiceField(
        queryset=get_user_model().objects.none(),
        label=_("Serving agent"),
        required=False,
        empty_label=_("Me"),
    )
    partner = forms.ModelChoiceField(
        queryset=Partner.objects.none(),
        label=_("Dealer"),
        required=False,
        empty_label=_("None (served by AluxSat)"),
        help_text=_("The retailer who brought the customer; its users see the customer."),
    )
    parent_number = forms.CharField(
        label=_("Part of (customer number)"),
        max_length=20,
        required=False,
        help_text=_("For a branch or department: the number of the customer it belongs to."),
    )
    # First address (create only).
    address_line1 = forms.CharField(label=_("Street and number"), max_length=200, required=False)
    address_line2 = forms.CharField(
        label=_("Building, floor, apartment"), max_length=200, required=False
    )
    address_postal_code = forms.CharField(label=_("Postal code"), max_length=20, required=False)
    address_city = forms.CharField(label=_("City"), max_length=100, required=False)
    address_region = forms.CharField(label=_("County / region"), max_length=100, required=False)
    # Credit check at acquisition (create only, optional).
    declared_monthly_income = forms.DecimalField(
        label=_("Declared monthly income"),
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0"),
        required=False,
    )
    credit_history = forms.ChoiceField(
        label=_("Credit history"),
        choices=[("", _("Not checked now")), *choices.CreditHistory.choices],
        required=False,
    )
    confirm_duplicates = forms.BooleanField(
        label=_("I checked these; create anyway"), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, data=None, *, kind: str, user, instance: Customer | None = None, **kwargs):
        self.instance = instance
        self.user = user
        self.creating = instance is None
        if instance is not None:
            kind = instance.kind
            initial = {name: getattr(instance, name) for name in self._model_fields(kind)}
            initial["serving_agent"] = instance.serving_agent_id
            initial["partner"] = instance.partner_id
            initial["version"] = instance.version
            initial["kind"] = kind
            kwargs.setdefault("initial", initial)
        else:
            kwargs.setdefault(
                "initial",
                {
                    "kind": kind,
                    "category": choices.DEFAULT_CATEGORY.get(kind, ""),
                    "country": operator_settings().country or "RO",
                },
            )
        super().__init__(data, **kwargs)
        self.kind = kind
        drop = set(
            self.COMPANY_FIELDS if kind == choices.CustomerKind.PERSON else self.PERSON_FIELDS
        )
        if instance is not None:
            drop |= {
                "parent_number",
                "confirm_duplicates",
                *self.ADDRESS_FIELDS,
                *self.CREDIT_FIELDS,
            }
        else:
            drop.add("version")
        if is_partner_user(user):
            drop.add("partner")  # a retailer's customers are always the retailer's
        for name in drop:
            self.fields.pop(name, None)
        current_agent = instance.serving_agent_id if instance is not None else None
        current_partner = instance.partner_id if instance is not None else None
        if "serving_agent" in self.fields:
            agents = assignable_agents(user)
            if current_agent:  # keep the current agent choosable, whoever it is
                agents = agents | get_user_model().objects.filter(pk=current_agent)
            self.fields["serving_agent"].queryset = agents
            if instance is not None:
                self.fields["serving_agent"].empty_label = _("Nobody")
        if "partner" in self.fields:
            self.fields["partner"].queryset = Partner.objects.filter(
                Q(kind="retailer") | Q(pk=current_partner)
            ).order_by("name")
        if "category" in self.fields:
            self.fields["category"].choices = choices.CustomerCategory.choices
        if instance is not None:
            self.fields["version"].required = True
            self.fields["kind"].required = False

    @staticmethod
    def _model_fields(kind: str) -> tuple[str, ...]:
        own = (
            CustomerForm.PERSON_FIELDS
            if kind == choices.CustomerKind.PERSON
            else CustomerForm.COMPANY_FIELDS
        )
        return (
            *own,
            *CustomerForm.CONTACT_FIELDS,
            *CustomerForm.CONSENT_FIELDS,
            *CustomerForm.CLASS_FIELDS,
        )

    def clean_kind(self) -> str:
        if self.instance is not None:
            return self.instance.kind  # the kind of an existing customer does not change
        return self.cleaned_data["kind"]

    def clean_parent_number(self):
        number = self.cleaned_data.get("parent_number")
        if not number:
            return None
        parent = find_customer(user=self.user, number=number)
        if parent is None:
            raise forms.ValidationError(
                _("No customer %(number)s that you can see."), params={"number": number}
            )
        return parent

    def clean(self):
        data = super().clean()
        if self.creating:
            typed = [name for name in self.ADDRESS_FIELDS if data.get(name)]
            if typed:
                for name in ("address_line1", "address_city"):
                    if not data.get(name):
                        self.add_error(name, _("Needed for the address."))
            income, history = data.get("declared_monthly_income"), data.get("credit_history")
            if income is not None and not history:
                self.add_error("credit_history", _("Choose the credit history to run the check."))
            if history and income is None:
                self.add_error("declared_monthly_income", _("Needed for the credit check."))
        return data

    # --- what the view hands to the services ------------------------------------------
    def customer_data(self) -> dict:
        data = {name: self.cleaned_data.get(name) for name in self._model_fields(self.kind)}
        for name in (
            "first_name",
            "last_name",
            "id_number",
            "company_name",
            "registration_number",
            "vat_number",
            "phone",
            "email",
            "category",
        ):
            if name in data and data[name] is None:
                data[name] = ""
        data["kind"] = self.kind
        if "serving_agent" in self.fields:
            agent = self.cleaned_data.get("serving_agent")
            if agent is not None or self.instance is not None:
                data["serving_agent"] = agent
        if "partner" in self.fields:
            data["partner"] = self.cleaned_data.get("partner")
        if self.creating and self.cleaned_data.get("parent_number"):
            data["parent"] = self.cleaned_data["parent_number"]
        return data

    def address_data(self) -> dict | None:
        if not self.creating or not self.cleaned_data.get("address_line1"):
            return None
        return {
            "line1": self.cleaned_data["address_line1"],
            "line2": self.cleaned_data.get("address_line2", ""),
            "postal_code": self.cleaned_data.get("address_postal_code", ""),
            "city": self.cleaned_data["address_city"],
            "region": self.cleaned_data.get("address_region", ""),
            "country": self.cleaned_data.get("country") or "RO",
        }

    def credit_data(self) -> dict | None:
        if not self.creating or not self.cleaned_data.get("credit_history"):
            return None
        return {
            "declared_monthly_income": self.cleaned_data["declared_monthly_income"],
            "credit_history": self.cleaned_data["credit_history"],
        }

    def fieldsets(self) -> list[dict]:
        """Groups of fields for the template, in order; empty groups left out."""
        if self.kind == choices.CustomerKind.PERSON:
            identity = (_("Person"), self.PERSON_FIELDS, "person")
        else:
            identity = (_("Company"), self.COMPANY_FIELDS, "company")
        groups = [
            identity,
            (_("Contact"), self.CONTACT_FIELDS, "contact"),
            (_("Marketing consent"), self.CONSENT_FIELDS, "consent"),
            (
                _("Classification"),
                (*self.CLASS_FIELDS, *self.STAFF_FIELDS, "parent_number"),
                "classification",
            ),
            (_("Address (legal / residence)"), self.ADDRESS_FIELDS, "address"),
            (_("Credit check (optional)"), self.CREDIT_FIELDS, "credit"),
        ]
        result = []
        for legend, names, slug in groups:
            fields = [self[name] for name in names if name in self.fields]
            if not fields:
                continue
            optional = slug in ("address", "credit")
            is_open = slug != "credit" or any(
                f.value() not in (None, "") or f.errors for f in fields
            )
            result.append(
                {
                    "legend": legend,
                    "fields": fields,
                    "slug": slug,
                    "optional": optional,
                    "open": is_open,
                }
            )
        return result


class MultipleFileInput(forms.ClearableFileInput):
    """``<input type="file" multiple>``."""

    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files (the service checks each one by its content)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)] if data else []


class CommunicationForm(forms.Form):
    """One contact with the customer, with attachments."""

    channel = forms.ChoiceField(label=_("Channel"), choices=choices.Channel.choices)
    direction = forms.ChoiceField(
        label=_("Direction"), choices=choices.Direction.choices, initial=choices.Direction.INBOUND
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    occurred_at = forms.DateTimeField(
        label=_("When"),
        required=False,
        help_text=_("Leave empty for now."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    files = MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=_("Images, PDF documents or audio recordings; several at once."),
    )

    def __init__(self, *args, instance=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].widget.attrs["accept"] = "image/*,application/pdf,audio/*"


class AddressForm(forms.ModelForm):
    """A new address of the customer, valid from a date."""

    class Meta:
        model = Address
        fields = [
            "kind",
            "line1",
            "line2",
            "postal_code",
            "city",
            "region",
            "country",
            "valid_from",
        ]
        widgets = {"valid_from": DATE_INPUT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["valid_from"].help_text = _(
            "The current address of this kind ends the day before."
        )

    def _post_clean(self):  # validation only here; the service builds the row
        pass


class CreditCheckForm(forms.Form):
    """Inputs of a credit check (CUS-3)."""

    declared_monthly_income = forms.DecimalField(
        label=_("Declared monthly income"), max_digits=14, decimal_places=2, min_value=0
    )
    currency = forms.CharField(label=_("Currency"), max_length=3, min_length=3)
    credit_history = forms.ChoiceField(
        label=_("Credit history"), choices=choices.CreditHistory.choices
    )

    def __init__(self, *args, instance=None, **kwargs):
        kwargs.setdefault("initial", {"currency": operator_settings().currency})
        super().__init__(*args, **kwargs)

    def clean_currency(self) -> str:
        value = self.cleaned_data["currency"].upper()
        if not value.isalpha():
            raise forms.ValidationError(_("Use a three-letter ISO 4217 code, e.g. EUR."))
        return value


class AddressChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.get_kind_display()}: {obj}"


class AccountChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.number} · {obj.name}"


BILLING_ACCOUNT_FIELDS = [
    "name",
    "currency",
    "bill_cycle_day",
    "payment_method",
    "billing_address",
    "invoice_delivery",
    "invoice_email",
    "is_paying",
]


class BillingAccountForm(forms.ModelForm):
    """A billing account's details. On create, also where it sits in the tree."""

    parent = AccountChoiceField(
        queryset=BillingAccount.objects.none(),
        label=_("Parent account"),
        required=False,
        empty_label=_("None: a top-level account (always pays)"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = BillingAccount
        fields = BILLING_ACCOUNT_FIELDS
        widgets = {"bill_cycle_day": forms.NumberInput(attrs={"min": 1, "max": 28})}

    def __init__(self, data=None, *, customer: Customer, user, instance=None, **kwargs):
        if instance is None:
            kwargs.setdefault(
                "initial",
                {
                    "name": customer.name,
                    "invoice_email": customer.email,
                    "currency": operator_settings().currency,
                },
            )
        else:
            kwargs.setdefault("initial", {"version": instance.version})
        current = selectors.current_addresses(customer=customer)
        if instance is None and current:  # the billing address, else the first one
            billing = [a for a in current if a.kind == choices.AddressKind.BILLING]
            kwargs["initial"].setdefault("billing_address", (billing or current)[0].pk)
        super().__init__(data, instance=instance, **kwargs)
        self.customer = customer
        addresses = [a.pk for a in current]
        if instance is not None and instance.billing_address_id:
            addresses.append(instance.billing_address_id)
        self.fields["billing_address"] = AddressChoiceField(
            queryset=Address.objects.filter(pk__in=addresses).order_by("kind"),
            label=_("Billing address"),
            required=False,
            empty_label=_("None"),
            help_text=_("One of the customer's current addresses."),
        )
        self.fields["bill_cycle_day"].min_value = 1
        self.fields["bill_cycle_day"].max_value = 28
        self.fields["bill_cycle_day"].validators += [MinValueValidator(1), MaxValueValidator(28)]
        if instance is None:
            self.fields["parent"].queryset = parent_account_choices(user=user, customer=customer)
            self.fields["parent"].help_text = _(
                "An account of this customer or of a company above it pays for this one "
                "when this one does not pay."
            )
            del self.fields["version"]
        else:
            del self.fields["parent"]
            self.fields["version"].required = True

    def _post_clean(self):  # validation only here; the service writes
        pass

    def account_data(self) -> dict:
        data = {name: self.cleaned_data.get(name) for name in BILLING_ACCOUNT_FIELDS}
        data["currency"] = (data["currency"] or "").upper()
        if "parent" in self.fields:
            data["parent"] = self.cleaned_data.get("parent")
        return data


def parent_account_choices(*, user, customer: Customer):
    """Accounts a billing account of ``customer`` may sit under: those of the customer
    itself and of the companies above it in the organisation tree."""
    ids = [customer.pk, *(c.pk for c in selectors.customer_ancestors(customer=customer))]
    return (
        selectors.billing_account_list(user=user)
        .filter(customer_id__in=ids)
        .select_related("customer")
        .order_by("number")
    )


class CustomerMoveForm(forms.Form):
    """Where to move a customer in the organisation tree."""

    parent_number = forms.CharField(
        label=_("New parent (customer number)"),
        max_length=20,
        required=False,
        help_text=_("Leave empty to make it a top-level customer."),
    )


class BillingAccountMoveForm(forms.Form):
    """Under which account of the organisation to move a billing account."""

    parent = AccountChoiceField(
        queryset=BillingAccount.objects.none(),
        label=_("New parent account"),
        required=False,
        empty_label=_("None: make it a top-level account (it will pay)"),
    )

    def __init__(self, data=None, *, account: BillingAccount, user, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["parent"].queryset = parent_account_choices(
            user=user, customer=account.customer
        ).exclude(pk=account.pk)
        self.initial.setdefault("parent", account.parent_id)


class ConfirmForm(forms.Form):
    """A confirmation without input (errors of the action show on it)."""
