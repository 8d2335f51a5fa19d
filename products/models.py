"""The catalogue (PRD-1..6): products, TV channels, bundles, compatibility rules,
price plans with effective-dated prices, tax classes with effective-dated VAT rates,
promotions with eligibility rules, maturity rewards, standard offers with their
limits and competitors' offers. Every row is tracked by django-pghistory.

Dates are ``[valid_from, valid_to)``: ``valid_to`` is the first day a row no longer
applies (empty: open-ended). Overlaps are refused by exclusion constraints.
"""

from decimal import Decimal

import pghistory
from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import ArrayField, DateRangeField, RangeOperators
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Func, Q, Value
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from alux_crm.core.models import TimeStampedModel
from alux_crm.core.money import MONEY_FIELD, RATE_FIELD

from . import choices

LANGUAGES = ("en", "ro")


def translated(obj, field: str) -> str:
    """``obj.<field>_<language>`` for the active language, else the English text (PRD-6)."""
    language = (translation.get_language() or "en").split("-")[0]
    if language in LANGUAGES:
        text = getattr(obj, f"{field}_{language}", "")
        if text:
            return text
    return getattr(obj, f"{field}_en", "")


class Translated:
    """``name`` and ``description`` in the user's language, falling back to English."""

    @property
    def name(self) -> str:
        return translated(self, "name")

    @property
    def description(self) -> str:
        return translated(self, "description")

    def __str__(self) -> str:
        return self.name


def _date_range() -> Func:
    return Func(
        F("valid_from"),
        F("valid_to"),
        Value("[)"),
        function="daterange",
        output_field=DateRangeField(),
    )


def _valid_range_check(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(valid_to__isnull=True) | Q(valid_to__gt=F("valid_from")), name=name
    )


class EffectiveQuerySet(models.QuerySet):
    """Rows valid on a date."""

    def valid_on(self, day):
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day), valid_from__lte=day)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class TaxClass(Translated, TimeStampedModel):
    """A tax class of products (standard VAT, reduced VAT, exempt); its rates per
    country are ``TaxRate`` rows, effective-dated."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_ro = models.CharField(_("name (Romanian)"), max_length=100, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("tax class")
        verbose_name_plural = _("tax classes")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class TaxRate(TimeStampedModel):
    """The VAT rate of a tax class in a country from a date (e.g. 0.210000 = 21 %)."""

    tax_class = models.ForeignKey(TaxClass, on_delete=models.PROTECT, related_name="rates")
    country = models.CharField(_("country"), max_length=2)
    rate = models.DecimalField(
        _("rate"),
        **RATE_FIELD,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("A fraction: 0.21 is 21 %."),
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid until"), null=True, blank=True)

    objects = EffectiveQuerySet.as_manager()

    class Meta:
        ordering = ["tax_class", "country", "-valid_from"]
        verbose_name = _("tax rate")
        verbose_name_plural = _("tax rates")
        constraints = [
            _valid_range_check("taxrate_valid_range"),
            models.CheckConstraint(
                condition=Q(rate__gte=0, rate__lte=1), name="taxrate_rate_fraction"
            ),
            ExclusionConstraint(
                name="taxrate_no_overlap",
                expressions=[
                    (F("tax_class"), RangeOperators.EQUAL),
                    (F("country"), RangeOperators.EQUAL),
                    (_date_range(), RangeOperators.OVERLAPS),
                ],
                violation_error_message=_("Another rate of this class and country is valid then."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tax_class.code} {self.country} {self.rate:%} {self.valid_from}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class TvChannel(TimeStampedModel):
    """A TV channel; packages and add-ons carry channels (a channel can be in several)."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    genre = models.CharField(_("genre"), max_length=40, blank=True)
    is_hd = models.BooleanField(_("HD"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("TV channel")
        verbose_name_plural = _("TV channels")

    def __str__(self) -> str:
        return self.name


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Product(Translated, TimeStampedModel):
    """Something the operator sells (PRD-1): a physical item, a service, one-off
    content (pay-per-view event, movie), a bundle of other products, or a fee.

    Its prices are ``PricePlan`` rows; what it needs or excludes is ``ProductRule``
    data; a bundle's parts are ``BundleComponent`` rows.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=choices.ProductKind.choices)
    category = models.CharField(
        _("category"), max_length=20, choices=choices.ProductCategory.choices
    )
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_ro = models.CharField(_("name (Romanian)"), max_length=120, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_ro = models.TextField(_("description (Romanian)"), blank=True)
    tax_class = models.ForeignKey(
        TaxClass, on_delete=models.PROTECT, related_name="products", verbose_name=_("tax class")
    )
    is_active = models.BooleanField(_("on sale"), default=True)
    change_policy = models.CharField(
        _("change policy"),
        max_length=20,
        choices=choices.ChangePolicy.choices,
        default=choices.ChangePolicy.IMMEDIATE,
        help_text=_("When an upgrade, downgrade or removal of this product takes effect."),
    )
    channels = models.ManyToManyField(
        TvChannel, blank=True, related_name="products", verbose_name=_("TV channels")
    )
    max_devices = models.PositiveSmallIntegerField(
        _("devices allowed (multi-room)"),
        null=True,
        blank=True,
        help_text=_("TV packages: how many TV boxes may watch it (PRD-5)."),
    )
    download_mbps = models.PositiveIntegerField(_("download, Mbit/s"), null=True, blank=True)
    upload_mbps = models.PositiveIntegerField(_("upload, Mbit/s"), null=True, blank=True)
    air_starts_at = models.DateTimeField(_("airs from"), null=True, blank=True)
    air_ends_at = models.DateTimeField(_("airs until"), null=True, blank=True)
    rental_hours = models.PositiveSmallIntegerField(
        _("rental window, hours"), null=True, blank=True
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            models.CheckConstraint(
                condition=Q(air_ends_at__isnull=True) | Q(air_ends_at__gt=F("air_starts_at")),
                name="product_air_time_order",
            ),
        ]
        indexes = [models.Index(fields=["kind", "category"], name="product_kind_category")]

    def get_absolute_url(self) -> str:
        return reverse("products:product_detail", args=[self.pk])


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class BundleComponent(models.Model):
    """A product included in a bundle (e.g. triple play = TV + broadband + telephony)."""

    bundle = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="components")
    component = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="in_bundles", verbose_name=_("component")
    )
    quantity = models.PositiveSmallIntegerField(_("quantity"), default=1)

    class Meta:
        ordering = ["bundle", "component__sort_order"]
        verbose_name = _("bundle component")
        verbose_name_plural = _("bundle components")
        constraints = [
            models.UniqueConstraint(fields=["bundle", "component"], name="bundle_component_once"),
            models.CheckConstraint(
                condition=~Q(bundle=F("component")), name="bundle_not_its_own_component"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bundle.code} ⊃ {self.quantity} x {self.component.code}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class ProductRule(models.Model):
    """A compatibility rule: ``product`` requires, or cannot be combined with, a
    product or any product of a category (e.g. an add-on requires a TV package)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="rules")
    kind = models.CharField(_("rule"), max_length=10, choices=choices.RuleKind.choices)
    target_product = models.ForeignKey(
        Product,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="targeted_by_rules",
        verbose_name=_("product"),
    )
    target_category = models.CharField(
        _("or any product of the category"),
        max_length=20,
        choices=choices.ProductCategory.choices,
        blank=True,
    )

    class Meta:
        ordering = ["product", "kind"]
        verbose_name = _("product rule")
        verbose_name_plural = _("product rules")
        constraints = [
            models.CheckConstraint(
                condition=(Q(target_product__isnull=False) & Q(target_category=""))
                | (Q(target_product__isnull=True) & ~Q(target_category="")),
                name="productrule_one_target",
                violation_error_message=_("Give either a product or a category."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} {self.get_kind_display().lower()} {self.target_label}"

    @property
    def target_label(self) -> str:
        if self.target_product_id:
            return str(self.target_product)
        return str(choices.ProductCategory(self.target_category).label)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class PricePlan(Translated, TimeStampedModel):
    """How a product is charged (PRD-2): recurring monthly or one-time, for its
    standard use or, for devices, for sale or rental. Amounts per currency and date
    are ``PlanPrice`` rows."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="price_plans")
    code = models.SlugField(_("code"), max_length=50, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_ro = models.CharField(_("name (Romanian)"), max_length=120, blank=True)
    charge = models.CharField(_("charge"), max_length=10, choices=choices.Charge.choices)
    acquisition = models.CharField(
        _("for"),
        max_length=10,
        choices=choices.Acquisition.choices,
        default=choices.Acquisition.STANDARD,
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["product__sort_order", "product__code", "acquisition"]
        verbose_name = _("price plan")
        verbose_name_plural = _("price plans")
        constraints = [
            models.UniqueConstraint(
                fields=["product", "acquisition"],
                condition=Q(is_active=True),
                name="priceplan_one_active_per_use",
                violation_error_message=_("The product already has an active plan for this use."),
            ),
        ]

    def get_absolute_url(self) -> str:
        return reverse("products:product_detail", args=[self.product_id])


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class PlanPrice(TimeStampedModel):
    """The price of a plan in a currency from a date (net of VAT). A new price is a
    new row from its date; the previous row gets ``valid_to``; past prices are never
    rewritten. ``resting_amount`` is the monthly fee while a subscription rests."""

    plan = models.ForeignKey(PricePlan, on_delete=models.PROTECT, related_name="prices")
    currency = models.CharField(_("currency"), max_length=3)
    amount = models.DecimalField(_("price"), **MONEY_FIELD)
    resting_amount = models.DecimalField(
        _("resting-period fee"), **MONEY_FIELD, null=True, blank=True
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid until"), null=True, blank=True)

    objects = EffectiveQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "currency", "-valid_from"]
        verbose_name = _("plan price")
        verbose_name_plural = _("plan prices")
        constraints = [
            _valid_range_check("planprice_valid_range"),
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="planprice_amount_not_negative",
                violation_error_message=_("A price cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(resting_amount__isnull=True) | Q(resting_amount__gte=0),
                name="planprice_resting_not_negative",
                violation_error_message=_("A resting fee cannot be negative."),
            ),
            ExclusionConstraint(
                name="planprice_no_overlap",
                expressions=[
                    (F("plan"), RangeOperators.EQUAL),
                    (F("currency"), RangeOperators.EQUAL),
                    (_date_range(), RangeOperators.OVERLAPS),
                ],
                violation_error_message=_(
                    "Another price of this plan in this currency is valid then."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan.code} {self.amount} {self.currency} from {self.valid_from}"


class _Discount(models.Model):
    """Fields shared by promotions and maturity rewards: what they take off and for
    which products (empty scope: every recurring line)."""

    value = models.DecimalField(
        _("value"),
        **MONEY_FIELD,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("Percent, amount per month, or number of free months."),
    )
    duration_months = models.PositiveSmallIntegerField(
        _("for months"), null=True, blank=True, help_text=_("Empty: for ever.")
    )
    products = models.ManyToManyField(Product, blank=True, verbose_name=_("on products"))
    categories = ArrayField(
        models.CharField(max_length=20, choices=choices.ProductCategory.choices),
        default=list,
        blank=True,
        verbose_name=_("on categories"),
    )

    class Meta:
        abstract = True


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Promotion(Translated, _Discount, TimeStampedModel):
    """A promotional offer designed and approved by Marketing (PRD-3): a percentage,
    a fixed amount or N free months, for N months or for ever, on the products or
    categories in its scope, for customers meeting every ``EligibilityRule``, sold
    inside its date window. Exclusive promotions are alone on their lines; stackable
    ones combine in priority order (highest first)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_ro = models.CharField(_("name (Romanian)"), max_length=120, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_ro = models.TextField(_("description (Romanian)"), blank=True)
    discount_kind = models.CharField(
        _("discount"), max_length=12, choices=choices.DiscountKind.choices
    )
    stacking = models.CharField(
        _("stacking"),
        max_length=10,
        choices=choices.Stacking.choices,
        default=choices.Stacking.STACKABLE,
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), default=100, help_text=_("Higher applies first.")
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=choices.PromotionStatus.choices,
        default=choices.PromotionStatus.DRAFT,
    )
    valid_from = models.DateField(_("on sale from"))
    valid_to = models.DateField(
        _("last day on sale"), null=True, blank=True, help_text=_("Empty: until withdrawn.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("designed by"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        ordering = ["-priority", "code"]
        verbose_name = _("promotion")
        verbose_name_plural = _("promotions")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="promotion_valid_range",
                violation_error_message=_("The last day cannot be before the first."),
            ),
            models.CheckConstraint(
                condition=~Q(discount_kind=choices.DiscountKind.PERCENTAGE) | Q(value__lte=100),
                name="promotion_percentage_at_most_100",
                violation_error_message=_("A percentage discount cannot exceed 100 %."),
            ),
            models.CheckConstraint(condition=Q(value__gt=0), name="promotion_value_positive"),
        ]
        indexes = [models.Index(fields=["status", "valid_from"], name="promotion_status_from")]

    def get_absolute_url(self) -> str:
        return reverse("products:promotion_detail", args=[self.pk])


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class EligibilityRule(models.Model):
    """One condition a customer and basket must meet for a promotion (PRD-3).
    ``values`` holds the allowed segments, categories, tiers, channels, product codes
    or product categories; ``new_customer`` takes the number of days (default 30);
    ``date_window`` uses ``date_from``/``date_to`` (inclusive)."""

    promotion = models.ForeignKey(
        Promotion, on_delete=models.CASCADE, related_name="eligibility_rules"
    )
    kind = models.CharField(_("rule"), max_length=20, choices=choices.EligibilityKind.choices)
    values = ArrayField(
        models.CharField(max_length=40), default=list, blank=True, verbose_name=_("values")
    )
    date_from = models.DateField(_("from"), null=True, blank=True)
    date_to = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["promotion", "kind"]
        verbose_name = _("eligibility rule")
        verbose_name_plural = _("eligibility rules")

    def __str__(self) -> str:
        shown = ", ".join(self.values)
        if self.kind == choices.EligibilityKind.DATE_WINDOW:
            shown = f"{self.date_from or '…'} - {self.date_to or '…'}"
        return f"{self.get_kind_display()}: {shown}".rstrip(": ")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class MaturityReward(Translated, _Discount, TimeStampedModel):
    """A loyalty reward applied automatically after ``after_months`` of tenure: a
    percentage or fixed discount (for N months or for ever) or a one-off credit."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_ro = models.CharField(_("name (Romanian)"), max_length=120, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_ro = models.TextField(_("description (Romanian)"), blank=True)
    reward_kind = models.CharField(_("reward"), max_length=12, choices=choices.RewardKind.choices)
    after_months = models.PositiveSmallIntegerField(_("after months of tenure"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["after_months", "code"]
        verbose_name = _("maturity reward")
        verbose_name_plural = _("maturity rewards")
        constraints = [
            models.CheckConstraint(
                condition=~Q(reward_kind=choices.RewardKind.PERCENTAGE) | Q(value__lte=100),
                name="reward_percentage_at_most_100",
                violation_error_message=_("A percentage discount cannot exceed 100 %."),
            ),
        ]


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class StandardOffer(Translated, TimeStampedModel):
    """A standard offer for a customer segment with the limits Marketing set (PRD-4):
    a quote below ``min_monthly_price`` or with more than ``max_discount_percent`` off
    needs Pricing approval (``offers.needs_pricing_approval``)."""

    segment = models.CharField(_("segment"), max_length=20)
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_ro = models.CharField(_("name (Romanian)"), max_length=120, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_ro = models.TextField(_("description (Romanian)"), blank=True)
    products = models.ManyToManyField(Product, blank=True, verbose_name=_("products offered"))
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    min_monthly_price = models.DecimalField(
        _("minimum monthly price"), **MONEY_FIELD, default=Decimal("0.00")
    )
    max_discount_percent = models.DecimalField(
        _("maximum discount, %"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    term_months = models.PositiveSmallIntegerField(_("contract term, months"), default=24)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(
        _("no longer valid from"), null=True, blank=True, help_text=_("Empty: open-ended.")
    )

    objects = EffectiveQuerySet.as_manager()

    class Meta:
        ordering = ["segment", "-valid_from"]
        verbose_name = _("standard offer")
        verbose_name_plural = _("standard offers")
        constraints = [
            _valid_range_check("standardoffer_valid_range"),
            models.CheckConstraint(
                condition=Q(max_discount_percent__gte=0, max_discount_percent__lte=100),
                name="standardoffer_discount_percent",
            ),
        ]


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class CompetitorOffer(TimeStampedModel):
    """A competitor's offer as found in the market (PRD-4), kept for comparison."""

    operator = models.CharField(_("competitor"), max_length=80)
    name = models.CharField(_("offer"), max_length=120)
    components = models.TextField(_("what it includes"))
    monthly_price = models.DecimalField(_("monthly price"), **MONEY_FIELD)
    one_time_price = models.DecimalField(
        _("one-time price"), **MONEY_FIELD, default=Decimal("0.00")
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    prices_include_vat = models.BooleanField(_("prices include VAT"), default=True)
    term_months = models.PositiveSmallIntegerField(_("contract term, months"), default=24)
    source = models.CharField(_("source"), max_length=200, blank=True)
    source_document = models.FileField(
        _("source document"), upload_to="competitor-offers/%Y/", blank=True
    )
    captured_on = models.DateField(_("seen on"))

    class Meta:
        ordering = ["operator", "name"]
        verbose_name = _("competitor offer")
        verbose_name_plural = _("competitor offers")
        constraints = [
            models.CheckConstraint(
                condition=Q(monthly_price__gte=0, one_time_price__gte=0),
                name="competitoroffer_prices_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.operator} — {self.name}"
