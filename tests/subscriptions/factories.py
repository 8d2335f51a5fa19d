"""Subscriptions for tests, sold through the real services."""

from itertools import count

from customers import services as customer_services
from products.pricing import BasketItem
from subscriptions import services
from subscriptions.models import RestingPolicy
from tests.customers import factories as CF
from tests.products import factories as PF

_serial = count(1)


def account(customer=None):
    customer = customer or CF.person()
    return customer_services.billing_account_create(customer=customer, actor=None)


def subscription(cat=None, *, items=None, billing_account=None, devices=None, **kwargs):
    """A subscription of the TV package and a rented TV box, pending installation."""
    cat = cat or PF.catalogue()
    if items is None:
        items = [BasketItem(cat.tv), BasketItem(cat.box, 1, "rental")]
    if devices is None:
        devices = [services.DeviceSpec(cat.box, f"SN-{next(_serial):08d}", "Living room")]
    return services.subscription_create(
        billing_account=billing_account or account(), items=items, devices=devices, **kwargs
    )


def resting_policy(product, **fields):
    return RestingPolicy.objects.create(product=product, **fields)
