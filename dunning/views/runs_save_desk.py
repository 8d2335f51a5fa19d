"""The save desk's call list (BIL-7's retention hook): Gold and Platinum accounts a
disconnection run would have cut. Agents record how the call ended: saved, or
released for disconnection, with a note."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alux_crm.core.generic_views import ObjectActionView, ObjectListView

from .. import selectors_runs as selectors
from ..choices import SaveDeskStatus
from ..filters_runs import SaveDeskFilter
from ..forms_runs import SaveDeskResolveForm
from ..services.runs_save_desk import save_desk_resolve
from ..tables_runs import SaveDeskTable


class SaveDeskListView(ObjectListView):
    """The call list; the open calls unless another status is asked for."""

    title = gettext_lazy("Save desk call list")
    table_class = SaveDeskTable
    filterset_class = SaveDeskFilter
    export_name = "save-desk"

    def get(self, request, *args, **kwargs):
        if "status" not in request.GET:
            query = request.GET.copy()
            query["status"] = SaveDeskStatus.OPEN
            request.GET = query
        return super().get(request, *args, **kwargs)

    def get_queryset(self, request):
        return selectors.save_desk_list()


class SaveDeskResolveView(ObjectActionView):
    """Record how the call ended (saved or released for disconnection) with a note."""

    form_class = SaveDeskResolveForm
    danger = False

    def get_object(self, request, pk: int):
        return selectors.save_desk_get(pk=pk)

    def get_title(self, obj) -> str:
        return _("Save desk call: %(account)s") % {"account": obj.billing_account}

    def get_consequences(self, obj) -> list[str]:
        return [
            _("%(customer)s (%(tier)s) owes %(amount)s overdue.")
            % {
                "customer": obj.billing_account.customer.display_name,
                "tier": obj.tier.title(),
                "amount": obj.overdue_amount,
            },
            _("Saved: the services stay; dunning goes on."),
            _("Released: the next disconnection run that selects the account disconnects it."),
        ]

    def perform(self, request, obj, form) -> str:
        save_desk_resolve(
            entry=obj,
            status=form.cleaned_data["status"],
            note=form.cleaned_data["note"],
            actor=request.user,
        )
        return _("The call was recorded.")

    def success_url(self, obj) -> str:
        return reverse("dunning:save_desk_list")
