"""The global search in the header (CUS-6)."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .. import selectors
from .base import (
    SEARCH_PAGE_LIMIT,
)


# --- global search -----------------------------------------------------------------------
def search(request):
    """Global search (CUS-6): a dropdown of results for the header box (htmx), or the
    full results page."""
    query = " ".join(request.GET.get("q", "").split())
    if request.htmx:
        if len(query) < 2:
            return HttpResponse("")
        hits = selectors.search(user=request.user, query=query)
        context = {"query": query, "hits": hits}
        return render(request, "customers/partials/search_results.html", context)
    hits = selectors.search(user=request.user, query=query, limit=SEARCH_PAGE_LIMIT)
    context = {"query": query, "hits": hits, "title": _("Search")}
    return render(request, "customers/search.html", context)
