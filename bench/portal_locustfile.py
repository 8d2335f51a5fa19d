"""Locust users of ``make bench-portal``: logged-in subscribers going through the
portal (run by ``bench/portal_bench.py``, headless, bounded users and time).

Each simulated subscriber takes its own login from the credentials file, logs in
once through the portal's login form (the CSRF token read off the form, as a
browser does), then visits in turn: the dashboard, the invoices list, one of its
own invoices (an id read off its list), and the services page when the bench found
the URL. Every page must answer 200 (redirects are not followed: a lost session
shows as a failure). Users pace themselves (``constant_throughput``), so the load
offered is users x rate requests per second whatever the latency, and a slow server
shows as fewer requests per second and longer response times, not as fewer users.

The measured window starts once every user has logged in (the logins hash a
password each and are reported on their own) and 5 s more: the statistics are
reset then, and the test stops ``BENCH_PORTAL_MEASURE`` seconds later. Each response time of the
window and of every login is written to ``BENCH_PORTAL_TIMINGS`` (JSON).

Environment (set by the bench): ``BENCH_PORTAL_CREDENTIALS`` (CSV login,password),
``BENCH_PORTAL_PATHS`` (JSON of the page paths), ``BENCH_PORTAL_RATE`` (requests/s
per user), ``BENCH_PORTAL_MEASURE`` (s), ``BENCH_PORTAL_FIRST_LOGIN`` (row of the
credentials the first user takes: each phase uses fresh logins),
``BENCH_PORTAL_TIMINGS`` (output file).
"""

import csv
import json
import os
import random
import re
import time

import gevent
from locust import FastHttpUser, constant_throughput, events, task

PATHS = json.loads(os.environ.get("BENCH_PORTAL_PATHS", "{}")) or {
    "login": "/portal/login/",
    "dashboard": "/portal/dashboard/",
    "invoices": "/portal/invoices/",
    "invoice_detail": "/portal/invoices/{pk}/",
    "services": None,
}
RATE = float(os.environ.get("BENCH_PORTAL_RATE", "2"))
MEASURE_S = float(os.environ.get("BENCH_PORTAL_MEASURE", "60"))
FIRST = int(os.environ.get("BENCH_PORTAL_FIRST_LOGIN", "0"))
SETTLE_S = 5
TIMINGS = os.environ.get("BENCH_PORTAL_TIMINGS", "var/bench-portal-timings.json")
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
INVOICE_LINK = re.compile(rb'href="' + PATHS["invoices"].encode() + rb'(\d+)/"')

with open(os.environ.get("BENCH_PORTAL_CREDENTIALS", "var/bench-portal-logins.csv")) as handle:
    CREDENTIALS = [(row["login"], row["password"]) for row in csv.DictReader(handle)]

state = {"logins": 0, "next": FIRST, "measuring": False, "started": None}
timings: dict[str, list[float]] = {}
login_times: list[float] = []
login_failures: list[str] = []


@events.request.add_listener
def _record(request_type, name, response_time, exception, **_kwargs):
    if state["measuring"] and exception is None:
        timings.setdefault(name, []).append(response_time)


@events.quitting.add_listener
def _write(environment, **_kwargs):
    with open(TIMINGS, "w") as handle:
        json.dump(
            {
                "pages": timings,
                "logins": login_times,
                "login_failures": login_failures,
                "measured_from": state["started"],
                "measured_until": time.time(),
                "users": environment.parsed_options.num_users,
                "rate_per_user": RATE,
            },
            handle,
        )


def _all_logged_in(environment) -> None:
    """Every user is in: after ``SETTLE_S`` more seconds (the servers' first requests
    and the last password hashes behind), the measured window starts; it ends by
    itself."""

    def measure():
        environment.runner.stats.reset_all()
        state["measuring"], state["started"] = True, time.time()
        gevent.spawn_later(MEASURE_S, environment.runner.quit)

    gevent.spawn_later(SETTLE_S, measure)


class Subscriber(FastHttpUser):
    """A subscriber with a portal login, browsing their own account."""

    wait_time = constant_throughput(RATE)

    def on_start(self):
        login, password = CREDENTIALS[state["next"] % len(CREDENTIALS)]
        state["next"] += 1
        self.invoice_ids: list[str] = []
        self.pages = ["dashboard", "invoices", "invoice_detail"]
        if PATHS.get("services"):
            self.pages.append("services")
        self.step = random.randrange(len(self.pages))
        started = time.perf_counter()
        try:
            self._login(login, password)
        finally:
            login_times.append((time.perf_counter() - started) * 1000)
            state["logins"] += 1
            if state["logins"] == self.environment.parsed_options.num_users:
                _all_logged_in(self.environment)

    def _login(self, login: str, password: str) -> None:
        form = self.client.get(PATHS["login"], name="login form")
        token = CSRF.search(form.content or b"")
        if form.status_code != 200 or token is None:
            login_failures.append(f"{login}: login form {form.status_code}")
            return
        with self.client.post(
            PATHS["login"],
            data={"username": login, "password": password, "csrfmiddlewaretoken": token.group(1)},
            headers={"Referer": self.host + PATHS["login"]},
            allow_redirects=False,
            catch_response=True,
            name="login",
        ) as response:
            if response.status_code != 302 or "dashboard" not in response.headers.get(
                "Location", ""
            ):
                login_failures.append(f"{login}: {response.status_code}")
                response.failure(f"login refused: {response.status_code}")

    def _get(self, path: str, name: str):
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code} {r.headers.get('Location', '')}")
            return r

    @task
    def browse(self):
        page = self.pages[self.step % len(self.pages)]
        self.step += 1
        if page == "invoice_detail":
            if not self.invoice_ids:
                page = "invoices"
            else:
                pk = random.choice(self.invoice_ids)
                self._get(PATHS["invoice_detail"].format(pk=pk), "invoice detail")
                return
        response = self._get(PATHS[page], page)
        if page == "invoices" and response.status_code == 200:
            self.invoice_ids = [m.decode() for m in INVOICE_LINK.findall(response.content)]
