"""Shared pieces of the subscription screens: who may open what (to show buttons),
service errors on forms, and the form and confirmation pages that call one service."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render

from alux_crm.core.access import rule_for
from alux_crm.core.errors import DomainError
from alux_crm.core.generic_views import ObjectActionView
from alux_crm.core.selectors import is_partner_user
from products.choices import SalesChannel

from .. import selectors


def user_may_open(request, url_name: str) -> bool:
    """True when the access matrix lets the user open ``url_name`` (to show a button)."""
    rule = rule_for(url_name)
    return rule is not None and rule.allows(request.user)


def channel_of(user) -> str:
    """The sales channel of the user's requests: a retailer's, or an agent's."""
    return SalesChannel.RETAILER if is_partner_user(user) else SalesChannel.AGENT


def add_service_errors(form, exc: ValidationError) -> None:
    """A service's ValidationError on the matching form fields (else on the form)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.error_dict.items():
        texts = [m for e in errors for m in e.messages]
        form.add_error(field if field in form.fields else None, texts)


def get_subscription(request, pk: int):
    """A subscription the user may see, with what its page shows, or 404."""
    return selectors.subscription_get(user=request.user, pk=pk)


class ServiceActionView(ObjectActionView):
    """A confirmation page whose form may need the object, and whose service may
    refuse with a ``ValidationError`` (on the fields) or a ``DomainError`` (on the
    form, status 422; without a form, an error message and back to the page)."""

    template_name = "subscriptions/confirm.html"

    def make_form(self, request, obj, data=None, files=None):
        return self.form_class(data) if self.form_class else None

    def extra_context(self, request, obj) -> dict:
        return {}

    def get(self, request, pk: int, **kwargs):
        obj = self.get_object(request, pk)
        return self._render(request, obj, self.make_form(request, obj))

    def post(self, request, pk: int, **kwargs):
        obj = self.get_object(request, pk)
        form = self.make_form(request, obj, request.POST, request.FILES)
        if form is None or form.is_valid():
            try:
                message = self.perform(request, obj, form)
            except ValidationError as exc:
                if form is None:
                    messages.error(request, " ".join(exc.messages))
                    return redirect(self.success_url(obj))
                add_service_errors(form, exc)
            except DomainError as exc:
                if form is None:
                    messages.error(request, str(exc))
                    return redirect(self.success_url(obj))
                form.add_error(None, str(exc))
            else:
                messages.success(request, message)
                return redirect(self.success_url(obj))
        return self._render(request, obj, form, status=422)

    def _render(self, request, obj, form, status: int = 200) -> HttpResponse:
        context = {
            "object": obj,
            "form": form,
            "title": self.get_title(obj),
            "consequences": self.get_consequences(obj),
            "danger": self.danger,
            "cancel_url": self.success_url(obj),
            **self.extra_context(request, obj),
        }
        return render(request, self.template_name, context, status=status)
