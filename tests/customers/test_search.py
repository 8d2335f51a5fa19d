"""Global search (CUS-6): numbers, phones in any format, e-mail, ID/VAT and names."""

import pytest

from alux_crm.core import roles as R
from customers import selectors, services
from tests.customers.factories import company, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(make_user):
    return make_user(R.CUSTOMER_SERVICE)


@pytest.fixture
def people():
    return {
        "ana": person(
            first_name="Ana",
            last_name="Popescu",
            phone="+40721000111",
            email="ana.popescu@example.com",
            id_number="1800101221144",
        ),
        "anca": person(
            first_name="Anca", last_name="Popovici", phone="+40722000222", email="anca@example.com"
        ),
        "firm": company(company_name="Digital Home Cluj SRL", vat_number="RO18547290"),
    }


def titles(hits):
    return [h.title for h in hits]


@pytest.mark.parametrize("typed", ["0721 000 111", "0721-000-111", "+40 721 000 111", "721000111"])
def test_phone_in_any_format_finds_the_customer_first(agent, people, typed):
    hits = selectors.search(user=agent, query=typed)
    assert hits and hits[0].title == "Ana Popescu"


def test_partial_phone_digits(agent, people):
    assert "Anca Popovici" in titles(selectors.search(user=agent, query="2000222"))


def test_customer_number_with_or_without_dash_and_zeros(agent, people):
    number = people["anca"].number
    digits = str(int(number.split("-")[1]))
    for typed in (number, number.replace("-", ""), f"c-{digits}"):
        hits = selectors.search(user=agent, query=typed)
        assert hits[0].title == "Anca Popovici", typed
        assert hits[0].rank == 0


def test_billing_account_number(agent, people):
    account = services.billing_account_create(customer=people["firm"], actor=None)
    hits = selectors.search(user=agent, query=account.number)
    assert hits[0].kind == "billing_account"
    assert hits[0].url == people["firm"].get_absolute_url()


def test_email_exact_then_prefix(agent, people):
    assert titles(selectors.search(user=agent, query="anca@example.com")) == ["Anca Popovici"]
    assert "Ana Popescu" in titles(selectors.search(user=agent, query="Ana.Popescu@exam"))


def test_id_and_vat_numbers(agent, people):
    assert titles(selectors.search(user=agent, query="1800101221144"))[0] == "Ana Popescu"
    assert titles(selectors.search(user=agent, query="ro18547290"))[0] == "Digital Home Cluj SRL"


def test_exact_and_prefix_rank_before_similar_names(agent, people):
    hits = selectors.search(user=agent, query="Ana")
    assert hits[0].title == "Ana Popescu"  # prefix of the name
    assert [h.rank for h in hits] == sorted(h.rank for h in hits)


def test_a_misspelt_last_name_still_finds_the_customer(agent, people):
    assert "Ana Popescu" in titles(selectors.search(user=agent, query="Popsecu"))


def test_wildcards_typed_by_the_user_are_literal(agent, people):
    assert selectors.search(user=agent, query="%%%") == []
    assert selectors.search(user=agent, query="a") == []  # too short


def test_partner_user_finds_only_its_own_customers(make_user, partner_a, partner_b):
    mine = person(first_name="Radu", last_name="Mine", partner=partner_a)
    person(first_name="Radu", last_name="Theirs", partner=partner_b)
    retailer = make_user(R.RETAILER)  # of partner A
    assert titles(selectors.search(user=retailer, query="Radu")) == [mine.display_name]
