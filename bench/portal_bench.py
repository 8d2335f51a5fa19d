"""Benchmark of the subscriber portal under load (issue 8, POR-1/POR-3).

Run with ``make bench-portal``. Uses the benchmark database of ``bench/billing.py``
(``alux_bench``, ``BENCH_DATABASE_URL``), its Celery queue and Redis database. In
order:

1. the data (``bench/portal_data.py``, only what is missing): 1,000,000 customers
   and 1,000,000 subscriptions (``generate_data``, as ``bench/billing.py``), the
   period before the billed one billed by a real billing run and posted, older
   months copied from it (``BENCH_PORTAL_MONTHS`` invoices per account, most of
   them paid), and ``BENCH_PORTAL_LOGINS`` portal logins of random billed customers;
2. gunicorn on 127.0.0.1 with the production settings (``bench/portal_settings.py``:
   DEBUG off, manifest static files; only the TLS-only flags off), against that
   database;
3. **idle**: locust headless (``bench/portal_locustfile.py``), ``BENCH_PORTAL_USERS``
   subscribers each logging in once through the login form and then going through
   dashboard, invoices, one of their invoices and services (when ``portal:services``
   exists), paced to ``BENCH_PORTAL_RPS`` requests/s in all; after every login the
   statistics are reset and ``BENCH_PORTAL_MEASURE`` seconds are measured;
4. **during a billing run**: real Celery workers (``BENCH_WORKERS``) draft the run of
   the next period while the same load runs with fresh logins; then the workers stop
   and the run and its drafts are removed (the database stays reusable);
5. prints requests/s, p50/p95 per page and overall, failures, the SQL queries of
   each page, the CPU the gunicorn workers spent per request and the load average,
   with the targets — ≥ 100 requests/s, p95 ≤ 300 ms, 0 failures, p95 during the
   run ≤ 2 x idle p95 — and PASS/FAIL (like the other benchmarks, it exits 0).

gunicorn: ``BENCH_PORTAL_GUNICORN`` (``gthread:WORKERS:THREADS`` or
``sync:WORKERS``; default the best one measured on the 2-core machine). Several,
comma-separated, in ``BENCH_PORTAL_CONFIGS`` are each measured idle for
``BENCH_PORTAL_SWEEP_MEASURE`` seconds first, and the best one is kept.
``BENCH_PORTAL_PHASES`` (``idle,run``) picks the phases; ``BENCH_PORTAL_WORKER_NICE``
runs the billing workers at that niceness (the web first), and their PostgreSQL
sessions too (``WORKER_DATABASE_NICE``) when the prioritize extension is installed;
the kernel's autogroup is off while it runs (``BENCH_PORTAL_AUTOGROUP``,
``scheduler_setup``).
"""

import csv
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("BENCH_CUSTOMERS", "1000000")  # bench/billing.py reads it at import

from bench import billing as B  # noqa: E402 - sets the benchmark database, queue, broker

USERS = int(os.environ.get("BENCH_PORTAL_USERS", "60"))
RPS = float(os.environ.get("BENCH_PORTAL_RPS", "105"))  # offered: the target and 5 %
MEASURE_S = int(os.environ.get("BENCH_PORTAL_MEASURE", "60"))
SPAWN_RATE = int(os.environ.get("BENCH_PORTAL_SPAWN_RATE", "10"))
LOGIN_TIMEOUT_S = 120  # every user logged in within this, or the phase fails
PORT = int(os.environ.get("BENCH_PORTAL_PORT", "8797"))
GUNICORN = os.environ.get("BENCH_PORTAL_GUNICORN", "sync:6")
CONFIGS = [c for c in os.environ.get("BENCH_PORTAL_CONFIGS", "").split(",") if c]
SWEEP_MEASURE_S = int(os.environ.get("BENCH_PORTAL_SWEEP_MEASURE", "40"))
RUN_WARMUP_S = 20  # the billing run drafts this long before the load starts
WORKER_NICE = int(os.environ.get("BENCH_PORTAL_WORKER_NICE", "10"))  # 0: same priority
# "off": the kernel's session groups off while the bench runs (restored after), so
# that the workers' nice reaches PostgreSQL's backends; "keep": leave it as it is.
AUTOGROUP = os.environ.get("BENCH_PORTAL_AUTOGROUP", "off")
AUTOGROUP_FILE = Path("/proc/sys/kernel/sched_autogroup_enabled")
PHASES = os.environ.get("BENCH_PORTAL_PHASES", "idle,run").split(",")
VAR = ROOT / "var"

RPS_TARGET, P95_TARGET_MS, RUN_FACTOR = 100, 300, 2.0
say = B.say


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


# --- gunicorn -----------------------------------------------------------------------------------
def server_env() -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.portal_settings",
        "DJANGO_SECRET_KEY": "bench-portal-not-secret-7f1c3a9e5b2d4608a1e0c9b8d7f6e5a4",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CACHE_URL": os.environ["CELERY_BROKER_URL"],  # the benchmark's Redis database
        "CACHE_KEY_PREFIX": "alux-bench-portal",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }


def collectstatic() -> None:
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT, env=server_env(), check=True,
    )  # fmt: skip


def gunicorn_args(config: str) -> list[str]:
    kind, *numbers = config.split(":")
    args = ["--workers", numbers[0]]
    if kind == "gthread":
        args += ["--worker-class", "gthread", "--threads", numbers[1]]
    elif kind != "sync":
        raise SystemExit(f"unknown gunicorn config {config!r} (gthread:W:T or sync:W)")
    return args


def start_server(config: str) -> subprocess.Popen:
    VAR.mkdir(exist_ok=True)
    log = open(VAR / "bench-portal-gunicorn.log", "a")  # noqa: SIM115 - closed in stop_server
    process = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "alux_crm.wsgi:application",
         "--bind", f"127.0.0.1:{PORT}", *gunicorn_args(config), "--keep-alive", "5",
         "--max-requests", "0", "--log-level", "warning", "--chdir", str(ROOT)],
        cwd=ROOT, env=server_env(), stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    process.log_file = log
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("gunicorn exited: see var/bench-portal-gunicorn.log")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/portal/login/", timeout=5) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.5)
    else:
        stop_server(process)
        raise SystemExit("gunicorn did not answer within 60 s")
    say(f"gunicorn up on 127.0.0.1:{PORT} ({config}), production settings, DEBUG off")
    return process


def stop_server(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    process.log_file.close()


def server_cpu(process: subprocess.Popen) -> float:
    """CPU seconds spent so far by gunicorn's master and workers."""
    import psutil

    try:
        parent = psutil.Process(process.pid)
        total = sum(parent.cpu_times()[:2])
        for child in parent.children(recursive=True):
            total += sum(child.cpu_times()[:2])
        return total
    except psutil.Error:
        return 0.0


# --- locust -------------------------------------------------------------------------------------
def run_load(label: str, paths: dict, first_login: int, measure_s: int, server) -> dict:
    """One locust phase; returns its figures."""
    prefix = VAR / f"bench-portal-{label}"
    timings_file = Path(f"{prefix}-timings.json")
    timings_file.unlink(missing_ok=True)
    env = {
        **os.environ,
        "BENCH_PORTAL_PATHS": json.dumps(paths),
        "BENCH_PORTAL_RATE": str(RPS / USERS),
        "BENCH_PORTAL_MEASURE": str(measure_s),
        "BENCH_PORTAL_FIRST_LOGIN": str(first_login),
        "BENCH_PORTAL_TIMINGS": str(timings_file),
        "BENCH_PORTAL_CREDENTIALS": str(VAR / "bench-portal-logins.csv"),
    }
    load_before = loadavg()
    samples: list[tuple] = []  # (time, gunicorn CPU s, machine busy s, CPU s by program)
    stop = threading.Event()
    sampler = threading.Thread(target=sample_cpu, args=(server, samples, stop), daemon=True)
    sampler.start()
    say(f"{label}: locust, {USERS} users, {RPS:.0f} requests/s offered, {measure_s} s measured "
        f"after the logins (load average {load_before})")  # fmt: skip
    started = time.perf_counter()
    with open(f"{prefix}-locust.log", "w") as log:
        subprocess.run(
            [str(ROOT / ".venv" / "bin" / "locust"), "-f", str(ROOT / "bench" /
             "portal_locustfile.py"), "--headless", "--host", f"http://127.0.0.1:{PORT}",
             "--users", str(USERS), "--spawn-rate", str(SPAWN_RATE),
             "--run-time", f"{measure_s + LOGIN_TIMEOUT_S + 10}s", "--stop-timeout", "5",
             "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, check=False,
        )  # fmt: skip
    wall = time.perf_counter() - started
    stop.set()
    sampler.join()
    result = read_results(prefix, timings_file)
    result.update(label=label, load_before=load_before, load_after=loadavg(), wall=wall)
    window = result["window"]
    inside = [s for s in samples if window and window[0] <= s[0] <= window[1]]
    if len(inside) >= 2 and result["requests"]:
        span = inside[-1][0] - inside[0][0]
        gunicorn = inside[-1][1] - inside[0][1]
        result["cpu_ms_per_request"] = 1000 * gunicorn / (result["rps"] * span)
        result["gunicorn_cores"] = gunicorn / span
        result["busy_cores"] = (inside[-1][2] - inside[0][2]) / span
        first, last = inside[0][3], inside[-1][3]
        per_request = {
            name: 1000 * (last.get(name, 0.0) - first.get(name, 0.0)) / (result["rps"] * span)
            for name in PROGRAMS
        }
        busy_ms = 1000 * result["busy_cores"] / result["rps"]
        per_request["the rest"] = busy_ms - result["cpu_ms_per_request"] - sum(per_request.values())
        result["program_ms_per_request"] = per_request
    return result


# Programs whose CPU per request is printed beside gunicorn's, by process name. A
# process that ended inside the window takes its CPU with it (PostgreSQL's backend of
# a gunicorn worker ends when the worker reconnects, after CONN_MAX_AGE), so these are
# floors; "the rest" is the machine's busy time less all of them (PostgreSQL's missed
# share, this bench's sampler, the workers of a billing run, the system).
PROGRAMS = ("postgres", "locust", "redis-server")


def program_cpu() -> dict[str, float]:
    """CPU seconds spent so far by the live processes of each of ``PROGRAMS``."""
    import psutil

    totals = dict.fromkeys(PROGRAMS, 0.0)
    for process in psutil.process_iter(["name", "cmdline", "cpu_times"]):
        info = process.info
        name = info["name"] or ""
        if name not in totals and "locust" in " ".join(info["cmdline"] or [])[:200]:
            name = "locust"
        if name in totals and info["cpu_times"] is not None:
            totals[name] += sum(info["cpu_times"][:2])
    return totals


def sample_cpu(server, samples: list, stop: threading.Event) -> None:
    """Every half second until ``stop``: gunicorn's CPU seconds and the whole
    machine's busy CPU seconds (so the load of everything else shows)."""
    import psutil

    while not stop.is_set():
        times = psutil.cpu_times()
        busy = sum(times) - times.idle - getattr(times, "iowait", 0.0)
        samples.append((time.time(), server_cpu(server), busy, program_cpu()))
        time.sleep(0.5)


def read_results(prefix: Path, timings_file: Path) -> dict:
    """Figures of a phase: from locust's stats CSV (requests/s, failures, its p95) and
    the exact response times the locustfile wrote."""
    rows = {}
    with open(f"{prefix}_stats.csv") as handle:
        for row in csv.DictReader(handle):
            rows[row["Name"]] = row
    data = json.loads(timings_file.read_text()) if timings_file.exists() else {}
    pages = {name: values for name, values in data.get("pages", {}).items() if values}
    total = rows.get("Aggregated", {})
    every = [v for values in pages.values() for v in values]
    measured = data["measured_until"] - data["measured_from"] if data.get("measured_from") else 0
    with open(f"{prefix}_failures.csv") as handle:
        failures = [
            f"{r['Name']}: {r['Error']} ({r['Occurrences']})" for r in csv.DictReader(handle)
        ]
    return {
        "requests": int(total.get("Request Count", 0) or 0),
        "failures": int(total.get("Failure Count", 0) or 0),
        "failure_kinds": failures,
        "rps": float(total.get("Requests/s", 0) or 0),
        "locust_p95": float(total.get("95%", 0) or 0),
        "p50": statistics.median(every) if every else None,
        "p95": percentile(every, 95) if every else None,
        "pages": {
            name: (len(v), statistics.median(v), percentile(v, 95), max(v))
            for name, v in sorted(pages.items())
        },
        "page_failures": {n: int(r["Failure Count"]) for n, r in rows.items() if n != "Aggregated"},
        "logins": data.get("logins", []),
        "login_failures": data.get("login_failures", []),
        "measured_s": measured,
        "window": (data["measured_from"], data["measured_until"]) if measured else None,
        "logged_in": bool(data.get("measured_from")),
    }


def print_phase(result: dict) -> None:
    say(
        f"{result['label']}: {result['requests']} requests in {result['measured_s']:.0f} s, "
        f"{result['rps']:.1f} requests/s, p50 {fmt(result['p50'])}, p95 {fmt(result['p95'])} "
        f"(locust's p95 {result['locust_p95']:.0f} ms), {result['failures']} failures; load "
        f"average {result['load_before']} → {result['load_after']}"
    )
    if "busy_cores" in result:
        print(f"    CPU in the window: gunicorn {result['cpu_ms_per_request']:.1f} ms/request "
              f"({result['gunicorn_cores']:.2f} cores); the machine busy "
              f"{result['busy_cores']:.2f} of {os.cpu_count()} cores (gunicorn, PostgreSQL, "
              f"locust, workers and everything else)")  # fmt: skip
        others = result["program_ms_per_request"].items()
        others = ", ".join(f"{name} {ms:.1f}" for name, ms in others)
        print(f"    CPU ms/request of the others: {others}")
    for name, (count, p50, p95, top) in result["pages"].items():
        print(f"    {name:<16} n={count:<6} p50 {p50:6.0f} ms  p95 {p95:6.0f} ms  max {top:6.0f} ms"
              f"  failures {result['page_failures'].get(name, 0)}")  # fmt: skip
    if result["logins"]:
        logins = result["logins"]
        print(f"    logins           n={len(logins):<6} p50 {statistics.median(logins):6.0f} ms  "
              f"p95 {percentile(logins, 95):6.0f} ms  (before the window; "
              f"{len(result['login_failures'])} refused)")  # fmt: skip
    for line in result["failure_kinds"][:5] + result["login_failures"][:5]:
        print(f"    failure: {line}")


def fmt(ms: float | None) -> str:
    return "-" if ms is None else f"{ms:.0f} ms"


# --- the pages ----------------------------------------------------------------------------------
def portal_paths() -> dict:
    from django.urls import NoReverseMatch, reverse

    paths = {
        "login": reverse("portal:login"),
        "dashboard": reverse("portal:dashboard"),
        "invoices": reverse("portal:invoice_list"),
        "invoice_detail": reverse("portal:invoice_detail", args=[987654321]).replace(
            "987654321", "{pk}"
        ),
    }
    try:
        paths["services"] = reverse("portal:services")
    except NoReverseMatch:
        paths["services"] = None
    return paths


def query_counts(paths: dict) -> dict[str, int]:
    """SQL queries of one request of each page (Django's test client, one subscriber)."""
    import csv as csv_module

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from portal.models import PortalAccount

    with open(VAR / "bench-portal-logins.csv") as handle:
        login = next(csv_module.DictReader(handle))["login"]
    account = PortalAccount.objects.select_related("user").get(customer__number=login)
    client = Client(HTTP_HOST="localhost")
    client.force_login(account.user, backend="alux_crm.core.auth_backends.UserBackend")
    invoice = account.customer.billing_accounts.first().invoices.filter(status="posted").first()
    pages = {
        "dashboard": paths["dashboard"],
        "invoices": paths["invoices"],
        "invoice detail": paths["invoice_detail"].format(pk=invoice.pk),
    }
    if paths["services"]:
        pages["services"] = paths["services"]
    counts = {}
    for name, path in pages.items():
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        counts[name] = len(queries) if response.status_code == 200 else -response.status_code
    return counts


# --- the billing run under load -----------------------------------------------------------------
def prioritize_extension() -> bool:
    """PostgreSQL's prioritize extension in the benchmark database, created when its
    package is there (``scripts/ensure_pg_prioritize.sh``, run by ``make bench-portal``)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'prioritize'")
        if cursor.fetchone() is None:
            return False
        cursor.execute("CREATE EXTENSION IF NOT EXISTS prioritize")
    return True


def load_during_run(period, finance, paths, server) -> tuple[dict | None, str]:
    """The same load while real workers draft the next period's run; the run and its
    drafts are removed afterwards."""
    from alux_crm.celery import app
    from bench.portal_data import drop_run, next_period
    from billing.services import billing_run_create, billing_run_start

    start = next_period(period)
    app.control.purge()
    B.render_backlog()
    database_nice = WORKER_NICE > 0 and prioritize_extension()
    if database_nice:
        os.environ["WORKER_DATABASE_NICE"] = str(WORKER_NICE)  # the workers' settings
    processes = B.start_workers()
    if WORKER_NICE:
        import psutil

        for process in processes:
            for pid in [process.pid] + [c.pid for c in psutil.Process(process.pid).children()]:
                os.setpriority(os.PRIO_PROCESS, pid, WORKER_NICE)
        say(f"workers niced to {WORKER_NICE}, their PostgreSQL sessions "
            f"{'too (WORKER_DATABASE_NICE)' if database_nice else 'not (no prioritize extension)'}"
            ": the web gets the CPU first")  # fmt: skip
    run, result, note = None, None, ""
    try:
        run = billing_run_create(bill_cycle_day=B.CYCLE_DAY, period_start=start, actor=finance)
        billing_run_start(run=run, actor=finance)
        run.refresh_from_db()
        say(f"run {run.pk} of {start} started: {run.accounts_total} accounts; drafting "
            f"{RUN_WARMUP_S} s before the load")  # fmt: skip
        time.sleep(RUN_WARMUP_S)
        run.refresh_from_db()
        before = run.accounts_done
        result = run_load("billing-run", paths, USERS + 1000, MEASURE_S, server)
        run.refresh_from_db()
        done = run.accounts_done - before
        note = (f"run {run.status}: {run.accounts_done}/{run.accounts_total} accounts drafted, "
                f"{done} during the load phase ({done / result['wall']:.0f}/s)")  # fmt: skip
        say(note)
    finally:
        B.stop_workers(processes)
        app.control.purge()
        B.render_backlog()
        if run is not None:
            started = time.perf_counter()
            removed = drop_run(run.pk)
            say(f"run {run.pk} removed with its {removed} drafts "
                f"({time.perf_counter() - started:.0f} s)")  # fmt: skip
    return result, note


# --- main ---------------------------------------------------------------------------------------
def scheduler_setup() -> str:
    """With the kernel's autogroup on (Debian's default), every session — PostgreSQL's
    server, this bench with gunicorn, locust and the workers — is one scheduling group
    that gets its fair share of the CPU whatever the nice of its processes, so the
    billing run's niced PostgreSQL backends still take half the machine from the web.
    The operations guide turns it off on a host that runs web, workers and PostgreSQL
    together; so does the bench (``BENCH_PORTAL_AUTOGROUP=keep`` to measure with it),
    and it is restored on the way out. Returns what was done, for the summary."""
    import atexit

    try:
        before = AUTOGROUP_FILE.read_text().strip()
    except OSError:
        return "kernel autogroup: unknown (no /proc/sys/kernel/sched_autogroup_enabled)"
    if AUTOGROUP == "keep" or before == "0":
        return f"kernel autogroup: {'on' if before == '1' else 'off'} (left as it was)"
    try:
        AUTOGROUP_FILE.write_text("0")
    except OSError as error:
        return f"kernel autogroup: on (could not turn it off: {error.strerror}; run as root)"
    atexit.register(AUTOGROUP_FILE.write_text, before)
    return (
        "kernel autogroup: turned off for the bench (as docs/operations.md advises), restored after"
    )


def main() -> None:
    sys.stdout.reconfigure(line_buffering=True)
    # Stopped from outside: the workers and gunicorn are stopped on the way out.
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit("stopped (SIGTERM)"))
    print(f"machine: {os.cpu_count()} CPUs; load average {loadavg()}; Python "
          f"{sys.version.split()[0]}")  # fmt: skip
    scheduler = scheduler_setup()
    B.setup_database()
    say(scheduler)
    from bench import portal_data as D

    finance = B.users()
    period = B.bench_period()
    B.ensure_data(period)
    run_id = D.ensure_last_period(period, finance)
    D.ensure_history(period, run_id)
    D.ensure_logins(run_id)
    say("data: " + ", ".join(f"{k} ≈ {v:,}" for k, v in sorted(D.data_summary().items())))
    paths = portal_paths()
    say(f"pages: {paths}")
    counts = query_counts(paths)
    say(f"SQL queries per page: {counts}")
    collectstatic()
    results: dict = {"configs": []}
    best = GUNICORN
    if len(CONFIGS) > 1:
        for config in CONFIGS:
            server = start_server(config)
            first = 5000 + len(results["configs"]) * USERS  # fresh logins for each
            try:
                result = run_load(
                    f"sweep-{config.replace(':', '-')}", paths, first, SWEEP_MEASURE_S, server
                )
            finally:
                stop_server(server)
            print_phase(result)
            results["configs"].append((config, result))
        best = min(results["configs"], key=lambda c: sweep_rank(c[1]))[0]
        say(f"best gunicorn config: {best}")
    server = start_server(best)
    try:
        if "idle" in PHASES:
            results["idle"] = run_load("idle", paths, 0, MEASURE_S, server)
            print_phase(results["idle"])
        if "run" in PHASES:
            results["run"], results["run_note"] = load_during_run(period, finance, paths, server)
            if results["run"]:
                print_phase(results["run"])
    finally:
        stop_server(server)
    summary(results, best, counts, paths)
    print(scheduler)


def sweep_rank(result: dict) -> tuple:
    """Configs without failures first, then the most requests/s (all that reach the
    offered load tie), then the lowest p95."""
    return (result["failures"] > 0, -min(result["rps"], RPS * 0.97), result["p95"] or 1e9)


def summary(results: dict, config: str, counts: dict, paths: dict) -> None:
    print()
    if results["configs"]:
        print("gunicorn configs (idle, short):")
        for name, r in results["configs"]:
            print(
                f"  {name:<14} {r['rps']:6.1f} requests/s  p95 {fmt(r['p95']):>8}  "
                f"{r['failures']} failures  CPU {r.get('cpu_ms_per_request', 0):.1f} ms/request"
            )
    mix = "dashboard, invoices, invoice detail" + (", services" if paths["services"] else "")
    services = "included" if paths["services"] else "NOT there yet: left out"
    print(f"gunicorn {config}; {USERS} users offering {RPS:.0f} requests/s; mix: {mix} "
          f"(services {services})")  # fmt: skip
    print(f"SQL queries per page: {counts}")
    rows = []
    idle, run = results.get("idle"), results.get("run")
    for phase, label, r in (("idle", "idle", idle), ("run", "during a billing run", run)):
        if phase not in PHASES:
            continue
        if not r or not r["logged_in"]:
            rows.append((f"{label}: logins", "not every user logged in", "", "FAIL"))
            continue
        rows.append((f"{label}: requests/s", f"{r['rps']:.1f}", f"≥ {RPS_TARGET}",
                     "PASS" if r["rps"] >= RPS_TARGET else "FAIL"))  # fmt: skip
        rows.append((f"{label}: p95 (all pages)", fmt(r["p95"]), f"≤ {P95_TARGET_MS} ms",
                     "PASS" if r["p95"] <= P95_TARGET_MS else "FAIL"))  # fmt: skip
        for name, (_n, _p50, p95, _max) in r["pages"].items():
            rows.append((f"{label}: p95 {name}", fmt(p95), "", ""))
        bad = r["failures"] + len(r["login_failures"])
        rows.append((f"{label}: failures (non-2xx)", str(bad), "0", "PASS" if bad == 0 else "FAIL"))
        rows.append((f"{label}: load average", f"{r['load_before']} → {r['load_after']}", "", ""))
        if "busy_cores" in r:
            rows.append((f"{label}: CPU busy / gunicorn", f"{r['busy_cores']:.2f} / "
                         f"{r['gunicorn_cores']:.2f} cores", "", ""))  # fmt: skip
            rows.append((f"{label}: gunicorn CPU/request", f"{r['cpu_ms_per_request']:.1f} ms",
                         "", ""))  # fmt: skip
    if idle and run and idle.get("p95") and run.get("p95"):
        ratio = run["p95"] / idle["p95"]
        rows.append(("p95 during the run / idle p95", f"{ratio:.2f} x", f"≤ {RUN_FACTOR:.0f} x",
                     "PASS" if ratio <= RUN_FACTOR else "FAIL"))  # fmt: skip
    if results.get("run_note"):
        print(results["run_note"])
    width = max(len(r[0]) for r in rows)
    print(f"{'figure':<{width}}  {'measured':<30} {'target':<10} result")
    for label, value, target, verdict in rows:
        print(f"{label:<{width}}  {value:<30} {target:<10} {verdict}")


if __name__ == "__main__":
    main()
