"""Reads of the disconnection and reconnection runs and the save desk (runs part):
the runs, one run's accounts (by outcome), the regions to choose from and the
save desk's call list. Only collections staff reach these pages (access matrix);
partners and subscribers see none of it."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from customers.choices import AddressKind
from customers.models import Address

from .choices import SaveDeskStatus
from .models import SaveDeskEntry, ServiceRun, ServiceRunItem


def service_run_list() -> QuerySet[ServiceRun]:
    """Every disconnection and reconnection run, newest first, with who made them."""
    return ServiceRun.objects.select_related("created_by", "executed_by").order_by(
        "-created_at", "-id"
    )


def service_run_get(*, pk: int) -> ServiceRun:
    """One run (404 when there is none)."""
    return get_object_or_404(service_run_list(), pk=pk)


def service_run_items(*, run: ServiceRun, outcome: str = "") -> QuerySet[ServiceRunItem]:
    """The accounts of a run with their customer, optionally of one outcome."""
    items = ServiceRunItem.objects.filter(run=run).select_related(
        "billing_account__customer", "billing_account__billing_address", "excluded_by"
    )
    if outcome:
        items = items.filter(outcome=outcome)
    return items.order_by("billing_account__number")


def service_run_item_get(*, pk: int) -> ServiceRunItem:
    """One account of a run (404 when there is none)."""
    return get_object_or_404(
        ServiceRunItem.objects.select_related("run", "billing_account__customer", "excluded_by"),
        pk=pk,
    )


def region_choices() -> list[tuple[str, str]]:
    """The regions of the billing addresses in use (what a run's region means)."""
    regions = (
        Address.objects.filter(kind=AddressKind.BILLING)
        .exclude(region="")
        .values_list("region", flat=True)
        .distinct()
        .order_by("region")
    )
    return [(region, region) for region in regions]


def save_desk_list() -> QuerySet[SaveDeskEntry]:
    """The save desk's call list: open calls first, then the handled ones."""
    return SaveDeskEntry.objects.select_related(
        "billing_account__customer", "run", "handled_by"
    ).order_by("status", "-created_at", "-id")


def save_desk_get(*, pk: int, open_only: bool = False) -> SaveDeskEntry:
    """One entry of the call list (404 when there is none, or not open with
    ``open_only``)."""
    entries = save_desk_list()
    if open_only:
        entries = entries.filter(status=SaveDeskStatus.OPEN)
    return get_object_or_404(entries, pk=pk)
