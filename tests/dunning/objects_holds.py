"""Objects and URL arguments of the collections pages (holds) for the access matrix
test (``tests/core/test_access_matrix.py`` calls ``objects`` in its world fixture and
merges ``URL_KWARGS``)."""

from datetime import timedelta
from decimal import Decimal


def _pk(key):
    return lambda ctx: {"pk": ctx[key].pk}


URL_KWARGS: dict = {
    **{f"dunning:promise_{name}": _pk("holds_promise") for name in ("detail", "cancel", "approve")},
    **{f"dunning:payment_plan_{name}": _pk("holds_plan") for name in ("detail", "cancel")},
    **{f"dunning:deposit_{name}": _pk("holds_deposit") for name in ("detail", "pay", "refund")},
    **{
        f"api:promise-to-pay-{name}": _pk("holds_promise")
        for name in ("detail", "cancel", "approve")
    },
}


def objects(account, subscription) -> dict:
    """A promise to pay, a payment plan and a deposit of the world's account (which
    owes the matrix's posted invoice)."""
    from django.utils import timezone

    from dunning.services.deposits import deposit_request
    from dunning.services.payment_plans import payment_plan_create
    from dunning.services.promises import promise_create

    today = timezone.localdate()
    account.refresh_from_db()
    promise = promise_create(account=account, amount=Decimal("1.00"), pay_by=today)
    plan = payment_plan_create(
        account=account,
        instalments=[(today + timedelta(days=3), Decimal("1.00"))],
    )
    deposit = deposit_request(
        account=account, amount=Decimal("10.00"), why="Access matrix", subscription=subscription
    )
    return {"holds_promise": promise, "holds_plan": plan, "holds_deposit": deposit}


# --- centre --- (blocking rules, run centre, schedules: tests/dunning/objects_centre.py)
from tests.dunning import objects_centre as _centre  # noqa: E402

URL_KWARGS.update(_centre.URL_KWARGS)
_holds_objects = objects


def objects(account, subscription) -> dict:  # wraps the holds objects above
    """The holds objects and the centre's."""
    return {**_holds_objects(account, subscription), **_centre.objects(account, subscription)}
