"""URLs of the core screens (namespace ``core``)."""

from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("partners/", views.PartnerListView.as_view(), name="partner_list"),
    path("partners/new/", views.PartnerFormView.as_view(), name="partner_create"),
    path("partners/<int:pk>/", views.PartnerDetailView.as_view(), name="partner_detail"),
    path("partners/<int:pk>/tabs/<slug:tab>/", views.PartnerTabView.as_view(), name="partner_tab"),
    path("partners/<int:pk>/edit/", views.PartnerFormView.as_view(), name="partner_edit"),
    path(
        "partners/<int:pk>/status/<slug:status>/",
        views.PartnerStatusView.as_view(),
        name="partner_status",
    ),
    path("org-units/", views.OrgUnitListView.as_view(), name="orgunit_list"),
    path("org-units/<int:pk>/", views.OrgUnitDetailView.as_view(), name="orgunit_detail"),
    path("org-units/<int:pk>/tabs/<slug:tab>/", views.OrgUnitTabView.as_view(), name="orgunit_tab"),
    path("outbox/", views.OutboxListView.as_view(), name="outbox_list"),
    path("outbox/<int:pk>/retry/", views.outbox_retry_view, name="outbox_retry"),
    path("notifications/", views.NotificationListView.as_view(), name="notification_list"),
    path("notifications/bell/", views.notification_bell, name="notification_bell"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("notifications/read-all/", views.notification_read_all, name="notification_read_all"),
    path("settings/", views.OperatorSettingsView.as_view(), name="operator_settings"),
    path("profile/", views.profile, name="profile"),
]
