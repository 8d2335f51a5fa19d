"""Pages of the catalogue (products, prices, promotions, offers, the simulator)."""

from django.urls import path

from . import views

app_name = "products"

urlpatterns = [
    # products and prices
    path("products/", views.ProductListView.as_view(), name="product_list"),
    path("products/new/", views.ProductFormView.as_view(), name="product_create"),
    path("products/<int:pk>/", views.ProductDetailView.as_view(), name="product_detail"),
    path("products/<int:pk>/tabs/<slug:tab>/", views.ProductTabView.as_view(), name="product_tab"),
    path("products/<int:pk>/edit/", views.ProductFormView.as_view(), name="product_edit"),
    path("products/<int:pk>/prices/new/", views.PriceCreateView.as_view(), name="price_create"),
    # promotions
    path("promotions/", views.PromotionListView.as_view(), name="promotion_list"),
    path("promotions/new/", views.PromotionFormView.as_view(), name="promotion_create"),
    path("promotions/<int:pk>/", views.PromotionDetailView.as_view(), name="promotion_detail"),
    path(
        "promotions/<int:pk>/tabs/<slug:tab>/",
        views.PromotionTabView.as_view(),
        name="promotion_tab",
    ),
    path("promotions/<int:pk>/edit/", views.PromotionFormView.as_view(), name="promotion_edit"),
    path(
        "promotions/<int:pk>/status/<slug:status>/",
        views.PromotionStatusView.as_view(),
        name="promotion_status",
    ),
    # offers
    path("simulator/", views.OfferSimulatorView.as_view(), name="offer_simulator"),
    path(
        "competitor-offers/",
        views.CompetitorOfferListView.as_view(),
        name="competitor_offer_list",
    ),
    path(
        "competitor-offers/new/",
        views.CompetitorOfferFormView.as_view(),
        name="competitor_offer_create",
    ),
    path(
        "competitor-offers/<int:pk>/",
        views.CompetitorOfferDetailView.as_view(),
        name="competitor_offer_detail",
    ),
    path(
        "competitor-offers/<int:pk>/tabs/<slug:tab>/",
        views.CompetitorOfferTabView.as_view(),
        name="competitor_offer_tab",
    ),
    path(
        "competitor-offers/<int:pk>/edit/",
        views.CompetitorOfferFormView.as_view(),
        name="competitor_offer_edit",
    ),
    path(
        "competitor-offers/<int:pk>/document/",
        views.competitor_offer_document,
        name="competitor_offer_document",
    ),
    path("standard-offers/", views.StandardOfferListView.as_view(), name="standard_offer_list"),
]
