"""API serializers of the catalogue (PRD-1..6).

They check the *shape* of a request (types, choices, which products a basket names);
the business rules (kind and category agree, the past is never rewritten, a basket's
prerequisites) are the services', so the API and the pages refuse the same things
with the same messages. Money is a string with 2 decimals; names come in English and
Romanian, plus ``name`` in the caller's language.
"""

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from alux_crm.core.money import MONEY_FIELD, RATE_FIELD
from alux_crm.core.selectors import is_partner_user
from customers.choices import CustomerCategory, CustomerSegment, Tier
from customers.serializers import NamedChoiceField

from . import choices, selectors, services
from .models import (
    BundleComponent,
    EligibilityRule,
    PlanPrice,
    PricePlan,
    Product,
    ProductRule,
    Promotion,
    TaxClass,
    TvChannel,
)
from .pricing import MAX_TERM_MONTHS


def _user(serializer):
    request = serializer.context.get("request")
    return getattr(request, "user", None)


def _money(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(**MONEY_FIELD, read_only=True, **kwargs)


def _today(serializer):
    """The day "current" means, once per answer (the operator's date)."""
    if "today" not in serializer.context:
        serializer.context["today"] = timezone.localdate()
    return serializer.context["today"]


def _choice(choice_class, enum_name: str, **kwargs) -> NamedChoiceField:
    return NamedChoiceField(choices=choice_class.choices, enum_name=enum_name, **kwargs)


# --- products ---------------------------------------------------------------------------
class ProductRefSerializer(serializers.ModelSerializer):
    """A product named in another answer: id, code and name in the caller's language."""

    name = serializers.CharField(read_only=True)

    class Meta:
        model = Product
        fields = ["id", "code", "name"]
        read_only_fields = fields


class TvChannelSerializer(serializers.ModelSerializer):
    """A TV channel carried by a package or an add-on."""

    class Meta:
        model = TvChannel
        fields = ["code", "name", "genre", "is_hd"]
        read_only_fields = fields


class BundleComponentSerializer(serializers.ModelSerializer):
    """A product included in a bundle."""

    component = ProductRefSerializer(read_only=True)

    class Meta:
        model = BundleComponent
        fields = ["component", "quantity"]
        read_only_fields = fields


class ProductRuleSerializer(serializers.ModelSerializer):
    """A compatibility rule: the product requires, or excludes, a product or a category."""

    kind = _choice(choices.RuleKind, "ProductRuleKindEnum", read_only=True)
    target_product = ProductRefSerializer(read_only=True, allow_null=True)
    target_category = serializers.CharField(
        read_only=True, help_text=_("A product category (empty when a product is named).")
    )
    target = serializers.CharField(source="target_label", read_only=True)

    class Meta:
        model = ProductRule
        fields = ["kind", "target_product", "target_category", "target"]
        read_only_fields = fields


class PlanPriceSerializer(serializers.ModelSerializer):
    """A price of a plan in a currency over ``[valid_from, valid_to)`` (net of VAT)."""

    amount = _money()
    resting_amount = _money(allow_null=True)
    is_current = serializers.SerializerMethodField(help_text=_("Valid today."))
    is_scheduled = serializers.SerializerMethodField(help_text=_("Starts after today."))

    class Meta:
        model = PlanPrice
        fields = [
            "id",
            "currency",
            "amount",
            "resting_amount",
            "valid_from",
            "valid_to",
            "is_current",
            "is_scheduled",
        ]
        read_only_fields = fields

    def get_is_current(self, obj) -> bool:
        day = _today(self)
        return obj.valid_from <= day and (obj.valid_to is None or day < obj.valid_to)

    def get_is_scheduled(self, obj) -> bool:
        return obj.valid_from > _today(self)


class PricePlanSummarySerializer(serializers.ModelSerializer):
    """A price plan as a product shows it: its price valid today in each currency."""

    name = serializers.CharField(read_only=True)
    charge = _choice(choices.Charge, "ChargeEnum", read_only=True)
    acquisition = _choice(choices.Acquisition, "AcquisitionEnum", read_only=True)
    current_prices = serializers.SerializerMethodField()

    class Meta:
        model = PricePlan
        fields = [
            "id",
            "code",
            "name",
            "name_en",
            "name_ro",
            "charge",
            "acquisition",
            "is_active",
            "current_prices",
        ]
        read_only_fields = fields

    @extend_schema_field(PlanPriceSerializer(many=True))
    def get_current_prices(self, obj):
        day = _today(self)
        rows = [
            price
            for price in obj.prices.all()  # prefetched
            if price.valid_from <= day and (price.valid_to is None or day < price.valid_to)
        ]
        return PlanPriceSerializer(rows, many=True, context=self.context).data


class ProductSerializer(serializers.ModelSerializer):
    """A product with its channels, bundle components, rules and price plans."""

    name = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    kind = _choice(choices.ProductKind, "ProductKindEnum", read_only=True)
    category = _choice(choices.ProductCategory, "ProductCategoryEnum", read_only=True)
    change_policy = _choice(choices.ChangePolicy, "ChangePolicyEnum", read_only=True)
    tax_class = serializers.SlugRelatedField(slug_field="code", read_only=True)
    channels = TvChannelSerializer(many=True, read_only=True)
    components = BundleComponentSerializer(many=True, read_only=True)
    rules = ProductRuleSerializer(many=True, read_only=True)
    price_plans = PricePlanSummarySerializer(many=True, read_only=True)

    class Meta:
        model = Product
        fields = [
            "id",
            "name",
            "description",
            *services.PRODUCT_FIELDS,
            *("channels", "components", "rules", "price_plans", "created_at", "updated_at"),
        ]
        read_only_fields = fields


class ProductWriteSerializer(serializers.ModelSerializer):
    """A product as Sales creates or changes it. Prices are not set here: they are
    effective-dated (``POST /api/v1/price-plans/{id}/prices/``)."""

    kind = _choice(choices.ProductKind, "ProductKindEnum")
    category = _choice(choices.ProductCategory, "ProductCategoryEnum")
    change_policy = _choice(choices.ChangePolicy, "ChangePolicyEnum", required=False)
    tax_class = serializers.SlugRelatedField(
        slug_field="code", queryset=TaxClass.objects.all(), help_text=_("Tax class code.")
    )
    channels = serializers.SlugRelatedField(
        slug_field="code",
        queryset=TvChannel.objects.all(),
        many=True,
        required=False,
        help_text=_("Channel codes (TV packages and add-ons)."),
    )

    class Meta:
        model = Product
        fields = [*services.PRODUCT_FIELDS, "channels"]

    def create(self, validated_data):
        channels = validated_data.pop("channels", ())
        return services.product_create(actor=_user(self), channels=channels, **validated_data)

    def update(self, instance, validated_data):
        channels = validated_data.pop("channels", None)
        return services.product_update(
            product=instance, actor=_user(self), channels=channels, **validated_data
        )


# --- price plans ----------------------------------------------------------------------------
class PricePlanSerializer(serializers.ModelSerializer):
    """A price plan with every price: past, current and scheduled."""

    product = ProductRefSerializer(read_only=True)
    name = serializers.CharField(read_only=True)
    charge = _choice(choices.Charge, "ChargeEnum", read_only=True)
    acquisition = _choice(choices.Acquisition, "AcquisitionEnum", read_only=True)
    prices = PlanPriceSerializer(many=True, read_only=True)

    class Meta:
        model = PricePlan
        fields = [
            "id",
            "code",
            "product",
            "name",
            "name_en",
            "name_ro",
            "charge",
            "acquisition",
            "is_active",
            "prices",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class PlanPriceScheduleSerializer(serializers.Serializer):
    """A new price of a plan from a day (today or later): the price valid then ends
    that day; earlier prices are never rewritten."""

    currency = serializers.CharField(min_length=3, max_length=3, help_text=_("e.g. EUR."))
    amount = serializers.DecimalField(**MONEY_FIELD, help_text=_("Net of VAT."))
    resting_amount = serializers.DecimalField(
        **MONEY_FIELD,
        required=False,
        allow_null=True,
        help_text=_("Monthly fee while a subscription rests (recurring plans)."),
    )
    valid_from = serializers.DateField()

    def create(self, validated_data):
        return services.plan_price_schedule(
            plan=self.context["plan"], actor=_user(self), **validated_data
        )


# --- promotions ---------------------------------------------------------------------------
class UserRefSerializer(serializers.Serializer):
    """Who designed or approved something."""

    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    name = serializers.CharField(source="get_full_name", read_only=True)


class EligibilityRuleSerializer(serializers.ModelSerializer):
    """A condition the customer and the basket must meet (every rule must hold)."""

    kind = _choice(choices.EligibilityKind, "EligibilityKindEnum", read_only=True)
    values = serializers.ListField(child=serializers.CharField(), read_only=True)
    text = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = EligibilityRule
        fields = ["kind", "values", "date_from", "date_to", "text"]
        read_only_fields = fields


class PromotionScopeSerializer(serializers.Serializer):
    """What a discount applies to; both empty: every recurring line."""

    products = ProductRefSerializer(many=True, read_only=True)
    categories = serializers.ListField(
        child=_choice(choices.ProductCategory, "ProductCategoryEnum"), read_only=True
    )


class PromotionSerializer(serializers.ModelSerializer):
    """A promotion with its discount, scope, eligibility rules and approval."""

    name = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    status = _choice(choices.PromotionStatus, "PromotionStatusEnum", read_only=True)
    discount_kind = _choice(choices.DiscountKind, "DiscountKindEnum", read_only=True)
    value = _money(help_text=_("Percent, amount per month, or number of free months."))
    stacking = _choice(choices.Stacking, "StackingEnum", read_only=True)
    scope = PromotionScopeSerializer(source="*", read_only=True)
    eligibility_rules = EligibilityRuleSerializer(many=True, read_only=True)
    created_by = UserRefSerializer(read_only=True, allow_null=True)
    approved_by = UserRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Promotion
        fields = [
            "id",
            "name",
            "description",
            "status",
            # the categories are shown in ``scope``, with the products
            *(name for name in services.PROMOTION_FIELDS if name != "categories"),
            *("scope", "eligibility_rules", "created_by", "approved_by", "approved_at"),
            *("created_at", "updated_at"),
        ]
        read_only_fields = fields


# --- quotes: the request --------------------------------------------------------------------
class QuoteItemSerializer(serializers.Serializer):
    """One thing to price."""

    product = serializers.CharField(max_length=40, help_text=_("Product code or id."))
    quantity = serializers.IntegerField(default=1, max_value=1000)
    acquisition = _choice(
        choices.Acquisition,
        "AcquisitionEnum",
        default=choices.Acquisition.STANDARD,
        help_text=_("Devices: sale or rental."),
    )
    manual_discount_percent = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        help_text=_("A discount the agent negotiated, in percent."),
    )


class QuoteRequestSerializer(serializers.Serializer):
    """What to price, for whom, when and how. Without ``customer``, the basket is
    priced for a new customer of ``segment``/``category``/``tier``."""

    customer = serializers.IntegerField(
        required=False, allow_null=True, help_text=_("Customer id (one you may see).")
    )
    segment = _choice(CustomerSegment, "QuoteSegmentEnum", default=CustomerSegment.MASS_MARKET)
    category = _choice(
        CustomerCategory, "QuoteCustomerCategoryEnum", default=CustomerCategory.RESIDENTIAL
    )
    tier = _choice(Tier, "QuoteTierEnum", default=Tier.BRONZE)
    on_date = serializers.DateField(required=False, help_text=_("Sale date; default today."))
    channel = _choice(choices.SalesChannel, "SalesChannelEnum", default=choices.SalesChannel.AGENT)
    term_months = serializers.IntegerField(
        min_value=1, max_value=MAX_TERM_MONTHS, required=False, help_text=_("Default 24.")
    )
    currency = serializers.CharField(
        min_length=3, max_length=3, required=False, help_text=_("Default: the operator's.")
    )
    items = QuoteItemSerializer(many=True, allow_empty=False)

    def validate_currency(self, value: str) -> str:
        return value.upper()

    def validate(self, attrs):
        user = _user(self)
        if user is not None and user.is_authenticated and is_partner_user(user):
            # A dealer's user sells as a retailer: it cannot claim another channel's offers.
            attrs["channel"] = choices.SalesChannel.RETAILER
        return attrs

    def validate_items(self, items):
        """Every item names a product of the catalogue (by code or id)."""
        found = selectors.products_by_reference(references=[item["product"] for item in items])
        unknown = [item["product"] for item in items if item["product"].strip() not in found]
        if unknown:
            raise serializers.ValidationError(
                [_("Unknown product: %(ref)s.") % {"ref": ref} for ref in unknown]
            )
        return [{**item, "product": found[item["product"].strip()]} for item in items]


# --- quotes: the answer -----------------------------------------------------------------------
class QuoteDiscountSerializer(serializers.Serializer):
    """A discount on a line, with the rule that gave it."""

    source = serializers.CharField(help_text=_("promotion, reward or manual"))
    code = serializers.CharField()
    name = serializers.CharField()
    why = serializers.CharField()
    amount = _money()


class QuoteLineSerializer(serializers.Serializer):
    """A priced line of month 1 (a bundle's components follow it at 0, ``included_in``)."""

    product = ProductRefSerializer()
    plan = serializers.SerializerMethodField()
    charge = _choice(choices.Charge, "ChargeEnum", read_only=True)
    quantity = serializers.IntegerField()
    unit_price = _money()
    gross = _money()
    discounts = QuoteDiscountSerializer(many=True)
    discount_total = _money()
    net = _money()
    tax_rate = serializers.DecimalField(**RATE_FIELD, read_only=True)
    tax = _money()
    total = _money()
    price_valid_from = serializers.DateField(allow_null=True)
    explanation = serializers.CharField()
    included_in = serializers.SerializerMethodField()

    def get_plan(self, line) -> str | None:
        return line.plan.code if line.plan else None

    def get_included_in(self, line) -> str | None:
        return line.included_in.code if line.included_in else None


class QuoteMonthSerializer(serializers.Serializer):
    """What the basket costs in one month of the term."""

    month = serializers.IntegerField()
    starts_on = serializers.DateField()
    net = _money()
    tax = _money()
    total = _money()


class QuoteTotalsSerializer(serializers.Serializer):
    """The totals: month 1, its recurring part, its one-time part, the whole term."""

    first_month_total = _money()
    monthly_total = _money(help_text=_("The recurring part of month 1, VAT included."))
    monthly_net = _money()
    one_time_total = _money()
    term_total = _money()
    discount_percent = _money(help_text=_("Share of the recurring gross taken off."))


class RejectedPromotionSerializer(serializers.Serializer):
    """A promotion that was considered and did not apply, and why."""

    code = serializers.CharField(source="promotion.code")
    name = serializers.CharField(source="promotion.name")
    reason = serializers.CharField()


class BuyerSerializer(serializers.Serializer):
    """Who the basket was priced for."""

    segment = serializers.CharField()
    category = serializers.CharField()
    tier = serializers.CharField()
    country = serializers.CharField()


class QuoteSerializer(serializers.Serializer):
    """A priced basket: month 1's lines, the totals, every month of the term, the
    promotions that did not apply, and why the quote needs Pricing approval (empty:
    within the segment's limits)."""

    customer = serializers.SerializerMethodField()
    buyer = BuyerSerializer()
    channel = serializers.CharField()
    on_date = serializers.DateField()
    currency = serializers.CharField()
    term_months = serializers.IntegerField()
    lines = QuoteLineSerializer(many=True)
    totals = QuoteTotalsSerializer(source="*")
    schedule = QuoteMonthSerializer(source="months", many=True)
    applied_promotions = serializers.ListField(child=serializers.CharField())
    rejected_promotions = RejectedPromotionSerializer(many=True)
    needs_pricing_approval = serializers.SerializerMethodField()
    pricing_approval_reasons = serializers.SerializerMethodField()

    def get_customer(self, quote) -> int | None:
        customer = quote.buyer.customer
        return customer.pk if customer is not None else None

    def get_needs_pricing_approval(self, quote) -> bool:
        return bool(self.context.get("approval_reasons"))

    def get_pricing_approval_reasons(self, quote) -> list[str]:
        return list(self.context.get("approval_reasons", []))
