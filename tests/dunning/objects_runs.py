"""Objects and URL arguments of the collections pages (runs) for the access matrix
test (``tests/core/test_access_matrix.py`` calls ``objects`` in its world fixture and
merges ``URL_KWARGS``)."""

URL_KWARGS: dict = {
    **{
        f"dunning:service_run_{name}": lambda ctx: {"pk": ctx["service_run"].pk}
        for name in ("detail", "preview", "execute", "cancel", "progress", "totals", "csv")
    },
    "dunning:service_run_item_exclude": lambda ctx: {"pk": ctx["service_run_item"].pk},
    "dunning:service_run_item_include": lambda ctx: {"pk": ctx["service_run_item"].pk},
    "dunning:save_desk_resolve": lambda ctx: {"pk": ctx["save_desk_entry"].pk},
    **{
        f"api:disconnection-run-{name}": lambda ctx: {"pk": ctx["service_run"].pk}
        for name in ("detail", "preview", "execute", "cancel", "items")
    },
    **{
        f"api:disconnection-run-item-{name}": lambda ctx: {
            "pk": ctx["service_run"].pk,
            "item_pk": ctx["service_run_item"].pk,
        }
        for name in ("exclude", "include")
    },
}


def objects(account, subscription) -> dict:
    """The objects the URLs of URL_KWARGS need, by ctx key: a previewed disconnection
    run with the account as its one item, and an open save-desk entry of it."""
    from datetime import date
    from decimal import Decimal

    from dunning.models import SaveDeskEntry
    from dunning.services import runs
    from dunning.services.runs_selection import Candidate

    run = runs.service_run_create(kind="disconnection", name="Matrix run")
    run = runs.service_run_preview(
        run=run,
        today=date(2026, 11, 20),
        candidates=[Candidate(account.pk, Decimal("20.00"), 40)],
    )
    entry = SaveDeskEntry.objects.create(
        billing_account=account, run=run, tier="gold", overdue_amount=Decimal("20.00")
    )
    return {"service_run": run, "service_run_item": run.items.get(), "save_desk_entry": entry}
