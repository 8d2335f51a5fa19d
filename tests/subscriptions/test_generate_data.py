"""``generate_data --subscriptions``: bulk subscriptions for the billing benchmark."""

from datetime import timedelta
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.models import Count, F, Q
from django.utils import timezone

from alux_crm.core.numbers import next_number
from billing.models import Invoice, InvoiceLine
from billing.services import bill_account, billing_run_create
from customers.models import BillingAccount
from products.demo import seed_catalogue
from subscriptions.bulk_data import add_months, period_of
from subscriptions.choices import RestingStatus, SubscriptionStatus
from subscriptions.models import Device, RestingPeriod, Subscription, SubscriptionItem

pytestmark = pytest.mark.django_db

PERIOD = timezone.localdate().replace(day=1)


def generate(**options) -> str:
    out = StringIO()
    call_command("generate_data", stdout=out, stderr=out, **options)
    return out.getvalue()


@pytest.fixture
def loaded():
    """The demo catalogue, 1,500 generated customers and 1,200 subscriptions."""
    seed_catalogue()
    generate(customers=1500, seed=5)
    output = generate(subscriptions=1200, seed=5, period=PERIOD)
    return output


def test_fills_up_to_n_subscriptions_with_items(loaded):
    assert "Generated 1200 subscriptions" in loaded and "rows/s" in loaded
    assert Subscription.objects.count() == 1200
    numbers = list(Subscription.objects.values_list("number", flat=True))
    assert len(set(numbers)) == len(numbers)
    # The sequence continues after the generated numbers (the services never clash).
    assert int(next_number("subscription_number_seq", "SUB-")[4:]) > max(
        int(n[4:]) for n in numbers
    )
    # 1 to 3 items on the subscription today (a change adds one, a purchase one more).
    current = Subscription.objects.annotate(
        n=Count("items", filter=Q(items__valid_to__isnull=True))
    )
    assert set(current.values_list("n", flat=True)) <= {1, 2, 3}
    assert SubscriptionItem.objects.filter(acquisition="rental").exists()
    assert Device.objects.filter(serial__startswith="GEN").count() == Device.objects.count() > 0
    # One subscription per account for most, two or three for the others.
    per_account = BillingAccount.objects.annotate(n=Count("subscriptions")).filter(n__gt=0)
    assert set(per_account.values_list("n", flat=True)) <= {1, 2, 3}
    assert 1.2 < 1200 / per_account.count() < 1.7
    # Every subscription belongs to its account's customer and was active before the period.
    assert not Subscription.objects.exclude(customer=F("billing_account__customer")).exists()
    assert not Subscription.objects.filter(activated_on__gte=PERIOD).exists()
    statuses = set(Subscription.objects.values_list("status", flat=True))
    assert statuses <= {SubscriptionStatus.ACTIVE, SubscriptionStatus.RESTING}


def test_changes_resting_periods_and_purchases_fall_in_the_period(loaded):
    # Mid-period changes: an item ends inside its account's period and another starts that day.
    changed = 0
    for item in SubscriptionItem.objects.filter(
        valid_to__isnull=False, product__category__in=["tv_package", "broadband", "triple_play"]
    ).select_related("subscription__billing_account"):
        start, end = period_of(item.subscription.billing_account.bill_cycle_day, PERIOD)
        assert start < item.valid_to < end
        assert SubscriptionItem.objects.filter(
            subscription=item.subscription_id, valid_from=item.valid_to, valid_to__isnull=True
        ).exists()
        changed += 1
    assert 0.02 * 1200 < changed < 0.09 * 1200

    rests = list(RestingPeriod.objects.select_related("subscription__billing_account"))
    assert 5 <= len(rests) < 0.05 * 1200
    today = timezone.localdate()
    for rest in rests:
        start, end = period_of(rest.subscription.billing_account.bill_cycle_day, PERIOD)
        assert rest.starts_on < end and rest.ends_on > start  # overlaps the period
        resting_now = rest.starts_on <= today < rest.ends_on
        assert (rest.status == RestingStatus.RESTING) == resting_now
        assert (rest.subscription.status == SubscriptionStatus.RESTING) == resting_now

    purchases = SubscriptionItem.objects.filter(product__category__in=["ppv", "movie"])
    assert purchases.exists()
    assert not purchases.filter(valid_from__lt=PERIOD).exists()
    assert not purchases.filter(valid_from__gte=add_months(PERIOD.replace(day=20), 1)).exists()
    assert SubscriptionItem.promotions.through.objects.exists()


def test_generated_subscriptions_bill_without_errors(loaded):
    run = billing_run_create(bill_cycle_day=PERIOD.day, period_start=PERIOD)
    cycle = BillingAccount.objects.filter(bill_cycle_day=PERIOD.day, subscriptions__isnull=False)
    interesting = set(
        cycle.filter(
            Q(subscriptions__resting_periods__isnull=False)
            | Q(subscriptions__items__valid_to__isnull=False)
        ).values_list("pk", flat=True)
    )
    sample = sorted(interesting) + list(
        cycle.exclude(pk__in=interesting).order_by("pk").values_list("pk", flat=True)[:60]
    )
    for account in BillingAccount.objects.filter(pk__in=sample):
        invoice = bill_account(run=run, account=account)
        assert invoice is not None and invoice.total > 0, account
    invoices = Invoice.objects.filter(run=run)
    assert invoices.count() == len(set(sample))
    lines = InvoiceLine.objects.filter(invoice__run=run)
    kinds = set(lines.values_list("kind", flat=True))
    assert {"recurring", "resting", "one_time"} <= kinds
    # A changed item is prorated: two lines of the same subscription split the period.
    assert lines.filter(days__lt=F("period_days"), kind="recurring").exists()
    # Billing the same accounts again creates nothing.
    for account in BillingAccount.objects.filter(pk__in=sample[:20]):
        assert bill_account(run=run, account=account) is None
    assert invoices.count() == len(set(sample))


def test_rerun_adds_only_the_missing_ones_without_history(loaded):
    item_events = apps.get_model("subscriptions", "SubscriptionItemEvent")
    history = apps.get_model("subscriptions", "SubscriptionHistory")
    assert not history.objects.exists() and not item_events.objects.exists()
    first_accounts = set(Subscription.objects.values_list("billing_account", flat=True))

    again = generate(subscriptions=1200, seed=5, period=PERIOD)
    assert "already holds" in again
    assert Subscription.objects.count() == 1200

    generate(subscriptions=1300, seed=6, period=PERIOD)
    assert Subscription.objects.count() == 1300
    added = Subscription.objects.exclude(billing_account__in=first_accounts)
    assert added.count() == 100  # new accounts only: the first ones were left alone
    numbers = list(Subscription.objects.values_list("number", flat=True))
    assert len(set(numbers)) == 1300


def test_not_enough_accounts_is_reported():
    seed_catalogue()
    generate(customers=20, seed=1)
    output = generate(subscriptions=500, seed=1, period=PERIOD)
    assert Subscription.objects.count() < 500
    assert "not enough billing accounts" in output


def test_period_helpers():
    assert period_of(20, PERIOD) == (PERIOD.replace(day=20), add_months(PERIOD.replace(day=20), 1))
    assert add_months(PERIOD.replace(month=1, day=31), 1).day in (28, 29)
    assert add_months(PERIOD, 12) - timedelta(days=366) <= PERIOD
