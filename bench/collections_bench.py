"""Benchmark of collections at a million billing accounts (BIL-6, BIL-7).

Run with ``make bench-collections``. Uses its own database (``alux_bench_collections``,
``BENCH_COLLECTIONS_DATABASE_URL`` to change it), its own Celery queue and Redis
database, and ``BENCH_WORKERS`` (default 2) real Celery worker processes. In order:

1. migrates the database, seeds the demo catalogue and fills it to
   ``BENCH_ACCOUNTS`` customers (one billing account each, ``generate_data``) and
   about 1.5 subscriptions per overdue account (``generate_data --subscriptions``:
   the first accounts by id get live subscriptions);
2. makes ``BENCH_OVERDUE`` of the accounts with an active subscription overdue, by
   COPY: one posted invoice each (10 to 200 EUR, due 1 to 120 days back), its ledger
   entry, the cached balance (only the missing ones; done once per database);
3. empties the collections output of an earlier benchmark (dunning processes and
   runs, service runs, the save desk, subscription events and the outbox) and puts
   the subscriptions it cut back to active, and makes a default dunning plan whose
   first step (an e-mail a day after the due date) every overdue account is due;
4. starts the workers (prefork, one child each) and measures:
   (a) the daily dunning run: ``engine.dunning_run(today=…)``, polling
       ``DunningRun.status`` until "done" — target ≤ 120 s; then a second run the same
       day, which must do no new step;
   (b) a disconnection run selecting about ``BENCH_DISCONNECT`` (10,000) accounts:
       preview (timed), then execute until "done" — target ≤ 60 s for execution
       (``finished_at - started_at``); accounts/s and provisioning outbox rows;
5. prints a summary with PASS/FAIL.

The outbox deliveries (e-mails, SMS, provisioning commands) and letter PDFs are
routed to a queue nobody consumes here: the targets are about writing the changes
and their outbox rows; the number of deliveries queued is printed and the queue
dropped.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alux_crm.settings.base")
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_COLLECTIONS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/alux_bench_collections"
)
os.environ["CELERY_BROKER_URL"] = os.environ.get(
    "BENCH_COLLECTIONS_BROKER_URL", "redis://127.0.0.1:6379/12"
)
os.environ["CELERY_QUEUE"] = os.environ.get("BENCH_COLLECTIONS_QUEUE", "alux-bench-collections")
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
os.environ.setdefault("LOG_LEVEL", "WARNING")

ACCOUNTS = int(os.environ.get("BENCH_ACCOUNTS", "1000000"))
OVERDUE = int(os.environ.get("BENCH_OVERDUE", "50000"))
DISCONNECT = int(os.environ.get("BENCH_DISCONNECT", str(min(10000, OVERDUE // 5))))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
TIMEOUT = int(os.environ.get("BENCH_TIMEOUT", "900"))
SIDE_QUEUE = os.environ["CELERY_QUEUE"] + "-deliveries"  # filled, never consumed here
DUNNING_TARGET_S, DISCONNECT_TARGET_S = 120, 60


def say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


def secs(value: float | None) -> str:
    return "unfinished" if value is None else f"{value:.1f} s"


def verdict(value: float | None, target: float) -> str:
    return "PASS" if value is not None and value <= target else "FAIL"


# --- the data -----------------------------------------------------------------------------------
def setup_database() -> None:
    if os.environ["DATABASE_URL"].rstrip("/").endswith("/alux_crm"):
        sys.exit("BENCH_COLLECTIONS_DATABASE_URL points at the development database: refused.")
    subprocess.run(
        [sys.executable, "scripts/ensure_database.py"], cwd=ROOT, env={**os.environ}, check=True
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


# --- the workers --------------------------------------------------------------------------------
def worker_main(name: str) -> None:
    from alux_crm.celery import app

    app.conf.task_routes = {
        "alux_crm.core.tasks.deliver_outbox_message": {"queue": SIDE_QUEUE},
        "dunning.tasks.engine.render_letters": {"queue": SIDE_QUEUE},
    }
    app.worker_main(
        ["worker", "--pool", "prefork", "--concurrency", "1", "--loglevel", "WARNING", "-n", name,
         "--without-gossip", "--without-mingle"]
    )  # fmt: skip


def start_workers() -> list[subprocess.Popen]:
    from alux_crm.celery import app

    (ROOT / "var").mkdir(exist_ok=True)
    processes = []
    for index in range(WORKERS):
        name = f"bench-collections-{index + 1}@localhost"
        log = open(ROOT / "var" / f"bench-collections-worker-{index + 1}.log", "w")  # noqa: SIM115
        process = subprocess.Popen(
            [sys.executable, __file__, "--worker", name], cwd=ROOT, env={**os.environ},
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        process.bench_name, process.log_file = name, log
        processes.append(process)
    waiting, deadline = {p.bench_name for p in processes}, time.monotonic() + 60
    while waiting and time.monotonic() < deadline:
        if any(p.poll() is not None for p in processes):
            stop_workers(processes)
            sys.exit("a worker exited: see var/bench-collections-worker-*.log")
        for reply in app.control.ping(destination=sorted(waiting), timeout=1) or []:
            waiting -= set(reply)
    if waiting:
        stop_workers(processes)
        sys.exit(f"workers did not answer within 60 s: {sorted(waiting)}")
    say(f"{WORKERS} Celery workers up, queue {os.environ['CELERY_QUEUE']}")
    return processes


def stop_workers(processes) -> None:
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


def side_backlog() -> int:
    import redis

    client = redis.Redis.from_url(os.environ["CELERY_BROKER_URL"])
    queued = client.llen(SIDE_QUEUE)
    client.delete(SIDE_QUEUE)
    return queued


def poll(read, done, label: str, processes) -> float | None:
    """Seconds until ``done(read())``, printing progress every 10 s (None: timed out)."""
    started, last = time.monotonic(), 0.0
    while True:
        value = read()
        elapsed = time.monotonic() - started
        if done(value):
            return elapsed
        if elapsed - last >= 10:
            last = elapsed
            say(f"{label} {elapsed:5.0f} s: {value}")
        if elapsed > TIMEOUT or any(p.poll() is not None for p in processes):
            say(f"{label}: not finished (timeout or a worker exited)")
            return None
        time.sleep(0.5)


# --- the measures -------------------------------------------------------------------------------
def measure_dunning(today, processes, results) -> None:
    from dunning.models import DunningActionRecord, DunningRun

    try:
        from dunning.services.engine import dunning_run
    except ImportError:
        say("dunning.services.engine.dunning_run is not there yet: (a) skipped")
        return

    def state():
        run = DunningRun.objects.filter(run_on=today).first()
        return (run.status, run.accounts_done, run.accounts_total) if run else ("none", 0, 0)

    started = time.perf_counter()
    dunning_run(today=today)
    waited = poll(state, lambda s: s[0] == "done", "dunning", processes)
    run = DunningRun.objects.get(run_on=today)
    seconds = (run.finished_at - run.started_at).total_seconds() if waited is not None else None
    say(
        f"dunning run: {run.accounts_total} overdue accounts, {run.actions_done} steps done, "
        f"{run.actions_failed} failed, in {secs(seconds)} "
        f"(wall {time.perf_counter() - started:.1f} s)"
    )
    results["dunning"] = (seconds, run.actions_done)
    before = DunningActionRecord.objects.count()
    dunning_run(today=today)
    poll(state, lambda s: s[0] == "done", "dunning again", processes)
    results["dunning_again"] = DunningActionRecord.objects.count() - before
    say(f"a second dunning run the same day: {results['dunning_again']} new steps")


def min_days_for(today) -> int:
    """The days overdue above which about ``DISCONNECT`` accounts are."""
    from dunning.selectors import overdue_accounts

    days = sorted(
        (o.days_overdue(today) for o in overdue_accounts(today=today).values()), reverse=True
    )
    if len(days) <= DISCONNECT:
        return 0
    return days[DISCONNECT]


def measure_disconnection(today, actor, processes, results) -> None:
    from django.db.models import Count

    from alux_crm.core.models import OutboxMessage
    from dunning.models import ServiceRun
    from dunning.services import runs

    run = runs.service_run_create(
        kind="disconnection", name="Bench", min_days_overdue=min_days_for(today), actor=actor
    )
    started = time.perf_counter()
    run = runs.service_run_preview(run=run, today=today, actor=actor)
    preview_s = time.perf_counter() - started
    say(
        f"preview (more than {run.min_days_overdue} days): {run.accounts_total} accounts, "
        f"{run.amount_total} EUR, in {preview_s:.1f} s"
    )
    outbox_before = OutboxMessage.objects.filter(topic__startswith="provisioning").count()
    runs.service_run_execute(run=run, actor=actor, today=today)

    def state():
        row = ServiceRun.objects.get(pk=run.pk)
        return (row.status, row.accounts_done, row.accounts_total)

    waited = poll(state, lambda s: s[0] == "done", "disconnection", processes)
    run.refresh_from_db()
    seconds = (run.finished_at - run.started_at).total_seconds() if waited is not None else None
    outbox = OutboxMessage.objects.filter(topic__startswith="provisioning").count() - outbox_before
    outcomes = dict(
        run.items.values_list("outcome").annotate(n=Count("id")).values_list("outcome", "n")
    )
    say(f"disconnection executed in {secs(seconds)}: outcomes {outcomes}, {outbox} outbox rows")
    results["preview"] = preview_s
    results["disconnection"] = (seconds, run.accounts_done, outbox, outcomes)


def summary(results: dict, backlog: int) -> None:
    print(f"\noutbox deliveries queued (not delivered, dropped): {backlog}\n")
    rows = []
    if "dunning" in results:
        seconds, steps = results["dunning"]
        measured, target = f"{secs(seconds)} ({steps} steps)", f"≤ {DUNNING_TARGET_S} s"
        rows.append(("daily dunning run", measured, target, verdict(seconds, DUNNING_TARGET_S)))
        again = results.get("dunning_again")
        rows.append(("second dunning run, same day", f"{again} new steps", "0",
                     "PASS" if again == 0 else "FAIL"))  # fmt: skip
    else:
        rows.append(("daily dunning run", "not measured (engine missing)", "", ""))
    if "disconnection" in results:
        seconds, accounts, outbox, _outcomes = results["disconnection"]
        rate = f"{accounts / seconds:.0f} accounts/s" if seconds else "-"
        rows.append(("disconnection preview", f"{results['preview']:.1f} s", "", ""))
        measured = f"{secs(seconds)} ({accounts} accounts, {rate})"
        target = f"≤ {DISCONNECT_TARGET_S} s"
        rows.append(
            ("disconnection execution", measured, target, verdict(seconds, DISCONNECT_TARGET_S))
        )
        rows.append(("provisioning outbox rows", str(outbox), "", ""))
    width = max(len(r[0]) for r in rows)
    print(f"{'figure':<{width}}  {'measured':<46} {'target':<10} result")
    for label, value, target, result in rows:
        print(f"{label:<{width}}  {value:<46} {target:<10} {result}")


def main() -> None:
    sys.stdout.reconfigure(line_buffering=True)
    print(f"machine: {os.cpu_count()} CPUs; {ACCOUNTS} accounts, {OVERDUE} overdue")
    setup_database()
    from django.utils import timezone

    from alux_crm.celery import app
    from bench.collections_data import ensure_accounts, ensure_overdue, reset_collections, users

    actor = users()
    today = timezone.localdate()
    ensure_accounts()
    ensure_overdue(today)
    reset_collections()
    app.control.purge()
    side_backlog()
    processes = start_workers()
    results: dict = {}
    try:
        measure_dunning(today, processes, results)
        measure_disconnection(today, actor, processes, results)
    finally:
        stop_workers(processes)
        summary(results, side_backlog())


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--worker":
        import django

        django.setup()
        worker_main(sys.argv[2])
    else:
        main()
