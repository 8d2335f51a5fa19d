"""Daily dunning runs: the list, a run with its live progress (htmx polling, like
the billing runs) and the steps it did, and "Run today's dunning now" (Back Office)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from alux_crm.core.generic_views import ObjectListView

from .. import selectors_engine as selectors
from ..choices import DunningRunStatus
from ..services import engine
from ..tables_engine import DUNNING_RUN_COLOURS, DunningRunTable
from .engine_plans import may


class DunningRunListView(ObjectListView):
    """The daily dunning runs, newest first."""

    title = gettext_lazy("Dunning runs")
    table_class = DunningRunTable
    export_name = "dunning-runs"

    def get_queryset(self, request):
        return selectors.run_list()

    def get_actions(self, request) -> list[dict]:
        if not may(request, "dunning:dunning_run_start"):
            return []
        return [
            {
                "label": _("Run today's dunning now"),
                "url": reverse("dunning:dunning_run_start"),
                "icon": "play-fill",
            }
        ]


def _progress_context(run) -> dict:
    return {
        "run": run,
        "percent": engine.dunning_run_progress(run=run),
        "polling": run.status == DunningRunStatus.RUNNING,
    }


class DunningRunDetailView(View):
    """A run: status, live counters, and the steps it did."""

    def get(self, request, pk: int):
        run = selectors.run_get(pk=pk)
        return render(
            request,
            "dunning/engine/run_detail.html",
            {
                "title": _("Dunning run %(day)s") % {"day": run.run_on},
                "status_colour": DUNNING_RUN_COLOURS.get(run.status, "secondary"),
                "actions": selectors.run_actions(run=run),
                "can_start": may(request, "dunning:dunning_run_start"),
                **_progress_context(run),
            },
        )


def dunning_run_progress(request, pk: int):
    """The progress partial, polled every 2 s while the run runs; when it stops the
    page reloads once to show the steps done."""
    run = selectors.run_get(pk=pk)
    context = _progress_context(run)
    response = render(request, "dunning/engine/partials/run_progress.html", context)
    if request.htmx and not context["polling"]:
        response["HX-Refresh"] = "true"
    return response


class DunningRunStartView(View):
    """Confirm, then run today's dunning now (Back Office): the same run as the
    scheduled task; running it again the same day does nothing twice."""

    def get(self, request):
        return render(
            request,
            "generic/object_confirm.html",
            {
                "title": _("Run today's dunning now"),
                "consequences": [
                    _("Every overdue account gets its next step, if one is due today."),
                    _("Steps already done are never done again."),
                ],
                "danger": False,
                "cancel_url": reverse("dunning:dunning_run_list"),
            },
        )

    def post(self, request):
        run = engine.dunning_run(actor=request.user)
        messages.success(request, _("Today's dunning run has started."))
        return redirect("dunning:dunning_run_detail", pk=run.pk)
