"""Pages of billing (namespace ``billing``)."""

from django.urls import path

from . import views

app_name = "billing"

urlpatterns = [
    path("billing/runs/", views.RunListView.as_view(), name="run_list"),
    path("billing/runs/new/", views.RunCreateView.as_view(), name="run_create"),
    path("billing/runs/<int:pk>/", views.RunDetailView.as_view(), name="run_detail"),
    path("billing/runs/<int:pk>/progress/", views.run_progress, name="run_progress"),
    path(
        "billing/runs/<int:pk>/<slug:action>/",
        views.RunActionView.as_view(),
        name="run_action",
    ),
    path("invoices/", views.InvoiceListView.as_view(), name="invoice_list"),
    path("invoices/<int:pk>/", views.InvoiceDetailView.as_view(), name="invoice_detail"),
    # --- payments, ledger, manual transactions ---------------------------------------
    # --- payment runs (SEPA direct debit) and mandates ---------------------------------
    # --- vouchers ----------------------------------------------------------------------
    # --- GL export and reports ---------------------------------------------------------
]
