"""Pages of the dunning engine (namespace ``dunning``): plans and steps, daily runs,
accounts in dunning, the agency CSV, letters to print, an account's settings."""

from django.urls import path

from .views import engine_accounts as accounts
from .views import engine_plans as plans
from .views import engine_runs as runs

engine_urls = [
    path("collections/plans/", plans.PlanListView.as_view(), name="plan_list"),
    path("collections/plans/new/", plans.PlanFormView.as_view(), name="plan_create"),
    path("collections/plans/<int:pk>/", plans.PlanDetailView.as_view(), name="plan_detail"),
    path("collections/plans/<int:pk>/edit/", plans.PlanFormView.as_view(), name="plan_edit"),
    path("collections/plans/<int:pk>/steps/new/", plans.StepFormView.as_view(), name="step_create"),
    path("collections/steps/<int:step>/edit/", plans.StepFormView.as_view(), name="step_edit"),
    path("collections/steps/<int:pk>/delete/", plans.StepDeleteView.as_view(), name="step_delete"),
    path("collections/steps/<int:pk>/move/<slug:direction>/", plans.step_move, name="step_move"),
    path(
        "collections/steps/<int:pk>/preview/",
        plans.StepPreviewView.as_view(),
        name="step_preview",
    ),
    path("collections/runs/", runs.DunningRunListView.as_view(), name="dunning_run_list"),
    path("collections/runs/start/", runs.DunningRunStartView.as_view(), name="dunning_run_start"),
    path(
        "collections/runs/<int:pk>/",
        runs.DunningRunDetailView.as_view(),
        name="dunning_run_detail",
    ),
    path(
        "collections/runs/<int:pk>/progress/",
        runs.dunning_run_progress,
        name="dunning_run_progress",
    ),
    path("collections/accounts/", accounts.AccountInDunningListView.as_view(), name="account_list"),
    path("collections/agency.csv", accounts.agency_export, name="agency_export"),
    path("collections/letters/", accounts.LetterListView.as_view(), name="letter_list"),
    path("collections/letters/print/", accounts.letter_print, name="letter_print"),
    path("collections/letters/<int:pk>/pdf/", accounts.letter_pdf, name="letter_pdf"),
    path(
        "collections/billing-accounts/<int:pk>/settings/",
        accounts.CollectionSettingsView.as_view(),
        name="account_settings",
    ),
]
