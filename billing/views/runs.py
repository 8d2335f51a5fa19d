"""Billing runs: the list, scheduling a run, the run page (live progress, errors,
the review of a draft against the previous run) and its actions."""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from alux_crm.core.access import BILLING_RUN_APPROVERS, BILLING_RUN_OPERATORS, Rule
from alux_crm.core.errors import DomainError
from alux_crm.core.generic_views import ObjectActionView, ObjectFormView, ObjectListView

from .. import selectors, services
from ..choices import RunStatus
from ..filters import RunFilter
from ..forms import RunScheduleForm
from ..tables import RUN_STATUS_COLOURS, RunTable

REVIEWED_STATUSES = (RunStatus.DRAFT_READY, RunStatus.APPROVED, RunStatus.POSTING, RunStatus.POSTED)


@dataclass(frozen=True)
class RunAction:
    """One action of the run page: who may do it, from which statuses, what it does."""

    label: object
    icon: str
    style: str
    rule: Rule
    statuses: tuple
    service: object
    danger: bool = False


RUN_ACTIONS: dict[str, RunAction] = {
    "start": RunAction(
        gettext_lazy("Start"),
        "play-fill",
        "primary",
        BILLING_RUN_OPERATORS,
        (RunStatus.SCHEDULED,),
        services.billing_run_start,
    ),
    "resume": RunAction(
        gettext_lazy("Resume"),
        "arrow-clockwise",
        "primary",
        BILLING_RUN_OPERATORS,
        (RunStatus.RUNNING, RunStatus.FAILED),
        services.billing_run_resume,
    ),
    "approve": RunAction(
        gettext_lazy("Approve and post"),
        "check2-circle",
        "success",
        BILLING_RUN_APPROVERS,
        (RunStatus.DRAFT_READY,),
        services.billing_run_approve,
    ),
    "discard": RunAction(
        gettext_lazy("Discard"),
        "trash",
        "outline-danger",
        BILLING_RUN_APPROVERS,
        (RunStatus.SCHEDULED, RunStatus.FAILED, RunStatus.DRAFT_READY),
        services.billing_run_discard,
        danger=True,
    ),
}


def run_actions(request, run) -> list[dict]:
    """The buttons the user may press on this run now."""
    return [
        {
            "name": name,
            "label": action.label,
            "icon": action.icon,
            "style": action.style,
            "url": reverse("billing:run_action", args=[run.pk, name]),
        }
        for name, action in RUN_ACTIONS.items()
        if run.status in action.statuses and action.rule.allows(request.user)
    ]


class RunListView(ObjectListView):
    """Billing runs, newest period first."""

    title = gettext_lazy("Billing runs")
    table_class = RunTable
    filterset_class = RunFilter
    create_url_name = "billing:run_create"
    export_name = "billing-runs"

    def get_queryset(self, request):
        return selectors.run_list()

    def get_actions(self, request) -> list[dict]:
        if not BILLING_RUN_OPERATORS.allows(request.user):
            return []
        url = reverse(self.create_url_name)
        return [{"label": _("Schedule run"), "url": url, "icon": "calendar-plus"}]


class RunCreateView(ObjectFormView):
    """Schedule the run of a bill cycle for a period (Back Office)."""

    form_class = RunScheduleForm
    title = gettext_lazy("Schedule a billing run")

    def get_form(self, request, obj, data=None):
        return RunScheduleForm(data)

    def cancel_url(self, obj) -> str:
        return reverse("billing:run_list")

    def save(self, request, form, obj):
        try:
            return services.billing_run_create(
                bill_cycle_day=form.cleaned_data["bill_cycle_day"],
                period_start=form.cleaned_data["period_start"],
                actor=request.user,
            )
        except DomainError as exc:  # a clash with an existing run: on the period field
            raise ValidationError({"period_start": str(exc)}) from exc


def _chart(review) -> dict:
    """This run against the previous one, per product (json_script for Chart.js)."""
    return {
        "labels": [row.label for row in review.by_product],
        "current": [float(row.total) for row in review.by_product],
        "previous": [float(row.previous) for row in review.by_product],
        "series": {"current": _("This run"), "previous": _("Previous run")},
    }


class RunDetailView(View):
    """A run: status, counters, the live progress bar, errors, review and actions."""

    template_name = "billing/run_detail.html"

    def get(self, request, pk: int):
        run = selectors.run_get(pk=pk)
        progress = services.billing_run_progress(run=run)
        review = selectors.run_review(run=run) if run.status in REVIEWED_STATUSES else None
        context = {
            "title": str(run),
            "run": run,
            "object": run,
            "status_colour": RUN_STATUS_COLOURS.get(run.status, "secondary"),
            "progress": progress,
            "polling": run.status == RunStatus.RUNNING,
            "errors": selectors.run_errors(run=run),
            "review": review,
            "chart": _chart(review) if review else None,
            "actions": run_actions(request, run),
        }
        return render(request, self.template_name, context)


def run_progress(request, pk: int):
    """The progress bar partial, polled every 2 s by htmx while the run runs. When the
    run stops running, the page reloads once (to show the review or the errors)."""
    run = selectors.run_get(pk=pk)
    progress = services.billing_run_progress(run=run)
    polling = run.status == RunStatus.RUNNING
    context = {"run": run, "progress": progress, "polling": polling}
    response = render(request, "billing/partials/run_progress.html", context)
    if request.htmx and not polling:
        response["HX-Refresh"] = "true"
    return response


class RunActionView(ObjectActionView):
    """Confirm and perform start, resume (Back Office), approve, discard (Billing &
    Finance). A refused step is a message on the run page, never a 500."""

    form_class = None

    def _action(self, request, action: str) -> RunAction:
        run_action = RUN_ACTIONS.get(action)
        if run_action is None:
            from django.http import Http404

            raise Http404("No such action.")
        return run_action

    def get_object(self, request, pk):
        return selectors.run_get(pk=pk)

    def get(self, request, pk: int, action: str = ""):
        run_action = self._action(request, action)
        obj = self.get_object(request, pk)
        if not run_action.rule.allows(request.user):
            messages.error(request, _("Your role may not do this on a billing run."))
            return redirect(obj.get_absolute_url())
        self.action, self.danger = action, run_action.danger
        return self._render(request, obj, None)

    def post(self, request, pk: int, action: str = ""):
        run_action = self._action(request, action)
        if not run_action.rule.allows(request.user):
            raise PermissionDenied
        self.action, self.danger = action, run_action.danger
        return super().post(request, pk)

    def get_title(self, obj) -> str:
        return _("%(action)s the billing run %(run)s") % {
            "action": RUN_ACTIONS[self.action].label,
            "run": obj,
        }

    def get_consequences(self, obj) -> list[str]:
        return {
            "start": [_("The paying accounts of the cycle are billed in chunks as drafts.")],
            "resume": [_("Chunks not done (and failed accounts) are worked again.")],
            "approve": [
                _("Every draft invoice gets its number and a ledger entry."),
                _("Posted invoices never change: corrections are credit or debit notes."),
            ],
            "discard": [_("The draft invoices are deleted; the period can be run again.")],
        }[self.action]

    def perform(self, request, obj, form) -> str:
        RUN_ACTIONS[self.action].service(run=obj, actor=request.user)
        return {
            "start": _("The billing run has started."),
            "resume": _("The billing run is resumed."),
            "approve": _("The billing run is approved; its invoices are being posted."),
            "discard": _("The billing run is discarded."),
        }[self.action]
