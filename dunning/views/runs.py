"""Disconnection and reconnection runs (BIL-7): the list, a new run's selection, the
run page (the preview with its totals, per-row exclude / include by htmx, live
progress while it executes, the results by outcome), preview, execute and cancel,
and the CSV of its accounts. Back Office runs them; Billing & Finance and System
Administrators read (access matrix). Reads through ``selectors_runs``, every write
is one service of ``services.runs``."""

import csv

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.http import require_POST

from alux_crm.core.access import rule_for
from alux_crm.core.errors import DomainError
from alux_crm.core.generic_views import ObjectActionView, ObjectFormView, ObjectListView

from .. import selectors_runs as selectors
from ..choices import RunItemOutcome, RunKind, ServiceRunStatus
from ..filters_runs import ServiceRunFilter
from ..forms_runs import ServiceRunForm
from ..services import runs as services
from ..tables_runs import OUTCOME_COLOURS, RUN_COLOURS, ServiceRunTable

ITEMS_PER_PAGE = 100


def may(request, url_name: str) -> bool:
    """Whether the access matrix lets the user open ``url_name``."""
    rule = rule_for(url_name)
    return rule is not None and rule.allows(request.user)


class ServiceRunListView(ObjectListView):
    """Disconnection and reconnection runs, newest first, with filters."""

    title = gettext_lazy("Disconnection and reconnection runs")
    table_class = ServiceRunTable
    filterset_class = ServiceRunFilter
    export_name = "service-runs"

    def get_queryset(self, request):
        return selectors.service_run_list()

    def get_actions(self, request) -> list[dict]:
        actions = []
        if may(request, "dunning:service_run_create"):
            actions.append(
                {
                    "label": _("New run"),
                    "url": reverse("dunning:service_run_create"),
                    "icon": "plus-lg",
                }
            )
        if may(request, "dunning:save_desk_list"):
            actions.append(
                {
                    "label": _("Save desk"),
                    "url": reverse("dunning:save_desk_list"),
                    "icon": "telephone",
                }
            )
        return actions


class ServiceRunCreateView(ObjectFormView):
    """Set the selection of a new run (Back Office); the run page previews it."""

    form_class = ServiceRunForm
    title = gettext_lazy("New disconnection or reconnection run")

    def get_form(self, request, obj, data=None):
        initial = {"kind": request.GET.get("kind", RunKind.DISCONNECTION)}
        return self.form_class(data, initial=initial)

    def save(self, request, form, obj):
        return services.service_run_create(actor=request.user, **form.cleaned_data)

    def cancel_url(self, obj) -> str:
        return reverse("dunning:service_run_list")


def _progress_context(run) -> dict:
    progress = services.service_run_progress(run=run)
    return {
        "run": run,
        "percent": progress.percent,
        "outcomes": [
            {
                "value": value,
                "label": label,
                "count": progress.outcomes.get(value, 0),
                "colour": OUTCOME_COLOURS.get(value, "secondary"),
            }
            for value, label in RunItemOutcome.choices
            if progress.outcomes.get(value)
        ],
        "polling": run.status == ServiceRunStatus.EXECUTING,
    }


def _row_context(request, item) -> dict:
    return {
        "item": item,
        "colour": OUTCOME_COLOURS.get(item.outcome, "secondary"),
        "may_exclude": item.run.status == ServiceRunStatus.PREVIEWED
        and may(request, "dunning:service_run_item_exclude"),
    }


def _with_run(item, run):
    item.run = run  # the page's run: no query per row
    return item


class ServiceRunDetailView(View):
    """A run: criteria, totals, actions, live progress and its accounts."""

    def get(self, request, pk: int):
        run = selectors.service_run_get(pk=pk)
        outcome = request.GET.get("outcome", "")
        if outcome not in RunItemOutcome.values:
            outcome = ""
        page = Paginator(selectors.service_run_items(run=run, outcome=outcome), ITEMS_PER_PAGE)
        page = page.get_page(request.GET.get("page"))
        operator = may(request, "dunning:service_run_execute")
        status = run.status
        context = {
            "title": str(run),
            "status_colour": RUN_COLOURS.get(status, "secondary"),
            "page": page,
            "rows": [_row_context(request, _with_run(item, run)) for item in page],
            "outcome": outcome,
            "outcome_choices": RunItemOutcome.choices,
            "can_preview": operator
            and status in (ServiceRunStatus.DRAFT, ServiceRunStatus.PREVIEWED),
            "can_execute": operator and status == ServiceRunStatus.PREVIEWED,
            "can_cancel": operator
            and status in (ServiceRunStatus.DRAFT, ServiceRunStatus.PREVIEWED),
            "segment_labels": run.segments,
            **_progress_context(run),
        }
        return render(request, "dunning/runs/run_detail.html", context)


def service_run_progress(request, pk: int):
    """The progress partial, polled every 2 s while the run executes; when it stops
    the page reloads once to show the results."""
    run = selectors.service_run_get(pk=pk)
    context = _progress_context(run)
    response = render(request, "dunning/runs/partials/run_progress.html", context)
    if request.htmx and not context["polling"]:
        response["HX-Refresh"] = "true"
    return response


@require_POST
def service_run_preview(request, pk: int):
    """Preview the run (again): list the accounts its criteria select now."""
    run = selectors.service_run_get(pk=pk)
    try:
        run = services.service_run_preview(run=run, actor=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("%(count)s accounts selected, %(amount)s overdue.")
            % {"count": run.accounts_total, "amount": run.amount_total},
        )
    return redirect(run.get_absolute_url())


class ServiceRunExecuteView(ObjectActionView):
    """Confirm, then execute the previewed run (Celery, in chunks)."""

    form_class = None

    def get_object(self, request, pk: int):
        return selectors.service_run_get(pk=pk)

    def get_title(self, obj) -> str:
        return _("Execute %(run)s") % {"run": obj}

    def get_consequences(self, obj) -> list[str]:
        if obj.kind == RunKind.RECONNECTION:
            return [
                _("%(count)s accounts are reconnected.") % {"count": obj.accounts_total},
                _("The plan's reconnection fee is booked once per account where it has one."),
            ]
        return [
            _("%(count)s accounts (%(amount)s overdue) are checked again and disconnected.")
            % {"count": obj.accounts_total, "amount": obj.amount_total},
            _("Accounts that paid, are held or are flagged never to disconnect are skipped."),
            _("Gold and Platinum customers go to the save desk's call list instead."),
            _("The network is told through the provisioning outbox."),
        ]

    def perform(self, request, obj, form) -> str:
        services.service_run_execute(run=obj, actor=request.user)
        return _("The run is executing.")


class ServiceRunCancelView(ObjectActionView):
    """Confirm, then cancel a run that was not executed."""

    form_class = None

    def get_object(self, request, pk: int):
        return selectors.service_run_get(pk=pk)

    def get_title(self, obj) -> str:
        return _("Cancel %(run)s") % {"run": obj}

    def get_consequences(self, obj) -> list[str]:
        return [_("Nobody is disconnected or reconnected by this run.")]

    def perform(self, request, obj, form) -> str:
        services.service_run_cancel(run=obj, actor=request.user)
        return _("The run was cancelled.")


def _toggle(request, pk: int, exclude: bool):
    item = selectors.service_run_item_get(pk=pk)
    try:
        item = services.service_run_item_exclude(item=item, exclude=exclude, actor=request.user)
    except DomainError as error:
        if not request.htmx:
            messages.error(request, str(error))
            return redirect(item.run.get_absolute_url())
        context = {**_row_context(request, item), "error": str(error)}
        return render(request, "dunning/runs/partials/item_row.html", context, status=409)
    if not request.htmx:
        return redirect(item.run.get_absolute_url())
    response = render(request, "dunning/runs/partials/item_row.html", _row_context(request, item))
    response["HX-Trigger"] = "run-totals-changed"
    return response


@require_POST
def service_run_item_exclude(request, pk: int):
    """Exclude one account of a previewed run (htmx: the row is swapped)."""
    return _toggle(request, pk, exclude=True)


@require_POST
def service_run_item_include(request, pk: int):
    """Include an excluded account again."""
    return _toggle(request, pk, exclude=False)


def service_run_totals(request, pk: int):
    """The totals cards (refreshed by htmx after an exclusion)."""
    run = selectors.service_run_get(pk=pk)
    return render(request, "dunning/runs/partials/run_totals.html", {"run": run})


class _Echo:
    def write(self, value: str) -> str:
        return value


def service_run_csv(request, pk: int):
    """Every account of the run with its outcome, as CSV."""
    run = selectors.service_run_get(pk=pk)
    writer = csv.writer(_Echo())
    header = [
        _("Account"), _("Customer"), _("Segment"), _("Tier"), _("Region"), _("Overdue amount"),
        _("Days overdue"), _("Outcome"), _("Services changed"), _("Detail"), _("Handled at"),
    ]  # fmt: skip

    def rows():
        yield writer.writerow(header)
        for item in selectors.service_run_items(run=run).iterator(chunk_size=2000):
            account = item.billing_account
            address = account.billing_address
            yield writer.writerow(
                [
                    account.number,
                    account.customer.display_name,
                    account.customer.segment,
                    account.customer.tier,
                    address.region if address else "",
                    item.overdue_amount,
                    item.days_overdue,
                    item.get_outcome_display(),
                    item.subscriptions_changed,
                    item.detail,
                    item.handled_at.isoformat() if item.handled_at else "",
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{run.kind}-run-{run.pk}.csv"'
    return response
