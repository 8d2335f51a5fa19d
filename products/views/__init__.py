"""Staff (and retailer) screens of the catalogue: products and prices, promotions,
competitors' and standard offers, and the offer simulator.

Views stay thin: they read through ``products.selectors`` and write through one
``products.services`` call; prices come from ``pricing.price_basket``.
"""

from .catalogue import (
    PriceCreateView,
    ProductDetailView,
    ProductFormView,
    ProductListView,
    ProductTabView,
)
from .offers import (
    CompetitorOfferDetailView,
    CompetitorOfferFormView,
    CompetitorOfferListView,
    CompetitorOfferTabView,
    StandardOfferListView,
    competitor_offer_document,
)
from .promotions import (
    PromotionDetailView,
    PromotionFormView,
    PromotionListView,
    PromotionStatusView,
    PromotionTabView,
)
from .simulator import OfferSimulatorView

__all__ = [
    "CompetitorOfferDetailView",
    "CompetitorOfferFormView",
    "CompetitorOfferListView",
    "CompetitorOfferTabView",
    "OfferSimulatorView",
    "PriceCreateView",
    "ProductDetailView",
    "ProductFormView",
    "ProductListView",
    "ProductTabView",
    "PromotionDetailView",
    "PromotionFormView",
    "PromotionListView",
    "PromotionStatusView",
    "PromotionTabView",
    "StandardOfferListView",
    "competitor_offer_document",
]
