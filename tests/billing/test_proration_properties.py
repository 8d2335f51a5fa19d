"""Property-based tests of the billing engine (hypothesis).

Proration (``period_charges``): a product changed any number of times in a month is
charged, piece by piece, what the whole month costs, give or take the rounding of
each piece (half a cent, so at most a cent per change); with a resting period
inside, the pieces still cover every day of the period exactly once.

Billing runs: for random baskets of the test catalogue on random billing accounts,
each drafted invoice's net, VAT and total are the sums of its lines (total = net +
VAT on every line and on the invoice), and equal what ``period_charges`` charges the
account's subscriptions one by one.

Each example builds its data inside a savepoint that is rolled back.
"""

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import count, pairwise

import pytest
from dateutil.relativedelta import relativedelta
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing import services
from billing.choices import RunStatus
from products import choices as C
from products.pricing import BasketItem
from subscriptions import services as sub_services
from subscriptions.charges import ItemTerms, period_charges
from tests.products import factories as PF
from tests.subscriptions import factories as SF

pytestmark = pytest.mark.django_db

D = Decimal
CENT = D("0.01")
HALF_CENT = D("0.005")
ACTIVATED = date(2020, 6, 1)  # before every generated period

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

months = st.builds(
    date, year=st.integers(min_value=2021, max_value=2030), month=st.integers(1, 12), day=st.just(1)
)
prices = st.decimals(min_value=D("0.01"), max_value=D("999.99"), places=2)
resting_fees = st.decimals(min_value=D("0.00"), max_value=D("50.00"), places=2)


def _half_up(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@pytest.fixture
def resting_subscription():
    """An active subscription (since mid-2020) of a TV package that may rest 1 to
    366 days with no notice; its real items do not matter, the tests pass items."""
    cat = PF.catalogue()
    SF.resting_policy(cat.tv, min_days=1, max_days=366, max_per_year=50, notice_days=0)
    subscription = SF.subscription(cat, items=[BasketItem(cat.tv)], devices=[], signed_on=ACTIVATED)
    return sub_services.subscription_activate(subscription=subscription, on=ACTIVATED)


def _product(price: Decimal, resting: Decimal | None = None):
    product = PF.product(C.ProductCategory.BROADBAND, tax=PF.tax_class())
    PF.plan(product, price, resting=resting)
    return product


def _chain(product, quantity: int, bounds: list[date]) -> list[ItemTerms]:
    """The same product on the subscription over consecutive spans ``bounds[i]`` to
    ``bounds[i + 1]`` (a change on every inner bound; the last one open-ended)."""
    return [
        ItemTerms(
            product=product,
            acquisition=C.Acquisition.STANDARD,
            quantity=quantity,
            manual_discount_percent=None,
            valid_from=start,
            valid_to=end if index < len(bounds) - 2 else None,
        )
        for index, (start, end) in enumerate(pairwise(bounds))
    ]


def _change_days(draw, period_days: int) -> list[int]:
    return draw(
        st.lists(st.integers(min_value=1, max_value=period_days - 1), unique=True, max_size=8).map(
            sorted
        )
    )


@st.composite
def chained_periods(draw):
    """A month, a monthly price and quantity, and the days the product changes on."""
    start = draw(months)
    end = start + relativedelta(months=1)
    changes = _change_days(draw, (end - start).days)
    return start, end, draw(prices), draw(st.integers(1, 3)), changes


@SETTINGS
@given(case=chained_periods())
def test_prorated_pieces_add_up_to_the_full_month(resting_subscription, case):
    start, end, price, quantity, changes = case
    period_days = (end - start).days
    bounds = [start, *(start + timedelta(days=d) for d in changes), end]
    with transaction.atomic():
        product = _product(price)
        whole = period_charges(
            subscription=resting_subscription,
            period_start=start,
            period_end=end,
            items=_chain(product, quantity, [start, end]),
        )
        pieces = period_charges(
            subscription=resting_subscription,
            period_start=start,
            period_end=end,
            items=_chain(product, quantity, bounds),
        )
        transaction.set_rollback(True)

    # A whole month is the monthly price (no proration, nothing rounded away).
    assert [(line.kind, line.days) for line in whole.lines] == [("recurring", period_days)]
    full = whole.lines[0].net
    assert full == price * quantity
    # One piece per span, day after day, covering the period exactly.
    lines = sorted(pieces.lines, key=lambda line: line.starts_on)
    assert [(line.starts_on, line.ends_on) for line in lines] == list(pairwise(bounds))
    assert sum(line.days for line in lines) == period_days
    for line in lines:
        assert line.kind == "recurring" and line.monthly_net == full
        assert line.net == _half_up(full * line.days / period_days)
        assert line.total == line.net + line.tax
    # The pieces add up to the month within a cent per change (half a cent a piece).
    difference = abs(pieces.net - full)
    assert difference <= CENT * len(changes), (pieces.net, full, changes)
    assert difference <= HALF_CENT * len(lines), (pieces.net, full, changes)


@st.composite
def resting_periods(draw):
    """A month, the days the product changes on, and a resting period starting in
    the month (it may run on into the next one)."""
    start = draw(months)
    end = start + relativedelta(months=1)
    period_days = (end - start).days
    changes = _change_days(draw, period_days)
    rest_from = draw(st.integers(min_value=0, max_value=period_days - 1))
    rest_days = draw(st.integers(min_value=1, max_value=60))
    return start, end, draw(prices), draw(resting_fees), changes, rest_from, rest_days


@SETTINGS
@given(case=resting_periods())
def test_with_a_resting_period_the_pieces_cover_every_day_once(resting_subscription, case):
    start, end, price, resting_fee, changes, rest_from, rest_days = case
    period_days = (end - start).days
    bounds = [start, *(start + timedelta(days=d) for d in changes), end]
    rest_start = start + timedelta(days=rest_from)
    rest_end = rest_start + timedelta(days=rest_days)
    with transaction.atomic():
        product = _product(price, resting=resting_fee)
        sub_services.resting_request(
            subscription=resting_subscription,
            starts_on=rest_start,
            ends_on=rest_end,
            today=start - timedelta(days=1),
        )
        charges = period_charges(
            subscription=resting_subscription,
            period_start=start,
            period_end=end,
            items=_chain(product, 1, bounds),
        )
        transaction.set_rollback(True)

    lines = sorted(charges.lines, key=lambda line: line.starts_on)
    # The pieces' days add up to the period's, one piece after the other.
    assert sum(line.days for line in lines) == period_days
    assert lines[0].starts_on == start and lines[-1].ends_on == end
    for before, after in pairwise(lines):
        assert before.ends_on == after.starts_on
    for line in lines:
        assert line.days == (line.ends_on - line.starts_on).days > 0
        inside = rest_start <= line.starts_on and line.ends_on <= rest_end
        outside = line.ends_on <= rest_start or rest_end <= line.starts_on
        # A piece is wholly resting or wholly not.
        assert (line.kind == "resting" and inside) or (line.kind == "recurring" and outside)
        assert line.monthly_net == (resting_fee if line.kind == "resting" else price)
        assert line.net == _half_up(line.monthly_net * line.days / period_days)
    rested = sum(line.days for line in lines if line.kind == "resting")
    assert rested == (min(rest_end, end) - rest_start).days
    # Everything charged is the prorated month, give or take half a cent a piece.
    exact = (price * (period_days - rested) + resting_fee * rested) / period_days
    assert abs(charges.net - exact) <= HALF_CENT * len(lines)


# --- invoices of a billing run ----------------------------------------------------------

DEC = date(2026, 12, 1)
JAN = date(2027, 1, 1)
BASES = [("tv",), ("broadband",), ("tv", "broadband"), ("triple",)]

subscription_specs = st.fixed_dictionaries(
    {
        "base": st.sampled_from(BASES),
        "addon": st.booleans(),
        "box": st.sampled_from([None, C.Acquisition.RENTAL, C.Acquisition.SALE]),
        "install": st.booleans(),
        "manual": st.sampled_from([D("0"), D("5"), D("12.5")]),
        # Activated before the period (a whole month) or during it (prorated).
        "activated": st.integers(min_value=-30, max_value=30).map(
            lambda days: DEC + timedelta(days=days)
        ),
    }
)
account_specs = st.lists(
    st.lists(subscription_specs, min_size=1, max_size=2), min_size=1, max_size=3
)


@pytest.fixture
def cat():
    """The test catalogue, with a promotion of odd cents on broadband."""
    catalogue = PF.catalogue()
    PF.promotion(value=D("12.5"), products=[catalogue.broadband])
    return catalogue


_serial = count(1)


def _sell(cat, account, spec):
    products = {"tv": cat.tv, "broadband": cat.broadband, "triple": cat.triple}
    items = [
        BasketItem(products[code], 1, manual_discount_percent=spec["manual"])
        for code in spec["base"]
    ]
    devices = []
    if spec["addon"] and "tv" in spec["base"]:
        items.append(BasketItem(cat.addon))
    if spec["box"]:
        items.append(BasketItem(cat.box, 1, spec["box"]))
        devices.append(sub_services.DeviceSpec(cat.box, f"PROP-{next(_serial):08d}", "Hall"))
    if spec["install"]:
        items.append(BasketItem(cat.install))
    on = spec["activated"]
    subscription = sub_services.subscription_create(
        billing_account=account, items=items, devices=devices, signed_on=on
    )
    return sub_services.subscription_activate(subscription=subscription, on=on)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(accounts=account_specs)
def test_invoice_totals_are_the_sums_of_their_lines(
    cat, accounts, django_capture_on_commit_callbacks
):
    with transaction.atomic():
        # Given paying accounts with random baskets, activated before or in December,
        subscriptions = {}
        for specs in accounts:
            account = SF.account()
            subscriptions[account.pk] = [_sell(cat, account, spec) for spec in specs]
        # when December is drafted,
        run = services.billing_run_create(bill_cycle_day=1, period_start=DEC)
        with django_capture_on_commit_callbacks(execute=True):
            services.billing_run_start(run=run)
        run.refresh_from_db()
        invoices = list(run.invoices.prefetch_related("lines"))
        expected = {
            pk: [period_charges(subscription=s, period_start=DEC, period_end=JAN) for s in subs]
            for pk, subs in subscriptions.items()
        }
        transaction.set_rollback(True)

    # then every account has its invoice, whose totals are the sums of its lines.
    assert run.status == RunStatus.DRAFT_READY, run.status
    assert {i.billing_account_id for i in invoices} == set(subscriptions)
    for invoice in invoices:
        lines = list(invoice.lines.all())
        assert lines
        for line in lines:
            assert line.total == line.net + line.tax
            assert line.tax == _half_up(line.net * line.tax_rate)
        assert invoice.net == sum(line.net for line in lines)
        assert invoice.tax == sum(line.tax for line in lines)
        assert invoice.total == sum(line.total for line in lines)
        assert invoice.total == invoice.net + invoice.tax
        # The run prices as a preview of each subscription would.
        charges = expected[invoice.billing_account_id]
        assert invoice.net == sum(c.net for c in charges)
        assert invoice.tax == sum(c.tax for c in charges)
        assert len(lines) == sum(len(c.lines) for c in charges)
