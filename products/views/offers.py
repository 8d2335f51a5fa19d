"""Competitors' offers (recorded by Marketing with their source document) and the
standard offers per segment with their limits (PRD-4)."""

from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alux_crm.core.generic_views import (
    ObjectDetailMixin,
    ObjectDetailView,
    ObjectListView,
    ObjectTabView,
    Tab,
)

from .. import selectors, services
from ..filters import CompetitorOfferFilter, StandardOfferFilter
from ..forms import CompetitorOfferForm
from ..tables import CompetitorOfferTable, StandardOfferTable
from .base import FormView, action, user_may_open


class CompetitorOfferListView(ObjectListView):
    """Competitors' offers, exportable as CSV."""

    title = gettext_lazy("Competitor offers")
    table_class = CompetitorOfferTable
    filterset_class = CompetitorOfferFilter
    create_url_name = "products:competitor_offer_create"
    export_name = "competitor-offers"

    def get_queryset(self, request):
        return selectors.competitor_offer_list()


class CompetitorOfferDetailMixin(ObjectDetailMixin):
    tabs = [
        Tab("overview", gettext_lazy("Overview")),
        Tab("history", gettext_lazy("History")),
    ]
    tab_url_name = "products:competitor_offer_tab"

    def get_object(self, request, pk):
        return selectors.competitor_offer_get(pk=pk)

    def tab_overview(self, request, obj) -> dict:
        return {"template": "products/partials/competitor_offer_overview.html"}


class CompetitorOfferDetailView(CompetitorOfferDetailMixin, ObjectDetailView):
    """A competitor's offer with its source document."""

    def get_actions(self, request, obj) -> list[dict]:
        actions = []
        if user_may_open(request, "products:competitor_offer_edit"):
            url = reverse("products:competitor_offer_edit", args=[obj.pk])
            actions.append(action(url, _("Edit"), "pencil", "primary"))
        if user_may_open(request, "products:offer_simulator"):
            url = reverse("products:offer_simulator") + f"?competitors={obj.pk}"
            actions.append(action(url, _("Compare in the simulator"), "calculator"))
        return actions


class CompetitorOfferTabView(CompetitorOfferDetailMixin, ObjectTabView):
    """One tab of the competitor offer page."""


class CompetitorOfferFormView(FormView):
    """Record or correct a competitor's offer; the source document must be a PDF or
    an image (checked by its content) within the upload limit."""

    form_class = CompetitorOfferForm

    def get_object(self, request, pk):
        return selectors.competitor_offer_get(pk=pk) if pk else None

    def get_title(self, obj) -> str:
        return _("Edit %(offer)s") % {"offer": obj} if obj else _("New competitor offer")

    def success_url(self, obj) -> str:
        return reverse("products:competitor_offer_detail", args=[obj.pk])

    def cancel_url(self, obj) -> str:
        return self.success_url(obj) if obj else reverse("products:competitor_offer_list")

    def save(self, request, form, obj):
        data = form.service_data()
        document = form.cleaned_data.get("source_document")
        if obj is None:
            return services.competitor_offer_create(
                actor=request.user, source_document=document, **data
            )
        return services.competitor_offer_update(
            offer=obj, actor=request.user, source_document=document, **data
        )


def competitor_offer_document(request, pk: int):
    """The source document of a competitor's offer (through this access-checked view,
    never a public media URL)."""
    offer = selectors.competitor_offer_get(pk=pk)
    if not offer.source_document:
        raise Http404(_("This offer has no source document."))
    try:
        handle = offer.source_document.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404(_("The file is missing from storage.")) from exc
    return FileResponse(
        handle, as_attachment=True, filename=offer.source_document.name.rsplit("/", 1)[-1]
    )


class StandardOfferListView(ObjectListView):
    """Standard offers per segment with the limits Marketing set (edited in the admin)."""

    title = gettext_lazy("Standard offers")
    table_class = StandardOfferTable
    filterset_class = StandardOfferFilter
    create_url_name = "admin:products_standardoffer_add"
    export_name = "standard-offers"

    def get_queryset(self, request):
        return selectors.standard_offer_list()

    def get_actions(self, request) -> list[dict]:
        if not request.user.has_perm("products.add_standardoffer"):
            return []
        return super().get_actions(request)
