"""Forms of the subscription screens. They check the shape of the input; the services
(``subscription_create``, ``change_order_create``, ``resting_request``...) apply the
business rules, and their ``ValidationError`` lands on the matching field."""

from decimal import Decimal

from django import forms
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from products.choices import Acquisition
from products.models import translated
from products.pricing import DEFAULT_TERM_MONTHS, MAX_TERM_MONTHS

from . import choices
from .models import ContractClause

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
BASKET_ROWS = 6  # product rows of the wizard's basket
SHOWN_BASKET_ROWS = 4  # the others are folded away (phones)
CHANGE_ROWS = 3  # products a change may add


def _discount_field(**kwargs) -> forms.DecimalField:
    return forms.DecimalField(
        label=_("Agent discount, %"),
        required=False,
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        **kwargs,
    )


def _term_field() -> forms.IntegerField:
    return forms.IntegerField(
        label=_("Minimum term, months"),
        min_value=1,
        max_value=MAX_TERM_MONTHS,
        initial=DEFAULT_TERM_MONTHS,
    )


class ProductRowsMixin:
    """Rows of (product, quantity, use) fields named ``<prefix>product_<n>``..."""

    row_prefix = ""
    row_count = BASKET_ROWS

    def add_rows(self, product_choices: list) -> None:
        p = self.row_prefix
        for row in range(1, self.row_count + 1):
            self.fields[f"{p}product_{row}"] = forms.TypedChoiceField(
                label=_("Product"),
                choices=[("", "—"), *product_choices],
                coerce=int,
                required=False,
                empty_value=None,
            )
            self.fields[f"{p}quantity_{row}"] = forms.IntegerField(
                label=_("Qty"), min_value=1, max_value=99, initial=1, required=False
            )
            self.fields[f"{p}acquisition_{row}"] = forms.ChoiceField(
                label=_("For"), choices=Acquisition.choices, required=False
            )

    def rows(self) -> list:
        """(product, quantity, use) bound fields per row, for the template."""
        p = self.row_prefix
        return [
            (self[f"{p}product_{r}"], self[f"{p}quantity_{r}"], self[f"{p}acquisition_{r}"])
            for r in range(1, self.row_count + 1)
        ]

    def lines(self) -> list[dict]:
        """``{"product", "quantity", "acquisition"}`` of the rows with a product."""
        p, data = self.row_prefix, self.cleaned_data
        return [
            {
                "product": data[f"{p}product_{r}"],
                "quantity": data.get(f"{p}quantity_{r}") or 1,
                "acquisition": data.get(f"{p}acquisition_{r}") or Acquisition.STANDARD,
            }
            for r in range(1, self.row_count + 1)
            if data.get(f"{p}product_{r}")
        ]


# --- the sales wizard ----------------------------------------------------------------------
class CustomerStepForm(forms.Form):
    """Step 1: the customer (among those the user may see)."""

    customer = forms.ModelChoiceField(
        queryset=None, label=_("Customer"), widget=forms.RadioSelect, empty_label=None
    )

    def __init__(self, data=None, *, customers, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["customer"].queryset = customers
        self.fields["customer"].label_from_instance = lambda c: f"{c.name} ({c.number})"

    def clean_customer(self):
        from alux_crm.core.errors import DomainError

        from .services.lifecycle import refuse_blocked_customer

        customer = self.cleaned_data["customer"]
        try:
            refuse_blocked_customer(customer)
        except DomainError as exc:
            raise forms.ValidationError(str(exc), code="customer_blocked") from exc
        return customer


class AccountStepForm(forms.Form):
    """Step 2: which of the customer's billing accounts pays."""

    account = forms.ModelChoiceField(
        queryset=None, label=_("Billing account"), widget=forms.RadioSelect, empty_label=None
    )

    def __init__(self, data=None, *, accounts, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["account"].queryset = accounts
        self.fields["account"].label_from_instance = lambda a: f"{a.number} · {a.name}"


class BasketStepForm(ProductRowsMixin, forms.Form):
    """Step 3: products with quantity and use, the agent's discount and the term."""

    discount = _discount_field()
    term_months = _term_field()
    shown_rows = SHOWN_BASKET_ROWS

    def __init__(self, data=None, *, product_choices: list, **kwargs):
        super().__init__(data, **kwargs)
        self.add_rows(product_choices)

    def extra_rows_used(self) -> bool:
        return any(r[0].value() for r in self.rows()[self.shown_rows :])

    def clean(self):
        data = super().clean()
        if not self.errors and not self.lines():
            raise forms.ValidationError(_("Put at least one product in the basket."))
        return data


class DevicesStepForm(forms.Form):
    """Step 4: the serial and room of every TV box and router in the basket."""

    def __init__(self, data=None, *, slots: list, **kwargs):
        super().__init__(data, **kwargs)
        self.slots = slots
        for n, product in enumerate(slots, start=1):
            self.fields[f"serial_{n}"] = forms.CharField(
                label=_("Serial number of %(product)s #%(n)s") % {"product": product, "n": n},
                max_length=40,
            )
            self.fields[f"room_{n}"] = forms.CharField(
                label=_("Room"), max_length=40, required=False
            )

    def rows(self) -> list:
        return [
            (product, self[f"serial_{n}"], self[f"room_{n}"])
            for n, product in enumerate(self.slots, start=1)
        ]

    def clean(self):
        data = super().clean()
        seen: dict[str, str] = {}
        for n in range(1, len(self.slots) + 1):
            serial = (data.get(f"serial_{n}") or "").strip().upper()
            if not serial:
                continue
            data[f"serial_{n}"] = serial
            if serial in seen:
                self.add_error(f"serial_{n}", _("This serial is typed twice."))
            seen[serial] = f"serial_{n}"
        return data

    def devices(self) -> list[dict]:
        return [
            {
                "product": product.pk,
                "serial": self.cleaned_data[f"serial_{n}"],
                "room": self.cleaned_data.get(f"room_{n}", ""),
            }
            for n, product in enumerate(self.slots, start=1)
        ]


class InstallationStepForm(forms.Form):
    """Step 5: when the installer comes (the service checks the working day)."""

    installation_date = forms.DateField(
        label=_("Installation day"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("A working day. Leave empty when no installer visit is needed."),
    )
    installation_slot = forms.ChoiceField(
        label=_("Time"),
        choices=[("", "—"), *choices.InstallationSlot.choices],
        required=False,
    )
    installation_notes = forms.CharField(
        label=_("Notes for the installer"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        data = super().clean()
        day = data.get("installation_date")
        if day and day < timezone.localdate():
            self.add_error("installation_date", _("The installation cannot be in the past."))
        if day and not data.get("installation_slot"):
            self.add_error("installation_slot", _("Choose when the installer comes."))
        return data


class ClauseFieldsMixin:
    """One textarea per clause of the contract template, prefilled with the standard
    text in the customer's language; only the clauses the agent changed are kept."""

    def add_clauses(self, *, language: str, initial: dict[str, str] | None = None) -> None:
        initial = initial or {}
        self.standard_clauses: dict[str, str] = {}
        with translation.override(language):
            for clause in ContractClause.objects.filter(is_active=True):
                standard = translated(clause, "text")
                self.standard_clauses[clause.code] = standard
                self.fields[f"clause_{clause.code}"] = forms.CharField(
                    label=translated(clause, "title"),
                    required=False,
                    initial=initial.get(clause.code, standard),
                    widget=forms.Textarea(attrs={"rows": 3}),
                )

    def clause_fields(self) -> list:
        return [self[f"clause_{code}"] for code in self.standard_clauses]

    def changed_clauses(self) -> dict[str, str]:
        """``{code: text}`` of the clauses whose text differs from the standard (an
        emptied clause keeps the standard text)."""
        changed = {}
        for code, standard in self.standard_clauses.items():
            text = (self.cleaned_data.get(f"clause_{code}") or "").strip()
            if text and " ".join(text.split()) != " ".join(standard.split()):
                changed[code] = text
        return changed


class ContractStepForm(ClauseFieldsMixin, forms.Form):
    """Step 6: term, what happens at its end, and clauses changed for this customer."""

    term_months = _term_field()
    renewal = forms.ChoiceField(label=_("At the end of the term"), choices=choices.RenewalRule)

    def __init__(self, data=None, *, language: str, clauses=None, **kwargs):
        super().__init__(data, **kwargs)
        self.add_clauses(language=language, initial=clauses)


# --- on a subscription -----------------------------------------------------------------
class ChangeForm(ProductRowsMixin, forms.Form):
    """A plan change (SUB-2): products to add, current items to remove, a device to
    swap with the new serial, and the day it is wanted."""

    row_prefix = "add_"
    row_count = CHANGE_ROWS

    remove = forms.ModelMultipleChoiceField(
        queryset=None,
        label=_("Current products"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    discount = _discount_field(help_text=_("On the products added."))
    swap_device = forms.ModelChoiceField(
        queryset=None, label=_("Swap the device"), required=False, empty_label="—"
    )
    new_serial = forms.CharField(label=_("New serial"), max_length=40, required=False)
    wanted_on = forms.DateField(label=_("Wanted on"), widget=DATE_INPUT)
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)

    def __init__(self, data=None, *, items, devices, product_choices: list, **kwargs):
        kwargs.setdefault("initial", {"wanted_on": timezone.localdate()})
        super().__init__(data, **kwargs)
        self.add_rows(product_choices)
        self.fields["remove"].queryset = items
        self.fields["remove"].label_from_instance = lambda i: (
            f"{i.quantity} x {i.product.name} ({i.get_acquisition_display()})"
        )
        self.fields["swap_device"].queryset = devices
        self.fields["swap_device"].label_from_instance = lambda d: (
            f"{d.product.name} {d.serial}" + (f" · {d.room}" if d.room else "")
        )

    def clean(self):
        data = super().clean()
        device, serial = data.get("swap_device"), (data.get("new_serial") or "").strip().upper()
        data["new_serial"] = serial
        if device and not serial:
            self.add_error("new_serial", _("Type the serial of the device given."))
        if serial and not device:
            self.add_error("swap_device", _("Choose the device given back."))
        wanted = data.get("wanted_on")
        if wanted and wanted < timezone.localdate():
            self.add_error("wanted_on", _("A change cannot be wanted in the past."))
        return data


class RestingForm(forms.Form):
    """A resting period (SUB-3): from the first day to the day service resumes."""

    starts_on = forms.DateField(label=_("From"), widget=DATE_INPUT)
    ends_on = forms.DateField(
        label=_("Service resumes on"),
        widget=DATE_INPUT,
        help_text=_("The first day the subscriber has the service again."),
    )

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends <= starts:
            self.add_error("ends_on", _("The service resumes after the first day of resting."))
        return data


class TerminationForm(forms.Form):
    """A request to end the subscription on a day, with the subscriber's reason."""

    effective_on = forms.DateField(label=_("End on"), widget=DATE_INPUT)
    reason = forms.CharField(
        label=_("Why the subscriber leaves"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AnswerForm(forms.Form):
    """Back office's answer to a cancellation request."""

    answer = forms.CharField(
        label=_("Answer"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, data=None, *, required: bool = True, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["answer"].required = required


class DocumentForm(ClauseFieldsMixin, forms.Form):
    """Generate a contract, or an addendum for a change order, with changed clauses."""

    change_order = forms.ModelChoiceField(
        queryset=None,
        label=_("Addendum for the change"),
        required=False,
        empty_label=_("None: the contract itself"),
    )

    def __init__(self, data=None, *, change_orders, language: str, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["change_order"].queryset = change_orders
        self.fields["change_order"].label_from_instance = lambda o: (
            f"{o.get_kind_display()} · {o.effective_on:%Y-%m-%d} ({o.get_status_display()})"
        )
        self.add_clauses(language=language)


class SignedScanForm(forms.Form):
    """The signed contract scanned back (a PDF or an image, checked by content)."""

    scan = forms.FileField(label=_("Signed scan"))
