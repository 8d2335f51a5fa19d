"""Account blocking by criteria (CUS-11): Back Office keeps the rules; a daily task
(and a "run now" button) evaluates them. A BLOCK rule blocks each matching customer
once, for ``block_days``; a block past its end is lifted; an UNBLOCK rule lifts the
blocks of the customers it matches and exempts them for its days. Every block and
unblock is an ``AccountBlock`` row naming its rule; the customer's status changes
through ``customers.services.customer_change_status`` (history recorded)."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alux_crm.core.errors import DomainError
from customers.choices import CustomerStatus
from customers.models import Customer
from customers.services import customer_change_status

from ..choices import BlockAction
from ..models import AccountBlock, BlockingRule
from ..selectors_centre import (
    blockable_matches,
    live_blocks,
    rule_criteria,
    unblockable_matches,
)

RULE_FIELDS = (
    "name",
    "action",
    "min_monthly_value",
    "max_monthly_value",
    "min_sims",
    "region",
    "sales_agent",
    "dealer",
    "block_days",
    "reason",
)


@dataclass
class EvaluationResult:
    """What one evaluation did: customers blocked, unblocked, blocks lifted at their
    end, and customers set back to Active; per rule too (by rule id)."""

    blocked: int = 0
    unblocked: int = 0
    expired: int = 0
    reactivated: int = 0
    by_rule: dict[int, int] = field(default_factory=dict)


def _check_rule(rule: BlockingRule) -> None:
    """A rule sets at least one criterion, a sane value range and a period."""
    errors = {}
    if not rule_criteria(rule):
        errors["__all__"] = _(
            "Set at least one criterion: a rule without criteria would match every customer."
        )
    low, high = rule.min_monthly_value, rule.max_monthly_value
    if low is not None and high is not None and low > high:
        errors["max_monthly_value"] = _("The maximum is below the minimum.")
    if rule.block_days < 1:
        errors["block_days"] = _("A block lasts at least one day.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def blocking_rule_create(*, actor, **fields) -> BlockingRule:
    """Create an active blocking rule (Back Office). Fields: ``RULE_FIELDS``."""
    rule = BlockingRule(created_by=actor, **{k: v for k, v in fields.items() if k in RULE_FIELDS})
    rule.region = rule.region.strip()
    _check_rule(rule)
    rule.save()
    return rule


@transaction.atomic
def blocking_rule_update(*, rule: BlockingRule, actor, **fields) -> BlockingRule:
    """Change a rule's criteria, period or reason. Blocks already made keep their
    period; the next evaluation applies the new criteria."""
    rule = BlockingRule.objects.select_for_update().get(pk=rule.pk)
    changed = [name for name in RULE_FIELDS if name in fields]
    for name in changed:
        setattr(rule, name, fields[name])
    rule.region = rule.region.strip()
    _check_rule(rule)
    rule.save(update_fields=[*changed, "updated_at"])
    return rule


@transaction.atomic
def blocking_rule_deactivate(*, rule: BlockingRule, actor) -> BlockingRule:
    """Stop evaluating a rule. Its live blocks run to their end (and are lifted then)."""
    rule = BlockingRule.objects.select_for_update().get(pk=rule.pk)
    if not rule.is_active:
        raise DomainError(_("This rule is already inactive."))
    rule.is_active = False
    rule.save(update_fields=["is_active", "updated_at"])
    return rule


def _set_status(customer_ids, *, status: str, only_from: str, actor) -> int:
    """Move the customers now in ``only_from`` to ``status`` through the customers
    service (one locked update with its history per customer that changes)."""
    changed = 0
    for customer in Customer.objects.filter(pk__in=list(customer_ids), status=only_from):
        customer_change_status(customer=customer, status=status, actor=actor)
        changed += 1
    return changed


def _reactivate_free(customer_ids, *, actor) -> int:
    """Set back to Active those of ``customer_ids`` that no live block holds."""
    still_held = set(
        live_blocks()
        .filter(customer_id__in=list(customer_ids))
        .values_list("customer_id", flat=True)
    )
    free = set(customer_ids) - still_held
    return _set_status(
        free, status=CustomerStatus.ACTIVE, only_from=CustomerStatus.BLOCKED, actor=actor
    )


@transaction.atomic
def blocks_expire(*, today: date, actor=None) -> tuple[int, int]:
    """Lift the blocks and exemptions whose end day has passed (``ends_on`` before
    ``today``); customers no other live block holds become Active again. Returns
    (blocks lifted, customers reactivated)."""
    ended = list(
        AccountBlock.objects.select_for_update()
        .filter(lifted_on__isnull=True, ends_on__lt=today)
        .order_by("pk")
        .values_list("pk", "customer_id", "action")
    )
    if not ended:
        return 0, 0
    AccountBlock.objects.filter(pk__in=[pk for pk, _c, _a in ended]).update(lifted_on=today)
    blocked_ids = {customer for _pk, customer, action in ended if action == BlockAction.BLOCK}
    lifted = sum(1 for _pk, _c, action in ended if action == BlockAction.BLOCK)
    return lifted, _reactivate_free(blocked_ids, actor=actor)


@transaction.atomic
def blocking_rule_apply(*, rule: BlockingRule, today: date, actor=None) -> int:
    """Apply one active rule on ``today``; returns how many customers it blocked or
    unblocked. Concurrent evaluations of the same rule wait for each other (row lock),
    and a customer is blocked once per rule (the second evaluation finds nothing)."""
    rule = BlockingRule.objects.select_for_update().get(pk=rule.pk)
    if not rule.is_active:
        return 0
    ends_on = today + timedelta(days=rule.block_days)
    if rule.action == BlockAction.BLOCK:
        ids = list(blockable_matches(rule=rule, today=today).values_list("pk", flat=True))
        AccountBlock.objects.bulk_create(
            AccountBlock(
                customer_id=pk,
                rule=rule,
                action=BlockAction.BLOCK,
                starts_on=today,
                ends_on=ends_on,
            )
            for pk in ids
        )
        _set_status(
            ids, status=CustomerStatus.BLOCKED, only_from=CustomerStatus.ACTIVE, actor=actor
        )
    else:
        ids = list(unblockable_matches(rule=rule, today=today).values_list("pk", flat=True))
        live_blocks().filter(customer_id__in=ids).update(lifted_on=today)
        # The exemption (an UNBLOCK row) keeps block rules off them for the rule's days.
        live_blocks(action=BlockAction.UNBLOCK).filter(customer_id__in=ids, rule=rule).update(
            lifted_on=today
        )
        AccountBlock.objects.bulk_create(
            AccountBlock(
                customer_id=pk,
                rule=rule,
                action=BlockAction.UNBLOCK,
                starts_on=today,
                ends_on=ends_on,
            )
            for pk in ids
        )
        _reactivate_free(ids, actor=actor)
    rule.last_evaluated_at = timezone.now()
    rule.save(update_fields=["last_evaluated_at"])
    return len(ids)


def blocking_rules_evaluate(*, today: date | None = None, actor=None) -> EvaluationResult:
    """The daily evaluation: lift the blocks past their end, then apply every active
    BLOCK rule, then every active UNBLOCK rule (so an unblock wins over a block of the
    same day). Each step is its own transaction; running it twice a day changes
    nothing the second time."""
    today = today or timezone.localdate()
    result = EvaluationResult()
    result.expired, result.reactivated = blocks_expire(today=today, actor=actor)
    rules = BlockingRule.objects.filter(is_active=True).order_by("pk")
    for action in (BlockAction.BLOCK, BlockAction.UNBLOCK):
        for rule in rules.filter(action=action):
            done = blocking_rule_apply(rule=rule, today=today, actor=actor)
            result.by_rule[rule.pk] = done
            if action == BlockAction.BLOCK:
                result.blocked += done
            else:
                result.unblocked += done
    return result
