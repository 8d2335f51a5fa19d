"""Pages of the core: dashboard, two-factor, business network, outbox, settings."""

from io import BytesIO

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import choices, selectors, services
from .filters import NotificationFilter, OrgUnitFilter, OutboxFilter, PartnerFilter
from .forms import LoginForm, OperatorSettingsForm, PartnerForm, ProfileForm, TokenForm
from .generic_views import (
    ObjectActionView,
    ObjectDetailMixin,
    ObjectDetailView,
    ObjectFormView,
    ObjectListView,
    ObjectTabView,
    Tab,
)
from .outbox import outbox_retry
from .tables import NotificationTable, OrgUnitTable, OutboxTable, PartnerTable


# --- login, two-factor ---------------------------------------------------------------
class LoginView(auth_views.LoginView):
    """The staff and partner login page (django-axes counts the failures)."""

    form_class = LoginForm
    redirect_authenticated_user = True


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse(default)


def two_factor_verify(request):
    """Second step of the login: the TOTP code of an enrolled device."""
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            return redirect(_safe_next(request, "dashboard"))
        form.add_error("token", _("That code is not valid. Try the current one."))
    return render(request, "registration/two_factor_verify.html", {"form": form})


def two_factor_setup(request):
    """Enrol an authenticator app: scan the QR code, then confirm with one code."""
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name="default", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _reason = device.verify_is_allowed()
        if not allowed:
            form.add_error("token", _("Too many tries. Wait a few seconds and try again."))
        elif device.verify_token(form.cleaned_data["token"]):
            TOTPDevice.objects.filter(user=request.user, confirmed=True).delete()
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            messages.success(request, _("Two-factor authentication is on."))
            return redirect(_safe_next(request, "dashboard"))
        form.add_error("token", _("That code is not valid. Check the time on your phone."))
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    buffer = BytesIO()
    image.save(buffer)
    context = {
        "form": form,
        "qr_svg": mark_safe(buffer.getvalue().decode()),  # noqa: S308 - generated SVG
        "secret": device.bin_key.hex(),
    }
    return render(request, "registration/two_factor_setup.html", context)


# --- dashboard ----------------------------------------------------------------------
def dashboard(request):
    """The start page: notifications and the work of the user's role."""
    user = request.user
    context = {
        "notifications": selectors.notification_list(user=user)[:5],
        "show_outbox": "core:outbox_list" in {i["name"] for i in _nav(request)},
    }
    if context["show_outbox"]:
        context["outbox_counts"] = {
            status: selectors.outbox_list().filter(status=status).count()
            for status in (choices.OutboxStatus.PENDING, choices.OutboxStatus.FAILED)
        }
    return render(request, "core/dashboard.html", context)


def _nav(request) -> list[dict]:
    from .navigation import nav_for

    return nav_for(request.user)


# --- partners -----------------------------------------------------------------------
class PartnerListView(ObjectListView):
    """Retailers and installers of the business network."""

    title = gettext_lazy("Partners")
    table_class = PartnerTable
    filterset_class = PartnerFilter
    create_url_name = "core:partner_create"
    export_name = "partners"

    def get_queryset(self, request):
        return selectors.partner_list(user=request.user)


class PartnerDetailMixin(ObjectDetailMixin):
    tabs = [
        Tab("overview", gettext_lazy("Overview")),
        Tab("users", gettext_lazy("Users")),
        Tab("history", gettext_lazy("History")),
    ]
    tab_url_name = "core:partner_tab"

    def get_object(self, request, pk):
        return selectors.partner_get(user=request.user, pk=pk)

    def tab_overview(self, request, obj) -> dict:
        return {"template": "core/partials/partner_overview.html"}

    def tab_users(self, request, obj) -> dict:
        return {
            "template": "core/partials/partner_users.html",
            "users": obj.users.order_by("username").prefetch_related("groups"),
        }


class PartnerDetailView(PartnerDetailMixin, ObjectDetailView):
    """A partner's page: details, its users and history."""

    def get_status(self, obj):
        colour = {"active": "success", "suspended": "warning"}.get(obj.status, "secondary")
        return obj.get_status_display(), colour

    def get_actions(self, request, obj) -> list[dict]:
        from .access import rule_for

        if not rule_for("core:partner_edit").allows(request.user):
            return []
        actions = [
            {
                "label": _("Edit"),
                "url": reverse("core:partner_edit", args=[obj.pk]),
                "icon": "pencil",
                "style": "outline-primary",
            }
        ]
        labels = {
            choices.PartnerStatus.ACTIVE: (_("Reactivate"), "play-circle", "outline-success"),
            choices.PartnerStatus.SUSPENDED: (_("Suspend"), "pause-circle", "outline-warning"),
            choices.PartnerStatus.TERMINATED: (_("Terminate"), "x-octagon", "outline-danger"),
        }
        for status in sorted(choices.PARTNER_TRANSITIONS[obj.status]):
            label, icon, style = labels[status]
            actions.append(
                {
                    "label": label,
                    "url": reverse("core:partner_status", args=[obj.pk, status]),
                    "icon": icon,
                    "style": style,
                }
            )
        return actions


class PartnerTabView(PartnerDetailMixin, ObjectTabView):
    """One tab of the partner page."""


class PartnerFormView(ObjectFormView):
    """Add or edit a partner."""

    form_class = PartnerForm

    def get_object(self, request, pk):
        return selectors.partner_get(user=request.user, pk=pk) if pk else None

    def get_title(self, obj) -> str:
        return _("Edit %(name)s") % {"name": obj.name} if obj else _("New partner")

    def cancel_url(self, obj) -> str:
        return obj.get_absolute_url() if obj else reverse("core:partner_list")

    def get_form(self, request, obj, data=None):
        # The ModelForm validates; the service writes. Work on a copy so a failed
        # validation never leaves the loaded object half-changed.
        return PartnerForm(
            data, instance=obj and selectors.partner_get(user=request.user, pk=obj.pk)
        )

    def save(self, request, form, obj):
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        if obj is None:
            return services.partner_create(actor=request.user, **data)
        return services.partner_update(partner=obj, actor=request.user, **data)


class PartnerStatusView(ObjectActionView):
    """Confirm suspending, reactivating or terminating a partner."""

    def get_object(self, request, pk):
        return selectors.partner_get(user=request.user, pk=pk)

    def _target(self) -> choices.PartnerStatus:
        return choices.PartnerStatus(self.kwargs["status"])

    def get_title(self, obj) -> str:
        verbs = {
            "active": _("Reactivate %(name)s"),
            "suspended": _("Suspend %(name)s"),
            "terminated": _("Terminate %(name)s"),
        }
        return verbs[self._target()] % {"name": obj.name}

    def get_consequences(self, obj) -> list[str]:
        count = obj.users.filter(is_active=True).count()
        if self._target() == choices.PartnerStatus.ACTIVE:
            text = ngettext(
                "%(count)s user of this partner can log in again.",
                "%(count)s users of this partner can log in again.",
                count,
            )
            return [text % {"count": count}]
        text = ngettext(
            "%(count)s user of this partner can no longer log in.",
            "%(count)s users of this partner can no longer log in.",
            count,
        )
        items = [text % {"count": count}]
        if self._target() == choices.PartnerStatus.TERMINATED:
            items.append(_("Termination is final: the partner cannot be reactivated."))
        return items

    def perform(self, request, obj, form) -> str:
        services.partner_change_status(
            partner=obj,
            status=self._target(),
            reason=form.cleaned_data["reason"],
            actor=request.user,
        )
        return _("%(name)s is now %(status)s.") % {
            "name": obj.name,
            "status": self._target().label.lower(),
        }

    def get(self, request, pk, status):
        if status not in choices.PartnerStatus.values:
            return redirect("core:partner_detail", pk=pk)
        return super().get(request, pk)

    def post(self, request, pk, status):
        if status not in choices.PartnerStatus.values:
            return redirect("core:partner_detail", pk=pk)
        return super().post(request, pk)


# --- organisation units ----------------------------------------------------------------
class OrgUnitListView(ObjectListView):
    """Departments, teams, shops and regions of the operator."""

    title = gettext_lazy("Organisation")
    table_class = OrgUnitTable
    filterset_class = OrgUnitFilter
    export_name = "organisation-units"

    def get_queryset(self, request):
        return selectors.org_unit_list(user=request.user)


class OrgUnitDetailMixin(ObjectDetailMixin):
    tabs = [
        Tab("overview", gettext_lazy("Overview")),
        Tab("history", gettext_lazy("History")),
    ]
    tab_url_name = "core:orgunit_tab"

    def get_object(self, request, pk):
        return selectors.org_unit_get(user=request.user, pk=pk)

    def tab_overview(self, request, obj) -> dict:
        subtree = selectors.org_unit_subtree_ids(root=obj)
        return {
            "template": "core/partials/orgunit_overview.html",
            "ancestors": selectors.org_unit_ancestors(unit=obj),
            "children": obj.children.all(),
            "users": obj.users.order_by("username"),
            "subtree_size": len(subtree) - 1,
        }


class OrgUnitDetailView(OrgUnitDetailMixin, ObjectDetailView):
    """An organisation unit: where it sits in the tree, its units and people."""


class OrgUnitTabView(OrgUnitDetailMixin, ObjectTabView):
    """One tab of the organisation unit page."""


# --- outbox -------------------------------------------------------------------------
class OutboxListView(ObjectListView):
    """Messages to other systems: pending, sent and failed, with retry."""

    title = gettext_lazy("Outbox")
    table_class = OutboxTable
    filterset_class = OutboxFilter
    export_name = "outbox"

    def get_queryset(self, request):
        return selectors.outbox_list()


@require_POST
def outbox_retry_view(request, pk: int):
    """Send a failed outbox message again."""
    message = selectors.outbox_list().filter(pk=pk).first()
    if message is None:
        from django.http import Http404

        raise Http404
    outbox_retry(message=message, actor=request.user)
    messages.success(request, _("Message #%(id)s queued again.") % {"id": pk})
    return redirect(request.META.get("HTTP_REFERER") or reverse("core:outbox_list"))


# --- notifications ----------------------------------------------------------------------
class NotificationListView(ObjectListView):
    """All the user's notifications."""

    title = gettext_lazy("Notifications")
    table_class = NotificationTable
    filterset_class = NotificationFilter
    export_name = "notifications"

    def get_queryset(self, request):
        return selectors.notification_list(user=request.user)


def notification_bell(request):
    """The dropdown under the bell (htmx partial): the latest notifications."""
    context = {
        "notifications": selectors.notification_list(user=request.user)[:8],
        "unread_notifications": selectors.notification_unread_count(user=request.user),
    }
    return render(request, "core/partials/notification_bell.html", context)


@require_POST
def notification_read(request, pk: int):
    """Mark one notification read and follow its link."""
    notification = selectors.notification_get(user=request.user, pk=pk)
    services.notification_mark_read(notification=notification)
    target = notification.url
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return redirect(target)
    return redirect("core:notification_list")


@require_POST
def notification_read_all(request):
    """Mark all the user's notifications read."""
    count = services.notification_mark_all_read(user=request.user)
    messages.info(request, _("%(count)s notifications marked read.") % {"count": count})
    return redirect("core:notification_list")


# --- settings and profile ----------------------------------------------------------------
class OperatorSettingsView(View):
    """Global settings of the operator (System Administrator)."""

    def get(self, request):
        form = OperatorSettingsForm(instance=selectors.operator_settings())
        return render(request, "core/operator_settings.html", {"form": form})

    def post(self, request):
        form = OperatorSettingsForm(request.POST, instance=selectors.operator_settings())
        if not form.is_valid():
            return render(request, "core/operator_settings.html", {"form": form}, status=422)
        services.operator_settings_update(actor=request.user, **form.cleaned_data)
        messages.success(request, _("Settings saved."))
        return redirect("core:operator_settings")


def profile(request):
    """The user's own preferences: language and contact details."""
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST":
        if form.is_valid():
            services.user_update_profile(user=request.user, **form.cleaned_data)
            messages.success(request, _("Profile saved."))
            return redirect("core:profile")
        return render(request, "core/profile.html", {"form": form}, status=422)
    has_device = TOTPDevice.objects.filter(user=request.user, confirmed=True).exists()
    return render(request, "core/profile.html", {"form": form, "has_device": has_device})
