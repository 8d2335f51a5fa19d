"""Customers, addresses, billing-account trees, credit checks and communications."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from pghistory.models import Events

from alux_crm.core.errors import DomainError, InvalidTransition
from customers import selectors, services
from customers.models import Address, Attachment, BillingAccount, Communication, Customer
from tests.customers.factories import company, pdf, person

pytestmark = pytest.mark.django_db


def test_person_is_created_with_a_number_e164_phone_and_residential_category():
    customer = person(phone="0721 000 111", email="Ana.Pop@Example.COM", id_number="1800101221144")
    assert customer.number.startswith("C-") and len(customer.number) == 8
    assert customer.phone == "+40721000111"
    assert customer.email == "ana.pop@example.com"
    assert customer.category == "residential"
    assert customer.display_name == customer.name == f"Ana {customer.last_name}"


def test_company_gets_corporate_and_a_compact_vat_number():
    firm = company(vat_number="ro 18547290", registration_number="J40/12345/2010")
    assert firm.category == "corporate"
    assert firm.vat_number == "RO18547290"
    assert firm.display_name == firm.company_name


def test_field_errors_say_what_is_wrong():
    with pytest.raises(ValidationError) as exc:
        services.customer_create(
            actor=None,
            kind="person",
            first_name="Ion",
            last_name="",
            phone="12",
            id_number="1800101221145",
            date_of_birth=date.today() - timedelta(days=365 * 10),
        )
    errors = exc.value.message_dict
    assert set(errors) == {"phone", "id_number", "last_name", "date_of_birth"}
    assert "check digit" in errors["id_number"][0]
    assert not Customer.objects.exists()


def test_possible_duplicates_stop_creation_until_confirmed():
    first = person(phone="+40721555666")
    with pytest.raises(services.DuplicateWarning) as exc:
        services.customer_create(
            actor=None, kind="person", first_name="Ionel", last_name="Alt", phone="0721 555 666"
        )
    assert [c.pk for c in exc.value.duplicates] == [first.pk]
    second = services.customer_create(
        actor=None,
        kind="person",
        first_name="Ionel",
        last_name="Alt",
        phone="0721 555 666",
        confirm_duplicates=True,
    )
    assert second.pk != first.pk


def test_the_same_id_number_twice_is_refused_even_when_confirmed():
    first = person(id_number="1800101221144")
    with pytest.raises(ValidationError) as exc:
        person(id_number="1800101221144")
    assert first.number in exc.value.message_dict["id_number"][0]
    # And the database refuses it too, whatever path a row takes.
    with pytest.raises(IntegrityError), transaction.atomic():
        Customer.objects.filter(pk=person().pk).update(id_number="1800101221144")


def test_names_are_stored_exactly_as_typed():
    name = "<script>alert('x')</script> \"O'Brien\" 🙂" + "x" * 40
    customer = person(first_name=name)
    customer.refresh_from_db()
    assert customer.first_name == name


def test_a_concurrent_edit_is_detected_and_loses_nothing():
    customer = person()
    loaded_by_first, loaded_by_second = customer.version, customer.version
    services.customer_update(
        customer=customer, actor=None, expected_version=loaded_by_first, first_name="Maria"
    )
    with pytest.raises(services.ConcurrentEditError, match="Someone else changed"):
        services.customer_update(
            customer=customer, actor=None, expected_version=loaded_by_second, first_name="Elena"
        )
    customer.refresh_from_db()
    assert customer.first_name == "Maria"
    assert customer.version == 2


def test_status_changes_follow_the_state_machine():
    customer = person()
    services.customer_change_status(customer=customer, status="blocked", actor=None)
    with pytest.raises(InvalidTransition):
        services.customer_change_status(customer=customer, status="prospect", actor=None)


def test_organisation_tree_of_twelve_levels_and_no_cycles():
    chain = [company()]
    for _ in range(11):
        chain.append(company(parent=chain[-1]))
    top, bottom = chain[0], chain[-1]
    assert len(selectors.customer_subtree_ids(root=top)) == 12
    assert [c.pk for c in selectors.customer_ancestors(customer=bottom)] == [
        c.pk for c in chain[:-1]
    ]
    tree = selectors.customer_org_tree(customer=top)
    depth, node = 0, tree[0]
    while node.children:
        node, depth = node.children[0], depth + 1
    assert depth == 11
    with pytest.raises(DomainError):
        services.customer_move(customer=top, new_parent=bottom, actor=None)
    # Moving a subtree keeps history: the old parent is in the events.
    services.customer_move(customer=chain[5], new_parent=top, actor=None)
    events = Events.objects.tracks(chain[5]).filter(pgh_label="update")
    assert any(e.pgh_diff.get("parent_id") == [chain[4].pk, top.pk] for e in events), [
        e.pgh_diff for e in events
    ]


def test_billing_tree_of_twelve_levels_rolls_up_to_the_paying_ancestor():
    owner = company()
    top = services.billing_account_create(customer=owner, actor=None)
    chain = [top]
    for level in range(11):
        chain.append(
            services.billing_account_create(
                customer=owner,
                actor=None,
                parent=chain[-1],
                is_paying=(level == 4),  # level 6 of the tree pays for those below
            )
        )
    assert selectors.paying_account(account=chain[-1]) == chain[5]
    assert selectors.paying_account(account=chain[3]) == top
    assert selectors.paying_account(account=chain[5]) == chain[5]
    assert len(selectors.billing_account_subtree_ids(root=top)) == 12
    with pytest.raises(DomainError):
        services.billing_account_move(account=top, new_parent=chain[-1], actor=None)
    moved = services.billing_account_move(account=chain[8], new_parent=None, actor=None)
    assert moved.is_paying is True and selectors.paying_account(account=chain[-1]) == moved


def test_a_top_billing_account_always_pays():
    owner = person()
    with pytest.raises(IntegrityError), transaction.atomic():
        BillingAccount.objects.create(customer=owner, number="BA-X", name="x", is_paying=False)


def test_addresses_are_effective_dated_and_never_overlap():
    customer = person()
    first = services.address_set(
        customer=customer,
        kind="legal",
        line1="Str. Lalelelor 3",
        city="Cluj-Napoca",
        valid_from=date(2024, 1, 1),
    )
    account = services.billing_account_create(customer=customer, actor=None, billing_address=first)
    second = services.address_set(
        customer=customer,
        kind="legal",
        line1="Bd. Unirii 10",
        city="Bucuresti",
        valid_from=date(2026, 3, 1),
    )
    first.refresh_from_db()
    assert first.valid_to == date(2026, 3, 1)
    assert list(Address.objects.filter(customer=customer).valid_on(date(2025, 6, 1))) == [first]
    assert list(Address.objects.filter(customer=customer).valid_on(date(2026, 3, 1))) == [second]
    account.refresh_from_db()
    assert account.billing_address == second
    with pytest.raises(ValidationError):
        services.address_set(
            customer=customer, kind="legal", line1="x", city="y", valid_from=date(2025, 1, 1)
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Address.objects.create(
            customer=customer,
            kind="legal",
            line1="z",
            city="z",
            valid_from=date(2026, 5, 1),
            valid_to=date(2026, 6, 1),
        )


@pytest.mark.parametrize(
    ("income", "history", "expected"),
    [
        (Decimal("5000"), "good", "A"),
        (Decimal("2000"), "good", "B"),
        (Decimal("2000"), "fair", "B"),
        (Decimal("3500"), "none", "B"),
        (Decimal("900"), "none", "C"),
        (Decimal("9000"), "poor", "D"),
        (Decimal("100"), "good", "D"),
    ],
)
def test_credit_class_from_income_and_history(income, history, expected):
    customer = person()
    check = services.credit_check_run(
        customer=customer, declared_monthly_income=income, credit_history=history, actor=None
    )
    customer.refresh_from_db()
    assert check.credit_class == customer.credit_class == expected
    assert check.declared_monthly_income == income and check.rule_description


def test_credit_rules_are_configurable():
    from customers.models import CreditClassRule

    CreditClassRule.objects.filter(credit_class="A").update(min_monthly_income=Decimal("10000"))
    check = services.credit_check_run(
        customer=person(),
        declared_monthly_income=Decimal("5000"),
        credit_history="good",
        actor=None,
    )
    assert check.credit_class == "B"


def test_a_communication_with_a_bad_file_stores_nothing():
    from django.core.files.uploadedfile import SimpleUploadedFile

    customer = person()
    bad = SimpleUploadedFile("notes.pdf", b"just text, not a PDF")
    with pytest.raises(ValidationError) as exc:
        services.communication_log(
            customer=customer,
            actor=None,
            channel="phone",
            direction="in",
            subject="Call",
            files=[pdf(), bad],
        )
    assert "notes.pdf" in exc.value.message_dict["files"][0]
    assert not Communication.objects.exists() and not Attachment.objects.exists()
    ok = services.communication_log(
        customer=customer,
        actor=None,
        channel="phone",
        direction="in",
        subject="Call",
        files=[pdf("call.pdf")],
    )
    attachment = ok.attachments.get()
    assert attachment.content_type == "application/pdf" and attachment.original_name == "call.pdf"
    assert attachment.file.read().startswith(b"%PDF")


def test_every_customer_side_change_is_in_the_history():
    customer = person()
    services.customer_update(
        customer=customer, actor=None, expected_version=1, email="new@example.com"
    )
    labels = list(Events.objects.tracks(customer).values_list("pgh_label", flat=True))
    assert sorted(labels) == ["insert", "update"]


def test_credit_checks_appear_in_the_customer_history():
    customer = person()
    services.credit_check_run(
        customer=customer,
        declared_monthly_income=Decimal("5000"),
        credit_history="good",
        actor=None,
    )
    models = {e.pgh_obj_model for e in selectors.customer_history(customer)}
    assert "customers.CreditCheck" in models
