"""Demo dunning (engine): four plans (Residential — the default —, Corporate, Major
account, High value) with realistic steps and Romanian texts, then the daily run on
a few simulated days after the oldest unpaid due date of the demo's invoices, so the
customer-360 Collections tab shows timelines (e-mail, SMS, letter, late fee).
Idempotent: plans are made once (by code), the runs only when none exist."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from .models import DunningPlan, DunningRun
from .selectors import overdue_accounts
from .services import engine
from .services.engine_plans import plan_save, step_save

D = Decimal
SIMULATED_DAYS = (3, 7, 14, 21)  # after the oldest unpaid due date

SUBJECT = "Factură restantă pe contul {{ account.number }}: {{ amount }} {{ currency }}"
EMAIL = (
    "Stimate client {{ customer.display_name }},\n\n"
    "vă reamintim că pe contul {{ account.number }} aveți de plată {{ amount }} "
    "{{ currency }}, scadent din {{ oldest_due_on|date:'d.m.Y' }} ({{ days_overdue }} zile, "
    "{{ invoices }} factur{{ invoices|pluralize:'ă,i' }}).\n"
    "Dacă ați plătit deja, vă rugăm să ignorați acest mesaj.\n\n"
    "Cu stimă,\nEchipa {{ operator }}"
)
SMS = (
    "{{ operator }}: aveti de plata {{ amount }} {{ currency }} pe contul {{ account.number }} "
    "din {{ oldest_due_on|date:'d.m.Y' }}. Platiti online sau in magazine. Multumim!"
)
LETTER = (
    "Stimate client {{ customer.display_name }},\n\n"
    "până astăzi nu am primit plata sumei de {{ amount }} {{ currency }} pentru contul "
    "{{ account.number }}, scadentă din {{ oldest_due_on|date:'d.m.Y' }}.\n"
    "Vă rugăm să achitați suma în cel mult 7 zile. În caz contrar serviciile vor fi "
    "suspendate, iar ulterior debitul poate fi transmis unei agenții de recuperare.\n\n"
    "Cu stimă,\n{{ operator }} — Departamentul Încasări"
)
FINAL = (
    "Stimate client {{ customer.display_name }},\n\n"
    "contul {{ account.number }} are o restanță de {{ amount }} {{ currency }} de "
    "{{ days_overdue }} zile. Managerul dumneavoastră de cont vă va contacta pentru "
    "a stabili un plan de plată.\n\nCu stimă,\n{{ operator }}"
)

# (code, name, segments, default, grace days, minimum, reconnection fee, steps)
# step: (days after due, action, name, subject, body, fee)
PLANS = [
    (
        "residential", "Rezidențial", ["mass", "soho"], True, 0, D("5.00"), D("10.00"),
        [
            (3, "email", "Reamintire prin e-mail", SUBJECT, EMAIL, 0),
            (7, "sms", "Reamintire prin SMS", "", SMS, 0),
            (14, "letter", "Scrisoare de somație", "Somație de plată", LETTER, 0),
            (21, "late_fee", "Penalitate de întârziere", "", "", D("5.00")),
            (30, "suspend", "Suspendare servicii", "", "", 0),
            (45, "disconnect", "Deconectare", "", "", 0),
            (90, "agency", "Predare la agenția de recuperare", "", "", 0),
        ],
    ),
    (
        "corporate", "Corporate", ["corporate", "sme"], False, 5, D("20.00"), D("25.00"),
        [
            (5, "email", "Reamintire prin e-mail", SUBJECT, EMAIL, 0),
            (15, "letter", "Scrisoare de somație", "Somație de plată", LETTER, 0),
            (20, "sms", "Reamintire prin SMS", "", SMS, 0),
            (30, "late_fee", "Penalitate de întârziere", "", "", D("25.00")),
            (45, "suspend", "Suspendare servicii", "", "", 0),
            (60, "disconnect", "Deconectare", "", "", 0),
            (120, "agency", "Predare la agenția de recuperare", "", "", 0),
        ],
    ),
    (
        "major", "Cont major", ["major"], False, 10, D("100.00"), D("0.00"),
        [
            (7, "email", "Reamintire prin e-mail", SUBJECT, EMAIL, 0),
            (21, "letter", "Scrisoare de somație", "Somație de plată", LETTER, 0),
            (35, "email", "Contact manager de cont", SUBJECT, FINAL, 0),
            (60, "suspend", "Suspendare servicii (aprobată)", "", "", 0),
            (150, "agency", "Predare la agenția de recuperare", "", "", 0),
        ],
    ),
    (
        "high-value", "Valoare mare", ["high_value"], False, 3, D("10.00"), D("10.00"),
        [
            (5, "email", "Reamintire prin e-mail", SUBJECT, EMAIL, 0),
            (10, "sms", "Reamintire prin SMS", "", SMS, 0),
            (20, "letter", "Scrisoare de somație", "Somație de plată", LETTER, 0),
            (40, "suspend", "Suspendare servicii", "", "", 0),
            (60, "disconnect", "Deconectare", "", "", 0),
            (100, "agency", "Predare la agenția de recuperare", "", "", 0),
        ],
    ),
]  # fmt: skip


def seed_plans() -> int:
    """The four plans and their steps (made once, by code). Returns the plans made."""
    made = 0
    for code, name, segments, default, grace, minimum, reconnection, steps in PLANS:
        if DunningPlan.objects.filter(code=code).exists():
            continue
        plan = plan_save(
            code=code,
            name=name,
            segments=segments,
            is_default=default,
            grace_days=grace,
            min_overdue_amount=minimum,
            reconnection_fee=reconnection,
        )
        for days, action, step_name, subject, body, fee in steps:
            step_save(
                plan=plan,
                days_after_due=days,
                action=action,
                name=step_name,
                subject=subject,
                body=body,
                fee_amount=D(fee),
            )
        made += 1
    return made


def seed_engine(*, stdout=None) -> None:
    """Plans, then the daily run on a few simulated days (once: when no run exists)."""
    plans = seed_plans()
    if DunningRun.objects.exists():
        return
    horizon = timezone.localdate() + timedelta(days=60)
    owing = overdue_accounts(today=horizon)
    if not owing:
        return
    first_due = min(o.oldest_due_on for o in owing.values())
    steps = 0
    for offset in SIMULATED_DAYS:
        run = engine.dunning_run_inline(today=first_due + timedelta(days=offset))
        steps += run.actions_done
    if stdout is not None:
        stdout.write(f"  dunning: {plans} plans, {steps} steps on {len(SIMULATED_DAYS)} days")
