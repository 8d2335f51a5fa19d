"""Plan changes (SUB-2): upgrades, downgrades, package changes, add-ons added or
removed and device swaps are orders with their own status, effective on the day the
products' change policy gives, previewed line by line before the agent confirms.

Policy of an order: the latest of the policies of the products it adds or removes
(``immediate`` < ``end_of_period`` < ``end_of_term``). Immediate changes take effect
on the requested day (prorated by day); the others at the start of the next billing
period or at the contract end.
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alux_crm.core.errors import DomainError, InvalidTransition
from products.choices import ChangePolicy, ProductCategory, SalesChannel
from products.pricing import BasketItem, price_basket

from .. import choices
from ..charges import ItemTerms, PeriodCharges, billing_period, period_charges
from ..choices import ChangeAction, ChangeKind, ChangeStatus
from ..choices import SubscriptionStatus as S
from ..models import ChangeOrder, Device, Subscription, SubscriptionItem
from .lifecycle import provision

POLICY_ORDER = [ChangePolicy.IMMEDIATE, ChangePolicy.END_OF_PERIOD, ChangePolicy.END_OF_TERM]
CHANGEABLE_STATUSES = (S.ACTIVE, S.RESTING, S.PENDING_INSTALLATION)
BASE_CATEGORIES = (ProductCategory.TV_PACKAGE, ProductCategory.TRIPLE_PLAY)


@dataclass(frozen=True)
class DeviceSwap:
    """A device given back and the serial of the one that replaces it."""

    device: Device
    new_serial: str


@dataclass
class ChangeRequest:
    """What an agent or subscriber asks to change."""

    add: list[BasketItem]
    remove: list[SubscriptionItem]
    swaps: list[DeviceSwap]


@dataclass
class ChangePreview:
    """What a change does to the next invoices, before it is confirmed: the current
    billing period's adjustment (after minus before, prorated) and the next period's
    charges after the change, line by line."""

    kind: str
    policy: str
    effective_on: date
    current_before: PeriodCharges
    current_after: PeriodCharges
    next_period: PeriodCharges

    @property
    def adjustment(self):
        return self.current_after.total - self.current_before.total

    @property
    def next_invoice_total(self):
        """The next invoice (billed in advance): the next period plus the adjustment."""
        return self.next_period.total + self.adjustment


def _policy(request: ChangeRequest) -> str:
    products = [i.product for i in request.add] + [i.product for i in request.remove]
    policies = [p.change_policy for p in products] or [ChangePolicy.IMMEDIATE]
    return max(policies, key=POLICY_ORDER.index)


def _effective_on(subscription: Subscription, policy: str, requested: date) -> date:
    if policy == ChangePolicy.IMMEDIATE:
        return requested
    _start, next_start = billing_period(
        bill_cycle_day=subscription.billing_account.bill_cycle_day, day=requested
    )
    if policy == ChangePolicy.END_OF_TERM and subscription.contract_end:
        return max(subscription.contract_end, requested)
    return next_start


def _kind(request: ChangeRequest, subscription: Subscription) -> str:
    """What the change is, in the words agents use."""
    if request.swaps and not request.add and not request.remove:
        return ChangeKind.DEVICE_SWAP
    added_base = [i for i in request.add if i.product.category in BASE_CATEGORIES]
    removed_base = [i for i in request.remove if i.product.category in BASE_CATEGORIES]
    if added_base and removed_base:
        monthly = {
            "new": _monthly(
                subscription, [(i.product, i.quantity, i.acquisition) for i in added_base]
            ),
            "old": _monthly(
                subscription, [(i.product, i.quantity, i.acquisition) for i in removed_base]
            ),
        }
        if monthly["new"] > monthly["old"]:
            return ChangeKind.UPGRADE
        if monthly["new"] < monthly["old"]:
            return ChangeKind.DOWNGRADE
        return ChangeKind.PACKAGE_CHANGE
    if request.remove and not request.add:
        return ChangeKind.REMOVE_ADDON
    if request.add and not request.remove:
        return ChangeKind.ADD_ADDON
    return ChangeKind.PACKAGE_CHANGE


def _monthly(subscription, products) -> object:
    quote = price_basket(
        customer=subscription.customer,
        items=[BasketItem(p, q, a) for p, q, a in products],
        term_months=1,
        currency=subscription.currency,
        check_sale=False,
        granted_promotions={},
    )
    return quote.monthly_net


def _check(subscription: Subscription, request: ChangeRequest, effective_on: date) -> None:
    if subscription.status not in CHANGEABLE_STATUSES:
        raise InvalidTransition(
            _("A %(status)s subscription cannot be changed.")
            % {"status": subscription.get_status_display().lower()}
        )
    if not (request.add or request.remove or request.swaps):
        raise ValidationError(_("The change is empty."))
    for item in request.remove:
        if item.subscription_id != subscription.pk or item.valid_to is not None:
            raise ValidationError(_("%(p)s is not on this subscription.") % {"p": item.product})
    for swap in request.swaps:
        if swap.device.subscription_id != subscription.pk or swap.device.returned_on:
            raise ValidationError(
                _("Device %(s)s is not on this subscription.") % {"s": swap.device.serial}
            )
        if Device.objects.filter(serial=swap.new_serial).exists():
            raise ValidationError(
                {"new_serial": _("Serial %(s)s is already in use.") % {"s": swap.new_serial}}
            )
    if request.add:
        removed = {i.pk for i in request.remove}
        keeps = [
            i.product
            for i in subscription.items.filter(valid_to__isnull=True)
            if i.pk not in removed
        ]
        # The catalogue's rules: what is added must be on sale and fit what stays.
        price_basket(
            customer=subscription.customer,
            items=request.add,
            on_date=effective_on,
            term_months=1,
            currency=subscription.currency,
            existing_products=keeps,
        )


def _planned_items(
    subscription: Subscription,
    request: ChangeRequest,
    effective_on: date,
    channel: str = SalesChannel.AGENT,
) -> list[ItemTerms]:
    removed = {i.pk for i in request.remove}
    planned = []
    for item in subscription.items.prefetch_related("promotions"):
        terms = ItemTerms.of_item(item)
        if item.pk in removed:
            terms = ItemTerms(**{**terms.__dict__, "valid_to": effective_on})
        planned.append(terms)
    promotions = _granted(subscription, request.add, effective_on, channel)
    for add in request.add:
        planned.append(
            ItemTerms(
                product=add.product,
                acquisition=add.acquisition,
                quantity=add.quantity,
                manual_discount_percent=add.manual_discount_percent,
                valid_from=effective_on,
                valid_to=None,
                promotions=tuple(promotions.get(add.product.pk, ())),
            )
        )
    return planned


def _granted(
    subscription, items: list[BasketItem], on: date, channel: str = SalesChannel.AGENT
) -> dict[int, list]:
    """The promotions the added products earn on their first day when sold through
    ``channel`` (a promotion may be for one sales channel only)."""
    if not items:
        return {}
    quote = price_basket(
        customer=subscription.customer,
        items=items,
        on_date=on,
        term_months=1,
        currency=subscription.currency,
        check_sale=False,
        channel=channel,
    )
    from products.models import Promotion

    codes = {
        line.product.pk: [d.code for d in line.discounts if d.source == "promotion"]
        for line in quote.lines
        if line.included_in is None
    }
    by_code = {
        p.code: p
        for p in Promotion.objects.filter(code__in={c for cs in codes.values() for c in cs})
    }
    return {pk: [by_code[c] for c in cs] for pk, cs in codes.items()}


def change_preview(
    *,
    subscription: Subscription,
    request: ChangeRequest,
    requested_on: date | None = None,
    channel: str = SalesChannel.AGENT,
) -> ChangePreview:
    """What the change wanted on ``requested_on`` would do, without doing it: its
    kind, policy, effective day, and the next invoices line by line (SUB-2)."""
    requested_on = requested_on or timezone.localdate()
    policy = _policy(request)
    effective_on = _effective_on(subscription, policy, requested_on)
    _check(subscription, request, effective_on)
    start, end = billing_period(
        bill_cycle_day=subscription.billing_account.bill_cycle_day, day=effective_on
    )
    next_end = billing_period(bill_cycle_day=subscription.billing_account.bill_cycle_day, day=end)[
        1
    ]
    planned = _planned_items(subscription, request, effective_on, channel)
    return ChangePreview(
        kind=_kind(request, subscription),
        policy=policy,
        effective_on=effective_on,
        current_before=period_charges(
            subscription=subscription, period_start=start, period_end=end
        ),
        current_after=period_charges(
            subscription=subscription, period_start=start, period_end=end, items=planned
        ),
        next_period=period_charges(
            subscription=subscription, period_start=end, period_end=next_end, items=planned
        ),
    )


@transaction.atomic
def change_order_create(
    *,
    subscription: Subscription,
    request: ChangeRequest,
    actor=None,
    channel: str = SalesChannel.AGENT,
    reason: str = "",
    wanted_on: date | None = None,
    today: date | None = None,
) -> ChangeOrder:
    """Place a change order (SUB-2) for ``wanted_on`` (today by default; the
    products' policy may move it later). It is applied at once when it takes effect
    today, else by the daily task on its day."""
    requested_on = today or timezone.localdate()
    if wanted_on and wanted_on < requested_on:
        raise ValidationError(
            {"wanted_on": _("A change cannot go back in time: choose today or later.")}
        )
    subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
    preview = change_preview(
        subscription=subscription,
        request=request,
        requested_on=wanted_on or requested_on,
        channel=channel,
    )
    order = ChangeOrder.objects.create(
        subscription=subscription,
        kind=preview.kind,
        policy=preview.policy,
        requested_on=requested_on,
        effective_on=preview.effective_on,
        requested_by=actor,
        channel=channel,
        reason=reason,
    )
    for item in request.add:
        order.lines.create(
            action=ChangeAction.ADD,
            product=item.product,
            acquisition=item.acquisition,
            quantity=item.quantity,
            manual_discount_percent=item.manual_discount_percent,
        )
    for item in request.remove:
        order.lines.create(
            action=ChangeAction.REMOVE,
            product=item.product,
            acquisition=item.acquisition,
            quantity=item.quantity,
            item=item,
        )
    for swap in request.swaps:
        order.lines.create(
            action=ChangeAction.ADD,
            product=swap.device.product,
            device=swap.device,
            new_serial=swap.new_serial,
        )
    if order.effective_on <= requested_on:
        order = change_order_apply(order=order, actor=actor)
    return order


@transaction.atomic
def change_order_apply(*, order: ChangeOrder, actor=None) -> ChangeOrder:
    """Apply a scheduled change on its effective day: end the removed items, add the
    new ones with the promotions they earn, swap devices, and tell the network
    (``change_entitlements``). Applying twice does nothing."""
    order = ChangeOrder.objects.select_for_update().get(pk=order.pk)
    if order.status != ChangeStatus.SCHEDULED:
        return order
    subscription = Subscription.objects.select_for_update().get(pk=order.subscription_id)
    if subscription.status in choices.FINAL_STATUSES:
        raise InvalidTransition(_("The subscription has ended; the change cannot be applied."))
    day = order.effective_on
    lines = list(order.lines.select_related("product", "item", "device"))
    added = [
        BasketItem(line.product, line.quantity, line.acquisition, line.manual_discount_percent)
        for line in lines
        if line.action == ChangeAction.ADD and line.device_id is None
    ]
    for line in lines:
        if line.action == ChangeAction.REMOVE:
            SubscriptionItem.objects.filter(pk=line.item_id, valid_to__isnull=True).update(
                valid_to=day
            )
        elif line.device_id:
            Device.objects.filter(pk=line.device_id).update(returned_on=day)
            device = Device(
                subscription=subscription,
                product=line.product,
                serial=line.new_serial,
                installed_on=day,
            )
            device.full_clean()
            device.save()
    granted = _granted(subscription, added, day, order.channel)
    for item in added:
        row = subscription.items.create(
            product=item.product,
            acquisition=item.acquisition,
            quantity=item.quantity,
            manual_discount_percent=item.manual_discount_percent,
            valid_from=day,
        )
        row.promotions.set(granted.get(item.product.pk, []))
    order.status = ChangeStatus.APPLIED
    order.applied_at = timezone.now()
    order.save(update_fields=["status", "applied_at", "updated_at"])
    provision(
        subscription,
        "change_entitlements",
        actor=actor,
        reason=order.get_kind_display(),
        effective_on=day,
    )
    return order


@transaction.atomic
def change_order_cancel(*, order: ChangeOrder, actor=None) -> ChangeOrder:
    """Withdraw a scheduled change before its day."""
    order = ChangeOrder.objects.select_for_update().get(pk=order.pk)
    if order.status != ChangeStatus.SCHEDULED:
        raise DomainError(_("Only a scheduled change can be cancelled."))
    order.status = ChangeStatus.CANCELLED
    order.save(update_fields=["status", "updated_at"])
    return order


def change_orders_apply_due(*, today: date | None = None) -> int:
    """Daily: apply the scheduled changes whose day has come. Safe to run twice."""
    today = today or timezone.localdate()
    applied = 0
    for order in ChangeOrder.objects.filter(status=ChangeStatus.SCHEDULED, effective_on__lte=today):
        change_order_apply(order=order)
        applied += 1
    return applied
