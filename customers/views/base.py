"""Shared pieces of the customer screens: form and action views that call one service."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from alux_crm.core.access import rule_for
from alux_crm.core.errors import DomainError
from alux_crm.core.generic_views import (
    ObjectActionView,
    ObjectFormView,
)

from .. import selectors, services
from ..forms import (
    ConfirmForm,
)

COMMUNICATIONS_PAGE_SIZE = 20
SEARCH_PAGE_LIMIT = 50


def user_may_open(request, url_name: str) -> bool:
    rule = rule_for(url_name)
    return rule is not None and rule.allows(request.user)


# Service field names that a form shows under another name.
FIELD_ALIASES = {"parent": "parent_number"}


def add_service_errors(form, exc: ValidationError, prefix: str = "") -> None:
    """Put a service's ValidationError on the matching form fields (``prefix`` maps
    e.g. an address's ``city`` to the form's ``address_city``)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.error_dict.items():
        messages_ = [m for e in errors for m in e.messages]
        for name in (f"{prefix}{field}", field, FIELD_ALIASES.get(field)):
            if name in form.fields:
                form.add_error(name, messages_)
                break
        else:
            form.add_error(None, messages_)


class ServiceFormView(ObjectFormView):
    """``ObjectFormView`` with uploads, a concurrent-edit answer (409), a success
    message from the saved object and extra template context."""

    template_name = "customers/form.html"
    intro = ""

    def get_form(self, request, obj, data=None, files=None):
        raise NotImplementedError

    def success_message(self, saved) -> str:
        return _("Saved.")

    def extra_context(self, request, obj, form) -> dict:
        return {}

    def cancel_url(self, obj) -> str:
        return obj.get_absolute_url() if obj is not None else reverse("customers:customer_list")

    def post(self, request, pk: int | None = None):
        obj = self.get_object(request, pk)
        form = self.get_form(request, obj, request.POST, request.FILES)
        status = 422
        if form.is_valid():
            try:
                saved = self.save(request, form, obj)
            except services.ConcurrentEditError as exc:
                form.add_error(None, str(exc))
                status = 409
            except ValidationError as exc:
                add_service_errors(form, exc)
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, self.success_message(saved))
                return redirect(self.success_url(saved))
        return self._render(request, obj, form, status=status)

    def _render(self, request, obj, form, status: int = 200) -> HttpResponse:
        context = {
            "object": obj,
            "form": form,
            "title": self.get_title(obj),
            "intro": self.intro,
            "cancel_url": self.cancel_url(obj),
            **self.extra_context(request, obj, form),
        }
        return render(request, self.template_name, context, status=status)


class FormActionView(ObjectActionView):
    """``ObjectActionView`` whose form needs the object and the user."""

    def make_form(self, request, obj, data=None):
        return ConfirmForm(data)

    def get(self, request, pk: int, **kwargs):
        obj = self.get_object(request, pk)
        return self._render(request, obj, self.make_form(request, obj))

    def post(self, request, pk: int, **kwargs):
        obj = self.get_object(request, pk)
        form = self.make_form(request, obj, request.POST)
        if form.is_valid():
            try:
                message = self.perform(request, obj, form)
            except ValidationError as exc:
                add_service_errors(form, exc)
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, message)
                return redirect(self.success_url(obj))
        return self._render(request, obj, form, status=422)


# --- credit check, address, communication ----------------------------------------------------
class CustomerChildFormView(ServiceFormView):
    """A form that adds something to a customer (the page's object is the customer)."""

    def get_object(self, request, pk):
        return selectors.customer_get(user=request.user, pk=pk)

    def success_url(self, saved) -> str:
        return saved.customer.get_absolute_url()
