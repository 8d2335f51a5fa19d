"""Portal pages of the subscriber's profile (POR-1): contact details (the password
again before e-mail or phone change), communication preferences, language, password
change and reset by e-mail; and the agents' disabling of a portal login from the
customer-360 page. Every page works on the logged-in subscriber's own customer."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from alux_crm.core.errors import DomainError
from customers import selectors as customer_selectors

from ..forms_profile import (
    ContactForm,
    InvoiceDeliveryForm,
    LanguageForm,
    PasswordResetRequestForm,
    PortalPasswordChangeForm,
    PreferencesForm,
    add_service_errors,
)
from ..selectors_profile import (
    portal_account_of,
    portal_invoice_accounts,
    portal_own_account,
    portal_profile,
    portal_reset_link_account,
)
from ..services import portal_disable, portal_enable
from ..services_profile import (
    InvoiceDelivery,
    PreferencesInvalid,
    portal_contact_change,
    portal_language_set,
    portal_language_sync,
    portal_password_reset_request,
    portal_password_set,
    portal_preferences_set,
)


def use_language(response, language: str):
    """Show the portal in ``language`` from now on: this request's messages, and the
    language cookie, so the login page after a logout keeps it too."""
    translation.activate(language)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


def after_portal_login(request, response):
    """At login the portal takes the customer's language (an agent may have changed
    it since the last visit). Called by the login and activation views."""
    account = portal_own_account(request.user)
    return use_language(response, portal_language_sync(account=account))


class PortalProfileView(View):
    """My profile: name and number, contact details, addresses (read-only: an agent
    changes them), communication preferences, language, password."""

    def get(self, request):
        account = portal_own_account(request.user)
        customer = account.customer
        return render(
            request,
            "portal/profile.html",
            {
                "title": _("My profile"),
                "profile": portal_profile(customer=customer),
                "language_form": LanguageForm(initial={"language": customer.language}),
            },
        )


class PortalContactView(View):
    """Change the e-mail address and phone, with the password again."""

    template_name = "portal/profile_contact.html"

    def _render(self, request, form):
        return render(request, self.template_name, {"form": form, "title": _("Contact details")})

    def get(self, request):
        account = portal_own_account(request.user)
        return self._render(request, ContactForm(request=request, customer=account.customer))

    def post(self, request):
        account = portal_own_account(request.user)
        form = ContactForm(request.POST, request=request, customer=account.customer)
        if not form.is_valid():
            return self._render(request, form)
        try:
            portal_contact_change(
                account=account,
                email=form.cleaned_data["email"],
                phone=form.cleaned_data["phone"],
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self._render(request, form)
        except DomainError as error:
            form.add_error(None, str(error))
            return self._render(request, form)
        messages.success(request, _("Your contact details are saved."))
        return redirect("portal:profile")


class PortalPreferencesView(View):
    """Marketing consent per channel and how invoices come, per paying account."""

    template_name = "portal/profile_preferences.html"

    def _forms(self, request, customer, data=None):
        consent = PreferencesForm(data, customer=customer)
        deliveries = [
            InvoiceDeliveryForm(data, billing_account=billing)
            for billing in portal_invoice_accounts(customer=customer)
        ]
        return consent, deliveries

    def _render(self, request, consent, deliveries):
        return render(
            request,
            self.template_name,
            {"form": consent, "delivery_forms": deliveries, "title": _("Preferences")},
        )

    def get(self, request):
        account = portal_own_account(request.user)
        return self._render(request, *self._forms(request, account.customer))

    def post(self, request):
        account = portal_own_account(request.user)
        consent, deliveries = self._forms(request, account.customer, request.POST)
        checked = [consent.is_valid(), *(f.is_valid() for f in deliveries)]  # every form's errors
        if not all(checked):
            return self._render(request, consent, deliveries)
        try:
            portal_preferences_set(
                account=account,
                expected_version=consent.cleaned_data["version"],
                **{name: consent.cleaned_data[name] for name in PreferencesForm.CONSENT_FIELDS},
                deliveries=[
                    InvoiceDelivery(
                        billing_account=f.billing_account,
                        expected_version=f.cleaned_data["version"],
                        invoice_delivery=f.cleaned_data["invoice_delivery"],
                        invoice_email=f.cleaned_data["invoice_email"],
                    )
                    for f in deliveries
                ],
            )
        except PreferencesInvalid as error:
            for f in deliveries:
                if f.billing_account.pk in error.by_account:
                    add_service_errors(f, _on_email(error.by_account[f.billing_account.pk]))
            return self._render(request, consent, deliveries)
        except ValidationError as error:
            add_service_errors(consent, error)
            return self._render(request, consent, deliveries)
        except DomainError as error:
            consent.add_error(None, str(error))
            return self._render(request, consent, deliveries)
        messages.success(request, _("Your preferences are saved."))
        return redirect("portal:profile")


def _on_email(error: ValidationError) -> ValidationError:
    """A billing account's rule without a field (e-mail delivery needs an invoice
    e-mail) is shown next to the invoice e-mail."""
    if hasattr(error, "error_dict") and "__all__" in error.error_dict:
        return ValidationError({"invoice_email": error.message_dict["__all__"]})
    return error


class PortalLanguageView(View):
    """Choose the language (POST from the profile page): every page shows in it."""

    http_method_names = ["post"]

    def post(self, request):
        account = portal_own_account(request.user)
        form = LanguageForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose one of the languages offered."))
            return redirect("portal:profile")
        language = form.cleaned_data["language"]
        try:
            portal_language_set(account=account, language=language)
        except (ValidationError, DomainError) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
            return redirect("portal:profile")
        response = use_language(redirect("portal:profile"), language)
        messages.success(request, _("The portal now speaks your language."))
        return response


class PortalPasswordChangeView(View):
    """Change the password with the current one; this session stays, others end."""

    template_name = "portal/password_change.html"

    def _render(self, request, form):
        return render(request, self.template_name, {"form": form, "title": _("Change password")})

    def get(self, request):
        account = portal_own_account(request.user)
        return self._render(request, PortalPasswordChangeForm(account.user, request=request))

    def post(self, request):
        account = portal_own_account(request.user)
        form = PortalPasswordChangeForm(account.user, request.POST, request=request)
        if not form.is_valid():
            return self._render(request, form)
        portal_password_set(account=account, password=form.cleaned_data["new_password1"])
        update_session_auth_hash(request, account.user)  # new session id, this one stays
        messages.success(request, _("Your password is changed."))
        return redirect("portal:profile")


class PortalPasswordResetView(View):
    """Forgot the password: a one-time link by e-mail. The answer is the same whether
    or not the customer number or e-mail belongs to a login."""

    template_name = "portal/password_reset.html"

    def get(self, request):
        form = PasswordResetRequestForm()
        return render(request, self.template_name, {"form": form, "title": _("Forgot password")})

    def post(self, request):
        form = PasswordResetRequestForm(request.POST)
        if not form.is_valid():
            return render(
                request, self.template_name, {"form": form, "title": _("Forgot password")}
            )
        portal_password_reset_request(identifier=form.cleaned_data["identifier"])
        return redirect("portal:password_reset_sent")


class PortalPasswordResetSentView(View):
    """What a reset request answers, always the same."""

    def get(self, request):
        return render(request, "portal/password_reset_sent.html", {"title": _("Check your inbox")})


class PortalPasswordResetConfirmView(View):
    """The link of the reset e-mail: set a new password, then log in with it. A used,
    expired or refused link says so and changes nothing."""

    template_name = "portal/password_reset_confirm.html"

    def _render(self, request, form):
        return render(
            request,
            self.template_name,
            {"form": form, "valid": form is not None, "title": _("New password")},
        )

    def get(self, request, uidb64: str, token: str):
        account = portal_reset_link_account(uidb64=uidb64, token=token)
        return self._render(request, SetPasswordForm(account.user) if account else None)

    def post(self, request, uidb64: str, token: str):
        account = portal_reset_link_account(uidb64=uidb64, token=token)
        if account is None:
            return self._render(request, None)
        form = SetPasswordForm(account.user, request.POST)
        if not form.is_valid():
            return self._render(request, form)
        portal_password_set(account=account, password=form.cleaned_data["new_password1"])
        messages.success(request, _("Your new password is set. Log in with it."))
        return redirect("portal:login")


class _PortalAccessActionView(View):
    """An agent's POST on the customer-360 page about the customer's portal login."""

    http_method_names = ["post"]
    service = None
    done_message = ""

    def post(self, request, pk: int):
        customer = customer_selectors.customer_get(user=request.user, pk=pk)
        account = portal_account_of(customer=customer)
        self.service(account=account, actor=request.user)
        messages.success(request, self.done_message % {"name": customer.name})
        return redirect(customer.get_absolute_url())


class PortalDisableView(_PortalAccessActionView):
    """Disable the customer's portal login: its sessions end at once."""

    service = staticmethod(portal_disable)
    done_message = gettext_lazy("The portal login of %(name)s is disabled; its sessions ended.")


class PortalEnableView(_PortalAccessActionView):
    """Enable the customer's portal login again."""

    service = staticmethod(portal_enable)
    done_message = gettext_lazy("The portal login of %(name)s is enabled again.")
