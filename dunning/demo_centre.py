"""Demo blocking rules (centre part of collections): a BLOCK rule for the
higher-value customers of one dealer and an UNBLOCK rule for the highest of them,
evaluated once, so the rule pages, the blocks list and the customers show blocks and
unblocks. Idempotent: the rules are found by name and a second evaluation changes
nothing."""

from decimal import Decimal

from django.db import transaction

from alux_crm.core.models import Partner

from .choices import BlockAction
from .models import BlockingRule
from .services.blocking import blocking_rule_create, blocking_rules_evaluate

# Not the retailer of the subscription stories: their customers stay active.
DEMO_DEALER_CODE = "R-002"
BLOCK_RULE = "Digital Home Cluj: high-value accounts under review"
UNBLOCK_RULE = "Digital Home Cluj: top accounts cleared by finance"


def _rule(name: str, **fields) -> BlockingRule:
    rule = BlockingRule.objects.filter(name=name).first()
    return rule or blocking_rule_create(actor=None, name=name, **fields)


def seed_centre(*, stdout=None) -> None:
    """Create the two demo rules (once) and evaluate the rules."""
    dealer = Partner.objects.filter(code=DEMO_DEALER_CODE).first()
    if dealer is None:
        return
    with transaction.atomic():
        _rule(
            BLOCK_RULE,
            action=BlockAction.BLOCK,
            dealer=dealer,
            min_monthly_value=Decimal("100.00"),
            block_days=30,
            reason="Dealer under fraud review: new sales to its high-value accounts wait.",
        )
        _rule(
            UNBLOCK_RULE,
            action=BlockAction.UNBLOCK,
            dealer=dealer,
            min_monthly_value=Decimal("150.00"),
            block_days=60,
            reason="Finance checked these accounts: they may buy again.",
        )
    result = blocking_rules_evaluate()
    if stdout is not None:
        stdout.write(
            f"  blocking rules: {result.blocked} blocked, {result.unblocked} unblocked, "
            f"{result.expired} blocks ended"
        )
