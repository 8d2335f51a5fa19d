"""Reads of the portal's services pages (POR-1, issue 8): the subscriber's
subscriptions with their products, devices, resting periods and scheduled changes,
and what a subscription may buy in the portal (add-ons, pay-per-view events).

Every read starts from the subscriber's customer (``portal_customer``): another
customer's subscription is a 404. Which products may be added is decided by the
catalogue's own check (``price_basket``: on sale, priced, aired, requirements and
exclusions against what the subscription keeps) — the same one a change order runs;
the portal adds only its own shop rules (which categories it sells, one of each)."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Value,
    When,
    prefetch_related_objects,
)
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.choices import AddressKind
from products.choices import ProductCategory, ProductKind, SalesChannel
from products.eligibility import Buyer
from products.models import Product
from products.pricing import BasketItem, load_catalogue, price_basket
from products.selectors import product_list
from subscriptions import selectors as subscription_selectors
from subscriptions.choices import (
    CancellationStatus,
    ChangeAction,
    ChangeStatus,
    RestingStatus,
    SubscriptionStatus,
)
from subscriptions.models import (
    CancellationRequest,
    ChangeOrder,
    Device,
    RestingPeriod,
    RestingPolicy,
    Subscription,
    SubscriptionItem,
)
from subscriptions.services import ChangePreview, ChangeRequest, change_preview, resting_policy_of
from subscriptions.services.changes import CHANGEABLE_STATUSES

# What the portal sells, by page: add-ons (channels added to a TV package) and
# pay-per-view events. Other categories (packages, broadband, devices, fees) are
# sold by agents and retailers only.
PORTAL_SHOP: dict[str, tuple[str, ...]] = {
    "addon": (ProductCategory.TV_ADDON,),
    "ppv": (ProductCategory.PAY_PER_VIEW,),
}
RECENT_PURCHASES = 5  # pay-per-view events and movies shown on a subscription

STATUS_COLOURS = {
    SubscriptionStatus.ACTIVE: "success",
    SubscriptionStatus.RESTING: "info",
    SubscriptionStatus.PENDING_INSTALLATION: "warning",
    SubscriptionStatus.SUSPENDED: "danger",
    SubscriptionStatus.DISCONNECTED: "danger",
}
_LIVE_FIRST = Case(
    When(status__in=[SubscriptionStatus.TERMINATED, SubscriptionStatus.CANCELLED], then=Value(1)),
    default=Value(0),
    output_field=IntegerField(),
)


@dataclass
class ServiceView:
    """A subscription as the subscriber sees it: the products it holds now, the
    devices with their serial, recent pay-per-view purchases, the resting periods
    planned or under way and the changes waiting for their day."""

    subscription: Subscription
    products: list[SubscriptionItem]
    purchases: list[SubscriptionItem]
    devices: list[Device]
    resting: list[RestingPeriod]
    changes: list[ChangeOrder]
    cancellations: list[CancellationRequest] = field(default_factory=list)

    @property
    def status_colour(self) -> str:
        return STATUS_COLOURS.get(self.subscription.status, "secondary")


def _service_view(subscription: Subscription) -> ServiceView:
    items = subscription.current_items
    content = [i for i in items if i.product.kind == ProductKind.CONTENT]
    content.sort(key=lambda i: (i.valid_from, i.pk), reverse=True)
    return ServiceView(
        subscription=subscription,
        products=[i for i in items if i.product.kind in (ProductKind.SERVICE, ProductKind.BUNDLE)],
        purchases=content[:RECENT_PURCHASES],
        devices=subscription.current_devices,
        resting=subscription.open_resting,
        changes=subscription.scheduled_changes,
        cancellations=subscription.open_cancellations,
    )


# What a subscription card shows beyond its items and devices, rarely there: each
# is prefetched only for the subscriptions the main query flags as having one.
_OPEN_RESTING = RestingPeriod.objects.filter(
    status__in=[RestingStatus.SCHEDULED, RestingStatus.RESTING]
)
_SCHEDULED_CHANGES = ChangeOrder.objects.filter(status=ChangeStatus.SCHEDULED)
_OPEN_CANCELLATIONS = CancellationRequest.objects.filter(status=CancellationStatus.OPEN)


def _optional_prefetches() -> list[tuple[str, Prefetch]]:
    return [
        (
            "has_open_resting",
            Prefetch(
                "resting_periods",
                queryset=_OPEN_RESTING.order_by("starts_on"),
                to_attr="open_resting",
            ),
        ),
        (
            "has_scheduled_changes",
            Prefetch(
                "change_orders",
                queryset=_SCHEDULED_CHANGES.prefetch_related("lines__product").order_by(
                    "effective_on", "id"
                ),
                to_attr="scheduled_changes",
            ),
        ),
        (
            "has_open_cancellations",
            Prefetch(
                "cancellation_requests", queryset=_OPEN_CANCELLATIONS, to_attr="open_cancellations"
            ),
        ),
    ]


def _subscriptions(customer, pk: int | None = None) -> list[Subscription]:
    """The customer's subscriptions (or the one of ``pk``) with what their cards
    show, live ones first, newest first: three queries, and one or two more for each
    kind of open resting, scheduled change or cancellation some of them have."""
    subscriptions = (
        Subscription.objects.filter(customer=customer)
        .select_related("billing_account")
        .prefetch_related(
            subscription_selectors.current_items_prefetch(
                order_by=("product__sort_order", "valid_from", "id")
            ),
            subscription_selectors.current_devices_prefetch(),
        )
        .annotate(
            ended_last=_LIVE_FIRST,
            has_open_resting=Exists(_OPEN_RESTING.filter(subscription=OuterRef("pk"))),
            has_scheduled_changes=Exists(_SCHEDULED_CHANGES.filter(subscription=OuterRef("pk"))),
            has_open_cancellations=Exists(_OPEN_CANCELLATIONS.filter(subscription=OuterRef("pk"))),
        )
        .order_by("ended_last", "-signed_on", "-id")
    )
    if pk is not None:
        subscriptions = subscriptions.filter(pk=pk)
    subscriptions = list(subscriptions)
    for subscription in subscriptions:
        subscription.customer = customer
    for flag, prefetch in _optional_prefetches():
        having = [s for s in subscriptions if getattr(s, flag)]
        for subscription in subscriptions:
            if not getattr(subscription, flag):
                setattr(subscription, prefetch.to_attr, [])
        if having:
            prefetch_related_objects(having, prefetch)
    return subscriptions


def portal_services(*, customer) -> list[ServiceView]:
    """Every subscription of ``customer`` as the services page shows it."""
    return [_service_view(s) for s in _subscriptions(customer)]


def portal_service(*, customer, pk: int) -> ServiceView:
    """One subscription of ``customer``; another customer's is a 404."""
    found = _subscriptions(customer, pk=pk)
    if not found:
        raise Http404
    return _service_view(found[0])


def portal_installation_address(*, customer, day: date | None = None):
    """The customer's installation address valid on ``day`` (today), if any."""
    return (
        customer.addresses.valid_on(day or timezone.localdate())
        .filter(kind=AddressKind.INSTALLATION)
        .first()
    )


def portal_resting_period(*, service: ServiceView, pk: int) -> RestingPeriod:
    """A resting period, planned or under way, of the subscriber's subscription; any
    other (another subscription's, one already over) is a 404."""
    period = next((p for p in service.resting if p.pk == pk), None)
    if period is None:
        raise Http404
    return period


def portal_resting_policy(*, subscription: Subscription) -> RestingPolicy | None:
    """The resting policy of the subscription's products (the service's own rule)."""
    return resting_policy_of(subscription)


def portal_can_rest(*, subscription: Subscription, policy: RestingPolicy | None) -> bool:
    """Whether the page offers to book resting: the booking service accepts only an
    active subscription whose products have a resting policy."""
    return subscription.status == SubscriptionStatus.ACTIVE and policy is not None


def portal_rest_preview(*, subscription: Subscription, starts_on: date, ends_on: date, actor):
    """The charges of every billing period the resting would touch (a dry run of the
    booking: raises what the booking would raise)."""
    return subscription_selectors.resting_invoice_preview(
        subscription=subscription, starts_on=starts_on, ends_on=ends_on, actor=actor
    )


# --- the portal's shop ---------------------------------------------------------------------


@dataclass(frozen=True)
class Offer:
    """A product the subscription may buy in the portal, at its list price with VAT
    (the preview shows the exact charges, discounts and proration included)."""

    product: Product
    price: Decimal
    currency: str
    recurring: bool


def _keeps(subscription: Subscription) -> list[Product]:
    return [i.product for i in subscription.current_items]


def _ordered(subscription: Subscription) -> dict[int, date]:
    """Products a scheduled change adds, with its day."""
    return {
        line.product_id: order.effective_on
        for order in subscription.scheduled_changes
        for line in order.lines.all()
        if line.action == ChangeAction.ADD and line.device_id is None
    }


def _price(subscription: Subscription, product: Product, buyer, catalogue, today) -> Offer:
    """The list price of ``product`` added to what the subscription keeps; raises the
    catalogue's ``ValidationError`` (not on sale, aired, requires, excludes...)."""
    quote = price_basket(
        items=[BasketItem(product)],
        buyer=buyer,
        on_date=today,
        channel=SalesChannel.PORTAL,
        term_months=1,
        currency=subscription.currency,
        existing_products=_keeps(subscription),
        granted_promotions={},
        catalogue=catalogue,
    )
    recurring = any(line.is_recurring for line in quote.lines)
    price = quote.monthly_total if recurring else quote.one_time_total
    return Offer(product, price, subscription.currency, recurring)


def portal_offers(*, subscription: Subscription, kind: str, today: date | None = None):
    """What ``subscription`` may buy on the portal page ``kind`` (``addon``, ``ppv``),
    in catalogue order: on sale in the page's categories, not on it already, and
    accepted by the catalogue's check against what it keeps. Nothing when the
    subscription cannot be changed."""
    if subscription.status not in CHANGEABLE_STATUSES:
        return []
    today = today or timezone.localdate()
    taken = {p.pk for p in _keeps(subscription)} | set(_ordered(subscription))
    candidates = [
        p
        for p in product_list(on_sale_only=True)
        .filter(category__in=PORTAL_SHOP[kind])
        .order_by("sort_order", "code")
        if p.pk not in taken
    ]
    if not candidates:
        return []
    buyer = Buyer.of_customer(subscription.customer)
    catalogue = load_catalogue(candidates, subscription.currency, buyer.country, today, today)
    offers = []
    for product in candidates:
        try:
            offers.append(_price(subscription, product, buyer, catalogue, today))
        except ValidationError:
            continue
    return offers


def portal_offer(
    *, subscription: Subscription, kind: str, product_id, today: date | None = None
) -> Offer:
    """The offer of ``product_id`` on the portal page ``kind``, or a ``ValidationError``
    saying why the portal does not sell it to this subscription."""
    today = today or timezone.localdate()
    product = product_list().filter(pk=product_id).first()
    if product is None or product.category not in PORTAL_SHOP[kind]:
        raise ValidationError(_("This product cannot be bought in the portal."))
    if product.pk in {p.pk for p in _keeps(subscription)}:
        raise ValidationError(_("%(p)s is already on this subscription.") % {"p": product})
    ordered = _ordered(subscription)
    if product.pk in ordered:
        raise ValidationError(
            _("%(p)s is already ordered for %(day)s.")
            % {"p": product, "day": ordered[product.pk].isoformat()}
        )
    buyer = Buyer.of_customer(subscription.customer)
    catalogue = load_catalogue([product], subscription.currency, buyer.country, today, today)
    return _price(subscription, product, buyer, catalogue, today)


@dataclass
class OfferPreview:
    """What buying an offer does to the invoices (``change_preview``): the day it
    takes effect, the new product's lines in the current period (prorated, or the
    one-time charge), what it adds to the next period, and the next invoice."""

    offer: Offer
    change: ChangePreview

    def _lines(self, charges) -> list:
        return [line for line in charges.lines if line.product.pk == self.offer.product.pk]

    @property
    def new_lines(self) -> list:
        return self._lines(self.change.current_after)

    @property
    def next_period(self) -> Decimal:
        """What the product adds to the next billing period (a full month, unless a
        pause or another change falls in it)."""
        return sum((line.total for line in self._lines(self.change.next_period)), Decimal("0.00"))


def portal_offer_preview(
    *, subscription: Subscription, offer: Offer, today: date | None = None
) -> OfferPreview:
    """The preview of adding ``offer`` today; raises what the change would raise."""
    change = change_preview(
        subscription=subscription,
        request=portal_change_request(offer),
        requested_on=today or timezone.localdate(),
        channel=SalesChannel.PORTAL,
    )
    return OfferPreview(offer, change)


def portal_change_request(offer: Offer) -> ChangeRequest:
    """The change order's request of one offer: one of the product, standard use."""
    return ChangeRequest(add=[BasketItem(offer.product)], remove=[], swaps=[])
