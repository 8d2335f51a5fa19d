"""URLs of the subscriber portal, under /portal/. Each part's views live in
``portal/views/<part>.py``; every name is declared in core/access.py."""

from django.urls import path

from .views import account, invoices, payments, profile, requests, services

app_name = "portal"

urlpatterns = [
    # --- account: login, activation, dashboard, the agents' invitation ---
    path("portal/", account.portal_root, name="home"),
    path("portal/login/", account.PortalLoginView.as_view(), name="login"),
    path("portal/logout/", account.PortalLogoutView.as_view(), name="logout"),
    path(
        "portal/activate/<uidb64>/<token>/", account.PortalActivateView.as_view(), name="activate"
    ),
    path("portal/dashboard/", account.PortalDashboardView.as_view(), name="dashboard"),
    path("customers/<int:pk>/portal-invite/", account.PortalInviteView.as_view(), name="invite"),
    # --- invoices ---
    path("portal/invoices/", invoices.PortalInvoiceListView.as_view(), name="invoice_list"),
    path(
        "portal/invoices/<int:pk>/",
        invoices.PortalInvoiceDetailView.as_view(),
        name="invoice_detail",
    ),
    path("portal/invoices/<int:pk>/pdf/", invoices.portal_invoice_pdf, name="invoice_pdf"),
    # --- payments: card payments, voucher top-up (portal/views/payments.py) ---
    path("portal/payments/pay/", payments.PortalPayView.as_view(), name="pay"),
    path(
        "portal/payments/<int:pk>/",
        payments.PortalCardPaymentDetailView.as_view(),
        name="payment_detail",
    ),
    path(
        "portal/payments/<int:pk>/retry/",
        payments.PortalCardPaymentRetryView.as_view(),
        name="payment_retry",
    ),
    path("portal/top-up/", payments.PortalTopUpView.as_view(), name="top_up"),
    # --- services: subscriptions, resting, add-ons, pay-per-view (portal/views/services.py) ---
    path("portal/services/", services.PortalServiceListView.as_view(), name="services"),
    path(
        "portal/services/<int:pk>/",
        services.PortalServiceDetailView.as_view(),
        name="service_detail",
    ),
    path("portal/services/<int:pk>/rest/", services.PortalRestView.as_view(), name="service_rest"),
    path(
        "portal/services/<int:pk>/rest/<int:period>/end/",
        services.PortalRestEndView.as_view(),
        name="service_rest_end",
    ),
    path(
        "portal/services/<int:pk>/add-ons/",
        services.PortalAddProductView.as_view(kind="addon"),
        name="service_addons",
    ),
    path(
        "portal/services/<int:pk>/pay-per-view/",
        services.PortalAddProductView.as_view(kind="ppv"),
        name="service_ppv",
    ),
    # --- requests: information requests as cases (portal/views/requests.py) ---
    path("portal/requests/", requests.PortalRequestListView.as_view(), name="request_list"),
    path("portal/requests/new/", requests.PortalRequestCreateView.as_view(), name="request_create"),
    path(
        "portal/requests/<int:pk>/",
        requests.PortalRequestDetailView.as_view(),
        name="request_detail",
    ),
    path(
        "portal/requests/<int:pk>/attachment/",
        requests.portal_request_attachment,
        name="request_attachment",
    ),
    # --- profile: contact details, preferences, language, password (portal/views/profile.py) ---
    path("portal/profile/", profile.PortalProfileView.as_view(), name="profile"),
    path("portal/profile/contact/", profile.PortalContactView.as_view(), name="profile_contact"),
    path(
        "portal/profile/preferences/",
        profile.PortalPreferencesView.as_view(),
        name="profile_preferences",
    ),
    path("portal/profile/language/", profile.PortalLanguageView.as_view(), name="profile_language"),
    path(
        "portal/profile/password/",
        profile.PortalPasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "portal/password-reset/", profile.PortalPasswordResetView.as_view(), name="password_reset"
    ),
    path(
        "portal/password-reset/sent/",
        profile.PortalPasswordResetSentView.as_view(),
        name="password_reset_sent",
    ),
    path(
        "portal/password-reset/<uidb64>/<token>/",
        profile.PortalPasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("customers/<int:pk>/portal-disable/", profile.PortalDisableView.as_view(), name="disable"),
    path("customers/<int:pk>/portal-enable/", profile.PortalEnableView.as_view(), name="enable"),
]
