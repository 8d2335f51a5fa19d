"""Account blocking by criteria (CUS-11, centre part): each criterion matches and
misses, a rule blocks a customer once, blocks end and the customer is active again,
unblock rules, a blocked customer cannot buy, and the rule and block pages."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from alux_crm.core import roles as R
from alux_crm.core.errors import DomainError
from customers import services as customer_services
from customers.models import Customer
from dunning.models import AccountBlock
from dunning.services.blocking import (
    blocking_rule_create,
    blocking_rule_deactivate,
    blocking_rules_evaluate,
)
from dunning.tasks.centre import evaluate_blocking_rules
from products.pricing import BasketItem
from subscriptions import services as subscription_services
from tests.core.factories import PartnerFactory
from tests.customers import factories as CF
from tests.products import factories as PF
from tests.subscriptions import factories as SF

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = timezone.localdate()  # addresses and sales start today by default


def customer(value="0.00", **fields) -> Customer:
    """An active person whose estimated monthly value is ``value``."""
    person = CF.person(**fields)
    Customer.objects.filter(pk=person.pk).update(monthly_value=D(value))
    person.refresh_from_db()
    return person


def rule(action="block", days=30, **criteria):
    return blocking_rule_create(
        actor=None, name=f"Rule {action}", action=action, block_days=days, reason="Test", **criteria
    )


def status(person) -> str:
    person.refresh_from_db()
    return person.status


def with_sims(count: int) -> Customer:
    """A customer with ``count`` live subscriptions carrying a telephony product (and
    one live TV-only subscription, which is no SIM)."""
    person = customer()
    account = SF.account(person)
    phone, tv = PF.product("telephony"), PF.product("tv_package")
    PF.plan(phone, "10.00"), PF.plan(tv, "20.00")
    for products in [[phone]] * count + [[tv]]:
        sold = subscription_services.subscription_create(
            billing_account=account, items=[BasketItem(p) for p in products]
        )
        subscription_services.subscription_activate(subscription=sold)
    return person


# --- each criterion ---------------------------------------------------------------------


def test_monthly_value_between_min_and_max():
    low, inside, high = customer("99.99"), customer("250.00"), customer("500.01")
    rule(min_monthly_value=D("100.00"), max_monthly_value=D("500.00"))
    blocking_rules_evaluate(today=TODAY)
    assert (status(low), status(inside), status(high)) == ("active", "blocked", "active")


def test_number_of_sims_counts_live_telephony_subscriptions():
    two, one = with_sims(2), with_sims(1)
    rule(min_sims=2)
    blocking_rules_evaluate(today=TODAY)
    assert status(two) == "blocked"
    assert status(one) == "active"


def test_region_is_any_current_address_of_the_customer():
    cluj, elsewhere, moved_away = customer(), customer(), customer()
    customer_services.address_set(
        customer=cluj, kind="billing", line1="Str. A 1", city="Cluj-Napoca", region="Cluj"
    )
    customer_services.address_set(
        customer=elsewhere, kind="billing", line1="Str. B 2", city="Iasi", region="Iasi"
    )
    customer_services.address_set(  # lived in Cluj until last year
        customer=moved_away,
        kind="billing",
        line1="Str. C 3",
        city="Cluj-Napoca",
        region="Cluj",
        valid_from=date(2020, 1, 1),
    )
    customer_services.address_set(
        customer=moved_away,
        kind="billing",
        line1="Str. D 4",
        city="Iasi",
        region="Iasi",
        valid_from=date(2025, 1, 1),
    )
    rule(region="cluj")  # case does not matter
    blocking_rules_evaluate(today=TODAY)
    assert (status(cluj), status(elsewhere), status(moved_away)) == ("blocked", "active", "active")


def test_sales_agent_is_the_serving_agent(make_user):
    agent, other = make_user(R.SALES), make_user(R.SALES)
    served, not_served = customer(serving_agent=agent), customer(serving_agent=other)
    rule(sales_agent=agent)
    blocking_rules_evaluate(today=TODAY)
    assert (status(served), status(not_served)) == ("blocked", "active")


def test_dealer_and_value_together():
    dealer, other_dealer = PartnerFactory(code="R-900"), PartnerFactory(code="R-901")
    match = customer("800.00", partner=dealer)
    cheap = customer("10.00", partner=dealer)
    elsewhere = customer("800.00", partner=other_dealer)
    direct = customer("800.00")
    rule(dealer=dealer, min_monthly_value=D("500.00"))
    blocking_rules_evaluate(today=TODAY)
    assert [status(c) for c in (match, cheap, elsewhere, direct)] == [
        "blocked",
        "active",
        "active",
        "active",
    ]


def test_a_rule_needs_a_criterion_and_a_sane_range():
    with pytest.raises(ValidationError, match="at least one criterion"):
        rule()
    with pytest.raises(ValidationError) as refused:
        rule(min_monthly_value=D("10"), max_monthly_value=D("5"))
    assert "max_monthly_value" in refused.value.error_dict


# --- blocking, expiry, unblocking -----------------------------------------------------------


def test_a_rule_blocks_a_customer_once_for_its_days_and_records_it():
    person = customer("900.00")
    blocking = rule(min_monthly_value=D("500.00"), days=30)
    first = blocking_rules_evaluate(today=TODAY)
    version = Customer.objects.get(pk=person.pk).version
    second = blocking_rules_evaluate(today=TODAY)  # the task running twice the same day
    assert (first.blocked, second.blocked) == (1, 0)
    block = AccountBlock.objects.get(customer=person)
    assert (block.rule, block.action, block.starts_on, block.ends_on, block.lifted_on) == (
        blocking,
        "block",
        TODAY,
        TODAY + timedelta(days=30),
        None,
    )
    assert Customer.objects.get(pk=person.pk).version == version  # no second status change
    assert status(person) == "blocked"


def test_a_block_ends_after_its_days_and_the_customer_is_active_again():
    person = customer("900.00")
    rule(min_monthly_value=D("500.00"), days=30)
    blocking_rules_evaluate(today=TODAY)
    blocking_rules_evaluate(today=TODAY + timedelta(days=30))  # its last day: still blocked
    assert status(person) == "blocked"
    result = blocking_rules_evaluate(today=TODAY + timedelta(days=31))
    assert (result.expired, result.reactivated, result.blocked) == (1, 1, 0)
    assert status(person) == "active"  # and the same rule does not block it again
    assert AccountBlock.objects.get(customer=person).lifted_on == TODAY + timedelta(days=31)


def test_a_customer_held_by_two_rules_stays_blocked_until_both_end():
    person = customer("900.00", region="")
    rule(min_monthly_value=D("500.00"), days=10)
    blocking_rules_evaluate(today=TODAY)
    rule(max_monthly_value=D("1000.00"), days=30)
    blocking_rules_evaluate(today=TODAY + timedelta(days=5))
    assert AccountBlock.objects.filter(customer=person, lifted_on__isnull=True).count() == 2
    blocking_rules_evaluate(today=TODAY + timedelta(days=11))
    assert status(person) == "blocked"
    blocking_rules_evaluate(today=TODAY + timedelta(days=36))
    assert status(person) == "active"


def test_an_unblock_rule_lifts_the_blocks_and_exempts_the_customer():
    person, other = customer("900.00"), customer("600.00")
    rule(min_monthly_value=D("500.00"), days=30)
    blocking_rules_evaluate(today=TODAY)
    unblocking = rule(action="unblock", min_monthly_value=D("800.00"), days=60)
    result = blocking_rules_evaluate(today=TODAY + timedelta(days=1))
    assert result.unblocked == 1
    assert (status(person), status(other)) == ("active", "blocked")
    assert AccountBlock.objects.get(customer=person, action="block").lifted_on == TODAY + timedelta(
        days=1
    )
    exemption = AccountBlock.objects.get(customer=person, action="unblock")
    assert (exemption.rule, exemption.ends_on) == (unblocking, TODAY + timedelta(days=61))
    rule(max_monthly_value=D("1000.00"), days=30)  # a new block rule respects the exemption
    blocking_rules_evaluate(today=TODAY + timedelta(days=2))
    assert status(person) == "active"


def test_inactive_customers_and_deactivated_rules_are_left_alone():
    person = customer("900.00")
    gone = customer("900.00")
    customer_services.customer_change_status(customer=gone, status="inactive", actor=None)
    blocking = rule(min_monthly_value=D("500.00"))
    blocking_rule_deactivate(rule=blocking, actor=None)
    blocking_rules_evaluate(today=TODAY)
    assert (status(person), status(gone)) == ("active", "inactive")
    with pytest.raises(DomainError):
        blocking_rule_deactivate(rule=blocking, actor=None)


def test_the_daily_task_evaluates_today():
    person = customer("900.00")
    rule(min_monthly_value=D("500.00"))
    assert evaluate_blocking_rules.delay().get()["blocked"] == 1
    assert status(person) == "blocked"


# --- a blocked customer cannot buy ------------------------------------------------------------


def test_a_blocked_customer_cannot_buy_a_subscription():
    person = customer("900.00")
    account = SF.account(person)
    rule(min_monthly_value=D("500.00"))
    blocking_rules_evaluate(today=TODAY)
    with pytest.raises(DomainError, match="is blocked"):
        SF.subscription(billing_account=account)


def test_the_sale_wizard_refuses_a_blocked_customer(make_user, login):
    person = customer("900.00")
    SF.account(person)
    customer_services.customer_change_status(customer=person, status="blocked", actor=None)
    client = login(make_user(R.CUSTOMER_SERVICE))
    client.get("/subscriptions/new/")
    response = client.post("/subscriptions/new/customer/", {"customer": person.pk}, follow=False)
    assert response.status_code == 422
    assert "is blocked: no new subscription can be sold" in response.content.decode()


# --- pages -------------------------------------------------------------------------------------


def test_back_office_creates_a_rule_previews_it_and_sees_the_blocks(make_user, login):
    dealer = PartnerFactory(code="R-950", name="Dealer Nine")
    person = customer("900.00", partner=dealer)
    client = login(make_user(R.BACK_OFFICE))
    response = client.post(
        "/collections/blocking-rules/new/",
        {
            "name": "Dealer Nine high value",
            "action": "block",
            "min_monthly_value": "500.00",
            "dealer": dealer.pk,
            "block_days": "30",
            "reason": "Fraud review",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(response["Location"]).content.decode()
    assert 'id="preview-matches">1<' in page and 'id="preview-change">1<' in page
    assert person.display_name in page  # in the sample
    assert status(person) == "active"  # a preview changes nothing
    client.post("/collections/blocking-rules/evaluate/", {"next": response["Location"]})
    assert status(person) == "blocked"
    page = client.get(response["Location"]).content.decode()
    assert f'data-customer="{person.number}"' in page
    csv = client.get("/collections/account-blocks/?_export=csv").getvalue().decode()
    assert person.number in csv and "Dealer Nine high value" in csv


def test_finance_reads_rules_but_may_not_change_them(make_user, login):
    blocking = rule(min_monthly_value=D("500.00"))
    client = login(make_user(R.BILLING_FINANCE))
    assert client.get(f"/collections/blocking-rules/{blocking.pk}/").status_code == 200
    assert client.get("/collections/blocking-rules/new/").status_code == 403
    assert client.post("/collections/blocking-rules/evaluate/").status_code == 403
    agent = login(make_user(R.CUSTOMER_SERVICE))
    assert agent.get("/collections/blocking-rules/").status_code == 403
