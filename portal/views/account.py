"""Portal pages of the account (POR-1): login, activation from the invitation, the
dashboard; and the agents' invitation from the customer-360 page."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import SetPasswordForm
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from alux_crm.core.errors import DomainError
from customers import selectors as customer_selectors

from ..forms import PortalLoginForm
from ..models import PortalAccount
from ..selectors import portal_customer, portal_dashboard
from ..selectors_profile import user_of_link
from ..services import portal_activate, portal_invite


class PortalLoginView(auth_views.LoginView):
    """The subscribers' login (a new session id is issued at login by Django)."""

    form_class = PortalLoginForm
    template_name = "portal/login.html"
    redirect_authenticated_user = False

    def get_default_redirect_url(self):
        from django.urls import reverse

        return reverse("portal:dashboard")

    def form_valid(self, form):
        from .profile import after_portal_login  # profile part: the customer's language

        return after_portal_login(self.request, super().form_valid(form))


class PortalLogoutView(auth_views.LogoutView):
    """Log out and back to the portal's login."""

    next_page = "portal:login"


class PortalActivateView(View):
    """The link of the invitation e-mail: set a password, and the portal is open.
    A used or expired link says so and changes nothing."""

    template_name = "portal/activate.html"

    def _account(self, uidb64: str, token: str) -> PortalAccount | None:
        user = user_of_link(uidb64=uidb64, token=token)
        if user is None:
            return None
        return (
            PortalAccount.objects.filter(user=user, disabled_at__isnull=True)
            .select_related("user")
            .first()
        )

    def get(self, request, uidb64: str, token: str):
        account = self._account(uidb64, token)
        form = SetPasswordForm(account.user) if account else None
        return render(request, self.template_name, {"form": form, "valid": bool(account)})

    def post(self, request, uidb64: str, token: str):
        account = self._account(uidb64, token)
        if account is None:
            return render(request, self.template_name, {"form": None, "valid": False})
        form = SetPasswordForm(account.user, request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form, "valid": True})
        user = form.save()
        portal_activate(account=account)
        login(request, user, backend="alux_crm.core.auth_backends.UserBackend")
        from .profile import after_portal_login  # profile part: the customer's language

        response = after_portal_login(request, redirect("portal:dashboard"))
        messages.success(request, _("Your password is set. Welcome!"))
        return response


class PortalDashboardView(View):
    """Per billing account the balance, what is due and the next invoice's estimate;
    the last invoice; the services with their devices and status; the open requests
    (``portal.selectors.portal_dashboard``, a bounded number of queries)."""

    def get(self, request):
        customer = portal_customer(request.user)
        data = portal_dashboard(customer=customer)
        return render(
            request,
            "portal/dashboard.html",
            {"customer": customer, "dashboard": data, "title": _("My account")},
        )


class PortalInviteView(View):
    """An agent invites the customer to the portal (POST from the customer page)."""

    def post(self, request, pk: int):
        customer = customer_selectors.customer_get(user=request.user, pk=pk)
        try:
            portal_invite(customer=customer, actor=request.user)
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, _("The invitation is on its way to %(email)s.") % {"email": customer.email}
            )
        return redirect(customer.get_absolute_url())


def portal_root(request):
    """/portal/: the dashboard, or the login."""
    return redirect("portal:dashboard" if request.user.is_authenticated else "portal:login")
