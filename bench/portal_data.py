"""The data of ``bench/portal_bench.py`` (``make bench-portal``): the million
customers of ``bench/billing.py`` with a billing history, and portal logins for a
sample of them. Imported after ``bench.billing`` has pointed Django at the
benchmark database; every step adds only what is missing, so a second run reuses
the data.

The history is real where it matters: the period before the billed one is billed
by a real billing run (the project's Celery workers, drafted, approved and posted
as in ``bench/billing.py``: numbers, ledger entries, balances). The older months
are copies of those posted invoices, in SQL, one month earlier each (series ``BH``,
their own numbers, lines with the dates moved, a ledger entry each), and most are
paid: a payment, its allocation and its ledger entry; the cached balances follow.
"""

import csv
import os
import random
import time
from datetime import date

from bench import billing as B

MONTHS = int(os.environ.get("BENCH_PORTAL_MONTHS", "6"))  # invoices per account
LOGINS = int(os.environ.get("BENCH_PORTAL_LOGINS", "20000"))
PASSWORD = os.environ.get("BENCH_PORTAL_PASSWORD", "bench-portal-Subscriber-2026")
HISTORY_SERIES = "BH"
PAID_PERCENT = 93  # of the copied (older) invoices; the rest stay open and overdue
PAID_LAST_PERCENT = 35  # of the last real invoices (due in 15 days)
HISTORY_TIMEOUT_S = int(os.environ.get("BENCH_PORTAL_HISTORY_TIMEOUT", "5400"))
CREDENTIALS = B.ROOT / "var" / "bench-portal-logins.csv"
say = B.say


def add_months(day: date, months: int) -> date:
    from subscriptions.bulk_data import add_months as shift

    return shift(day, months)


# --- the last period: a real billing run --------------------------------------------------------
def drop_run(run_id: int) -> int:
    """Remove a run that is not posted and its draft invoices (SQL: a run drafts
    hundreds of thousands); returns the drafts removed. The benchmark's own clean-up,
    so the database can be billed again and ``bench/billing.py`` finds no run."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT status FROM billing_billingrun WHERE id = %s FOR UPDATE", [run_id])
        row = cursor.fetchone()
        if row is None:
            return 0
        if row[0] in ("approved", "posting", "posted"):
            raise RuntimeError(f"run {run_id} is {row[0]}: not removed")
        cursor.execute(
            "DELETE FROM billing_invoiceline WHERE invoice_id IN"
            " (SELECT id FROM billing_invoice WHERE run_id = %s AND status = 'draft')",
            [run_id],
        )
        cursor.execute(
            "DELETE FROM billing_invoice WHERE run_id = %s AND status = 'draft'", [run_id]
        )
        drafts = cursor.rowcount
        cursor.execute("DELETE FROM billing_billingrunchunk WHERE run_id = %s", [run_id])
        cursor.execute("DELETE FROM billing_billingrunerror WHERE run_id = %s", [run_id])
        cursor.execute("DELETE FROM billing_billingrun WHERE id = %s", [run_id])
    return drafts


def ensure_last_period(period: date, finance) -> int:
    """The posted run of the period before ``period`` (cycle 1), billed now by the
    real workers if it is not there yet (an interrupted one is resumed); returns its
    id."""
    from billing.choices import RunStatus
    from billing.models import BillingRun
    from billing.services import (
        billing_run_approve,
        billing_run_create,
        billing_run_resume,
        billing_run_start,
    )
    from billing.services.runs import billing_run_post

    last = add_months(period, -1)
    run = BillingRun.objects.filter(bill_cycle_day=B.CYCLE_DAY, period_start=last).first()
    if run is not None and run.status == RunStatus.POSTED:
        return run.pk
    if run is not None and run.status in (RunStatus.APPROVED, RunStatus.POSTING):
        say(f"posting the interrupted run {run.pk} of {last} …")
        billing_run_post(run_id=run.pk)
        return run.pk
    if run is not None and run.status == RunStatus.DISCARDED:
        drop_run(run.pk)
        run = None
    from alux_crm.celery import app

    app.control.purge()
    B.render_backlog()
    processes = B.start_workers()
    try:
        if run is None:
            run = billing_run_create(bill_cycle_day=B.CYCLE_DAY, period_start=last, actor=finance)
        if run.status == RunStatus.SCHEDULED:
            billing_run_start(run=run, actor=finance)
        elif run.status == RunStatus.RUNNING:
            billing_run_resume(run=run, actor=finance)  # the chunks not done, again
        run.refresh_from_db()
        say(f"billing {last} for the history: run {run.pk}, {run.accounts_total} accounts")
        if not B.wait_for(run, {RunStatus.DRAFT_READY, RunStatus.FAILED}, HISTORY_TIMEOUT_S,
                          "history draft", processes, B.draft_progress):  # fmt: skip
            raise SystemExit("the history's billing run did not finish drafting (run again)")
        if run.status == RunStatus.FAILED:
            say(f"{run.accounts_failed} accounts failed; the others are posted")
            BillingRun.objects.filter(pk=run.pk).update(status=RunStatus.DRAFT_READY)
            run.refresh_from_db()
        billing_run_approve(run=run, actor=finance)
        if not B.wait_for(run, {RunStatus.POSTED}, HISTORY_TIMEOUT_S, "history posting",
                          processes, B.post_progress):  # fmt: skip
            raise SystemExit("the history's billing run did not finish posting (run again)")
        say(f"run {run.pk} posted: {run.invoices_posted} invoices")
    finally:
        B.stop_workers(processes)
        B.render_backlog()
    return run.pk


# --- the older months: copies of the last invoices ----------------------------------------------
def _triggers(*names: str) -> list[str]:
    """pgtrigger URIs: ``app.Model:trigger`` of the named triggers."""
    import pgtrigger

    uris = [trigger.get_uri(model) for model, trigger in pgtrigger.registered()]
    return [uri for uri in uris if uri in names]  # a history trigger may be gone


def _copy_month(run_id: int, earlier: int) -> int:
    """The posted invoices of ``run_id`` copied ``earlier`` months before (lines,
    ledger entries, balances), in one transaction; returns the invoices added."""
    import pgtrigger
    from django.db import connection, transaction

    shift = f"interval '{int(earlier)} months'"
    number = (
        f"'{HISTORY_SERIES}-' || extract(year FROM c.issued_on) || '-' || lpad(c.id::text, 9, '0')"
    )
    # Lines are inserted under posted invoices: the freeze trigger, which guards the
    # lines of invoices posted before, is the one thing switched off for the copy.
    # The cached balances are raised without a history row each (as bench/billing.py
    # empties them).
    frozen = _triggers(
        "billing.InvoiceLine:invoiceline_posted_frozen", "customers.BillingAccount:update_update"
    )
    with transaction.atomic(), pgtrigger.ignore(*frozen), connection.cursor() as cur:
        cur.execute("SELECT 1")  # pgtrigger.ignore sets its variable on the first statement
        cur.execute(
            f"""
            CREATE TEMP TABLE bench_copy ON COMMIT DROP AS
            SELECT i.id AS source, nextval('billing_invoice_id_seq') AS id,
                   i.billing_account_id, i.currency, i.net, i.tax, i.total,
                   (i.period_start - {shift})::date AS period_start,
                   (i.period_end - {shift})::date AS period_end,
                   (i.issued_on - {shift})::date AS issued_on
            FROM billing_invoice i WHERE i.run_id = %s AND i.status = 'posted'
            """,  # noqa: S608 - the shift is an int
            [run_id],
        )
        cur.execute(
            f"""
            INSERT INTO billing_invoice (id, created_at, updated_at, kind, status, series,
                number, period_start, period_end, issued_on, due_on, currency, net, tax,
                total, previous_total, is_first, disputed, pdf, emailed_at,
                billing_account_id, run_id, dispute_reason)
            SELECT c.id, now(), now(), 'cycle', 'posted', '{HISTORY_SERIES}',
                {number},
                c.period_start, c.period_end, c.issued_on, c.issued_on + 15, c.currency,
                c.net, c.tax, c.total, c.total, false, false, '', NULL,
                c.billing_account_id, NULL, ''
            FROM bench_copy c
            """  # noqa: S608 - the shift is an int, the series a constant
        )
        added = cur.rowcount
        cur.execute(
            f"""
            INSERT INTO billing_invoiceline (kind, description, starts_on, ends_on, days,
                period_days, monthly_net, net, tax_rate, tax, total, explanation, discounts,
                invoice_id, product_id, source_account_id, subscription_id)
            SELECT l.kind, l.description, (l.starts_on - {shift})::date,
                (l.ends_on - {shift})::date, l.days, l.period_days, l.monthly_net, l.net,
                l.tax_rate, l.tax, l.total, l.explanation, l.discounts, c.id, l.product_id,
                l.source_account_id, l.subscription_id
            FROM billing_invoiceline l JOIN bench_copy c ON c.source = l.invoice_id
            """  # noqa: S608
        )
        cur.execute(
            f"""
            INSERT INTO billing_ledgerentry (kind, amount, currency, booked_on,
                idempotency_key, description, created_at, billing_account_id, invoice_id)
            SELECT 'invoice', c.total, c.currency, c.issued_on, 'invoice-' || c.id, {number},
                now(), c.billing_account_id, c.id
            FROM bench_copy c
            """  # noqa: S608 - constants of this module only
        )
        cur.execute(
            "UPDATE customers_billingaccount a SET balance = a.balance + d.owed"
            " FROM (SELECT billing_account_id, sum(total) AS owed FROM bench_copy"
            " GROUP BY 1) d WHERE a.id = d.billing_account_id"
        )
    return added


def _pay(invoice_filter: str, params: list, percent: int, label: str) -> int:
    """Pay in full ``percent`` % of the open posted invoices matched by
    ``invoice_filter`` (chosen by id): a payment each (direct debit, transfer or card,
    2 to 14 days after issue), its allocation and ledger entry; balances follow."""
    import pgtrigger
    from django.db import connection, transaction

    history = _triggers("billing.Payment:insert_insert", "customers.BillingAccount:update_update")
    started = time.perf_counter()
    with transaction.atomic(), pgtrigger.ignore(*history), connection.cursor() as cur:
        cur.execute("SELECT 1")
        cur.execute(
            f"""
            CREATE TEMP TABLE bench_paid ON COMMIT DROP AS
            SELECT nextval('billing_payment_id_seq') AS id, i.id AS invoice_id,
                   i.billing_account_id, i.total, i.currency,
                   LEAST(i.issued_on + 2 + (i.id %% 13)::int, CURRENT_DATE) AS received_on,
                   (ARRAY['direct_debit', 'transfer', 'card', 'direct_debit'])[(1 + i.id %% 4)::int]
                       AS method
            FROM billing_invoice i
            WHERE {invoice_filter} AND i.status = 'posted' AND i.total > 0
              AND (i.id * 7919) %% 100 < %s
              AND NOT EXISTS (SELECT 1 FROM billing_paymentallocation a
                              WHERE a.invoice_id = i.id)
            """,  # noqa: S608 - the filter is the benchmark's own constant text
            [*params, percent],
        )
        cur.execute(
            """
            INSERT INTO billing_payment (id, created_at, updated_at, amount, currency, method,
                received_on, reference, idempotency_key, request_fingerprint, status,
                reversed_reason, billing_account_id, recorded_by_id, held_as_deposit)
            SELECT p.id, now(), now(), p.total, p.currency, p.method, p.received_on, '',
                'bench-portal-invoice-' || p.invoice_id, '', 'received', '',
                p.billing_account_id, NULL, false
            FROM bench_paid p
            """
        )
        paid = cur.rowcount
        cur.execute(
            "INSERT INTO billing_paymentallocation (amount, is_reversed, invoice_id, payment_id)"
            " SELECT p.total, false, p.invoice_id, p.id FROM bench_paid p"
        )
        cur.execute(
            """
            INSERT INTO billing_ledgerentry (kind, amount, currency, booked_on,
                idempotency_key, description, created_at, billing_account_id, payment_id)
            SELECT 'payment', -p.total, p.currency, p.received_on, 'payment-' || p.id, '',
                now(), p.billing_account_id, p.id
            FROM bench_paid p
            """
        )
        cur.execute(
            "UPDATE customers_billingaccount a SET balance = a.balance - d.paid"
            " FROM (SELECT billing_account_id, sum(total) AS paid FROM bench_paid"
            " GROUP BY 1) d WHERE a.id = d.billing_account_id"
        )
    say(f"{label}: {paid} invoices paid in {time.perf_counter() - started:.0f} s")
    return paid


def ensure_history(period: date, run_id: int) -> None:
    """``MONTHS`` invoices per billed account: the real last one and copies before it,
    most of them paid."""
    from django.db import connection

    from billing.models import Invoice, PaymentAllocation

    for back in range(2, MONTHS + 1):
        start = add_months(period, -back)
        if Invoice.objects.filter(series=HISTORY_SERIES, period_start=start).exists():
            continue
        started = time.perf_counter()
        added = _copy_month(run_id, back - 1)
        say(f"history {start}: {added} invoices copied in {time.perf_counter() - started:.0f} s")
        _pay("i.series = %s AND i.period_start = %s", [HISTORY_SERIES, start], PAID_PERCENT,
             f"history {start}")  # fmt: skip
    if not PaymentAllocation.objects.filter(invoice__run_id=run_id).exists():
        _pay("i.run_id = %s", [run_id], PAID_LAST_PERCENT, "last period, paid early")
    with connection.cursor() as cursor:
        cursor.execute(
            "ANALYZE billing_invoice; ANALYZE billing_invoiceline; ANALYZE billing_payment;"
            " ANALYZE billing_paymentallocation; ANALYZE billing_ledgerentry"
        )


# --- portal logins ------------------------------------------------------------------------------
def ensure_logins(run_id: int) -> list[tuple[str, str]]:
    """``LOGINS`` active portal logins (Subscriber role, one password hash computed
    once) of random customers billed by ``run_id``, loaded by COPY; their
    credentials in ``var/bench-portal-logins.csv``. Returns (login, password)."""
    import pgtrigger
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.db import connection, transaction

    from alux_crm.core import roles
    from portal.models import PortalAccount

    def existing() -> list[tuple[str, int]]:
        return list(
            PortalAccount.objects.filter(user__username__startswith="bench-portal-")
            .order_by("customer_id")
            .values_list("customer__number", "customer_id")
        )

    have = existing()
    if len(have) < LOGINS:
        say(f"making {LOGINS - len(have)} portal logins …")
        with connection.cursor() as cur:
            cur.execute(
                "SELECT DISTINCT a.customer_id FROM billing_invoice i"
                " JOIN customers_billingaccount a ON a.id = i.billing_account_id"
                " JOIN customers_customer c ON c.id = a.customer_id"
                " WHERE i.run_id = %s AND c.status = 'active' AND NOT EXISTS"
                " (SELECT 1 FROM portal_portalaccount p WHERE p.customer_id = a.customer_id)",
                [run_id],
            )
            candidates = sorted(row[0] for row in cur.fetchall())
        chosen = random.Random(B.SEED).sample(candidates, min(LOGINS - len(have), len(candidates)))
        hashed = make_password(PASSWORD)
        group = Group.objects.get_or_create(name=roles.SUBSCRIBER)[0]
        history = _triggers("core.User:insert_insert")
        with transaction.atomic(), pgtrigger.ignore(*history), connection.cursor() as cur:
            cur.execute("SELECT 1")
            cur.execute(
                """
                CREATE TEMP TABLE bench_logins ON COMMIT DROP AS
                SELECT nextval('core_user_id_seq') AS user_id, c.id AS customer_id,
                       c.number, c.email
                FROM customers_customer c WHERE c.id = ANY(%s)
                """,
                [chosen],
            )
            cur.execute(
                """
                INSERT INTO core_user (id, password, last_login, is_superuser, username,
                    first_name, last_name, is_staff, is_active, date_joined, email, phone,
                    language, org_unit_id, partner_id)
                SELECT l.user_id, %s, NULL, false, 'bench-portal-' || l.number, '', '', false,
                    true, now(), l.email, '', 'en', NULL, NULL
                FROM bench_logins l
                """,
                [hashed],
            )
            cur.execute(
                "INSERT INTO core_user_groups (user_id, group_id)"
                " SELECT user_id, %s FROM bench_logins",
                [group.pk],
            )
            cur.execute(
                """
                INSERT INTO portal_portalaccount (created_at, updated_at, invited_at,
                    activated_at, customer_id, invited_by_id, user_id, disabled_at,
                    disabled_by_id)
                SELECT now(), now(), now() - interval '30 days', now() - interval '29 days',
                    l.customer_id, NULL, l.user_id, NULL, NULL
                FROM bench_logins l
                """
            )
            cur.execute("ANALYZE core_user; ANALYZE portal_portalaccount")
        have = existing()
    CREDENTIALS.parent.mkdir(exist_ok=True)
    with CREDENTIALS.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["login", "password", "customer_id"])
        for number, customer_id in have:
            writer.writerow([number, PASSWORD, customer_id])
    say(f"{len(have)} portal logins; credentials in {CREDENTIALS.relative_to(B.ROOT)}")
    return [(number, PASSWORD) for number, _c in have]


def next_period(period: date) -> date:
    """The first period of cycle 1 from ``period`` on that has no run yet (the run
    measured under load bills it)."""
    from billing.models import BillingRun

    start = period
    while BillingRun.objects.filter(bill_cycle_day=B.CYCLE_DAY, period_start=start).exists():
        start = add_months(start, 1)
    return start


def data_summary() -> dict:
    """Row counts of what the portal pages read (estimates from the statistics)."""
    from django.db import connection

    tables = ["customers_customer", "customers_billingaccount", "subscriptions_subscription",
              "billing_invoice", "billing_invoiceline", "billing_payment",
              "billing_ledgerentry", "portal_portalaccount"]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples::bigint FROM pg_class WHERE relname = ANY(%s)", [tables]
        )
        return dict(cursor.fetchall())
