"""URLs of the customer screens (namespace ``customers``)."""

from django.urls import path

from . import views

app_name = "customers"

urlpatterns = [
    path("search/", views.search, name="search"),
    path("customers/", views.CustomerListView.as_view(), name="customer_list"),
    path("customers/report/", views.customer_base_report, name="customer_base_report"),
    path("customers/new/", views.CustomerCreateView.as_view(), name="customer_create"),
    path("customers/<int:pk>/", views.CustomerDetailView.as_view(), name="customer_detail"),
    path(
        "customers/<int:pk>/tabs/<slug:tab>/",
        views.CustomerTabView.as_view(),
        name="customer_tab",
    ),
    path("customers/<int:pk>/edit/", views.CustomerEditView.as_view(), name="customer_edit"),
    path(
        "customers/<int:pk>/status/<slug:status>/",
        views.CustomerStatusView.as_view(),
        name="customer_status",
    ),
    path("customers/<int:pk>/move/", views.CustomerMoveView.as_view(), name="customer_move"),
    path(
        "customers/<int:pk>/credit-check/",
        views.CreditCheckView.as_view(),
        name="customer_credit_check",
    ),
    path(
        "customers/<int:pk>/addresses/new/",
        views.AddressCreateView.as_view(),
        name="address_create",
    ),
    path(
        "customers/<int:pk>/communications/new/",
        views.CommunicationCreateView.as_view(),
        name="communication_create",
    ),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path(
        "customers/<int:pk>/billing-accounts/new/",
        views.BillingAccountCreateView.as_view(),
        name="billing_account_create",
    ),
    path(
        "billing-accounts/<int:pk>/",
        views.BillingAccountDetailView.as_view(),
        name="billing_account_detail",
    ),
    path(
        "billing-accounts/<int:pk>/tabs/<slug:tab>/",
        views.BillingAccountTabView.as_view(),
        name="billing_account_tab",
    ),
    path(
        "billing-accounts/<int:pk>/edit/",
        views.BillingAccountEditView.as_view(),
        name="billing_account_edit",
    ),
    path(
        "billing-accounts/<int:pk>/move/",
        views.BillingAccountMoveView.as_view(),
        name="billing_account_move",
    ),
]
