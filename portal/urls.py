"""URLs of the subscriber portal, under /portal/."""

from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("portal/", views.portal_root, name="home"),
    path("portal/login/", views.PortalLoginView.as_view(), name="login"),
    path("portal/logout/", views.PortalLogoutView.as_view(), name="logout"),
    path("portal/activate/<uidb64>/<token>/", views.PortalActivateView.as_view(), name="activate"),
    path("portal/dashboard/", views.PortalDashboardView.as_view(), name="dashboard"),
    path("portal/invoices/", views.PortalInvoiceListView.as_view(), name="invoice_list"),
    path(
        "portal/invoices/<int:pk>/", views.PortalInvoiceDetailView.as_view(), name="invoice_detail"
    ),
    path("portal/invoices/<int:pk>/pdf/", views.portal_invoice_pdf, name="invoice_pdf"),
    path("customers/<int:pk>/portal-invite/", views.PortalInviteView.as_view(), name="invite"),
]
