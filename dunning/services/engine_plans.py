"""Writes of the dunning plans and their steps (Back Office), and of the collection
settings of a billing account (its own plan, "never disconnect")."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from alux_crm.core.errors import DomainError

from ..choices import DunningAction
from ..models import AccountCollectionSettings, DunningActionRecord, DunningPlan, DunningStep
from .engine_messages import validate_templates

PLAN_FIELDS = ("code", "name", "segments", "is_default", "grace_days", "min_overdue_amount",
               "reconnection_fee", "is_active")  # fmt: skip
STEP_FIELDS = ("days_after_due", "action", "name", "subject", "body", "fee_amount")
MESSAGE_ACTIONS = {DunningAction.EMAIL, DunningAction.SMS, DunningAction.LETTER}


@transaction.atomic
def plan_save(*, plan: DunningPlan | None = None, actor=None, **fields) -> DunningPlan:
    """Create or change a plan. Making it the default takes the flag from the plan
    that had it (there is one default plan)."""
    plan = plan or DunningPlan()
    for name in PLAN_FIELDS:
        if name in fields:
            setattr(plan, name, fields[name])
    plan.segments = sorted(set(plan.segments or []))
    if plan.min_overdue_amount is not None and plan.min_overdue_amount < 0:
        raise ValidationError({"min_overdue_amount": _("The minimum is zero or more.")})
    if plan.is_default:
        DunningPlan.objects.filter(is_default=True).exclude(pk=plan.pk).update(is_default=False)
    plan.full_clean()
    plan.save()
    return plan


def _check_step(*, plan: DunningPlan, step: DunningStep) -> None:
    errors = {}
    if step.action == DunningAction.LATE_FEE and (step.fee_amount or 0) <= 0:
        errors["fee_amount"] = _("A late-fee step needs a fee.")
    if step.action in (DunningAction.EMAIL, DunningAction.LETTER) and not step.subject.strip():
        errors["subject"] = _("An e-mail or a letter needs a subject.")
    if step.action in MESSAGE_ACTIONS and not step.body.strip():
        errors["body"] = _("Write the message.")
    if (step.fee_amount or 0) < 0:
        errors["fee_amount"] = _("The fee is zero or more.")
    if errors:
        raise ValidationError(errors)
    validate_templates(subject=step.subject, body=step.body)


@transaction.atomic
def step_save(
    *, plan: DunningPlan, step: DunningStep | None = None, actor=None, **fields
) -> DunningStep:
    """Add a step at the end of the plan, or change one. Its subject and message must
    be valid templates (a syntax error is a form error)."""
    DunningPlan.objects.select_for_update().get(pk=plan.pk)
    step = step or DunningStep(plan=plan)
    for name in STEP_FIELDS:
        if name in fields:
            setattr(step, name, fields[name])
    step.fee_amount = step.fee_amount or Decimal("0")
    _check_step(plan=plan, step=step)
    if step.pk is None:
        last = plan.steps.aggregate(last=Max("position"))["last"] or 0
        step.position = last + 1
    step.save()
    return step


@transaction.atomic
def step_delete(*, step: DunningStep, actor=None) -> None:
    """Remove a step nobody has got yet (a step done on an account stays, for the
    timeline); the steps after it move up."""
    DunningPlan.objects.select_for_update().get(pk=step.plan_id)
    if DunningActionRecord.objects.filter(step=step).exists():
        raise DomainError(_("Accounts have had this step: it cannot be deleted."))
    plan_id, position = step.plan_id, step.position
    step.delete()
    for later in DunningStep.objects.filter(plan_id=plan_id, position__gt=position).order_by(
        "position"
    ):
        later.position -= 1
        later.save(update_fields=["position"])


@transaction.atomic
def step_move(*, step: DunningStep, up: bool, actor=None) -> DunningStep:
    """Swap a step with the one before (``up``) or after it."""
    DunningPlan.objects.select_for_update().get(pk=step.plan_id)
    step = DunningStep.objects.get(pk=step.pk)
    siblings = DunningStep.objects.filter(plan_id=step.plan_id)
    other = (
        siblings.filter(position__lt=step.position).order_by("-position").first()
        if up
        else siblings.filter(position__gt=step.position).order_by("position").first()
    )
    if other is None:
        return step
    mine, theirs = step.position, other.position
    step.position = 0  # free the position (unique per plan) for the swap
    step.save(update_fields=["position"])
    other.position = mine
    other.save(update_fields=["position"])
    step.position = theirs
    step.save(update_fields=["position"])
    return step


@transaction.atomic
def collection_settings_save(
    *,
    billing_account,
    plan: DunningPlan | None,
    never_disconnect: bool,
    reason: str = "",
    actor=None,
) -> AccountCollectionSettings:
    """Set the account's own plan and its "never disconnect" flag (which needs a
    reason: hospitals, VIPs …)."""
    if never_disconnect and not reason.strip():
        raise ValidationError({"reason": _("Say why this account is never disconnected.")})
    row, _created = AccountCollectionSettings.objects.select_for_update().get_or_create(
        billing_account=billing_account
    )
    row.plan = plan
    row.never_disconnect = never_disconnect
    row.reason = reason.strip()
    row.updated_by = actor
    row.save()
    return row
