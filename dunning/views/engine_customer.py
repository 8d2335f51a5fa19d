"""The Collections tab of the customer-360 page (customers.views.detail calls
``collections_tab_context``): per billing account the overdue amount and days, the
plan, the "never disconnect" flag and the dunning timeline, then the holds
(promises to pay, payment plans, deposits) of the holds part."""

from django.template import TemplateDoesNotExist
from django.template.loader import get_template

from .. import selectors_engine
from ..selectors_holds import customer_holds
from .engine_plans import may

HOLDS_TEMPLATE = "dunning/holds/_customer_holds.html"


def _holds_template() -> str | None:
    try:
        get_template(HOLDS_TEMPLATE)
    except TemplateDoesNotExist:  # the holds part's template is not there (yet)
        return None
    return HOLDS_TEMPLATE


def collections_tab_context(request, customer) -> dict:
    """The tab's context (its template and what it shows)."""
    holds = customer_holds(customer=customer)
    return {
        **holds,
        "template": "dunning/engine/customer_collections.html",
        "collections": selectors_engine.customer_collections(customer=customer),
        "holds": holds,
        "holds_template": _holds_template(),
        "can_settings": may(request, "dunning:account_settings"),
    }
