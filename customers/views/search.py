"""The global search in the header (CUS-6)."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .. import selectors
from .base import (
    SEARCH_PAGE_LIMIT,
    user_may_open,
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


def _invoice_hits(request, query: str) -> list[selectors.SearchHit]:
    """The invoice (or credit/debit note) whose number was typed, e.g.
    INV-2026-000123, among those the user may see (billing.selectors scoping)."""
    if not any(c.isdigit() for c in query) or not user_may_open(request, "billing:invoice_detail"):
        return []
    from django.urls import reverse

    from billing.models import Invoice
    from billing.selectors import invoice_search

    hits = []
    for found in invoice_search(user=request.user, text=query):
        account = found.billing_account
        if isinstance(found, Invoice):
            url, kind = found.get_absolute_url(), "invoice"
            details = [
                account.number,
                account.customer.display_name,
                f"{found.total} {found.currency}",
            ]
        elif user_may_open(request, "billing:transaction_detail"):
            url, kind = reverse("billing:transaction_detail", args=[found.pk]), "transaction"
            details = [found.get_kind_display(), account.number, account.customer.display_name]
        else:
            continue
        hits.append(
            selectors.SearchHit(
                kind=kind, title=str(found), subtitle=" · ".join(details), url=url, rank=0
            )
        )
    return hits


def search(request):
    """Global search (CUS-6): a dropdown of results for the header box (htmx), or the
    full results page."""
    query = " ".join(request.GET.get("q", "").split())
    if request.htmx:
        if len(query) < 2:
            return HttpResponse("")
        hits = (
            _invoice_hits(request, query)
            + _device_hits(request, query, 5)
            + selectors.search(user=request.user, query=query)
        )
        context = {"query": query, "hits": hits}
        return render(request, "customers/partials/search_results.html", context)
    hits = (
        _invoice_hits(request, query)
        + _device_hits(request, query, SEARCH_PAGE_LIMIT)
        + selectors.search(user=request.user, query=query, limit=SEARCH_PAGE_LIMIT)
    )
    context = {"query": query, "hits": hits, "title": _("Search")}
    return render(request, "customers/search.html", context)
