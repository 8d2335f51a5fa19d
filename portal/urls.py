"""URLs of the subscriber portal, under /portal/. Each part's views live in
``portal/views/<part>.py``; every name is declared in core/access.py."""

from django.urls import path

from .views import account, invoices

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
    # --- services: subscriptions, resting, add-ons, pay-per-view (portal/views/services.py) ---
    # --- requests: information requests as cases (portal/views/requests.py) ---
    # --- profile: contact details, preferences, language, password (portal/views/profile.py) ---
]
