"""``generate_data``: bulk customers for benchmarks, loaded with COPY."""

from io import StringIO

import phonenumbers
import pytest
from django.core.management import call_command
from django.db.models import Count, F
from stdnum.ro import cnp

from customers import services
from customers.management.commands.generate_data import cnp_for
from customers.models import (
    Address,
    AddressEvent,
    BillingAccount,
    BillingAccountEvent,
    Customer,
    CustomerEvent,
)

from .factories import person

pytestmark = pytest.mark.django_db


def generate(**options) -> str:
    out = StringIO()
    call_command("generate_data", stdout=out, **options)
    return out.getvalue()


def test_generates_customers_with_one_address_and_one_account():
    existing = person()  # made by the services before: its number must not be reused
    events_before = CustomerEvent.objects.count()

    output = generate(customers=2000, seed=7, batch=700)

    generated = Customer.objects.exclude(pk=existing.pk)
    assert generated.count() == 2000
    assert Address.objects.filter(customer__in=generated).count() == 2000
    assert BillingAccount.objects.filter(customer__in=generated).count() == 2000
    per_customer = generated.annotate(
        n_accounts=Count("billing_accounts", distinct=True),
        n_addresses=Count("addresses", distinct=True),
    )
    assert set(per_customer.values_list("n_accounts", "n_addresses")) == {(1, 1)}
    # Each account bills to its customer's own address.
    assert not (
        BillingAccount.objects.filter(customer__in=generated)
        .exclude(billing_address__customer=F("customer"))
        .exists()
    )
    assert "2000 customers" in output and "rows/s" in output

    # No history event for the generated rows (the triggers were ignored for the load).
    assert CustomerEvent.objects.count() == events_before
    assert not CustomerEvent.objects.filter(pgh_obj_id__in=generated.values("pk")).exists()
    assert not AddressEvent.objects.filter(pgh_obj__customer__in=generated).exists()
    assert not BillingAccountEvent.objects.filter(pgh_obj__customer__in=generated).exists()


def test_numbers_are_unique_and_services_continue_after_them():
    generate(customers=2000, seed=1)
    generate(customers=300, seed=1, batch=120)  # re-runnable: adds rows

    assert Customer.objects.count() == 2300
    numbers = list(Customer.objects.values_list("number", flat=True))
    assert len(set(numbers)) == len(numbers)
    accounts = list(BillingAccount.objects.values_list("number", flat=True))
    assert len(set(accounts)) == len(accounts) == 2300

    created = person()
    account = services.billing_account_create(customer=created, actor=None)
    assert created.number not in numbers
    assert int(created.number[2:]) > max(int(n[2:]) for n in numbers)
    assert account.number not in accounts
    # History still works for rows written by the services.
    assert CustomerEvent.objects.filter(pgh_obj_id=created.pk, pgh_label="insert").exists()


def test_generated_data_is_valid():
    generate(customers=2000, seed=3)
    customers = Customer.objects.all()
    persons = customers.filter(kind="person")
    companies = customers.filter(kind="company")
    assert 0.75 * 2000 < persons.count() < 0.95 * 2000
    assert companies.exists()

    ids = list(persons.values_list("id_number", "date_of_birth"))
    assert all(cnp.is_valid(number) for number, _born in ids)
    assert all(cnp.get_birth_date(number) == born for number, born in ids)
    assert len({number for number, _born in ids}) == len(ids)
    for phone in persons.values_list("phone", flat=True)[:500]:
        assert phonenumbers.is_valid_number(phonenumbers.parse(phone)), phone
    assert not customers.filter(display_name__isnull=True).exists()
    assert customers.filter(display_name__contains=" ").count() == 2000
    assert set(customers.values_list("tier", flat=True)) == {"bronze", "silver", "gold", "platinum"}
    # Tiers were computed with the rules: the nightly recompute changes nothing.
    assert services.customers_recompute_tiers() == 0


def test_an_id_number_already_taken_is_left_blank():
    holder = person()
    # Give the service-made customer the CNP the generator will build for the next number.
    next_number = int(holder.number[2:]) + 1
    taken = {cnp_for(next_number, male=male)[0] for male in (True, False)}
    Customer.objects.filter(pk=holder.pk).update(id_number=min(taken))
    Customer.objects.create(
        number="C-TEST", kind="person", last_name="Other", id_number=max(taken), category="x"
    )

    generate(customers=50, seed=11)

    assert Customer.objects.count() == 52
    first = Customer.objects.get(number=f"C-{next_number:06d}")
    assert first.id_number in ("", *taken)
    assert Customer.objects.filter(id_number__in=taken).count() == 2


def test_same_seed_gives_the_same_people():
    generate(customers=300, seed=11)
    first = list(Customer.objects.order_by("id").values_list("display_name", "monthly_value"))
    generate(customers=300, seed=11)
    second = list(Customer.objects.order_by("id").values_list("display_name", "monthly_value"))
    assert second[300:] == first
    generate(customers=300, seed=12)
    third = list(Customer.objects.order_by("id").values_list("display_name", "monthly_value"))
    assert third[600:] != first


def test_zero_customers_does_nothing():
    generate(customers=0)
    assert not Customer.objects.exists()
