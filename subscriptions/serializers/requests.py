"""What the subscriptions API accepts: the sale and the actions (change, rest,
terminate...). They check the *shape* of a request and which products, items and
devices it names; the business rules are the services'."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from alux_crm.core.selectors import is_partner_user
from products import selectors as product_selectors
from products.choices import SalesChannel
from products.pricing import MAX_TERM_MONTHS
from products.serializers import QuoteItemSerializer

from .. import choices
from .answers import choice_field


def _user(serializer):
    request = serializer.context.get("request")
    return getattr(request, "user", None)


def sales_channel_of(user, channel: str = SalesChannel.AGENT) -> str:
    """A dealer's user always sells (and asks) as a retailer; staff as they say."""
    if user is not None and user.is_authenticated and is_partner_user(user):
        return SalesChannel.RETAILER
    return channel


def resolve_products(references: list[str]) -> tuple[dict, list[str]]:
    """The products named by code or id, and the references that name none."""
    found = product_selectors.products_by_reference(references=references)
    unknown = [ref for ref in references if ref.strip() not in found]
    return {ref: found[ref.strip()] for ref in references if ref.strip() in found}, unknown


def _unknown_products(unknown: list[str]) -> serializers.ValidationError:
    return serializers.ValidationError(
        [_("Unknown product: %(ref)s.") % {"ref": ref} for ref in unknown]
    )


# --- the sale ---------------------------------------------------------------------------------
class DeviceRequestSerializer(serializers.Serializer):
    """A device handed over at the sale."""

    product = serializers.CharField(max_length=40, help_text=_("Product code or id."))
    serial = serializers.CharField(max_length=40)
    room = serializers.CharField(max_length=40, required=False, default="", allow_blank=True)


class SubscriptionCreateSerializer(serializers.Serializer):
    """A sale: products for a billing account the caller may see. The basket is
    priced and checked by the catalogue (400 on ``items`` listing every problem)."""

    billing_account = serializers.IntegerField(help_text=_("Billing account id."))
    items = QuoteItemSerializer(many=True, allow_empty=False)
    devices = DeviceRequestSerializer(many=True, required=False, default=list)
    channel = choice_field(
        SalesChannel,
        "SalesChannelEnum",
        default=SalesChannel.AGENT,
        help_text=_("A retailer's user always sells through the retailer channel."),
    )
    term_months = serializers.IntegerField(min_value=1, max_value=MAX_TERM_MONTHS, default=24)
    renewal = choice_field(
        choices.RenewalRule, "RenewalRuleEnum", default=choices.RenewalRule.MONTHLY
    )
    is_prepaid = serializers.BooleanField(default=False)
    installation_date = serializers.DateField(required=False, allow_null=True, default=None)
    installation_slot = choice_field(
        choices.InstallationSlot,
        "InstallationSlotEnum",
        required=False,
        allow_blank=True,
        default="",
    )
    installation_notes = serializers.CharField(required=False, allow_blank=True, default="")

    def validate_items(self, items):
        found, unknown = resolve_products([item["product"] for item in items])
        if unknown:
            raise _unknown_products(unknown)
        return [{**item, "product": found[item["product"]]} for item in items]

    def validate_devices(self, devices):
        found, unknown = resolve_products([device["product"] for device in devices])
        if unknown:
            raise _unknown_products(unknown)
        return [{**device, "product": found[device["product"]]} for device in devices]

    def validate(self, attrs):
        attrs["channel"] = sales_channel_of(_user(self), attrs["channel"])
        return attrs


# --- actions ----------------------------------------------------------------------------------
class DeviceSwapRequestSerializer(serializers.Serializer):
    """A device of the subscription given back, and the serial of its replacement."""

    device = serializers.IntegerField(help_text=_("Id of a device of the subscription."))
    new_serial = serializers.CharField(max_length=40)


class ChangeRequestSerializer(serializers.Serializer):
    """A plan change: products to add, current items to end, devices to swap. With
    ``preview: true`` nothing is created: the answer is the effect on the invoices."""

    add = QuoteItemSerializer(many=True, required=False, default=list)
    remove = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        default=list,
        help_text=_("Ids of current items of the subscription to end."),
    )
    swaps = DeviceSwapRequestSerializer(many=True, required=False, default=list)
    wanted_on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Default today; the products' change policy may move it later."),
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    preview = serializers.BooleanField(default=False)

    def validate_add(self, items):
        found, unknown = resolve_products([item["product"] for item in items])
        if unknown:
            raise _unknown_products(unknown)
        return [{**item, "product": found[item["product"]]} for item in items]

    def validate_remove(self, ids):
        subscription = self.context["subscription"]
        current = {
            item.pk: item
            for item in subscription.items.filter(pk__in=ids, valid_to__isnull=True)
            .select_related("product")
            .order_by("pk")
        }
        missing = [pk for pk in ids if pk not in current]
        if missing:
            raise serializers.ValidationError(
                [_("Item %(id)s is not on this subscription now.") % {"id": pk} for pk in missing]
            )
        return [current[pk] for pk in dict.fromkeys(ids)]

    def validate_swaps(self, swaps):
        subscription = self.context["subscription"]
        ids = [swap["device"] for swap in swaps]
        devices = {
            device.pk: device
            for device in subscription.devices.filter(pk__in=ids, returned_on__isnull=True)
            .select_related("product")
            .order_by("pk")
        }
        missing = [pk for pk in ids if pk not in devices]
        if missing:
            raise serializers.ValidationError(
                [_("Device %(id)s is not on this subscription.") % {"id": pk} for pk in missing]
            )
        return [{**swap, "device": devices[swap["device"]]} for swap in swaps]

    def validate(self, attrs):
        if not (attrs["add"] or attrs["remove"] or attrs["swaps"]):
            raise serializers.ValidationError(_("The change is empty."))
        return attrs


class RestRequestSerializer(serializers.Serializer):
    """A resting period under the products' resting policy."""

    starts_on = serializers.DateField()
    ends_on = serializers.DateField(help_text=_("The day service resumes."))


class ReasonSerializer(serializers.Serializer):
    """Why (shown on the timeline)."""

    reason = serializers.CharField(required=False, allow_blank=True, default="")


class TerminateRequestSerializer(serializers.Serializer):
    """A request to end the subscription on ``effective_on``; Back Office may approve
    it at once."""

    effective_on = serializers.DateField(help_text=_("The last day of service."))
    reason = serializers.CharField(allow_blank=True)
    approve = serializers.BooleanField(
        default=False, help_text=_("Back Office only: approve the request at once.")
    )
    answer = serializers.CharField(required=False, allow_blank=True, default="")
