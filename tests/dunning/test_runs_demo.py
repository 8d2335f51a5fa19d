"""The runs demo (seed_demo): an executed disconnection run with a Gold customer on
the save desk, a previewed run waiting, an automatic reconnection run — once."""

import pytest

from dunning.choices import RunItemOutcome as O
from dunning.choices import ServiceRunStatus
from dunning.demo_runs import seed_runs
from dunning.models import SaveDeskEntry, ServiceRun
from subscriptions.choices import SubscriptionStatus as S
from subscriptions.models import Subscription
from tests.dunning.runs_world import debtor
from tests.products import factories as PF

pytestmark = pytest.mark.django_db


def test_the_demo_makes_each_kind_of_run_once():
    cat = PF.catalogue()
    accounts = sorted((debtor(cat) for _n in range(5)), key=lambda a: a.pk)
    seed_runs()
    executed, waiting = ServiceRun.objects.filter(kind="disconnection").order_by("pk")
    assert executed.status == ServiceRunStatus.DONE
    outcomes = dict(executed.items.values_list("billing_account_id", "outcome"))
    assert outcomes == {
        accounts[0].pk: O.SAVE_DESK, accounts[1].pk: O.DONE, accounts[2].pk: O.EXCLUDED,
        accounts[3].pk: O.DONE, accounts[4].pk: O.EXCLUDED,
    }  # fmt: skip
    entry = SaveDeskEntry.objects.get()
    assert (entry.billing_account_id, entry.tier, entry.status) == (accounts[0].pk, "gold", "open")
    assert waiting.status == ServiceRunStatus.PREVIEWED
    assert set(waiting.items.values_list("billing_account_id", flat=True)) == {
        accounts[0].pk, accounts[2].pk, accounts[4].pk,
    }  # fmt: skip
    reconnection = ServiceRun.objects.get(kind="reconnection")
    assert reconnection.automatic and reconnection.status == ServiceRunStatus.DONE
    assert Subscription.objects.get(billing_account=accounts[1]).status == S.ACTIVE
    assert Subscription.objects.get(billing_account=accounts[3]).status == S.DISCONNECTED
    seed_runs()
    assert ServiceRun.objects.count() == 3 and SaveDeskEntry.objects.count() == 1
