"""Pages of the disconnection and reconnection runs and the save desk (namespace
``dunning``)."""

from django.urls import path

from .views import runs
from .views import runs_save_desk as save_desk

runs_urls = [
    path("collections/service-runs/", runs.ServiceRunListView.as_view(), name="service_run_list"),
    path(
        "collections/service-runs/new/",
        runs.ServiceRunCreateView.as_view(),
        name="service_run_create",
    ),
    path(
        "collections/service-runs/<int:pk>/",
        runs.ServiceRunDetailView.as_view(),
        name="service_run_detail",
    ),
    path(
        "collections/service-runs/<int:pk>/preview/",
        runs.service_run_preview,
        name="service_run_preview",
    ),
    path(
        "collections/service-runs/<int:pk>/execute/",
        runs.ServiceRunExecuteView.as_view(),
        name="service_run_execute",
    ),
    path(
        "collections/service-runs/<int:pk>/cancel/",
        runs.ServiceRunCancelView.as_view(),
        name="service_run_cancel",
    ),
    path(
        "collections/service-runs/<int:pk>/progress/",
        runs.service_run_progress,
        name="service_run_progress",
    ),
    path(
        "collections/service-runs/<int:pk>/totals/",
        runs.service_run_totals,
        name="service_run_totals",
    ),
    path(
        "collections/service-runs/<int:pk>/accounts.csv",
        runs.service_run_csv,
        name="service_run_csv",
    ),
    path(
        "collections/service-run-accounts/<int:pk>/exclude/",
        runs.service_run_item_exclude,
        name="service_run_item_exclude",
    ),
    path(
        "collections/service-run-accounts/<int:pk>/include/",
        runs.service_run_item_include,
        name="service_run_item_include",
    ),
    path("collections/save-desk/", save_desk.SaveDeskListView.as_view(), name="save_desk_list"),
    path(
        "collections/save-desk/<int:pk>/",
        save_desk.SaveDeskResolveView.as_view(),
        name="save_desk_resolve",
    ),
]
