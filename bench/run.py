"""Benchmarks of the foundation: page latency and outbox throughput.

Run with ``make bench``. Uses its own database (``alux_bench``) so the demo data
and the tests are untouched. Prints one line per figure.
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alux_crm.settings.base")
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/alux_bench"
)
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")

PARTNERS = int(os.environ.get("BENCH_PARTNERS", "5000"))
MESSAGES = int(os.environ.get("BENCH_MESSAGES", "2000"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "200"))


def setup_database() -> None:
    import subprocess

    env = {**os.environ}
    subprocess.run([sys.executable, "scripts/ensure_database.py"], cwd=ROOT, env=env, check=True)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))
    return ordered[index]


def bench_pages() -> None:
    from django.contrib.auth.models import Group
    from django.test import Client

    from alux_crm.core.models import Partner, User

    existing = Partner.objects.filter(code__startswith="B-").count()
    Partner.objects.bulk_create(
        [
            Partner(code=f"B-{i:06d}", name=f"Bench Partner {i}", kind="retailer")
            for i in range(existing, PARTNERS)
        ],
        batch_size=1000,
    )
    user, created = User.objects.get_or_create(username="bench-sales")
    if created:
        user.groups.add(Group.objects.get(name="Sales"))
    client = Client(HTTP_HOST="localhost")
    client.force_login(user, backend="alux_crm.core.auth_backends.UserBackend")
    target = Partner.objects.filter(code__startswith="B-").order_by("pk").last()
    urls = {
        "partner list (sorted, filtered)": "/partners/?kind=retailer&sort=-name&q=Bench",
        "partner detail": f"/partners/{target.pk}/",
    }
    for label, url in urls.items():
        client.get(url)  # warm up
        timings = []
        for _ in range(REQUESTS):
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
        print(
            f"{label}: {PARTNERS} partners, {REQUESTS} requests: "
            f"p50 {statistics.median(timings):.1f} ms, p95 {percentile(timings, 95):.1f} ms"
        )


def bench_outbox() -> None:
    from django.db import transaction

    from alux_crm.core.models import OutboxMessage
    from alux_crm.core.outbox import outbox_deliver

    OutboxMessage.objects.filter(topic="bench.activate").delete()
    started = time.perf_counter()
    with transaction.atomic():
        OutboxMessage.objects.bulk_create(
            [
                OutboxMessage(
                    topic="bench.activate", payload={"n": i}, idempotency_key=f"bench-{i}"
                )
                for i in range(MESSAGES)
            ],
            batch_size=1000,
        )
    written = time.perf_counter() - started
    ids = list(OutboxMessage.objects.filter(topic="bench.activate").values_list("pk", flat=True))
    started = time.perf_counter()
    for message_id in ids:
        outbox_deliver(message_id=message_id)
    delivered = time.perf_counter() - started
    sent = OutboxMessage.objects.filter(topic="bench.activate", status="sent").count()
    assert sent == MESSAGES, sent
    print(
        f"outbox: {MESSAGES} messages written in {written:.2f} s; "
        f"delivered one by one (row lock + adapter + update) at {MESSAGES / delivered:.0f}/s"
    )


def main() -> None:
    print(f"machine: {os.cpu_count()} CPUs; Python {sys.version.split()[0]}")
    setup_database()
    bench_pages()
    bench_outbox()


if __name__ == "__main__":
    main()
