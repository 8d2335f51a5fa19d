"""``/api/v1/promises-to-pay/`` (holds): list with filters, create (field errors,
409 for a second open promise), retrieve, cancel and approve (409 on a wrong state,
403 for a role that may not), and the OpenAPI schema builds without warnings."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alux_crm.core import roles as R
from dunning.services.promises import promise_create
from tests.dunning.holds_world import owing_account

pytestmark = pytest.mark.django_db
D = Decimal
LIST = "/api/v1/promises-to-pay/"


@pytest.fixture
def api(make_user):
    def do(role):
        user = make_user(role)
        client = Client()
        client.force_login(user, backend="alux_crm.core.auth_backends.UserBackend")
        return client, user

    return do


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def test_an_integration_records_a_promise_and_reads_it_back(api):
    account = owing_account("70.00")
    client, agent = api(R.CUSTOMER_SERVICE)
    pay_by = (timezone.localdate() + timedelta(days=4)).isoformat()
    response = post(
        client, LIST, {"billing_account": account.pk, "amount": "70.00", "pay_by": pay_by}
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "open" and body["amount"] == "70.00"
    assert body["balance_when_made"] == "70.00" and body["created_by"]["id"] == agent.pk
    assert response["Location"].endswith(reverse("api:promise-to-pay-detail", args=[body["id"]]))
    assert client.get(f"{LIST}{body['id']}/").json()["pay_by"] == pay_by
    # A second open promise for the account: 409 with the reason
    again = post(client, LIST, {"billing_account": account.pk, "amount": "5", "pay_by": pay_by})
    assert again.status_code == 409 and again.json()["error"] == "open_promise"


def test_create_answers_field_errors(api):
    account = owing_account("20.00")
    client, _agent = api(R.CUSTOMER_SERVICE)
    response = post(client, LIST, {"billing_account": account.pk, "amount": "x"})
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert "amount" in fields and "pay_by" in fields
    far = (timezone.localdate() + timedelta(days=40)).isoformat()
    response = post(client, LIST, {"billing_account": account.pk, "amount": "5", "pay_by": far})
    assert response.status_code == 400 and "pay_by" in response.json()["fields"]
    response = post(client, LIST, {"billing_account": 999999, "amount": "5", "pay_by": far})
    assert response.status_code == 404


def test_list_filters_by_status_and_account(api):
    today = timezone.localdate()
    first, second = owing_account("10"), owing_account("10")
    open_one = promise_create(account=first, amount=D("10"), pay_by=today)
    promise_create(account=second, amount=D("10"), pay_by=today)
    client, _user = api(R.BILLING_FINANCE)
    rows = client.get(LIST, {"billing_account": first.pk}).json()["results"]
    assert [r["id"] for r in rows] == [open_one.pk]
    assert client.get(LIST, {"status": "kept"}).json()["results"] == []
    assert len(client.get(LIST, {"status": "open"}).json()["results"]) == 2


def test_cancel_and_approve_with_their_conflicts(api):
    account = owing_account("30.00")
    agent_client, agent = api(R.CUSTOMER_SERVICE)
    promise = promise_create(
        account=account, amount=D("30"), pay_by=timezone.localdate(), actor=agent
    )
    url = f"{LIST}{promise.pk}/"
    assert post(agent_client, url + "approve/").status_code == 403  # agents do not approve
    finance, _user = api(R.BILLING_FINANCE)
    response = post(finance, url + "approve/")
    assert response.status_code == 200 and response.json()["approved_for_reconnection"]
    assert post(finance, url + "approve/").status_code == 409
    assert post(agent_client, url + "cancel/").json()["status"] == "cancelled"
    again = post(agent_client, url + "cancel/")
    assert again.status_code == 409 and again.json()["error"] == "invalid_transition"


def test_approving_ones_own_promise_is_a_conflict(api):
    account = owing_account("30.00")
    finance, user = api(R.BILLING_FINANCE)
    promise = promise_create(
        account=account, amount=D("30"), pay_by=timezone.localdate(), actor=user
    )
    assert post(finance, f"{LIST}{promise.pk}/approve/").status_code == 409


def test_other_roles_are_refused(api):
    client, _user = api(R.SALES)
    assert client.get(LIST).status_code == 403


def test_the_schema_builds_without_warnings(tmp_path):
    call_command("spectacular", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    schema = (tmp_path / "schema.yaml").read_text()
    assert "/api/v1/promises-to-pay/{id}/approve/" in schema
