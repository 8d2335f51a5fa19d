"""The pages of the disconnection and reconnection runs and the save desk, per role:
Back Office creates, previews, excludes (htmx), executes and follows the progress;
Billing & Finance reads; agents work the save desk; partners see none of it."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alux_crm.core import roles as R
from dunning.choices import RunItemOutcome as O
from dunning.choices import SaveDeskStatus, ServiceRunStatus
from dunning.models import SaveDeskEntry, ServiceRun
from dunning.services import runs
from subscriptions.choices import SubscriptionStatus as S
from subscriptions.models import Subscription
from tests.dunning.runs_world import TODAY, debtor
from tests.products import factories as PF

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def cat():
    return PF.catalogue()


@pytest.fixture
def today(monkeypatch):
    """The pages run on ``TODAY`` (the debts are made relative to it)."""
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)
    return TODAY


def test_back_office_runs_a_disconnection_from_the_pages(
    cat, today, client, login, make_user, django_capture_on_commit_callbacks
):
    cut, spared = debtor(cat, region="Cluj"), debtor(cat, region="Cluj")
    debtor(cat, region="Iasi")
    login(make_user(R.BACK_OFFICE))
    form = client.get(reverse("dunning:service_run_create"))
    assert b"Cluj" in form.content and b"Iasi" in form.content  # regions from the data
    response = client.post(
        reverse("dunning:service_run_create"),
        {"kind": "disconnection", "name": "Cluj", "min_days_overdue": 30, "min_amount": "0",
         "regions": ["Cluj"]},
    )  # fmt: skip
    run = ServiceRun.objects.get(name="Cluj")
    assert response.status_code == 302 and response["Location"] == run.get_absolute_url()
    client.post(reverse("dunning:service_run_preview", args=[run.pk]))
    page = client.get(run.get_absolute_url())
    assert cut.number in page.content.decode() and spared.number in page.content.decode()
    assert 'data-total="accounts">2<' in page.content.decode()
    # Exclude one by htmx: the row comes back with "Include", the totals are told.
    item = run.items.get(billing_account=spared)
    row = client.post(
        reverse("dunning:service_run_item_exclude", args=[item.pk]), HTTP_HX_REQUEST="true"
    )
    assert f'id="include-{item.pk}"' in row.content.decode()
    assert row["HX-Trigger"] == "run-totals-changed"
    totals = client.get(reverse("dunning:service_run_totals", args=[run.pk]))
    assert 'data-total="accounts">1<' in totals.content.decode()
    confirm = client.get(reverse("dunning:service_run_execute", args=[run.pk]))
    assert b"1 accounts" in confirm.content
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("dunning:service_run_execute", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == ServiceRunStatus.DONE
    assert set(
        Subscription.objects.filter(billing_account=cut).values_list("status", flat=True)
    ) == {S.DISCONNECTED}
    assert Subscription.objects.get(billing_account=spared).status == S.ACTIVE
    progress = client.get(
        reverse("dunning:service_run_progress", args=[run.pk]), HTTP_HX_REQUEST="true"
    )
    assert progress["HX-Refresh"] == "true" and 'data-outcome="done"' in progress.content.decode()
    csv = b"".join(client.get(reverse("dunning:service_run_csv", args=[run.pk])).streaming_content)
    assert cut.number.encode() in csv and b"Excluded by hand" in csv


def test_the_run_page_reads_in_a_fixed_number_of_queries(cat, today, client, login, make_user):
    for _n in range(2):
        debtor(cat)
    run = runs.service_run_preview(run=runs.service_run_create(kind="disconnection"), today=TODAY)
    login(make_user(R.BACK_OFFICE))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(run.get_absolute_url())
        assert response.status_code == 200
        return len(captured)

    queries()  # the first request also warms the caches (session, operator settings)
    few = queries()
    for _n in range(6):
        debtor(cat)
    run = runs.service_run_preview(run=run, today=TODAY)
    assert queries() == few <= 20
    response = client.get(run.get_absolute_url())
    assert response.content.decode().count('<tr id="item-') == 8


def test_billing_and_finance_read_but_do_not_operate(cat, today, client, login, make_user):
    debtor(cat)
    run = runs.service_run_preview(run=runs.service_run_create(kind="disconnection"), today=TODAY)
    login(make_user(R.BILLING_FINANCE))
    page = client.get(run.get_absolute_url())
    assert page.status_code == 200
    assert b'id="run-execute"' not in page.content and b'id="exclude-' not in page.content
    assert client.post(reverse("dunning:service_run_execute", args=[run.pk])).status_code == 403
    assert client.get(reverse("dunning:service_run_list")).status_code == 200
    assert client.get(reverse("dunning:save_desk_list")).status_code == 200
    assert client.post(reverse("dunning:save_desk_resolve", args=[1])).status_code == 403


@pytest.mark.parametrize("role", [R.CUSTOMER_SERVICE, R.RETAILER, R.SALES])
def test_other_roles_do_not_see_the_runs(role, client, login, make_user):
    login(make_user(role))
    assert client.get(reverse("dunning:service_run_list")).status_code == 403
    expected = 200 if role == R.CUSTOMER_SERVICE else 403
    assert client.get(reverse("dunning:save_desk_list")).status_code == expected


def test_an_agent_works_the_save_desk_call_list(
    cat, today, client, login, make_user, django_capture_on_commit_callbacks
):
    gold = debtor(cat, tier="platinum")
    run = runs.service_run_preview(run=runs.service_run_create(kind="disconnection"), today=TODAY)
    with django_capture_on_commit_callbacks(execute=True):
        runs.service_run_execute(run=run, today=TODAY)
    assert run.items.get().outcome == O.SAVE_DESK
    agent = make_user(R.CUSTOMER_SERVICE)
    login(agent)
    listing = client.get(reverse("dunning:save_desk_list"))
    assert gold.number in listing.content.decode()
    entry = SaveDeskEntry.objects.get(billing_account=gold)
    refused = client.post(
        reverse("dunning:save_desk_resolve", args=[entry.pk]), {"status": "saved"}
    )
    assert refused.status_code == 422  # a note is needed
    client.post(
        reverse("dunning:save_desk_resolve", args=[entry.pk]),
        {"status": "saved", "note": "Pays on Friday, offered 10 % off"},
    )
    entry.refresh_from_db()
    assert (entry.status, entry.handled_by, entry.note) == (
        SaveDeskStatus.SAVED, agent, "Pays on Friday, offered 10 % off",
    )  # fmt: skip
    assert gold.number not in client.get(reverse("dunning:save_desk_list")).content.decode()
