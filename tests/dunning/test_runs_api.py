"""``/api/v1/disconnection-runs/``: create, preview with totals, the accounts with
exclude / include, execute (202), cancel; 409 on a wrong state, 400 on bad input,
403 for a role that may only read."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from alux_crm.core import roles as R
from subscriptions.choices import SubscriptionStatus as S
from subscriptions.models import Subscription
from tests.dunning.runs_world import TODAY, debtor
from tests.products import factories as PF

pytestmark = pytest.mark.django_db
URL = "/api/v1/disconnection-runs/"


@pytest.fixture
def api(make_user):
    def as_role(role):
        client = APIClient()
        client.force_authenticate(make_user(role))
        return client

    return as_role


def test_back_office_previews_excludes_and_executes_through_the_api(
    api, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)
    cat = PF.catalogue()
    cut, spared = debtor(cat, owes=Decimal("50.00")), debtor(cat)
    client = api(R.BACK_OFFICE)
    created = client.post(URL, {"kind": "disconnection", "min_days_overdue": 30}, format="json")
    assert created.status_code == 201 and created.data["status"] == "draft"
    run_url = f"{URL}{created.data['id']}/"
    assert created["Location"].endswith(run_url)
    preview = client.post(f"{run_url}preview/")
    assert (preview.data["accounts_total"], preview.data["amount_total"]) == (2, "90.00")
    items = client.get(f"{run_url}items/").data["results"]
    spared_item = next(i for i in items if i["billing_account"] == spared.pk)
    excluded = client.post(f"{run_url}items/{spared_item['id']}/exclude/")
    assert excluded.status_code == 200 and excluded.data["outcome"] == "excluded"
    assert client.get(run_url).data["accounts_total"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        executed = client.post(f"{run_url}execute/")
    assert executed.status_code == 202
    done = client.get(run_url).data
    assert done["status"] == "done" and done["outcomes"] == {"done": 1, "excluded": 1}
    assert Subscription.objects.get(billing_account=cut).status == S.DISCONNECTED
    assert Subscription.objects.get(billing_account=spared).status == S.ACTIVE
    # Wrong states answer 409 with the error's code.
    again = client.post(f"{run_url}execute/")
    assert again.status_code == 409 and again.data["error"] == "invalid_transition"
    assert client.post(f"{run_url}cancel/").status_code == 409
    assert client.post(f"{run_url}items/{spared_item['id']}/include/").status_code == 409
    assert client.get(f"{run_url}items/?outcome=done").data["count"] == 1


def test_bad_input_is_400_and_readers_may_not_write(api):
    client = api(R.BACK_OFFICE)
    bad = client.post(URL, {"kind": "nothing", "min_amount": "-5"}, format="json")
    assert bad.status_code == 400 and bad.data["error"] == "invalid"
    assert {"kind", "min_amount"} <= set(bad.data["fields"])
    reader = api(R.BILLING_FINANCE)
    assert reader.get(URL).status_code == 200
    assert reader.post(URL, {"kind": "disconnection"}, format="json").status_code == 403
    assert api(R.CUSTOMER_SERVICE).get(URL).status_code == 403
    assert client.get(f"{URL}999999/").status_code == 404
