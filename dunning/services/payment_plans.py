"""Payment plans (BIL-6 holds): instalments agreed by an agent for what an account
owes. Dunning holds the account while the plan is active. Payments received after
the plan was made cover its instalments in order; the evaluation marks an instalment
paid when covered, missed when still not covered ``DUNNING_INSTALMENT_GRACE_DAYS``
after its day (the plan is then broken and dunning resumes), and the plan completed
when every instalment is paid."""

from datetime import date
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from alux_crm.core.errors import DomainError
from alux_crm.core.money import CENT, ZERO, round_money
from billing.choices import PaymentStatus
from billing.models import Payment
from customers.models import BillingAccount

from ..choices import InstalmentStatus, PaymentPlanStatus
from ..models import Instalment, PaymentPlan

MAX_INSTALMENTS = 36


def instalment_grace_days() -> int:
    """Days after an instalment's day before it counts as missed."""
    return int(getattr(settings, "DUNNING_INSTALMENT_GRACE_DAYS", 3))


def split_evenly(*, total: Decimal, count: int, first_due_on: date) -> list[tuple[date, Decimal]]:
    """``count`` monthly instalments from ``first_due_on`` of ``total`` split evenly,
    the cent remainder on the last one."""
    if count < 1 or count > MAX_INSTALMENTS:
        raise ValidationError(
            {"count": _("From 1 to %(max)s instalments.") % {"max": MAX_INSTALMENTS}}
        )
    total = round_money(total)
    share = (total / count).quantize(CENT, rounding="ROUND_DOWN")
    if share <= 0:
        raise ValidationError({"count": _("Too many instalments for this amount.")})
    amounts = [share] * (count - 1) + [total - share * (count - 1)]
    return [(first_due_on + relativedelta(months=n), amounts[n]) for n in range(count)]


def received_total(*, account_id: int) -> Decimal:
    """All payments (not reversed) ever received on the account."""
    total = Payment.objects.filter(
        billing_account_id=account_id, status=PaymentStatus.RECEIVED
    ).aggregate(total=Sum("amount"))["total"]
    return total or ZERO


def covered_amount(*, plan: PaymentPlan) -> Decimal:
    """What payments received after the plan was made have paid towards it."""
    return max(received_total(account_id=plan.billing_account_id) - plan.paid_before, ZERO)


def _check_rows(rows, today: date) -> list[tuple[date, Decimal]]:
    clean, previous = [], None
    for due_on, amount in rows:
        amount = round_money(amount) if amount is not None else None
        if due_on is None or amount is None or amount <= 0:
            raise ValidationError({"instalments": _("Each instalment has a day and an amount.")})
        if due_on < today:
            raise ValidationError({"instalments": _("Instalments fall due today or later.")})
        if previous is not None and due_on <= previous:
            raise ValidationError({"instalments": _("Instalments follow each other in time.")})
        previous = due_on
        clean.append((due_on, amount))
    if not clean or len(clean) > MAX_INSTALMENTS:
        raise ValidationError(
            {"instalments": _("From 1 to %(max)s instalments.") % {"max": MAX_INSTALMENTS}}
        )
    return clean


@transaction.atomic
def payment_plan_create(
    *,
    account: BillingAccount,
    instalments: list[tuple[date, Decimal]] | None = None,
    total: Decimal | None = None,
    count: int | None = None,
    first_due_on: date | None = None,
    note: str = "",
    actor=None,
    today: date | None = None,
) -> PaymentPlan:
    """Agree a plan for ``account``: explicit ``instalments`` [(due_on, amount), …],
    or ``total`` split into ``count`` monthly instalments from ``first_due_on``. The
    total is at most what the account owes; an account has one active plan."""
    today = today or timezone.localdate()
    locked = BillingAccount.objects.select_for_update().get(pk=account.pk)
    if instalments is None:
        if total is None or count is None or first_due_on is None:
            raise ValidationError({"instalments": _("Give the instalments, or a total split.")})
        instalments = split_evenly(total=total, count=count, first_due_on=first_due_on)
    rows = _check_rows(instalments, today)
    plan_total = sum((amount for _day, amount in rows), ZERO)
    if locked.balance <= 0:
        raise ValidationError(
            {"instalments": _("Account %(number)s owes nothing.") % {"number": locked.number}}
        )
    if plan_total > locked.balance:
        raise ValidationError(
            {
                "instalments": _(
                    "The instalments add up to %(total)s, more than the %(balance)s %(currency)s"
                    " the account owes."
                )
                % {"total": plan_total, "balance": locked.balance, "currency": locked.currency}
            }
        )
    if PaymentPlan.objects.filter(billing_account=locked, status=PaymentPlanStatus.ACTIVE).exists():
        raise DomainError(
            _("Account %(number)s already has an active payment plan.") % {"number": locked.number},
            code="active_plan",
        )
    try:
        with transaction.atomic():
            plan = PaymentPlan.objects.create(
                billing_account=locked,
                total=plan_total,
                note=note,
                paid_before=received_total(account_id=locked.pk),
                created_by=actor,
            )
    except IntegrityError as exc:
        raise DomainError(
            _("Account %(number)s already has an active payment plan.") % {"number": locked.number},
            code="active_plan",
        ) from exc
    Instalment.objects.bulk_create(
        Instalment(plan=plan, number=n, due_on=day, amount=amount)
        for n, (day, amount) in enumerate(rows, start=1)
    )
    return plan


@transaction.atomic
def payment_plan_cancel(*, plan: PaymentPlan, actor=None, today: date | None = None):
    """End an active plan by agreement (the customer paid otherwise, or it was a
    mistake): dunning resumes for what is still owed."""
    locked = PaymentPlan.objects.select_for_update().get(pk=plan.pk)
    if locked.status != PaymentPlanStatus.ACTIVE:
        raise DomainError(
            _("This payment plan is %(status)s.") % {"status": locked.get_status_display().lower()},
            code="invalid_transition",
        )
    locked.status = PaymentPlanStatus.CANCELLED
    locked.ended_on = today or timezone.localdate()
    locked.save(update_fields=["status", "ended_on", "updated_at"])
    return locked


@transaction.atomic
def payment_plan_evaluate(*, plan: PaymentPlan, today: date) -> PaymentPlan:
    """Mark the instalments the payments cover paid (in order); an instalment past
    its day and the grace days and not covered is missed and breaks the plan; all
    paid completes it."""
    locked = PaymentPlan.objects.select_for_update().get(pk=plan.pk)
    if locked.status != PaymentPlanStatus.ACTIVE:
        return locked
    covered, running = covered_amount(plan=locked), ZERO
    grace = instalment_grace_days()
    instalments = list(locked.instalments.order_by("number"))
    for instalment in instalments:
        running += instalment.amount
        if instalment.status == InstalmentStatus.PAID:
            continue
        if covered >= running:
            instalment.status, instalment.paid_on = InstalmentStatus.PAID, today
            instalment.save(update_fields=["status", "paid_on"])
        elif (today - instalment.due_on).days > grace:
            instalment.status = InstalmentStatus.MISSED
            instalment.save(update_fields=["status"])
            locked.status, locked.ended_on = PaymentPlanStatus.BROKEN, today
            locked.save(update_fields=["status", "ended_on", "updated_at"])
            return locked
        else:
            break
    if all(i.status == InstalmentStatus.PAID for i in instalments):
        locked.status, locked.ended_on = PaymentPlanStatus.COMPLETED, today
        locked.save(update_fields=["status", "ended_on", "updated_at"])
    return locked


def payment_plans_evaluate(*, today: date | None = None) -> dict[str, int]:
    """Evaluate every active plan; returns how many completed and broke."""
    today = today or timezone.localdate()
    counts = {PaymentPlanStatus.COMPLETED.value: 0, PaymentPlanStatus.BROKEN.value: 0}
    for plan in PaymentPlan.objects.filter(status=PaymentPlanStatus.ACTIVE).order_by("pk"):
        status = payment_plan_evaluate(plan=plan, today=today).status
        if status in counts:
            counts[status] += 1
    return counts
