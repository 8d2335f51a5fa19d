"""Demo subscriptions for ``seed_demo``: a subscription in every state, sold through
the services with dates in the past, so each has its timeline and provisioning
commands (delivered by the outbox worker), its deposit from the credit limits, and
the stories the screens need: TV with an add-on and a rented box, triple play with a
router, broadband only, multi-room with two boxes, a resting period under way, a
downgrade scheduled for the end of the billing period, an applied upgrade, an open
cancellation request with its fee in Back Office's queue, a regret.

The catalogue gets what the stories need, through its services: a resting policy on
the TV packages and ``tv-premium`` changed at the end of the billing period. Credit
limits for classes A to D are set first.

Idempotent: each story belongs to a demo customer picked in a fixed order (persons
of the demo, active, by number; the demo retailer's own customers for its stories),
and a customer who already has a subscription is skipped, so a second run creates
nothing. Device serials start with ``DEMO-``.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from alux_crm.core.models import User
from alux_crm.core.selectors import working_calendar
from customers.choices import CustomerKind, CustomerStatus
from customers.demo import DEMO_EMAIL_DOMAIN, RETAILER_CODE
from customers.models import Customer
from products import services as product_services
from products.choices import Acquisition, ChangePolicy, SalesChannel
from products.models import Product
from products.pricing import BasketItem

from . import services
from .models import CreditLimit, RestingPolicy, Subscription

SERIAL_PREFIX = "DEMO-"
EARLIEST = date(2024, 1, 15)  # the demo catalogue's prices start on 2024-01-01
# class, monthly amount (VAT included) without a deposit, deposit in months
CREDIT_LIMITS = [
    ("A", "120.00", "1.00"),
    ("B", "60.00", "1.00"),
    ("C", "35.00", "1.50"),
    ("D", "20.00", "2.00"),
]
TV_PACKAGES = ["tv-basic", "tv-family", "tv-premium"]
RESTING_POLICY = {"min_days": 30, "max_days": 90, "max_per_year": 2, "notice_days": 1}
END_OF_PERIOD_PACKAGE = "tv-premium"  # a downgrade from it waits for the next period


@dataclass
class Story:
    """One demo subscription: what is sold, when, and what happens to it next
    (``then(world, subscription)`` with the services, in the past)."""

    key: str
    items: list[tuple[str, str, int]]  # (product code, acquisition, quantity)
    signed_days_ago: int
    active_days_ago: int | None = None  # None: still waiting for the installation
    devices: list[tuple[str, str, str]] = field(default_factory=list)  # product, serial, room
    then: Callable | None = None
    retailer: bool = False
    term_months: int = 24


S, R = Acquisition.STANDARD, Acquisition.RENTAL


class _World:
    """What the stories share: today, the catalogue, the demo users."""

    def __init__(self):
        self.today = timezone.localdate()
        self.products = {p.code: p for p in Product.objects.all()}
        self.users = {u.username: u for u in User.objects.filter(username__in=USERNAMES)}

    def ago(self, days: int) -> date:
        return max(self.today - timedelta(days=days), EARLIEST)

    def user(self, username: str):
        return self.users.get(username)


USERNAMES = ["sales", "agent", "finance", "backoffice", "retailer"]


# --- what happens after the sale -------------------------------------------------------------
def _rests(world: _World, subscription: Subscription) -> None:
    """Resting for 60 days since 10 days ago (asked two days before)."""
    starts = world.ago(10)
    period = services.resting_request(
        subscription=subscription,
        starts_on=starts,
        ends_on=starts + timedelta(days=60),
        actor=world.user("agent"),
        today=starts - timedelta(days=2),
    )
    services.resting_start(period=period, actor=None, today=starts)


def _suspended(world: _World, subscription: Subscription) -> None:
    services.subscription_suspend(
        subscription=subscription,
        actor=world.user("finance"),
        reason="Invoice unpaid for 45 days",
    )


def _disconnected(world: _World, subscription: Subscription) -> None:
    _suspended(world, subscription)
    services.subscription_disconnect(
        subscription=subscription,
        actor=world.user("finance"),
        reason="Still unpaid 30 days after the suspension",
    )


def _terminated(world: _World, subscription: Subscription) -> None:
    """Asked 45 days ago to end 30 days ago (after the minimum term: no fee)."""
    asked, ends = world.ago(45), world.ago(30)
    request = services.cancellation_request_create(
        subscription=subscription,
        effective_on=ends,
        reason="Moving abroad",
        actor=world.user("agent"),
        today=asked,
    )
    services.cancellation_approve(
        request=request, actor=world.user("backoffice"), answer="Confirmed by phone", today=ends
    )


def _regret(world: _World, subscription: Subscription) -> None:
    """Changed their mind two days after signing (cooling-off: no fee)."""
    day = subscription.signed_on + timedelta(days=2)
    request = services.cancellation_request_create(
        subscription=subscription,
        effective_on=day,
        reason="Changed my mind",
        actor=world.user("agent"),
        today=day,
    )
    services.cancellation_approve(request=request, actor=world.user("backoffice"), today=day)


def _change(world, subscription, *, remove: str, add: str, today: date, reason: str) -> None:
    old = subscription.items.get(product__code=remove, valid_to__isnull=True)
    services.change_order_create(
        subscription=subscription,
        request=services.ChangeRequest(
            add=[BasketItem(world.products[add])], remove=[old], swaps=[]
        ),
        actor=world.user("agent"),
        reason=reason,
        today=today,
    )


def _downgrade_at_period_end(world: _World, subscription: Subscription) -> None:
    _change(
        world,
        subscription,
        remove="tv-premium",
        add="tv-family",
        today=world.today,
        reason="Watches no sport any more",
    )


def _upgraded(world: _World, subscription: Subscription) -> None:
    _change(
        world,
        subscription,
        remove="tv-basic",
        add="tv-family",
        today=world.ago(20),
        reason="Wants the documentaries",
    )


def _asks_to_leave(world: _World, subscription: Subscription) -> None:
    """An open request in Back Office's queue, with the fee for the rest of the term."""
    services.cancellation_request_create(
        subscription=subscription,
        effective_on=world.today + timedelta(days=30),
        reason="Found a cheaper offer",
        actor=world.user("agent"),
    )


# fmt: off
STORIES = [
    Story("pending-installation", [("tv-family", S, 1), ("tv-box", R, 1),
          ("fee-installation", S, 1)], 3, devices=[("tv-box", "DEMO-BOX-0001", "Living room")]),
    Story("tv-addon-box", [("tv-premium", S, 1), ("addon-hbo", S, 1), ("tv-box", R, 1)], 210,
          205, devices=[("tv-box", "DEMO-BOX-0002", "Living room")]),
    Story("triple-play-router", [("tp-family", S, 1), ("router", R, 1), ("tv-box", R, 1)], 420,
          415, devices=[("router", "DEMO-RTR-0001", "Hallway"),
                        ("tv-box", "DEMO-BOX-0003", "Living room")]),
    Story("broadband-only", [("net-1000", S, 1)], 130, 128),
    Story("multi-room", [("tv-premium", S, 1), ("tv-box", R, 2)], 160, 157,
          devices=[("tv-box", "DEMO-BOX-0004", "Living room"),
                   ("tv-box", "DEMO-BOX-0005", "Bedroom")]),
    Story("resting", [("tv-family", S, 1), ("net-300", S, 1)], 330, 326, then=_rests),
    Story("suspended", [("tv-family", S, 1), ("tv-box", R, 1)], 260, 255, then=_suspended,
          devices=[("tv-box", "DEMO-BOX-0006", "Living room")]),
    Story("disconnected", [("tv-basic", S, 1), ("net-300", S, 1)], 520, 515,
          then=_disconnected),
    Story("terminated", [("tv-basic", S, 1)], 900, 895, then=_terminated),
    Story("cancelled-in-regret", [("tv-family", S, 1), ("tv-box", R, 1)], 6, then=_regret,
          devices=[("tv-box", "DEMO-BOX-0007", "Living room")]),
    Story("downgrade-scheduled", [("tv-premium", S, 1), ("net-500", S, 1)], 240, 236,
          then=_downgrade_at_period_end),
    Story("upgrade-applied", [("tv-basic", S, 1), ("tv-box", R, 1)], 300, 297, then=_upgraded,
          devices=[("tv-box", "DEMO-BOX-0008", "Living room")]),
    Story("cancellation-requested", [("tp-premium", S, 1)], 190, 185, then=_asks_to_leave),
    Story("retailer-tv", [("tv-family", S, 1), ("tv-box", R, 1)], 90, 86, retailer=True,
          devices=[("tv-box", "DEMO-BOX-0009", "Living room")]),
    Story("retailer-pending", [("net-500", S, 1), ("router", R, 1)], 2, retailer=True,
          devices=[("router", "DEMO-RTR-0002", "Hallway")]),
    Story("retailer-triple-play", [("tp-family", S, 1)], 60, 57, retailer=True),
]
# fmt: on


# --- configuration ---------------------------------------------------------------------------
def _credit_limits() -> None:
    for credit_class, maximum, months in CREDIT_LIMITS:
        values = {
            "max_monthly_without_deposit": Decimal(maximum),
            "deposit_months": Decimal(months),
        }
        limit = CreditLimit.objects.filter(credit_class=credit_class).first()
        if limit is None:
            CreditLimit.objects.create(credit_class=credit_class, **values)
        elif any(getattr(limit, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(limit, name, value)
            limit.save(update_fields=[*values, "updated_at"])


def _catalogue(products: dict[str, Product]) -> None:
    """The TV packages may rest; a change from ``tv-premium`` waits for the period end."""
    for code in TV_PACKAGES:
        if code in products:
            RestingPolicy.objects.get_or_create(product=products[code], defaults=RESTING_POLICY)
    premium = products.get(END_OF_PERIOD_PACKAGE)
    if premium is not None and premium.change_policy != ChangePolicy.END_OF_PERIOD:
        product_services.product_update(product=premium, change_policy=ChangePolicy.END_OF_PERIOD)


# --- the stories -----------------------------------------------------------------------------
def _demo_persons():
    return Customer.objects.filter(
        email__endswith=f"@{DEMO_EMAIL_DOMAIN}",
        kind=CustomerKind.PERSON,
        status=CustomerStatus.ACTIVE,
        billing_accounts__isnull=False,
    ).distinct()


def _customers() -> tuple[list[Customer], list[Customer]]:
    """The demo persons of the staff stories and those of the retailer, in order."""
    persons = _demo_persons().order_by("number")
    return (
        list(persons.filter(partner__isnull=True)[: len(STORIES)]),
        list(persons.filter(partner__code=RETAILER_CODE)[: len(STORIES)]),
    )


def _sell(world: _World, story: Story, customer: Customer) -> Subscription:
    products = world.products
    signed = world.ago(story.signed_days_ago)
    booking = {}
    if story.active_days_ago is None and story.then is None:
        day = working_calendar().next_working_day(world.today)
        booking = {"installation_date": day, "installation_slot": "morning"}
    subscription = services.subscription_create(
        billing_account=customer.billing_accounts.order_by("pk").first(),
        items=[BasketItem(products[code], qty, use) for code, use, qty in story.items],
        devices=[
            services.DeviceSpec(products[code], serial, room)
            for code, serial, room in story.devices
        ],
        channel=SalesChannel.RETAILER if story.retailer else SalesChannel.AGENT,
        actor=world.user("retailer" if story.retailer else "sales"),
        signed_on=signed,
        term_months=story.term_months,
        **booking,
    )
    if story.active_days_ago is not None:
        subscription = services.subscription_activate(
            subscription=subscription,
            actor=world.user("agent"),
            on=world.ago(story.active_days_ago),
        )
    if story.then is not None:
        story.then(world, subscription)
    return subscription


def seed_subscriptions() -> int:
    """Create the demo subscriptions once (after the customers and the catalogue);
    returns how many were created (0 on a second run)."""
    with transaction.atomic():
        world = _World()
        _credit_limits()
        if not all(code in world.products for story in STORIES for code, _u, _q in story.items):
            return 0  # no demo catalogue
        _catalogue(world.products)
        staff_customers, retailer_customers = _customers()
        staff_stories = [s for s in STORIES if not s.retailer]
        retailer_stories = [s for s in STORIES if s.retailer]
        created = 0
        for stories, customers in (
            (staff_stories, staff_customers),
            (retailer_stories, retailer_customers),
        ):
            for story, customer in zip(stories, customers, strict=False):
                if customer.subscriptions.exists():
                    continue
                _sell(world, story, customer)
                created += 1
        return created
