"""Reads of the back-office run centre: billing runs, payment runs, dunning runs and
disconnection/reconnection runs in one list (one UNION query, newest first), their
runs per day by kind for the chart, and the beat schedules with their last change."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Case,
    CharField,
    DateTimeField,
    F,
    IntegerField,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from billing.choices import PaymentRunStatus, RunStatus
from billing.models import BillingRun, PaymentRun

from .choices import DunningRunStatus, RunKind, ServiceRunStatus
from .models import DunningRun, ServiceRun

# The kinds of run the centre lists (a ServiceRun is one of the last two).
BILLING, PAYMENT, DUNNING = "billing", "payment", "dunning"
KINDS = (BILLING, PAYMENT, DUNNING, RunKind.DISCONNECTION.value, RunKind.RECONNECTION.value)

# One phase per status of every kind of run: what the filter and the colours use.
RUNNING, WAITING, DONE, FAILED, CANCELLED = "running", "waiting", "done", "failed", "cancelled"
PHASES: dict[str, dict[str, str]] = {
    BILLING: {
        RunStatus.SCHEDULED: WAITING,
        RunStatus.RUNNING: RUNNING,
        RunStatus.DRAFT_READY: WAITING,
        RunStatus.APPROVED: WAITING,
        RunStatus.POSTING: RUNNING,
        RunStatus.POSTED: DONE,
        RunStatus.FAILED: FAILED,
        RunStatus.DISCARDED: CANCELLED,
    },
    PAYMENT: {
        PaymentRunStatus.DRAFT: WAITING,
        PaymentRunStatus.EXPORTED: WAITING,
        PaymentRunStatus.CLOSED: DONE,
        PaymentRunStatus.DISCARDED: CANCELLED,
    },
    DUNNING: {
        DunningRunStatus.RUNNING: RUNNING,
        DunningRunStatus.DONE: DONE,
        DunningRunStatus.FAILED: FAILED,
    },
    "service": {
        ServiceRunStatus.DRAFT: WAITING,
        ServiceRunStatus.PREVIEWED: WAITING,
        ServiceRunStatus.EXECUTING: RUNNING,
        ServiceRunStatus.DONE: DONE,
        ServiceRunStatus.CANCELLED: CANCELLED,
    },
}
STATUS_LABELS: dict[str, dict[str, str]] = {
    BILLING: dict(RunStatus.choices),
    PAYMENT: dict(PaymentRunStatus.choices),
    DUNNING: dict(DunningRunStatus.choices),
    "service": dict(ServiceRunStatus.choices),
}
# The columns every part of the UNION selects, in this order.
COLUMNS = (
    "r_kind",
    "r_id",
    "r_status",
    "r_phase",
    "r_total",
    "r_done",
    "r_failed",
    "r_started_by",
    "r_approved_by",
    "r_started_at",
    "r_finished_at",
    "r_day",
)


def _text(value: str) -> Value:
    return Value(value, output_field=CharField())


def _number(value) -> Value:
    return Value(value, output_field=IntegerField())


def _phase(family: str) -> Case:
    return Case(
        *[When(status=status, then=_text(phase)) for status, phase in PHASES[family].items()],
        default=_text(WAITING),
        output_field=CharField(),
    )


def _part(queryset: QuerySet, **columns) -> QuerySet:
    """One kind of run as the UNION's columns (annotated in ``COLUMNS`` order)."""
    return (
        queryset.order_by().annotate(**{name: columns[name] for name in COLUMNS}).values(*COLUMNS)
    )


def _parts(kinds) -> list[QuerySet]:
    payment_done = Case(
        When(
            status__in=[PaymentRunStatus.EXPORTED, PaymentRunStatus.CLOSED], then=F("collections")
        ),
        default=_number(0),
        output_field=IntegerField(),
    )
    parts = {
        BILLING: lambda: _part(
            BillingRun.objects.all(),
            r_kind=_text(BILLING),
            r_id=F("id"),
            r_status=F("status"),
            r_phase=_phase(BILLING),
            r_total=F("accounts_total"),
            r_done=F("accounts_done"),
            r_failed=F("accounts_failed"),
            r_started_by=F("created_by_id"),
            r_approved_by=F("approved_by_id"),
            r_started_at=Coalesce("started_at", "scheduled_for", "created_at"),
            r_finished_at=Coalesce("posted_at", "finished_at"),
            r_day=F("period_start"),
        ),
        PAYMENT: lambda: _part(
            PaymentRun.objects.all(),
            r_kind=_text(PAYMENT),
            r_id=F("id"),
            r_status=F("status"),
            r_phase=_phase(PAYMENT),
            r_total=F("collections"),
            r_done=payment_done,
            r_failed=F("rejected"),
            r_started_by=F("created_by_id"),
            r_approved_by=F("exported_by_id"),
            r_started_at=F("created_at"),
            r_finished_at=Coalesce("closed_at", "exported_at"),
            r_day=F("collection_date"),
        ),
        DUNNING: lambda: _part(
            DunningRun.objects.all(),
            r_kind=_text(DUNNING),
            r_id=F("id"),
            r_status=F("status"),
            r_phase=_phase(DUNNING),
            r_total=F("accounts_total"),
            r_done=F("accounts_done"),
            r_failed=F("actions_failed"),
            r_started_by=F("started_by_id"),
            r_approved_by=_number(None),
            r_started_at=F("started_at"),
            r_finished_at=F("finished_at"),
            r_day=F("run_on"),
        ),
    }
    service_kinds = [k for k in kinds if k in (RunKind.DISCONNECTION, RunKind.RECONNECTION)]
    chosen = [parts[k]() for k in kinds if k in parts]
    if service_kinds:
        chosen.append(
            _part(
                ServiceRun.objects.filter(kind__in=service_kinds),
                r_kind=F("kind"),
                r_id=F("id"),
                r_status=F("status"),
                r_phase=_phase("service"),
                r_total=F("accounts_total"),
                r_done=F("accounts_done"),
                r_failed=_number(0),
                r_started_by=F("created_by_id"),
                r_approved_by=F("executed_by_id"),
                r_started_at=Coalesce("started_at", "created_at", output_field=DateTimeField()),
                r_finished_at=F("finished_at"),
                r_day=TruncDate("created_at"),
            )
        )
    return chosen


def run_centre_list(
    *,
    kind: str = "",
    phase: str = "",
    since: date | None = None,
    until: date | None = None,
) -> QuerySet:
    """Every run of the chosen kind(s) as ``COLUMNS`` dicts, newest start first: one
    UNION query (paginate it; ``run_centre_rows`` turns a page into rows)."""
    parts = []
    for part in _parts([kind] if kind else KINDS):
        if phase:
            part = part.filter(r_phase=phase)
        if since:
            part = part.filter(r_started_at__date__gte=since)
        if until:
            part = part.filter(r_started_at__date__lte=until)
        parts.append(part)
    if not parts:
        return BillingRun.objects.none().values()
    first, *rest = parts
    return first.union(*rest, all=True).order_by("-r_started_at", "-r_id")


@dataclass(frozen=True)
class CentreRow:
    """One run in the centre: its kind, status (and phase), counts, progress, people."""

    kind: str
    pk: int
    status: str
    status_label: str
    phase: str
    total: int
    done: int
    failed: int
    started_by: object
    approved_by: object
    started_at: datetime | None
    finished_at: datetime | None
    day: date | None

    @property
    def percent(self) -> int:
        """Share handled: 100 when finished, else done over total."""
        if self.phase == DONE:
            return 100
        if not self.total:
            return 0
        return min(100, round(100 * self.done / self.total))

    @property
    def family(self) -> str:
        return self.kind if self.kind in (BILLING, PAYMENT, DUNNING) else "service"


def run_centre_rows(rows) -> list[CentreRow]:
    """A page of ``run_centre_list`` as rows, with the people in one query."""
    rows = list(rows)
    user_ids = {r[k] for r in rows for k in ("r_started_by", "r_approved_by") if r[k]}
    users = get_user_model().objects.in_bulk(user_ids) if user_ids else {}
    result = []
    for r in rows:
        family = r["r_kind"] if r["r_kind"] in (BILLING, PAYMENT, DUNNING) else "service"
        result.append(
            CentreRow(
                kind=r["r_kind"],
                pk=r["r_id"],
                status=r["r_status"],
                status_label=str(STATUS_LABELS[family].get(r["r_status"], r["r_status"])),
                phase=r["r_phase"],
                total=r["r_total"] or 0,
                done=r["r_done"] or 0,
                failed=r["r_failed"] or 0,
                started_by=users.get(r["r_started_by"]),
                approved_by=users.get(r["r_approved_by"]),
                started_at=r["r_started_at"],
                finished_at=r["r_finished_at"],
                day=r["r_day"],
            )
        )
    return result


def anything_running() -> bool:
    """True while a run of any kind is working (the page refreshes itself then)."""
    return run_centre_list(phase=RUNNING).exists()


def runs_per_day(*, since: date, until: date) -> dict[str, dict[date, int]]:
    """How many runs of each kind started on each day between the two dates."""
    result: dict[str, dict[date, int]] = {kind: {} for kind in KINDS}
    for row in run_centre_list(since=since, until=until):
        started = row["r_started_at"]
        if started is not None:
            day = timezone.localtime(started).date()
            result[row["r_kind"]][day] = result[row["r_kind"]].get(day, 0) + 1
    return result


def chart_days(*, until: date, days: int) -> list[date]:
    """The ``days`` days ending on ``until``."""
    return [until - timedelta(days=n) for n in range(days - 1, -1, -1)]


def periodic_task_list() -> QuerySet[PeriodicTask]:
    """The beat schedules (django-celery-beat rows), by name, with their schedules."""
    return PeriodicTask.objects.select_related("crontab", "interval", "solar", "clocked").order_by(
        "name"
    )


def periodic_task_get(*, pk: int) -> PeriodicTask:
    """One beat schedule (404 when missing)."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(periodic_task_list(), pk=pk)


def last_schedule_changes(*, task_ids) -> dict[int, LogEntry]:
    """The latest recorded change (run centre or admin) of each of the beat schedules."""
    content_type = ContentType.objects.get_for_model(PeriodicTask)
    entries = (
        LogEntry.objects.filter(content_type=content_type, object_id__in=[str(i) for i in task_ids])
        .select_related("user")
        .order_by("object_id", "-action_time")
        .distinct("object_id")
    )
    return {int(entry.object_id): entry for entry in entries}


def edited_task_names() -> set[str]:
    """Names of the beat schedules a person changed (run centre or admin)."""
    content_type = ContentType.objects.get_for_model(PeriodicTask)
    ids = LogEntry.objects.filter(content_type=content_type).values_list("object_id", flat=True)
    return set(
        PeriodicTask.objects.filter(pk__in=[int(i) for i in set(ids) if i.isdigit()]).values_list(
            "name", flat=True
        )
    )
