"""Reads of the centre part of collections: which customers a blocking rule matches
(one set-based query, CUS-11), the blocks, and the rules' pages."""

from datetime import date

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from customers.choices import CustomerStatus
from customers.models import Address, Customer
from products.choices import ProductCategory
from subscriptions.choices import LIVE_STATUSES
from subscriptions.models import Subscription

from .choices import BlockAction
from .models import AccountBlock, BlockingRule

PREVIEW_SAMPLE_SIZE = 20


def sims_subquery(*, today: date) -> Subquery:
    """Per customer (``OuterRef("pk")``): how many live subscriptions carry a telephony
    product on ``today`` — the customer's SIMs."""
    telephony = Subscription.objects.filter(
        customer=OuterRef("pk"),
        status__in=LIVE_STATUSES,
        items__product__category=ProductCategory.TELEPHONY,
        items__valid_from__lte=today,
    ).filter(Q(items__valid_to__isnull=True) | Q(items__valid_to__gt=today))
    counted = (
        telephony.order_by().values("customer").annotate(n=Count("pk", distinct=True)).values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def rule_criteria(rule: BlockingRule) -> list[str]:
    """The names of the criteria the rule sets (an empty criterion matches everyone)."""
    named = []
    if rule.min_monthly_value is not None:
        named.append("min_monthly_value")
    if rule.max_monthly_value is not None:
        named.append("max_monthly_value")
    if rule.min_sims:
        named.append("min_sims")
    if rule.region.strip():
        named.append("region")
    if rule.sales_agent_id:
        named.append("sales_agent")
    if rule.dealer_id:
        named.append("dealer")
    return named


def blocking_rule_matches(*, rule: BlockingRule, today: date) -> QuerySet[Customer]:
    """The customers matching every criterion the rule sets, on ``today``: estimated
    monthly value within min/max, at least ``min_sims`` SIMs, an address valid today in
    the region, the serving sales agent, the dealer. One query, whatever the number of
    customers. A rule without criteria matches no one (a safety net: the services
    refuse such rules anyway)."""
    customers = Customer.objects.all()
    if not rule_criteria(rule):
        return customers.none()
    if rule.min_monthly_value is not None:
        customers = customers.filter(monthly_value__gte=rule.min_monthly_value)
    if rule.max_monthly_value is not None:
        customers = customers.filter(monthly_value__lte=rule.max_monthly_value)
    if rule.min_sims:
        customers = customers.alias(sims=sims_subquery(today=today)).filter(sims__gte=rule.min_sims)
    if rule.region.strip():
        in_region = Address.objects.valid_on(today).filter(
            customer=OuterRef("pk"), region__iexact=rule.region.strip()
        )
        customers = customers.filter(Exists(in_region))
    if rule.sales_agent_id:
        customers = customers.filter(serving_agent_id=rule.sales_agent_id)
    if rule.dealer_id:
        customers = customers.filter(partner_id=rule.dealer_id)
    return customers


def live_blocks(*, action: str = BlockAction.BLOCK) -> QuerySet[AccountBlock]:
    """Blocks (or unblock exemptions) not lifted yet."""
    return AccountBlock.objects.filter(action=action, lifted_on__isnull=True)


def blockable_matches(*, rule: BlockingRule, today: date) -> QuerySet[Customer]:
    """What a BLOCK rule would block now: its matches never blocked by this rule, not
    exempted by a live unblock, and active — or already blocked by another rule (a
    customer blocked by hand is left to the person who blocked it; prospects and
    inactive customers cannot be blocked)."""
    ever_by_rule = AccountBlock.objects.filter(
        customer=OuterRef("pk"), rule=rule, action=BlockAction.BLOCK
    )
    exempted = live_blocks(action=BlockAction.UNBLOCK).filter(customer=OuterRef("pk"))
    blocked_by_rules = live_blocks().filter(customer=OuterRef("pk"))
    return (
        blocking_rule_matches(rule=rule, today=today)
        .filter(~Exists(ever_by_rule), ~Exists(exempted))
        .filter(
            Q(status=CustomerStatus.ACTIVE)
            | Q(status=CustomerStatus.BLOCKED) & Exists(blocked_by_rules)
        )
    )


def unblockable_matches(*, rule: BlockingRule, today: date) -> QuerySet[Customer]:
    """What an UNBLOCK rule would unblock now: its matches that a rule blocks."""
    blocked = live_blocks().filter(customer=OuterRef("pk"))
    return blocking_rule_matches(rule=rule, today=today).filter(Exists(blocked))


def rule_preview(*, rule: BlockingRule, today: date) -> dict:
    """The dry run of a rule: how many customers it matches, how many it would block
    (or unblock) now, and a sample of those."""
    acting = (
        blockable_matches(rule=rule, today=today)
        if rule.action == BlockAction.BLOCK
        else unblockable_matches(rule=rule, today=today)
    )
    return {
        "matches": blocking_rule_matches(rule=rule, today=today).count(),
        "would_change": acting.count(),
        "sample": list(
            acting.select_related("partner", "serving_agent").order_by("display_name", "pk")[
                :PREVIEW_SAMPLE_SIZE
            ]
        ),
    }


def blocking_rule_list() -> QuerySet[BlockingRule]:
    """Blocking rules with how many customers each holds blocked now."""
    return BlockingRule.objects.select_related("sales_agent", "dealer").annotate(
        live_count=Count("blocks", filter=Q(blocks__lifted_on__isnull=True))
    )


def blocking_rule_get(*, pk: int) -> BlockingRule:
    """One rule (404 when missing)."""
    return get_object_or_404(BlockingRule.objects.select_related("sales_agent", "dealer"), pk=pk)


def rule_live_blocks(*, rule: BlockingRule) -> QuerySet[AccountBlock]:
    """The customers the rule blocks (or exempts) now."""
    return (
        AccountBlock.objects.filter(rule=rule, lifted_on__isnull=True)
        .select_related("customer")
        .order_by("ends_on", "customer__display_name")
    )


def account_block_list() -> QuerySet[AccountBlock]:
    """Every block and unblock, newest first, with its customer and rule."""
    return AccountBlock.objects.select_related("customer", "rule").order_by("-created_at", "-id")
