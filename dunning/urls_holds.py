"""Pages of the holds part of collections (promises to pay, payment plans,
deposits), included in ``dunning/urls.py`` under the "dunning" namespace."""

from django.urls import path

from .views import holds_deposits as holds_d
from .views import holds_plans as holds_pp
from .views import holds_promises as holds_p

holds_urls = [
    path("promises-to-pay/", holds_p.PromiseListView.as_view(), name="promise_list"),
    path("promises-to-pay/new/", holds_p.PromiseCreateView.as_view(), name="promise_create"),
    path("promises-to-pay/<int:pk>/", holds_p.PromiseDetailView.as_view(), name="promise_detail"),
    path(
        "promises-to-pay/<int:pk>/cancel/",
        holds_p.PromiseCancelView.as_view(),
        name="promise_cancel",
    ),
    path(
        "promises-to-pay/<int:pk>/approve/",
        holds_p.PromiseApproveView.as_view(),
        name="promise_approve",
    ),
    path("payment-plans/", holds_pp.PaymentPlanListView.as_view(), name="payment_plan_list"),
    path(
        "payment-plans/new/", holds_pp.PaymentPlanCreateView.as_view(), name="payment_plan_create"
    ),
    path(
        "payment-plans/<int:pk>/",
        holds_pp.PaymentPlanDetailView.as_view(),
        name="payment_plan_detail",
    ),
    path(
        "payment-plans/<int:pk>/cancel/",
        holds_pp.PaymentPlanCancelView.as_view(),
        name="payment_plan_cancel",
    ),
    path("deposits/", holds_d.DepositListView.as_view(), name="deposit_list"),
    path("deposits/new/", holds_d.DepositCreateView.as_view(), name="deposit_create"),
    path("deposits/<int:pk>/", holds_d.DepositDetailView.as_view(), name="deposit_detail"),
    path("deposits/<int:pk>/pay/", holds_d.DepositPayView.as_view(), name="deposit_pay"),
    path("deposits/<int:pk>/refund/", holds_d.DepositRefundView.as_view(), name="deposit_refund"),
]
