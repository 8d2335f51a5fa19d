"""Pages of collections: dunning plans and runs, disconnection and reconnection
runs, the save desk, promises to pay, payment plans, deposits, blocking rules and the
back-office run centre."""

from django.urls import path  # noqa: F401 (each section adds its paths)

from .urls_centre import centre_urls  # centre
from .urls_engine import engine_urls  # engine
from .urls_holds import holds_urls  # holds
from .urls_runs import runs_urls  # runs

app_name = "dunning"

urlpatterns = [
    # --- dunning: plans, daily runs, the account's dunning (engine) ---------------------
    *engine_urls,
    # --- dunning: disconnection and reconnection runs, save desk (runs) -----------------
    *runs_urls,
    # --- dunning: promises, payment plans, deposits, blocking, run centre (holds) -------
    *holds_urls,
    # centre
    *centre_urls,
]
