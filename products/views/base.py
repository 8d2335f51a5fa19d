"""Shared pieces of the catalogue screens."""

from django.http import HttpResponse
from django.shortcuts import render

from alux_crm.core.access import rule_for
from alux_crm.core.generic_views import ObjectFormView


def user_may_open(request, url_name: str) -> bool:
    """True when the access matrix lets the user open ``url_name`` (to show a button)."""
    rule = rule_for(url_name)
    return rule is not None and rule.allows(request.user)


def action(url: str, label: str, icon: str, style: str = "outline-primary") -> dict:
    """A button of a detail page's header."""
    return {"label": label, "url": url, "icon": icon, "style": style}


class FormView(ObjectFormView):
    """``ObjectFormView`` whose forms take uploads and show their fields in groups
    (``products/form.html``); the form is never bound to the object itself."""

    template_name = "products/form.html"

    def get_form(self, request, obj, data=None):
        files = request.FILES if data is not None else None
        return self.form_class(data, files, instance=obj)

    def extra_context(self, request, obj, form) -> dict:
        """More for the template (e.g. what is shown beside the form)."""
        return {}

    def _render(self, request, obj, form, status: int = 200) -> HttpResponse:
        context = {
            "object": obj,
            "form": form,
            "title": self.get_title(obj),
            "cancel_url": self.cancel_url(obj),
            **self.extra_context(request, obj, form),
        }
        return render(request, self.template_name, context, status=status)


def history_about(events: list, labels: dict) -> list:
    """Name what each history event is about: ``labels`` maps a model label to a
    function (event data → (text, icon)). Events come from a selector (annotated)."""
    for event in events:
        describe = labels.get(event.pgh_obj_model)
        if describe is None:
            event.about, event.about_icon = f"{event.pgh_obj_model} #{event.pgh_obj_id}", "record"
        else:
            event.about, event.about_icon = describe(event.pgh_data or {})
    return events
