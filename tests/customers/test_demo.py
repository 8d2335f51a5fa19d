"""The demo customers of ``seed_demo``: realistic, valid, complete and loaded once."""

import time
from collections import Counter
from io import StringIO

import phonenumbers
import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from stdnum.ro import cnp, cui, onrc

from customers import selectors
from customers.demo import DEMO_EMAIL_DOMAIN
from customers.models import Address, Attachment, BillingAccount, Communication, Customer

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """seed_demo run twice (the second run must create nothing), once for the module,
    inside a transaction rolled back at the end (each test runs in a savepoint)."""
    with django_db_blocker.unblock(), transaction.atomic():
        started = time.monotonic()
        first, second = StringIO(), StringIO()
        call_command("seed_demo", stdout=first)
        elapsed = time.monotonic() - started
        call_command("seed_demo", stdout=second)
        yield {"first": first.getvalue(), "second": second.getvalue(), "elapsed": elapsed}
        transaction.set_rollback(True)


def test_seed_creates_about_200_customers_once(seeded):
    total = Customer.objects.count()
    assert 190 <= total <= 220
    assert Customer.objects.filter(email__endswith=f"@{DEMO_EMAIL_DOMAIN}").count() == total
    assert f"{total} new customers" in seeded["first"]
    assert "0 new users, 0 new customers" in seeded["second"]
    assert seeded["elapsed"] < 20


def test_every_tier_and_mostly_active(seeded):
    tiers = Counter(Customer.objects.values_list("tier", flat=True))
    assert set(tiers) == {"bronze", "silver", "gold", "platinum"}
    assert all(count >= 5 for count in tiers.values()), tiers
    statuses = Counter(Customer.objects.values_list("status", flat=True))
    assert statuses["active"] > 0.9 * sum(statuses.values())
    assert statuses["inactive"] > 0 and statuses["blocked"] > 0


def test_three_level_hierarchy_with_billing_tree(seeded):
    departments = Customer.objects.filter(parent__parent__isnull=False, parent__isnull=False)
    assert departments.exists()
    department = departments.select_related("parent__parent").first()
    branch, head = department.parent, department.parent.parent
    assert head.parent_id is None
    assert head.children.count() == 2
    assert len(selectors.customer_subtree_ids(root=head)) >= 6

    head_account = head.billing_accounts.get(parent__isnull=True)
    assert head_account.is_paying
    for account in BillingAccount.objects.filter(customer__parent=branch):
        assert not account.is_paying
        assert account.parent_id == head_account.pk
        assert selectors.paying_account(account=account) == head_account
    tree = selectors.customer_billing_tree(customer=head)
    assert len(tree) == 1 and tree[0].item == head_account
    assert len(tree[0].children) >= 5


def test_retailer_r001_has_20_customers(seeded):
    assert Customer.objects.filter(partner__code="R-001").count() == 20


def test_persons_have_valid_unique_cnps(seeded):
    persons = Customer.objects.filter(kind="person")
    numbers = list(persons.values_list("id_number", flat=True))
    assert len(numbers) >= 150
    assert all(cnp.is_valid(n) for n in numbers)
    assert len(set(numbers)) == len(numbers)
    assert not (
        Customer.objects.exclude(id_number="")
        .values("country", "id_number")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .exists()
    )
    for person in persons.exclude(date_of_birth=None)[:50]:
        assert cnp.get_birth_date(person.id_number) == person.date_of_birth


def test_valid_phones_and_company_numbers(seeded):
    for phone, kind in Customer.objects.values_list("phone", "kind"):
        number = phonenumbers.parse(phone)
        assert phonenumbers.is_valid_number(number), phone
        if kind == "person":
            assert phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE
    companies = Customer.objects.filter(kind="company")
    assert companies.count() >= 25
    for vat in companies.exclude(vat_number="").values_list("vat_number", flat=True):
        assert vat.startswith("RO") and cui.is_valid(vat[2:]), vat
    for registration in companies.exclude(registration_number="").values_list(
        "registration_number", flat=True
    ):
        assert onrc.is_valid(registration), registration


def test_accounts_addresses_communications_and_checks(seeded):
    customers = Customer.objects.annotate(accounts=Count("billing_accounts"))
    assert all(1 <= c.accounts <= 2 for c in customers)
    assert set(BillingAccount.objects.values_list("bill_cycle_day", flat=True)) == {1, 10, 20}
    assert not Customer.objects.filter(addresses__isnull=True).exists()
    assert Address.objects.filter(valid_to__isnull=False).count() >= 5  # people who moved
    channels = set(Communication.objects.values_list("channel", flat=True))
    assert {"phone", "email", "walk_in", "social", "letter"} <= channels
    assert Attachment.objects.filter(content_type="application/pdf").count() == 2
    checked = Customer.objects.exclude(credit_class="").count()
    assert 0.3 * Customer.objects.count() < checked < 0.7 * Customer.objects.count()
