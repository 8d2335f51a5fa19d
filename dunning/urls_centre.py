"""Pages of the centre part of collections (blocking rules and blocks, the run
centre and its schedules), included in ``dunning/urls.py`` under "dunning"."""

from django.urls import path

from .views import centre_blocking as blocking
from .views import centre_runs as runs

centre_urls = [
    path(
        "collections/blocking-rules/",
        blocking.BlockingRuleListView.as_view(),
        name="blocking_rule_list",
    ),
    path(
        "collections/blocking-rules/new/",
        blocking.BlockingRuleFormView.as_view(),
        name="blocking_rule_create",
    ),
    path(
        "collections/blocking-rules/<int:pk>/",
        blocking.BlockingRuleDetailView.as_view(),
        name="blocking_rule_detail",
    ),
    path(
        "collections/blocking-rules/<int:pk>/edit/",
        blocking.BlockingRuleFormView.as_view(),
        name="blocking_rule_edit",
    ),
    path(
        "collections/blocking-rules/<int:pk>/deactivate/",
        blocking.BlockingRuleDeactivateView.as_view(),
        name="blocking_rule_deactivate",
    ),
    path(
        "collections/blocking-rules/evaluate/",
        blocking.BlockingEvaluateView.as_view(),
        name="blocking_evaluate",
    ),
    path(
        "collections/account-blocks/",
        blocking.AccountBlockListView.as_view(),
        name="account_block_list",
    ),
    path("collections/run-centre/", runs.RunCentreView.as_view(), name="run_centre"),
    path(
        "collections/run-centre/schedules/<int:pk>/",
        runs.ScheduleEditView.as_view(),
        name="schedule_edit",
    ),
]
