"""Catalogue and pricing: products, price plans, taxes, discounts, promotions, offers."""
