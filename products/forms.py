"""Forms of the catalogue screens. They check the shape of the input; the services
do the writes and the business rules (kind/category, past prices, percentages...),
and their ``ValidationError`` lands on the matching field."""

from decimal import Decimal

from django import forms
from django.forms import formset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers import choices as customer_choices

from . import choices, services
from .models import CompetitorOffer, PricePlan, Product, Promotion
from .pricing import DEFAULT_TERM_MONTHS, MAX_TERM_MONTHS

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _model_field(model, name: str, **kwargs) -> forms.Field:
    """The form field of a model field (label, length, choices and validators)."""
    return model._meta.get_field(name).formfield(**kwargs)


class InstanceForm(forms.Form):
    """A plain form over some fields of a model: ``instance`` only fills the initial
    values (the service writes; the instance is never changed by validation)."""

    field_names: tuple[str, ...] = ()

    def __init__(self, data=None, files=None, *, instance=None, **kwargs):
        self.instance = instance
        if instance is not None:
            initial = {}
            for name in self.field_names:
                field = instance._meta.get_field(name)
                if field.many_to_many:
                    initial[name] = [obj.pk for obj in getattr(instance, name).all()]
                elif field.is_relation:
                    initial[name] = getattr(instance, field.attname)
                else:
                    initial[name] = getattr(instance, name)
            kwargs.setdefault("initial", initial)
        super().__init__(data, files, **kwargs)

    def service_data(self) -> dict:
        """The cleaned values the service takes, by its argument names."""
        return {name: self.cleaned_data[name] for name in self.field_names}


# --- products and prices --------------------------------------------------------------
class ProductForm(InstanceForm):
    """A product with its names and descriptions in English and Romanian (PRD-6) and
    the attributes of its kind (speed, air time, rental window, multi-room)."""

    field_names = (*services.PRODUCT_FIELDS, "channels")

    code = _model_field(Product, "code")
    kind = _model_field(Product, "kind")
    category = _model_field(Product, "category")
    name_en = _model_field(Product, "name_en")
    name_ro = _model_field(Product, "name_ro")
    description_en = _model_field(
        Product, "description_en", widget=forms.Textarea(attrs={"rows": 3})
    )
    description_ro = _model_field(
        Product, "description_ro", widget=forms.Textarea(attrs={"rows": 3})
    )
    tax_class = _model_field(Product, "tax_class")
    is_active = _model_field(Product, "is_active")
    change_policy = _model_field(Product, "change_policy")
    channels = _model_field(Product, "channels", widget=forms.SelectMultiple(attrs={"size": 8}))
    max_devices = _model_field(Product, "max_devices")
    download_mbps = _model_field(Product, "download_mbps")
    upload_mbps = _model_field(Product, "upload_mbps")
    air_starts_at = _model_field(Product, "air_starts_at", widget=DATETIME_INPUT)
    air_ends_at = _model_field(Product, "air_ends_at", widget=DATETIME_INPUT)
    rental_hours = _model_field(Product, "rental_hours")
    sort_order = _model_field(Product, "sort_order")

    fieldsets = (
        (_("Product"), ("code", "kind", "category", "tax_class", "is_active", "change_policy")),
        (_("Names and descriptions"), ("name_en", "name_ro", "description_en", "description_ro")),
        (
            _("Attributes"),
            (
                "download_mbps",
                "upload_mbps",
                "max_devices",
                "channels",
                "air_starts_at",
                "air_ends_at",
                "rental_hours",
                "sort_order",
            ),
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance is not None:
            # Rules and promotions name products by code: it does not change.
            self.fields["code"].disabled = True

    def grouped(self):
        """(legend, bound fields) per fieldset, for the template."""
        return [(legend, [self[name] for name in names]) for legend, names in self.fieldsets]


class PlanPriceForm(forms.Form):
    """A new price of one of the product's plans from a date (PRD-2). The service
    refuses a negative price, a start in the past and two prices starting the same
    day."""

    plan = forms.ModelChoiceField(queryset=PricePlan.objects.none(), label=_("Price plan"))
    currency = forms.CharField(label=_("Currency"), min_length=3, max_length=3)
    amount = forms.DecimalField(label=_("Price, without VAT"), max_digits=14, decimal_places=2)
    resting_amount = forms.DecimalField(
        label=_("Resting-period fee"),
        max_digits=14,
        decimal_places=2,
        required=False,
        help_text=_("Recurring plans only: the monthly fee while a subscription rests."),
    )
    valid_from = forms.DateField(label=_("Valid from"), widget=DATE_INPUT)

    def __init__(self, data=None, *, product: Product, currency: str, plan=None, **kwargs):
        initial = {"currency": currency, "valid_from": timezone.localdate(), "plan": plan}
        kwargs.setdefault("initial", initial)
        super().__init__(data, **kwargs)
        self.fields["plan"].queryset = product.price_plans.order_by("-is_active", "code")
        self.fields["plan"].label_from_instance = lambda p: (
            f"{p.name} · {p.get_charge_display()} · {p.get_acquisition_display()}"
            + ("" if p.is_active else f" ({_('inactive')})")
        )


# --- promotions -------------------------------------------------------------------------
class PromotionForm(InstanceForm):
    """A draft promotion: what it takes off, for how long, on what, when; and the
    eligibility rules (``self.rules``, a formset)."""

    field_names = (*services.PROMOTION_FIELDS, "products")

    code = _model_field(Promotion, "code")
    name_en = _model_field(Promotion, "name_en")
    name_ro = _model_field(Promotion, "name_ro")
    description_en = _model_field(
        Promotion, "description_en", widget=forms.Textarea(attrs={"rows": 3})
    )
    description_ro = _model_field(
        Promotion, "description_ro", widget=forms.Textarea(attrs={"rows": 3})
    )
    discount_kind = _model_field(Promotion, "discount_kind")
    value = _model_field(Promotion, "value")
    duration_months = _model_field(Promotion, "duration_months")
    stacking = _model_field(Promotion, "stacking")
    priority = _model_field(Promotion, "priority")
    valid_from = _model_field(Promotion, "valid_from", widget=DATE_INPUT)
    valid_to = _model_field(Promotion, "valid_to", widget=DATE_INPUT)
    products = forms.ModelMultipleChoiceField(
        queryset=Product.objects.order_by("sort_order", "code"),
        required=False,
        label=_("On products"),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Empty products and categories: every recurring line."),
    )
    categories = forms.MultipleChoiceField(
        choices=choices.ProductCategory.choices,
        required=False,
        label=_("On categories"),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    fieldsets = (
        (_("Promotion"), ("code", "name_en", "name_ro", "description_en", "description_ro")),
        (
            _("Discount"),
            ("discount_kind", "value", "duration_months", "stacking", "priority"),
        ),
        (_("On sale"), ("valid_from", "valid_to")),
        (_("Scope"), ("products", "categories")),
    )

    def __init__(self, data=None, files=None, *, instance=None, **kwargs):
        super().__init__(data, files, instance=instance, **kwargs)
        initial_rules = []
        if instance is not None:
            self.fields["code"].disabled = True
            initial_rules = [
                {
                    "kind": r.kind,
                    "values": ", ".join(r.values),
                    "date_from": r.date_from,
                    "date_to": r.date_to,
                }
                for r in instance.eligibility_rules.all()
            ]
        self.rules = EligibilityRuleFormSet(data, prefix="rules", initial=initial_rules)
        self.fields["products"].label_from_instance = lambda p: f"{p.name} ({p.code})"

    def grouped(self):
        return [(legend, [self[name] for name in names]) for legend, names in self.fieldsets]

    def is_valid(self) -> bool:
        rules_valid = self.rules.is_valid()
        return super().is_valid() and rules_valid

    def rules_data(self) -> list[dict]:
        """The rules typed in (rows left empty or marked for removal are dropped)."""
        rules = []
        for form in self.rules.forms:
            data = form.cleaned_data
            if not data or data.get("DELETE"):
                continue
            rule = {k: data.get(k) for k in ("kind", "values", "date_from", "date_to")}
            if any(rule.values()):
                rules.append(rule)
        return rules


class EligibilityRuleForm(forms.Form):
    """One eligibility rule: what it checks and the allowed values, comma-separated."""

    kind = forms.ChoiceField(
        choices=[("", "—"), *choices.EligibilityKind.choices], required=False, label=_("Rule")
    )
    values = forms.CharField(
        required=False,
        max_length=500,
        label=_("Values"),
        help_text=_("Comma-separated codes or names, e.g. mass, sme."),
    )
    date_from = forms.DateField(required=False, label=_("From"), widget=DATE_INPUT)
    date_to = forms.DateField(required=False, label=_("Until"), widget=DATE_INPUT)

    def clean_values(self) -> list[str]:
        return [v.strip() for v in self.cleaned_data["values"].split(",") if v.strip()]


EligibilityRuleFormSet = formset_factory(EligibilityRuleForm, extra=2, can_delete=True, max_num=20)


# --- competitors' offers ----------------------------------------------------------------
class CompetitorOfferForm(InstanceForm):
    """A competitor's offer and the leaflet or price list it was found in."""

    field_names = services.COMPETITOR_OFFER_FIELDS

    operator = _model_field(CompetitorOffer, "operator")
    name = _model_field(CompetitorOffer, "name")
    components = _model_field(
        CompetitorOffer, "components", widget=forms.Textarea(attrs={"rows": 3})
    )
    monthly_price = _model_field(CompetitorOffer, "monthly_price")
    one_time_price = _model_field(CompetitorOffer, "one_time_price")
    currency = _model_field(CompetitorOffer, "currency")
    prices_include_vat = _model_field(CompetitorOffer, "prices_include_vat")
    term_months = _model_field(CompetitorOffer, "term_months")
    source = _model_field(CompetitorOffer, "source")
    captured_on = _model_field(CompetitorOffer, "captured_on", widget=DATE_INPUT)
    source_document = forms.FileField(
        label=_("Source document"),
        required=False,
        help_text=_("A PDF or an image of the leaflet or price list."),
    )


# --- offer simulator ----------------------------------------------------------------------
BASKETS = 3
BASKET_ROWS = 5


class SimulatorForm(forms.Form):
    """Who the offers are for (a customer the user may see, else a segment), sold
    when, through which channel, for how long, and which competitors to compare."""

    customer_q = forms.CharField(label=_("Find a customer"), required=False, max_length=100)
    customer = forms.IntegerField(label=_("Customer"), required=False)
    segment = forms.ChoiceField(
        label=_("Segment"),
        choices=customer_choices.CustomerSegment.choices,
        initial=customer_choices.CustomerSegment.MASS_MARKET,
    )
    category = forms.ChoiceField(
        label=_("Category"),
        choices=customer_choices.CustomerCategory.choices,
        initial=customer_choices.CustomerCategory.RESIDENTIAL,
    )
    tier = forms.ChoiceField(
        label=_("Tier"), choices=customer_choices.Tier.choices, initial=customer_choices.Tier.BRONZE
    )
    channel = forms.ChoiceField(label=_("Sold through"), choices=choices.SalesChannel.choices)
    on_date = forms.DateField(label=_("Sale date"), widget=DATE_INPUT)
    term_months = forms.IntegerField(
        label=_("Contract term, months"),
        min_value=1,
        max_value=MAX_TERM_MONTHS,
        initial=DEFAULT_TERM_MONTHS,
    )
    competitors = forms.ModelMultipleChoiceField(
        queryset=CompetitorOffer.objects.none(),
        required=False,
        label=_("Compare with competitors' offers"),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )

    def __init__(self, data=None, *, competitors, find_customer, channel: str, **kwargs):
        kwargs.setdefault("initial", {"on_date": timezone.localdate(), "channel": channel})
        super().__init__(data, **kwargs)
        self.fields["competitors"].queryset = competitors
        self._find_customer = find_customer
        self.chosen_customer = None

    def clean_customer(self):
        pk = self.cleaned_data.get("customer")
        if pk is None:
            return None
        customer = self._find_customer(pk)
        if customer is None:
            raise forms.ValidationError(_("No such customer that you can see."))
        self.chosen_customer = customer
        return customer


class BasketForm(forms.Form):
    """One of our offers to simulate: up to ``BASKET_ROWS`` products with quantity and
    use (devices: sale or rental), and an agent discount on every line."""

    label = forms.CharField(label=_("Name"), required=False, max_length=60)
    discount = forms.DecimalField(
        label=_("Agent discount, %"),
        required=False,
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
    )

    def __init__(self, data=None, *, number: int, product_choices: list, **kwargs):
        kwargs.setdefault("prefix", f"b{number}")
        super().__init__(data, **kwargs)
        self.number = number
        self.fields["label"].initial = _("Offer %(n)s") % {"n": number}
        for row in range(1, BASKET_ROWS + 1):
            self.fields[f"product_{row}"] = forms.TypedChoiceField(
                label=_("Product"),
                choices=[("", "—"), *product_choices],
                coerce=int,
                required=False,
                empty_value=None,
            )
            self.fields[f"quantity_{row}"] = forms.IntegerField(
                label=_("Qty"), min_value=1, max_value=99, initial=1, required=False
            )
            self.fields[f"acquisition_{row}"] = forms.ChoiceField(
                label=_("For"), choices=choices.Acquisition.choices, required=False
            )

    shown_rows = 3  # the others are folded away (phones)

    def extra_rows_used(self) -> bool:
        """True when a folded row has a product (it is shown open)."""
        return any(
            self[f"product_{r}"].value() for r in range(self.shown_rows + 1, BASKET_ROWS + 1)
        )

    def rows(self):
        """(product, quantity, acquisition) bound fields per row, for the template."""
        return [
            (self[f"product_{r}"], self[f"quantity_{r}"], self[f"acquisition_{r}"])
            for r in range(1, BASKET_ROWS + 1)
        ]

    def lines(self) -> list[tuple[int, int, str]]:
        """(product id, quantity, use) of the rows with a product."""
        data = self.cleaned_data
        return [
            (
                data[f"product_{r}"],
                data.get(f"quantity_{r}") or 1,
                data.get(f"acquisition_{r}") or choices.Acquisition.STANDARD,
            )
            for r in range(1, BASKET_ROWS + 1)
            if data.get(f"product_{r}")
        ]

    def title(self) -> str:
        return (self.cleaned_data.get("label") or "").strip() or str(self.fields["label"].initial)
