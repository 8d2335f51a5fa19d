"""The back-office run centre: billing, payment, dunning, disconnection and
reconnection runs on one page (filters, progress, people, a link to each run's own
page, refreshing itself while something runs, a chart of runs per day by kind) and
the beat schedules with their edit form."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from alux_crm.core import roles as R
from alux_crm.core.generic_views import _add_errors

from ..forms_centre import KIND_LABELS, PHASE_LABELS, RunCentreFilterForm, ScheduleForm
from ..selectors_centre_runs import (
    BILLING,
    DUNNING,
    KINDS,
    PAYMENT,
    RUNNING,
    anything_running,
    chart_days,
    last_schedule_changes,
    periodic_task_get,
    periodic_task_list,
    run_centre_list,
    run_centre_rows,
    runs_per_day,
)
from ..services.run_centre import periodic_task_update
from .centre_blocking import may_open
from .centre_schedules import schedule_in_words

PAGE_SIZE = 25
CHART_DAYS = 30
POLL_SECONDS = 5
# The page of each kind of run (the engine and runs parts add the dunning ones).
DETAIL_URL_NAMES = {
    BILLING: "billing:run_detail",
    PAYMENT: "billing:payment_run_detail",
    DUNNING: "dunning:dunning_run_detail",
    "disconnection": "dunning:service_run_detail",
    "reconnection": "dunning:service_run_detail",
}
PHASE_COLOURS = {
    RUNNING: "primary",
    "waiting": "warning",
    "done": "success",
    "failed": "danger",
    "cancelled": "secondary",
}


def _detail_url(kind: str, pk: int) -> str | None:
    """The run's own page, or None when that page does not exist (yet)."""
    try:
        return reverse(DETAIL_URL_NAMES[kind], args=[pk])
    except (KeyError, NoReverseMatch):
        return None


def _chart(today) -> dict:
    """Runs per day by kind over the last days (json_script for Chart.js)."""
    days = chart_days(until=today, days=CHART_DAYS)
    counts = runs_per_day(since=days[0], until=today)
    return {
        "type": "bar",
        "stacked": True,
        "labels": [day.strftime("%m-%d") for day in days],
        "datasets": [
            {"label": str(KIND_LABELS[kind]), "data": [counts[kind].get(d, 0) for d in days]}
            for kind in KINDS
        ],
    }


class RunCentreView(View):
    """The run centre (Back Office; System Administrator and Billing & Finance read).
    htmx requests for ``#run-centre-runs`` get the runs table only (the polling)."""

    template_name = "dunning/centre/run_centre.html"
    partial_template_name = "dunning/centre/partials/run_centre_runs.html"

    def get(self, request):
        form = RunCentreFilterForm(request.GET or None)
        filters = form.filters() if form.is_bound else {}
        page = Paginator(run_centre_list(**filters), PAGE_SIZE).get_page(request.GET.get("page"))
        rows = [
            {
                "run": row,
                "url": _detail_url(row.kind, row.pk),
                "kind_label": KIND_LABELS.get(row.kind, row.kind),
                "phase_colour": PHASE_COLOURS.get(row.phase, "secondary"),
            }
            for row in run_centre_rows(page.object_list)
        ]
        query = request.GET.copy()
        query.pop("page", None)
        context = {
            "title": _("Run centre"),
            "form": form,
            "rows": rows,
            "page": page,
            "query": query.urlencode(),
            "polling": anything_running(),
            "poll_seconds": POLL_SECONDS,
            "phase_labels": PHASE_LABELS,
        }
        if request.htmx and request.htmx.target == "run-centre-runs":
            return render(request, self.partial_template_name, context)
        tasks = list(periodic_task_list())
        changes = last_schedule_changes(task_ids=[t.pk for t in tasks])
        context.update(
            chart=_chart(timezone.localdate()),
            schedules=[
                {"task": t, "words": schedule_in_words(t), "change": changes.get(t.pk)}
                for t in tasks
            ],
            can_edit_schedules=may_open(request, "dunning:schedule_edit"),
            can_use_admin=bool(request.user.role_names & R.ADMIN_SITE_ROLES)
            or request.user.is_superuser,
        )
        return render(request, self.template_name, context)


class ScheduleEditView(View):
    """Change when a beat schedule runs, or enable/disable it (Back Office)."""

    template_name = "dunning/centre/schedule_form.html"

    def get(self, request, pk: int):
        task = periodic_task_get(pk=pk)
        return self._render(request, task, ScheduleForm.for_task(task))

    def post(self, request, pk: int):
        task = periodic_task_get(pk=pk)
        form = ScheduleForm.for_task(task, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                periodic_task_update(
                    task=task,
                    enabled=data["enabled"],
                    schedule=data["schedule"],
                    minute=data.get("minute") or "*",
                    hour=data.get("hour") or "*",
                    day_of_week=data.get("day_of_week") or "*",
                    every=data.get("every"),
                    period=data.get("period") or "minutes",
                    actor=request.user,
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(
                    request, _("The schedule %(name)s is saved.") % {"name": task.name}
                )
                return redirect(f"{reverse('dunning:run_centre')}#schedules")
        return self._render(request, task, form, status=422)

    def _render(self, request, task, form, status: int = 200):
        context = {
            "title": _("Schedule %(name)s") % {"name": task.name},
            "task": task,
            "words": schedule_in_words(task),
            "form": form,
            "cancel_url": f"{reverse('dunning:run_centre')}#schedules",
        }
        return render(request, self.template_name, context, status=status)
