"""Benchmark of a billing run at a million subscriptions (BIL-1, BIL-2).

Run with ``make bench-billing``. Uses the benchmark database (``alux_bench``,
``BENCH_DATABASE_URL`` to change it) and its own Celery queue and Redis database,
so no other worker takes its tasks. In order:

1. migrates the database, seeds the demo catalogue (idempotent), fills it to
   ``BENCH_CUSTOMERS`` customers and ``BENCH_SUBSCRIPTIONS`` subscriptions with
   ``generate_data`` (only the missing ones), for the billed period;
2. removes the billing output of an earlier benchmark (the database is the
   benchmark's own: its billing tables are emptied, the balances set back to zero);
3. starts ``BENCH_WORKERS`` real Celery workers (prefork, one child each) on that
   database, creates the run of bill cycle 1 for the period and starts it; prints
   progress every 10 s until the draft is ready: draft time, invoices, lines,
   invoices/s and lines/s;
4. works every chunk of the run again through the workers, as if each task were
   delivered twice, and counts the invoices it adds (must be 0);
5. approves the run as a Billing & Finance user and times posting until the run is
   posted (the invoice PDFs are background work queued on a queue of their own that
   the benchmark does not wait for, and not rendered);
6. checks that the period cannot be billed twice after posting: a second run of the
   same cycle and period is refused, ``bill_account`` on a sample of its accounts
   creates nothing, and no account has two invoices for the period;
7. prints the peak memory (VmHWM) of every worker process and a summary table with
   the targets and PASS/FAIL.

Sizes: ``BENCH_SUBSCRIPTIONS`` (default 1,000,000), ``BENCH_CUSTOMERS`` (default
0.78 per subscription: about 700,000 accounts with a subscription, 90 % of them on
cycle 1), ``BENCH_WORKERS`` (default 2), ``BENCH_PERIOD`` (default: the period the
generated data was made for, else the current month's), ``BENCH_DRAFT_TIMEOUT`` and
``BENCH_POST_TIMEOUT`` (seconds, default 1200 each).
"""

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alux_crm.settings.base")
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/alux_bench"
)
os.environ["CELERY_BROKER_URL"] = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/13")
os.environ["CELERY_QUEUE"] = os.environ.get("BENCH_QUEUE", "alux-bench")
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
os.environ.setdefault("LOG_LEVEL", "WARNING")

SUBSCRIPTIONS = int(os.environ.get("BENCH_SUBSCRIPTIONS", "1000000"))
CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", str(round(SUBSCRIPTIONS * 0.78))))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
SEED = int(os.environ.get("BENCH_SEED", "2026"))
DRAFT_TIMEOUT = int(os.environ.get("BENCH_DRAFT_TIMEOUT", "1200"))
POST_TIMEOUT = int(os.environ.get("BENCH_POST_TIMEOUT", "1200"))
RENDER_QUEUE = os.environ["CELERY_QUEUE"] + "-render"  # filled, never consumed here
CYCLE_DAY = 1
SAMPLE_REBILL = 2000  # accounts billed again after posting, one by one

DRAFT_TARGET_S, DRAFT_STRETCH_S = 600, 300
POSTING_TARGET_S = 300
MEMORY_TARGET_MB = 500


def verdict(value: float, target: float) -> str:
    return "PASS" if value <= target else "FAIL"


def say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


# --- the database -------------------------------------------------------------------------------
def setup_database() -> None:
    if os.environ["DATABASE_URL"].rstrip("/").endswith("/alux_crm"):
        sys.exit("BENCH_DATABASE_URL points at the development database: refused.")
    subprocess.run(
        [sys.executable, "scripts/ensure_database.py"], cwd=ROOT, env={**os.environ}, check=True
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def users():
    """A Billing & Finance user who approves, and the Marketing approver the demo
    catalogue needs to approve its promotions."""
    from django.contrib.auth.models import Group

    from alux_crm.core import roles
    from alux_crm.core.models import User
    from products.demo import APPROVER

    for username, role in (("bench-finance", roles.BILLING_FINANCE), (APPROVER, roles.MARKETING)):
        user, created = User.objects.get_or_create(username=username)
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
            user.groups.add(Group.objects.get(name=role))
    return User.objects.get(username="bench-finance")


def bench_period() -> date:
    """``BENCH_PERIOD``, or the period the generated changes fall in, or this month's."""
    from django.db.models import Min
    from django.utils import timezone

    from subscriptions.charges import billing_period
    from subscriptions.models import SubscriptionItem

    if os.environ.get("BENCH_PERIOD"):
        return date.fromisoformat(os.environ["BENCH_PERIOD"])
    first_end = SubscriptionItem.objects.filter(
        valid_to__isnull=False, subscription__billing_account__bill_cycle_day=CYCLE_DAY
    ).aggregate(day=Min("valid_to"))["day"]
    if first_end is None:
        return timezone.localdate().replace(day=CYCLE_DAY)
    return billing_period(bill_cycle_day=CYCLE_DAY, day=first_end)[0]


def ensure_data(period: date) -> None:
    from django.core.management import call_command

    from customers.models import Customer
    from products.demo import seed_catalogue
    from subscriptions.models import Subscription

    seed_catalogue()
    missing = CUSTOMERS - Customer.objects.count()
    if missing > 0:
        say(f"generating {missing} customers …")
        call_command("generate_data", customers=missing, seed=SEED, verbosity=1)
    if Subscription.objects.count() < SUBSCRIPTIONS:
        say(f"generating subscriptions up to {SUBSCRIPTIONS} for the period from {period} …")
        started = time.perf_counter()
        call_command(
            "generate_data", subscriptions=SUBSCRIPTIONS, period=period, seed=SEED, verbosity=1
        )
        say(f"subscriptions loaded in {time.perf_counter() - started:.0f} s")


def wipe_billing_output() -> None:
    """Empty the billing tables of this benchmark database (posted invoices and ledger
    entries cannot be deleted one by one, by design) and set the balances to zero."""
    import pgtrigger
    from django.db import connection, transaction

    from billing.models import BillingRun
    from customers.models import BillingAccount

    if not BillingRun.objects.exists():
        return
    say("emptying the billing output of an earlier benchmark run")
    balance_triggers = [
        trigger.get_uri(model)
        for model, trigger in pgtrigger.registered()
        if model is BillingAccount and "update" in trigger.name
    ]
    with transaction.atomic(), pgtrigger.ignore(*balance_triggers), connection.cursor() as cur:
        cur.execute("SELECT 1")  # pgtrigger.ignore sets its variable on the first statement
        cur.execute(
            "TRUNCATE billing_invoiceline, billing_ledgerentry, billing_paymentallocation,"
            " billing_invoice, billing_billingrunchunk, billing_billingrunerror,"
            " billing_billingrun CASCADE"
        )
        cur.execute("UPDATE customers_billingaccount SET balance = 0 WHERE balance <> 0")


# --- the workers --------------------------------------------------------------------------------
def worker_main(name: str) -> None:
    """A worker process (``billing.py --worker NAME``): the project's Celery app on the
    benchmark database, the invoice PDFs routed to a queue nobody consumes here."""
    from alux_crm.celery import app

    app.conf.task_routes = {"billing.tasks.render_invoice_pdfs": {"queue": RENDER_QUEUE}}
    app.worker_main(
        [
            "worker",
            "--pool",
            "prefork",
            "--concurrency",
            "1",
            "--loglevel",
            "WARNING",
            "-n",
            name,
            "--without-gossip",
            "--without-mingle",
        ]
    )


def start_workers() -> list[subprocess.Popen]:
    from alux_crm.celery import app

    (ROOT / "var").mkdir(exist_ok=True)
    processes = []
    for index in range(WORKERS):
        name = f"bench-billing-{index + 1}@localhost"
        log = open(ROOT / "var" / f"bench-billing-worker-{index + 1}.log", "w")  # noqa: SIM115
        process = subprocess.Popen(
            [sys.executable, __file__, "--worker", name],
            cwd=ROOT,
            env={**os.environ},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        process.bench_name = name
        process.log_file = log
        processes.append(process)
    deadline = time.monotonic() + 60
    waiting = {p.bench_name for p in processes}
    while waiting and time.monotonic() < deadline:
        for process in processes:
            if process.poll() is not None:
                stop_workers(processes)
                sys.exit(f"worker {process.bench_name} exited: see var/ logs")
        for reply in app.control.ping(destination=sorted(waiting), timeout=1) or []:
            waiting -= set(reply)
    if waiting:
        stop_workers(processes)
        sys.exit(f"workers did not answer within 60 s: {sorted(waiting)}")
    say(
        f"{WORKERS} Celery workers up (prefork, one child each), queue {os.environ['CELERY_QUEUE']}"
    )
    return processes


def stop_workers(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.log_file.close()


def _status(pid: int) -> dict[str, str]:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {}
    return dict(line.split(":", 1) for line in text.splitlines() if ":" in line)


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _mb(status: dict, key: str) -> float:
    return int(status.get(key, "0 kB").split()[0]) / 1024


def worker_memory(processes) -> list[tuple[str, int, str, float, float]]:
    """(worker, pid, role, peak MB, current MB) of each worker process and its children."""
    rows = []
    for process in processes:
        for pid, role in [(process.pid, "parent")] + [(c, "child") for c in _children(process.pid)]:
            status = _status(pid)
            rows.append((process.bench_name, pid, role, _mb(status, "VmHWM"), _mb(status, "VmRSS")))
    return rows


def children_rss(processes) -> str:
    return ", ".join(
        f"{mb:.0f}" for _w, _p, role, _peak, mb in worker_memory(processes) if role == "child"
    )


# --- the run ------------------------------------------------------------------------------------
def wait_for(run, statuses: set[str], timeout: int, label: str, processes, progress) -> bool:
    started = time.monotonic()
    last_print = 0.0
    while True:
        run.refresh_from_db()
        if run.status in statuses:
            return True
        elapsed = time.monotonic() - started
        if elapsed - last_print >= 10:
            last_print = elapsed
            say(
                f"{label} {elapsed:5.0f} s: {progress(run, elapsed)}; worker RSS MB "
                f"[{children_rss(processes)}]"
            )
        if elapsed > timeout:
            say(f"{label}: not finished after {timeout} s — stopped waiting")
            return False
        if any(p.poll() is not None for p in processes):
            say(f"{label}: a worker exited — see var/bench-billing-worker-*.log")
            return False
        time.sleep(1)


def draft_progress(run, elapsed: float) -> str:
    done = run.accounts_done + run.accounts_failed
    rate = done / elapsed if elapsed else 0
    left = (run.accounts_total - done) / rate if rate else float("inf")
    return (
        f"{done}/{run.accounts_total} accounts ({rate:.0f}/s, {run.accounts_failed} failed, "
        f"about {left:.0f} s left)"
    )


def post_progress(run, elapsed: float) -> str:
    rate = run.invoices_posted / elapsed if elapsed else 0
    return f"{run.invoices_posted} invoices posted ({rate:.0f}/s), status {run.status}"


def rework_progress(run, elapsed: float) -> str:
    from billing.choices import ChunkStatus

    done = run.chunks.filter(status=ChunkStatus.DONE).count()
    return f"{done}/{run.chunks.count()} chunks worked again ({done / elapsed:.1f}/s)"


def rework_chunks(run, processes) -> int | None:
    """Every chunk of the draft-ready run worked again by the workers, as if each task
    were delivered twice: returns the invoices it added (None if it did not finish)."""
    from billing.choices import ChunkStatus, RunStatus
    from billing.models import BillingRun, Invoice
    from billing.services import billing_run_resume

    before = Invoice.objects.filter(period_start=run.period_start).count()
    started = time.perf_counter()
    run.chunks.update(status=ChunkStatus.PENDING)
    BillingRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING)
    billing_run_resume(run=run)
    if not wait_for(
        run,
        {RunStatus.DRAFT_READY, RunStatus.FAILED},
        DRAFT_TIMEOUT,
        "re-work",
        processes,
        rework_progress,
    ):
        return None
    added = Invoice.objects.filter(period_start=run.period_start).count() - before
    say(
        f"every chunk worked again in {time.perf_counter() - started:.0f} s: {added} invoices added"
    )
    return added


def after_posting_checks(run, period: date) -> tuple[bool, int]:
    """(second run refused?, invoices added by billing a sample of accounts again)."""
    import random

    from django.db.models import Count

    from alux_crm.core.errors import DomainError
    from billing.models import Invoice
    from billing.services import bill_account, billing_run_create
    from customers.models import BillingAccount

    try:
        billing_run_create(bill_cycle_day=CYCLE_DAY, period_start=period)
        refused = False
        say("a second run of the same cycle and period was ACCEPTED")
    except DomainError as error:
        refused = True
        say(f"a second run of the same cycle and period is refused: {error}")
    ids = list(run.invoices.values_list("billing_account_id", flat=True))
    sample = random.Random(SEED).sample(ids, min(SAMPLE_REBILL, len(ids)))
    before = Invoice.objects.filter(period_start=period).count()
    for account in BillingAccount.objects.filter(pk__in=sample):
        bill_account(run=run, account=account)
    added = Invoice.objects.filter(period_start=period).count() - before
    twice = (
        Invoice.objects.filter(period_start=period, kind="cycle")
        .values("billing_account")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    say(
        f"bill_account on {len(sample)} posted accounts again: {added} invoices added; "
        f"accounts with two invoices for the period: {twice}"
    )
    return refused, added + twice


def render_backlog() -> int:
    """The PDF render tasks left queued (then dropped: this benchmark renders none)."""
    import redis

    client = redis.Redis.from_url(os.environ["CELERY_BROKER_URL"])
    queued = client.llen(RENDER_QUEUE)
    client.delete(RENDER_QUEUE)
    return queued


def main() -> None:
    sys.stdout.reconfigure(line_buffering=True)
    print(f"machine: {os.cpu_count()} CPUs; Python {sys.version.split()[0]}")
    setup_database()
    from alux_crm.celery import app
    from billing.choices import RunStatus
    from billing.models import Invoice, InvoiceLine
    from billing.services import billing_run_approve, billing_run_create, billing_run_start
    from customers.models import BillingAccount
    from subscriptions.models import Subscription

    finance = users()
    period = bench_period()
    ensure_data(period)
    wipe_billing_output()
    accounts = BillingAccount.objects.filter(
        bill_cycle_day=CYCLE_DAY, is_paying=True, status="active"
    ).count()
    say(
        f"database: {Subscription.objects.count()} subscriptions; {accounts} paying accounts "
        f"on cycle {CYCLE_DAY}; billed period from {period}"
    )
    app.control.purge()
    render_backlog()
    processes = start_workers()
    results: dict[str, tuple] = {}
    try:
        run = billing_run_create(bill_cycle_day=CYCLE_DAY, period_start=period, actor=finance)
        billing_run_start(run=run, actor=finance)
        run.refresh_from_db()
        say(f"run {run.pk} started: {run.accounts_total} accounts, {run.chunks.count()} chunks")
        ok = wait_for(
            run,
            {RunStatus.DRAFT_READY, RunStatus.FAILED},
            DRAFT_TIMEOUT,
            "draft",
            processes,
            draft_progress,
        )
        if not ok:
            results["draft"] = (None, f"unfinished: {draft_progress(run, DRAFT_TIMEOUT)}")
            return
        draft_s = (run.finished_at - run.started_at).total_seconds()
        invoices = Invoice.objects.filter(run=run).count()
        lines = InvoiceLine.objects.filter(invoice__run=run).count()
        say(
            f"draft {run.status} in {draft_s:.1f} s: {invoices} invoices, {lines} lines, "
            f"{invoices / draft_s:.0f} invoices/s, {lines / draft_s:.0f} lines/s, "
            f"{run.accounts_failed} accounts failed"
        )
        for error in run.errors.all()[:5]:
            say(f"  failed account {error.billing_account_id}: {error.message[:200]}")
        results["draft"] = (draft_s, invoices, lines)
        added = rework_chunks(run, processes)
        results["rework"] = added
        run.refresh_from_db()
        if run.status != RunStatus.DRAFT_READY:
            say(f"run is {run.status}: not approved")
            return
        billing_run_approve(run=run, actor=finance)
        ok = wait_for(run, {RunStatus.POSTED}, POST_TIMEOUT, "posting", processes, post_progress)
        run.refresh_from_db()
        if not ok:
            results["posting"] = (None, post_progress(run, POST_TIMEOUT))
            return
        posting_s = (run.posted_at - run.approved_at).total_seconds()
        say(
            f"posted in {posting_s:.1f} s: {run.invoices_posted} invoices, "
            f"{run.invoices_posted / posting_s:.0f} invoices/s"
        )
        results["posting"] = (posting_s, run.invoices_posted)
        results["second"] = after_posting_checks(run, period)
    finally:
        memory = worker_memory(processes)
        stop_workers(processes)
        backlog = render_backlog()
        summary(results, memory, backlog)


def summary(results: dict, memory: list, backlog: int) -> None:
    print()
    print("worker processes (VmHWM = peak resident memory):")
    for name, pid, role, peak, current in memory:
        print(f"  {name:<24} pid {pid:<8} {role:<6} peak {peak:7.1f} MB  now {current:7.1f} MB")
    print(f"invoice PDF render tasks queued during posting (not rendered, dropped): {backlog}")
    print()
    rows = []
    draft = results.get("draft")
    if draft and draft[0] is not None:
        draft_s, invoices, lines = draft
        rows.append(
            (
                "draft run",
                f"{draft_s:.1f} s",
                f"≤ {DRAFT_TARGET_S} s",
                verdict(draft_s, DRAFT_TARGET_S),
            )
        )
        rows.append(
            (
                "draft run (stretch)",
                f"{draft_s:.1f} s",
                f"≤ {DRAFT_STRETCH_S} s",
                verdict(draft_s, DRAFT_STRETCH_S),
            )
        )
        rows.append(("invoices/s", f"{invoices / draft_s:.0f} ({invoices} invoices)", "", ""))
        rows.append(("lines/s", f"{lines / draft_s:.0f} ({lines} lines)", "", ""))
    elif draft:
        rows.append(("draft run", draft[1], f"≤ {DRAFT_TARGET_S} s", "FAIL"))
    posting = results.get("posting")
    if posting and posting[0] is not None:
        rows.append(
            (
                "posting",
                f"{posting[0]:.1f} s ({posting[1] / posting[0]:.0f} invoices/s)",
                f"≤ {POSTING_TARGET_S} s",
                verdict(posting[0], POSTING_TARGET_S),
            )
        )
    elif posting:
        rows.append(("posting", posting[1], f"≤ {POSTING_TARGET_S} s", "FAIL"))
    children = [peak for _n, _p, role, peak, _c in memory if role == "child"]
    parents = [peak for _n, _p, role, peak, _c in memory if role == "parent"]
    if children:
        worst = max(children + parents)
        rows.append(
            (
                "peak memory per worker",
                f"{worst:.0f} MB (children {', '.join(f'{c:.0f}' for c in children)})",
                f"≤ {MEMORY_TARGET_MB} MB",
                verdict(worst, MEMORY_TARGET_MB),
            )
        )
    if results.get("rework") is not None:
        added = results["rework"]
        rows.append(
            (
                "every chunk worked twice",
                f"{added} invoices added",
                "0",
                "PASS" if added == 0 else "FAIL",
            )
        )
    if results.get("second") is not None:
        refused, added = results["second"]
        rows.append(
            (
                "second run of the period",
                "refused" if refused else "accepted",
                "refused",
                "PASS" if refused else "FAIL",
            )
        )
        rows.append(
            (
                f"posted accounts billed again ({SAMPLE_REBILL})",
                f"{added} invoices added",
                "0",
                "PASS" if added == 0 else "FAIL",
            )
        )
    width = max(len(r[0]) for r in rows) if rows else 10
    print(f"{'figure':<{width}}  {'measured':<44} {'target':<12} result")
    for label, value, target, result in rows:
        print(f"{label:<{width}}  {value:<44} {target:<12} {result}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--worker":
        import django

        django.setup()
        worker_main(sys.argv[2])
    else:
        main()
