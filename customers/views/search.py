"""The global search in the header (CUS-6)."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .. import selectors
from .base import (
    SEARCH_PAGE_LIMIT,
)

# --- global search -----------------------------------------------------------------------
SERIAL_MIN_LENGTH = 4  # shorter texts match too many serials to be useful


def _device_hits(request, query: str, limit: int) -> list[selectors.SearchHit]:
    """Devices whose serial contains the text, each leading to its subscription."""
    text = query.replace(" ", "")
    if len(text) < SERIAL_MIN_LENGTH or "@" in text or not any(c.isdigit() for c in text):
        return []  # serials have digits; names and e-mails are not looked up
    from subscriptions.selectors import device_search

    return [
        selectors.SearchHit(
            kind="device",
            title=device.serial,
            subtitle=" · ".join(
                (device.product.name, device.subscription.number, device.subscription.customer.name)
            ),
            url=device.subscription.get_absolute_url(),
            rank=0 if device.serial.upper() == text.upper() else 1,
        )
        for device in device_search(user=request.user, text=text, limit=limit)
    ]


def search(request):
    """Global search (CUS-6): a dropdown of results for the header box (htmx), or the
    full results page."""
    query = " ".join(request.GET.get("q", "").split())
    if request.htmx:
        if len(query) < 2:
            return HttpResponse("")
        hits = _device_hits(request, query, 5) + selectors.search(user=request.user, query=query)
        context = {"query": query, "hits": hits}
        return render(request, "customers/partials/search_results.html", context)
    hits = _device_hits(request, query, SEARCH_PAGE_LIMIT) + selectors.search(
        user=request.user, query=query, limit=SEARCH_PAGE_LIMIT
    )
    context = {"query": query, "hits": hits, "title": _("Search")}
    return render(request, "customers/search.html", context)
