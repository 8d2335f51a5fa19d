"""Pages of subscriptions (namespace ``subscriptions``)."""

from django.urls import path

from . import views

app_name = "subscriptions"

urlpatterns = [
    path("subscriptions/", views.SubscriptionListView.as_view(), name="subscription_list"),
    # the sales wizard
    path("subscriptions/new/", views.wizard_start, name="subscription_create"),
    path(
        "subscriptions/new/<slug:step>/",
        views.WizardView.as_view(),
        name="subscription_create_step",
    ),
    # one subscription
    path(
        "subscriptions/<int:pk>/",
        views.SubscriptionDetailView.as_view(),
        name="subscription_detail",
    ),
    path(
        "subscriptions/<int:pk>/tabs/<slug:tab>/",
        views.SubscriptionTabView.as_view(),
        name="subscription_tab",
    ),
    path(
        "subscriptions/<int:pk>/activate/",
        views.ActivateView.as_view(),
        name="subscription_activate",
    ),
    path(
        "subscriptions/<int:pk>/suspend/",
        views.SuspendView.as_view(),
        name="subscription_suspend",
    ),
    path(
        "subscriptions/<int:pk>/reconnect/",
        views.ReconnectView.as_view(),
        name="subscription_reconnect",
    ),
    path(
        "subscriptions/<int:pk>/disconnect/",
        views.DisconnectView.as_view(),
        name="subscription_disconnect",
    ),
    path(
        "subscriptions/<int:pk>/terminate/",
        views.TerminateRequestView.as_view(),
        name="subscription_terminate",
    ),
    path(
        "subscriptions/<int:pk>/regret/",
        views.RegretView.as_view(),
        name="subscription_regret",
    ),
    path("subscriptions/<int:pk>/change/", views.ChangeView.as_view(), name="subscription_change"),
    path(
        "subscriptions/<int:pk>/changes/<int:order>/cancel/",
        views.ChangeOrderCancelView.as_view(),
        name="change_order_cancel",
    ),
    path(
        "subscriptions/<int:pk>/resting/new/",
        views.RestingCreateView.as_view(),
        name="resting_create",
    ),
    path(
        "subscriptions/<int:pk>/resting/<int:period>/end/",
        views.RestingEndView.as_view(),
        name="resting_end",
    ),
    path(
        "subscriptions/<int:pk>/documents/new/",
        views.DocumentCreateView.as_view(),
        name="document_create",
    ),
    # documents
    path("contract-documents/<int:pk>/pdf/", views.document_pdf, name="document_pdf"),
    path("contract-documents/<int:pk>/signed/", views.document_signed, name="document_signed"),
    path(
        "contract-documents/<int:pk>/email/",
        views.DocumentEmailView.as_view(),
        name="document_email",
    ),
    path(
        "contract-documents/<int:pk>/upload/",
        views.DocumentUploadView.as_view(),
        name="document_upload",
    ),
    # Back Office
    path(
        "subscriptions/cancellations/",
        views.CancellationQueueView.as_view(),
        name="cancellation_queue",
    ),
    path(
        "subscriptions/cancellations/<int:pk>/approve/",
        views.CancellationAnswerView.as_view(approve=True),
        name="cancellation_approve",
    ),
    path(
        "subscriptions/cancellations/<int:pk>/reject/",
        views.CancellationAnswerView.as_view(approve=False),
        name="cancellation_reject",
    ),
    path(
        "subscriptions/provisioning/",
        views.ProvisioningListView.as_view(),
        name="provisioning_list",
    ),
]
