"""Kinds, categories, policies and states of the catalogue (PRD-1..4)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProductKind(models.TextChoices):
    """What a product is (PRD-1)."""

    DEVICE = "device", _("Physical item")
    SERVICE = "service", _("Service")
    CONTENT = "content", _("One-off content")
    BUNDLE = "bundle", _("Bundle")
    FEE = "fee", _("Fee")


class ProductCategory(models.TextChoices):
    """The finer category of a product; each belongs to one kind (``CATEGORY_KIND``)."""

    TV_BOX = "tv_box", _("TV box")
    ROUTER = "router", _("Wireless router")
    REMOTE = "remote", _("Remote control")
    SMART_CARD = "smart_card", _("Smart card")
    PHONE = "phone", _("Phone")
    TV_PACKAGE = "tv_package", _("TV package")
    TV_ADDON = "tv_addon", _("Additional channel")
    BROADBAND = "broadband", _("Broadband")
    TELEPHONY = "telephony", _("Telephony")
    PAY_PER_VIEW = "ppv", _("Pay-per-view event")
    MOVIE = "movie", _("Movie on demand")
    TRIPLE_PLAY = "triple_play", _("Triple-play bundle")
    INSTALLATION = "installation", _("Installation fee")
    REPAIR = "repair", _("Repair fee")
    RECONNECTION = "reconnection", _("Reconnection fee")
    EARLY_TERMINATION = "early_termination", _("Early-termination fee")


CATEGORY_KIND: dict[str, str] = {
    ProductCategory.TV_BOX: ProductKind.DEVICE,
    ProductCategory.ROUTER: ProductKind.DEVICE,
    ProductCategory.REMOTE: ProductKind.DEVICE,
    ProductCategory.SMART_CARD: ProductKind.DEVICE,
    ProductCategory.PHONE: ProductKind.DEVICE,
    ProductCategory.TV_PACKAGE: ProductKind.SERVICE,
    ProductCategory.TV_ADDON: ProductKind.SERVICE,
    ProductCategory.BROADBAND: ProductKind.SERVICE,
    ProductCategory.TELEPHONY: ProductKind.SERVICE,
    ProductCategory.PAY_PER_VIEW: ProductKind.CONTENT,
    ProductCategory.MOVIE: ProductKind.CONTENT,
    ProductCategory.TRIPLE_PLAY: ProductKind.BUNDLE,
    ProductCategory.INSTALLATION: ProductKind.FEE,
    ProductCategory.REPAIR: ProductKind.FEE,
    ProductCategory.RECONNECTION: ProductKind.FEE,
    ProductCategory.EARLY_TERMINATION: ProductKind.FEE,
}


class ChangePolicy(models.TextChoices):
    """When a change of this product takes effect (used by subscription changes)."""

    IMMEDIATE = "immediate", _("Immediately, prorated")
    END_OF_PERIOD = "end_of_period", _("At the end of the billing period")
    END_OF_TERM = "end_of_term", _("At the end of the contract term")


class RuleKind(models.TextChoices):
    """A compatibility rule between products (data, enforced by ``basket_check``)."""

    REQUIRES = "requires", _("Requires")
    EXCLUDES = "excludes", _("Cannot be combined with")


class Charge(models.TextChoices):
    """How a price plan charges."""

    RECURRING = "recurring", _("Recurring (monthly)")
    ONE_TIME = "one_time", _("One-time")


class Acquisition(models.TextChoices):
    """What a price plan is for: the product's standard price, or a device's sale or
    rental price."""

    STANDARD = "standard", _("Standard")
    SALE = "sale", _("Sale")
    RENTAL = "rental", _("Rental")


class DiscountKind(models.TextChoices):
    """What a promotion or reward takes off (PRD-3)."""

    PERCENTAGE = "percentage", _("Percentage")
    FIXED = "fixed", _("Fixed amount per month")
    FREE_MONTHS = "free_months", _("Free months")


class RewardKind(models.TextChoices):
    """What a maturity reward gives after N months of tenure."""

    PERCENTAGE = "percentage", _("Percentage discount")
    FIXED = "fixed", _("Fixed discount per month")
    CREDIT = "credit", _("One-off credit")


class Stacking(models.TextChoices):
    """Whether a promotion combines with others on the same line."""

    EXCLUSIVE = "exclusive", _("Exclusive: the only promotion on its lines")
    STACKABLE = "stackable", _("Stackable with other stackable promotions")


class PromotionStatus(models.TextChoices):
    """Marketing workflow of a promotion."""

    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")


PROMOTION_TRANSITIONS: dict[str, set[str]] = {
    PromotionStatus.DRAFT: {PromotionStatus.APPROVED, PromotionStatus.EXPIRED},
    PromotionStatus.APPROVED: {
        PromotionStatus.ACTIVE,
        PromotionStatus.DRAFT,
        PromotionStatus.EXPIRED,
    },
    PromotionStatus.ACTIVE: {PromotionStatus.EXPIRED},
    PromotionStatus.EXPIRED: set(),
}

# Promotions in these states price baskets (on a date inside their window).
PRICING_STATUSES = (PromotionStatus.APPROVED, PromotionStatus.ACTIVE)


class EligibilityKind(models.TextChoices):
    """Eligibility rules of promotions, as data (PRD-3). Evaluated by
    ``products.eligibility``; a promotion applies when every rule holds."""

    SEGMENT = "segment", _("Customer segment is one of")
    CATEGORY = "category", _("Customer category is one of")
    TIER = "tier", _("Customer tier is one of")
    NEW_CUSTOMER = "new_customer", _("New customers only")
    CHANNEL = "channel", _("Sold through one of the channels")
    BASKET_PRODUCT = "basket_product", _("Basket contains one of the products")
    BASKET_CATEGORY = "basket_category", _("Basket contains a product of the categories")
    DATE_WINDOW = "date_window", _("Ordered within the dates")


class SalesChannel(models.TextChoices):
    """Who sells: an agent, a retailer, the subscriber in the portal."""

    AGENT = "agent", _("Call-centre or shop agent")
    RETAILER = "retailer", _("Retailer")
    PORTAL = "portal", _("Self-care portal")
    WEBSITE = "website", _("Website")
