"""Pages of collections: dunning plans and runs, disconnection and reconnection
runs, the save desk, promises to pay, payment plans, deposits, blocking rules and the
back-office run centre."""

from django.urls import path  # noqa: F401 (each section adds its paths)

app_name = "dunning"

urlpatterns = [
    # --- dunning: plans, daily runs, the account's dunning (engine) ---------------------
    # --- dunning: disconnection and reconnection runs, save desk (runs) -----------------
    # --- dunning: promises, payment plans, deposits, blocking, run centre (holds) -------
]
