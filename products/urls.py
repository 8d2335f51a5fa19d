"""Pages of the catalogue (products, prices, promotions, offers, the simulator)."""

from django.urls import path  # noqa: F401

app_name = "products"

urlpatterns: list = []
