"""The page patterns every screen reuses (see ``docs/ui.md``).

- ``ObjectListView``: filters (django-filter), a sortable table (django-tables2),
  pagination, CSV export of the whole filtered list (``?_export=csv``); htmx
  requests get only the table partial.
- ``ObjectDetailView`` + ``ObjectTabView``: a header with status and actions, and
  tabs loaded with htmx (the first tab is rendered with the page).
- ``ObjectFormView``: a create/edit form whose ``save`` calls one service.
- ``ObjectActionView``: the confirmation page of a dangerous action (a summary, an
  optional reason form, and a POST that calls one service).

Views stay thin: they read through selectors and write through services.
"""

import csv
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View
from django_tables2 import RequestConfig

from .errors import DomainError

LIST_PAGE_SIZE = 25


class _Echo:
    """A file-like object whose ``write`` returns the line, for streaming CSV."""

    def write(self, value: str) -> str:
        return value


class ObjectListView(View):
    """A filtered, sortable, paginated list with CSV export."""

    title = ""
    table_class = None
    filterset_class = None
    template_name = "generic/object_list.html"
    partial_template_name = "generic/partials/object_table.html"
    create_url_name: str | None = None
    export_name = "export"

    def get_queryset(self, request):
        raise NotImplementedError

    def get_actions(self, request) -> list[dict]:
        """Buttons above the list: ``[{"label", "url", "icon"}]``."""
        if not self.create_url_name:
            return []
        from .access import rule_for

        rule = rule_for(self.create_url_name)
        if rule is None or not rule.allows(request.user):
            return []
        return [{"label": _("Add"), "url": reverse(self.create_url_name), "icon": "plus-lg"}]

    def get(self, request, *args, **kwargs):
        queryset = self.get_queryset(request)
        filterset = None
        if self.filterset_class is not None:
            filterset = self.filterset_class(
                request.GET or None, queryset=queryset, request=request
            )
            queryset = filterset.qs if filterset.is_bound else queryset
        table = self.table_class(queryset)
        if request.GET.get("_export") == "csv":
            RequestConfig(request, paginate=False).configure(table)  # keep the chosen sort
            return self.export_csv(table)
        RequestConfig(request, paginate={"per_page": LIST_PAGE_SIZE}).configure(table)
        context = {
            "title": self.title,
            "table": table,
            "filter": filterset,
            "actions": self.get_actions(request),
            "export_query": _query_with(request, _export="csv"),
        }
        if request.htmx and request.htmx.target == "object-table":
            return render(request, self.partial_template_name, context)
        return render(request, self.template_name, context)

    def export_csv(self, table) -> StreamingHttpResponse:
        """The whole filtered list (not just one page) as CSV, streamed row by row."""
        writer = csv.writer(_Echo())
        rows = (writer.writerow(row) for row in table.as_values())
        filename = f"{self.export_name}-{timezone.localdate():%Y%m%d}.csv"
        response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


def _query_with(request, **params) -> str:
    query = request.GET.copy()
    for key, value in params.items():
        query[key] = value
    query.pop("page", None)
    return query.urlencode()


@dataclass(frozen=True)
class Tab:
    """One tab of a detail page; ``name`` selects the ``tab_<name>`` method."""

    name: str
    label: str


class ObjectDetailMixin:
    """Shared by the detail page and its tab partials."""

    tabs: list[Tab] = []
    tab_url_name = ""

    def get_object(self, request, pk: int):
        raise NotImplementedError

    def tab_context(self, request, obj, tab: str) -> dict:
        """Context of one tab: ``tab_<name>(request, obj)`` returns a dict with at
        least ``template``."""
        method = getattr(self, f"tab_{tab}", None)
        if method is None or tab not in {t.name for t in self.tabs}:
            raise Http404("No such tab.")
        return method(request, obj)

    def tab_history(self, request, obj) -> dict:
        """The History tab every tracked record has (django-pghistory)."""
        from .selectors import history_for

        return {"template": "partials/history.html", "events": history_for(obj)}


class ObjectDetailView(ObjectDetailMixin, View):
    """A header with status and actions, and htmx tabs."""

    template_name = "generic/object_detail.html"

    def get_actions(self, request, obj) -> list[dict]:
        """Buttons in the header: ``[{"label", "url", "icon", "style"}]``."""
        return []

    def get_status(self, obj) -> tuple[str, str] | None:
        """``(label, bootstrap colour)`` of the status badge, or None."""
        return None

    def get_title(self, obj) -> str:
        return str(obj)

    def get(self, request, pk: int):
        obj = self.get_object(request, pk)
        first = self.tabs[0].name
        active = request.GET.get("tab", first)
        if active not in {t.name for t in self.tabs}:
            active = first
        context = {
            "object": obj,
            "title": self.get_title(obj),
            "status": self.get_status(obj),
            "actions": self.get_actions(request, obj),
            "tabs": [
                {
                    "name": t.name,
                    "label": t.label,
                    "url": reverse(self.tab_url_name, args=[obj.pk, t.name]),
                }
                for t in self.tabs
            ],
            "active_tab": active,
            "tab": self.tab_context(request, obj, active),
        }
        # The tab partial reads its own variables (users, events...) at the top level,
        # as in ObjectTabView; page keys (title, actions...) win over tab keys.
        return render(request, self.template_name, {**context["tab"], **context})


class ObjectTabView(ObjectDetailMixin, View):
    """Renders one tab of a detail page (requested by htmx, or directly)."""

    def get(self, request, pk: int, tab: str):
        obj = self.get_object(request, pk)
        context = self.tab_context(request, obj, tab)
        return render(request, context["template"], {"object": obj, "tab": context, **context})


class ObjectFormView(View):
    """A create or edit page: a form validated by Django, saved by one service."""

    form_class: type[forms.Form] | None = None
    template_name = "generic/object_form.html"
    title = ""

    def get_object(self, request, pk: int | None):
        return None

    def get_form(self, request, obj, data=None):
        return self.form_class(data, instance=obj) if obj is not None else self.form_class(data)

    def save(self, request, form, obj):
        """Call the service; return the saved object."""
        raise NotImplementedError

    def success_url(self, obj) -> str:
        return obj.get_absolute_url()

    def get_title(self, obj) -> str:
        return self.title

    def cancel_url(self, obj) -> str:
        return self.success_url(obj) if obj is not None else reverse("dashboard")

    def get(self, request, pk: int | None = None):
        obj = self.get_object(request, pk)
        return self._render(request, obj, self.get_form(request, obj))

    def post(self, request, pk: int | None = None):
        obj = self.get_object(request, pk)
        form = self.get_form(request, obj, request.POST)
        if form.is_valid():
            try:
                saved = self.save(request, form, obj)
            except ValidationError as exc:
                _add_errors(form, exc)
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Saved."))
                return redirect(self.success_url(saved))
        return self._render(request, obj, form, status=422)

    def _render(self, request, obj, form, status: int = 200) -> HttpResponse:
        context = {
            "object": obj,
            "form": form,
            "title": self.get_title(obj),
            "cancel_url": self.cancel_url(obj),
        }
        return render(request, self.template_name, context, status=status)


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class ReasonForm(forms.Form):
    """The reason asked for on most confirmation pages."""

    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


class ObjectActionView(View):
    """The confirmation page of a dangerous action and the POST that performs it."""

    template_name = "generic/object_confirm.html"
    form_class: type[forms.Form] | None = ReasonForm
    danger = True

    def get_object(self, request, pk: int):
        raise NotImplementedError

    def get_title(self, obj) -> str:
        raise NotImplementedError

    def get_consequences(self, obj) -> list[str]:
        """What will happen, listed on the confirmation page."""
        return []

    def perform(self, request, obj, form) -> str:
        """Call the service; return the success message."""
        raise NotImplementedError

    def success_url(self, obj) -> str:
        return obj.get_absolute_url()

    def get(self, request, pk: int, **kwargs):
        obj = self.get_object(request, pk)
        form = self.form_class() if self.form_class else None
        return self._render(request, obj, form)

    def post(self, request, pk: int, **kwargs):
        obj = self.get_object(request, pk)
        form = self.form_class(request.POST) if self.form_class else None
        if form is None or form.is_valid():
            try:
                message = self.perform(request, obj, form)
            except DomainError as exc:
                if form is None:
                    messages.error(request, str(exc))
                    return redirect(self.success_url(obj))
                form.add_error(None, str(exc))
            else:
                messages.success(request, message)
                return redirect(self.success_url(obj))
        return self._render(request, obj, form, status=422 if form is not None else 409)

    def _render(self, request, obj, form, status: int = 200) -> HttpResponse:
        context = {
            "object": obj,
            "form": form,
            "title": self.get_title(obj),
            "consequences": self.get_consequences(obj),
            "danger": self.danger,
            "cancel_url": self.success_url(obj),
        }
        return render(request, self.template_name, context, status=status)
