"""Pages of billing (namespace ``billing``)."""

from django.urls import path

from . import views
from .views import invoices as invoice_views
from .views import payment_runs as payment_run_views
from .views import payments as payment_views
from .views import reports as report_views
from .views import transactions as transaction_views
from .views import vouchers as voucher_views

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
    path("invoices/<int:pk>/pdf/", invoice_views.invoice_pdf, name="invoice_pdf"),
    # --- payments, ledger, manual transactions ---------------------------------------
    path("billing/payments/", payment_views.PaymentListView.as_view(), name="payment_list"),
    path("billing/payments/new/", payment_views.PaymentCreateView.as_view(), name="payment_create"),
    path(
        "billing/payments/<int:pk>/",
        payment_views.PaymentDetailView.as_view(),
        name="payment_detail",
    ),
    path(
        "billing/payments/<int:pk>/reverse/",
        payment_views.PaymentReverseView.as_view(),
        name="payment_reverse",
    ),
    path(
        "billing/transactions/",
        transaction_views.TransactionListView.as_view(),
        name="transaction_list",
    ),
    path(
        "billing/transactions/new/",
        transaction_views.TransactionCreateView.as_view(),
        name="transaction_create",
    ),
    path(
        "billing/transactions/<int:pk>/",
        transaction_views.TransactionDetailView.as_view(),
        name="transaction_detail",
    ),
    path(
        "billing/transactions/<int:pk>/approve/",
        transaction_views.TransactionApproveView.as_view(),
        name="transaction_approve",
    ),
    path(
        "billing/transactions/<int:pk>/reject/",
        transaction_views.TransactionRejectView.as_view(),
        name="transaction_reject",
    ),
    path(
        "invoices/<int:pk>/dispute/",
        invoice_views.InvoiceDisputeView.as_view(),
        name="invoice_dispute",
    ),
    path(
        "invoices/<int:pk>/dispute/resolve/",
        invoice_views.InvoiceDisputeResolveView.as_view(),
        name="invoice_dispute_resolve",
    ),
    # --- payment runs (SEPA direct debit) and mandates ---------------------------------
    path(
        "billing/payment-runs/",
        payment_run_views.PaymentRunListView.as_view(),
        name="payment_run_list",
    ),
    path(
        "billing/payment-runs/new/",
        payment_run_views.PaymentRunCreateView.as_view(),
        name="payment_run_create",
    ),
    path(
        "billing/payment-runs/<int:pk>/",
        payment_run_views.PaymentRunDetailView.as_view(),
        name="payment_run_detail",
    ),
    path(
        "billing/payment-runs/<int:pk>/file/",
        payment_run_views.payment_run_file,
        name="payment_run_file",
    ),
    path(
        "billing/payment-runs/<int:pk>/exclude/",
        payment_run_views.PaymentRunExcludeView.as_view(),
        name="payment_run_exclude",
    ),
    path(
        "billing/payment-runs/<int:pk>/rejections/",
        payment_run_views.PaymentRunRejectionsView.as_view(),
        name="payment_run_rejections",
    ),
    path(
        "billing/payment-runs/<int:pk>/<slug:action>/",
        payment_run_views.PaymentRunActionView.as_view(),
        name="payment_run_action",
    ),
    path(
        "billing/accounts/<int:pk>/mandates/new/",
        payment_run_views.MandateCreateView.as_view(),
        name="mandate_create",
    ),
    path(
        "billing/mandates/<int:pk>/revoke/",
        payment_run_views.MandateRevokeView.as_view(),
        name="mandate_revoke",
    ),
    # --- vouchers ----------------------------------------------------------------------
    path(
        "billing/vouchers/", voucher_views.VoucherBatchListView.as_view(), name="voucher_batch_list"
    ),
    path(
        "billing/vouchers/new/",
        voucher_views.VoucherBatchCreateView.as_view(),
        name="voucher_batch_create",
    ),
    path(
        "billing/vouchers/<int:pk>/",
        voucher_views.VoucherBatchDetailView.as_view(),
        name="voucher_batch_detail",
    ),
    path(
        "billing/vouchers/<int:pk>/void/",
        voucher_views.VoucherBatchVoidView.as_view(),
        name="voucher_batch_void",
    ),
    path(
        "billing/vouchers/redeem/", voucher_views.VoucherRedeemView.as_view(), name="voucher_redeem"
    ),
    # --- GL export and reports ---------------------------------------------------------
    path("billing/reports/gl-journal/", report_views.gl_journal_view, name="gl_journal"),
    path("billing/reports/revenue/", report_views.revenue_report, name="report_revenue"),
    path("billing/reports/ageing/", report_views.ageing_report, name="report_ageing"),
    path("billing/reports/runs/", report_views.runs_report, name="report_runs"),
]
