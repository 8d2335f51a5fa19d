"""The data of ``bench/collections.py`` (``make bench-collections``): a million billing
accounts, the overdue ones with their posted invoices, ledger entries and balances,
and the reset of what an earlier benchmark wrote. Imported by the benchmark after it
has pointed Django at its own database."""

import os
import random
import time
from datetime import timedelta
from decimal import Decimal

ACCOUNTS = int(os.environ.get("BENCH_ACCOUNTS", "1000000"))
OVERDUE = int(os.environ.get("BENCH_OVERDUE", "50000"))
SEED = int(os.environ.get("BENCH_SEED", "2026"))
MAX_DAYS = 120


def say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


def users():
    """The Back Office user who runs the disconnection, and the Marketing approver the
    demo catalogue needs."""
    from django.contrib.auth.models import Group

    from alux_crm.core import roles
    from alux_crm.core.models import User
    from products.demo import APPROVER

    for username, role in (("bench-backoffice", roles.BACK_OFFICE), (APPROVER, roles.MARKETING)):
        user, created = User.objects.get_or_create(username=username)
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
            user.groups.add(Group.objects.get(name=role))
    return User.objects.get(username="bench-backoffice")


def ensure_accounts() -> None:
    from django.core.management import call_command

    from customers.models import Customer
    from products.demo import seed_catalogue
    from subscriptions.models import Subscription

    seed_catalogue()
    missing = ACCOUNTS - Customer.objects.count()
    if missing > 0:
        say(f"generating {missing} customers with their billing accounts …")
        call_command("generate_data", customers=missing, seed=SEED, verbosity=1)
    wanted = int(OVERDUE * 1.5)
    if Subscription.objects.count() < wanted:
        say(f"generating subscriptions up to {wanted} …")
        call_command("generate_data", subscriptions=wanted, seed=SEED, verbosity=1)


def _copy(cursor, model, given: tuple[str, ...], rows) -> None:
    """COPY ``rows`` of the ``given`` columns into ``model``'s table; every other column
    but the id (from its sequence) gets its model default."""
    from subscriptions.bulk_data import _text

    rest, tail = [], ""
    for field in model._meta.concrete_fields:
        if field.primary_key or field.column in given or field.generated:
            continue
        value = field.get_default()
        if value is None and not field.null:
            raise ValueError(f"{model.__name__}.{field.name} needs a value")
        rest.append(field.column)
        tail += "\t" + _text(value)
    columns = ", ".join((*given, *rest))
    with cursor.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write("\t".join(str(v) for v in row) + tail + "\n")


def ensure_overdue(today) -> None:
    """``OVERDUE`` accounts with an active subscription owe one posted invoice each."""
    from django.db import connection, transaction
    from django.utils import timezone

    from billing.models import Invoice, LedgerEntry

    have = Invoice.objects.filter(series="BENCH").count()
    if have >= OVERDUE:
        return
    say(f"making {OVERDUE - have} accounts overdue (posted invoices, ledger, balances) …")
    rng = random.Random(SEED)
    now = timezone.now().isoformat()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT DISTINCT s.billing_account_id FROM subscriptions_subscription s
            WHERE s.status = 'active' AND NOT EXISTS (
                SELECT 1 FROM billing_invoice i WHERE i.billing_account_id = s.billing_account_id
                AND i.series = 'BENCH')
            ORDER BY 1 LIMIT %s
            """,
            [OVERDUE - have],
        )
        ids = [row[0] for row in cursor.fetchall()]
        invoices = []
        for pk in ids:
            due = today - timedelta(days=rng.randint(1, MAX_DAYS))
            total = Decimal(rng.randint(1000, 20000)) / 100
            start = (due - timedelta(days=45)).replace(day=1)
            invoices.append(
                (now, now, pk, "one_off", "posted", "BENCH", f"BENCH-{pk}", start,
                 (start + timedelta(days=32)).replace(day=1), due - timedelta(days=15), due,
                 "EUR", total, "0.00", total)
            )  # fmt: skip
        _copy(
            cursor, Invoice,
            ("created_at", "updated_at", "billing_account_id", "kind", "status", "series",
             "number", "period_start", "period_end", "issued_on", "due_on", "currency",
             "net", "tax", "total"),
            invoices,
        )  # fmt: skip
        cursor.execute(
            "SELECT id, billing_account_id, total, issued_on FROM billing_invoice"
            " WHERE series = 'BENCH' AND billing_account_id = ANY(%s)",
            [ids],
        )
        posted = cursor.fetchall()
        _copy(
            cursor, LedgerEntry,
            ("billing_account_id", "kind", "amount", "currency", "booked_on", "idempotency_key",
             "invoice_id", "created_at"),
            [(acc, "invoice", total, "EUR", issued, f"bench-invoice-{pk}", pk, now)
             for pk, acc, total, issued in posted],
        )  # fmt: skip
        cursor.execute(
            """
            UPDATE customers_billingaccount account SET balance = account.balance + i.total
            FROM billing_invoice i WHERE i.billing_account_id = account.id
            AND i.series = 'BENCH' AND i.billing_account_id = ANY(%s)
            """,
            [ids],
        )
        cursor.execute("ANALYZE billing_invoice; ANALYZE billing_ledgerentry")
    say(f"{len(ids)} accounts made overdue")


def reset_collections() -> None:
    """Empty what an earlier benchmark wrote and give back the services it cut; the
    default plan: an e-mail a day after the due date, an SMS after five."""
    from django.db import connection, transaction

    from dunning.models import DunningPlan
    from dunning.services.engine_plans import plan_save, step_save

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE dunning_dunningactionrecord, dunning_dunningprocess, dunning_dunningrun,"
            " dunning_servicerunitem, dunning_savedeskentry, dunning_servicerun,"
            " subscriptions_subscriptionevent, core_outboxmessage CASCADE"
        )
        cursor.execute(
            "UPDATE subscriptions_subscription SET status = 'active'"
            " WHERE status IN ('disconnected', 'suspended')"
        )
    if not DunningPlan.objects.filter(code="bench").exists():
        DunningPlan.objects.filter(is_default=True).update(is_default=False)
        plan = plan_save(code="bench", name="Bench", segments=[], is_default=True)
        body = (
            "{{ customer.display_name }} owes {{ amount }} {{ currency }} on {{ account.number }}."
        )
        step_save(plan=plan, days_after_due=1, action="email", name="E-mail", subject="Overdue",
                  body=body)  # fmt: skip
        step_save(plan=plan, days_after_due=5, action="sms", name="SMS", subject="", body=body)
