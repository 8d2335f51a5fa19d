"""API serializers of the customers app.

They check the *shape* of a request (types, choices, which objects the caller may
refer to); the business rules (country validation of phones and numbers, duplicates,
versions) are the services', so the API and the pages refuse the same things with the
same messages. Every field is listed explicitly; money is a string with 2 decimals.
"""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_choice_field
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from alux_crm.core import roles
from alux_crm.core.models import Partner, User
from alux_crm.core.selectors import is_partner_user

from . import choices, selectors, services
from .models import Address, Attachment, BillingAccount, Communication, Customer

MAX_FILES_PER_COMMUNICATION = 10


def _user(serializer):
    request = serializer.context.get("request")
    return getattr(request, "user", None)


def _absolute(serializer, url: str) -> str:
    request = serializer.context.get("request")
    return request.build_absolute_uri(url) if request is not None else url


def _visible_customers(user):
    if user is None or not user.is_authenticated:
        return Customer.objects.none()
    return selectors.customer_list(user=user)


def _version_required(serializer, attrs):
    """``version`` is required by PUT and PATCH alike (PATCH skips required fields)."""
    if serializer.instance is not None and "version" not in attrs:
        raise serializers.ValidationError(
            {"version": [serializers.Field.default_error_messages["required"]]}
        )


class NamedChoiceField(serializers.ChoiceField):
    """A choice field documented as its own named enum in the OpenAPI schema.

    drf-spectacular names enums after the field (``StatusEnum``) and warns when two
    fields called ``status`` have different choices (partners, customers, billing
    accounts); an explicit name keeps the schema free of warnings and the names stable.
    """

    def __init__(self, *args, enum_name: str, **kwargs):
        self.enum_name = enum_name
        super().__init__(*args, **kwargs)


class NamedChoiceFieldExtension(OpenApiSerializerFieldExtension):
    """Maps ``NamedChoiceField`` to a component named ``enum_name``."""

    target_class = NamedChoiceField

    def get_name(self) -> str:
        return self.target.enum_name

    def map_serializer_field(self, auto_schema, direction):
        schema = build_choice_field(self.target)
        schema.pop("x-spec-enum-id", None)
        return schema


# --- customers ----------------------------------------------------------------------------
class CustomerSerializer(serializers.ModelSerializer):
    """A person or a company. Phones and ID/VAT/registration numbers may be typed in any
    usual format: they are checked by the customer's country and stored normalised
    (phones in E.164)."""

    kind = NamedChoiceField(choices=choices.CustomerKind.choices, enum_name="CustomerKindEnum")
    status = NamedChoiceField(
        choices=choices.CustomerStatus.choices, read_only=True, enum_name="CustomerStatusEnum"
    )
    display_name = serializers.CharField(read_only=True)
    # Raw input is normalised by the services: leave room for spaces and separators.
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    id_number = serializers.CharField(max_length=64, required=False, allow_blank=True)
    registration_number = serializers.CharField(max_length=64, required=False, allow_blank=True)
    vat_number = serializers.CharField(max_length=64, required=False, allow_blank=True)
    country = serializers.CharField(
        min_length=2, max_length=2, required=False, help_text=_("ISO 3166 code, e.g. RO.")
    )
    category = serializers.ChoiceField(
        choices=choices.CustomerCategory.choices,
        required=False,
        help_text=_("Defaults to residential for persons and corporate for companies."),
    )
    serving_agent = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.none(),
        required=False,
        allow_null=True,
        help_text=_("Defaults to the caller."),
    )
    partner = serializers.PrimaryKeyRelatedField(
        queryset=Partner.objects.none(),
        required=False,
        allow_null=True,
        help_text=_("The dealer; a dealer's user always registers customers of its own dealer."),
    )
    parent = serializers.PrimaryKeyRelatedField(
        queryset=Customer.objects.none(),
        required=False,
        allow_null=True,
        help_text=_("The company this branch or department belongs to."),
    )
    web_url = serializers.SerializerMethodField()
    confirm_duplicates = serializers.BooleanField(
        write_only=True,
        default=False,
        help_text=_(
            "Create even though possible duplicates exist (the caller checked the ones "
            "returned by the 409 answer)."
        ),
    )

    class Meta:
        model = Customer
        fields = [
            "id",
            "number",
            "kind",
            "display_name",
            "first_name",
            "last_name",
            "id_number",
            "date_of_birth",
            "company_name",
            "registration_number",
            "vat_number",
            "phone",
            "email",
            "country",
            "category",
            "segment",
            "status",
            "line_type",
            "payment_type",
            "language",
            "serving_agent",
            "partner",
            "parent",
            "customer_since",
            "monthly_value",
            "tier",
            "credit_class",
            "credit_checked_at",
            "version",
            "created_at",
            "updated_at",
            "web_url",
            "confirm_duplicates",
        ]
        read_only_fields = [
            "number",
            "customer_since",
            "monthly_value",
            "tier",
            "credit_class",
            "credit_checked_at",
            "version",
            "created_at",
            "updated_at",
        ]
        # Uniqueness (ID number per country) is checked by the services on the
        # normalised value, not here on the raw input.
        validators = []

    def get_fields(self):
        fields = super().get_fields()
        user = _user(self)
        visible = _visible_customers(user)
        fields["parent"].queryset = visible
        if user is None or not user.is_authenticated:
            return fields
        # Serving agents: active staff (or, for a dealer's user, its dealer's users); the
        # customer's current agent stays acceptable, so a GET-then-PUT round trip works.
        if is_partner_user(user):
            fields["partner"].queryset = Partner.objects.filter(pk=user.partner_id)
            agents = Q(is_active=True, partner_id=user.partner_id)
        else:
            fields["partner"].queryset = Partner.objects.all()
            agents = Q(is_active=True, groups__name__in=roles.STAFF_ROLES | roles.PARTNER_ROLES)
        if isinstance(self.instance, Customer) and self.instance.serving_agent_id:
            agents |= Q(pk=self.instance.serving_agent_id)
        fields["serving_agent"].queryset = User.objects.filter(agents).distinct()
        return fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_web_url(self, obj) -> str:
        return _absolute(self, obj.get_absolute_url())

    def validate(self, attrs):
        user = _user(self)
        is_dealer = user is not None and user.is_authenticated and is_partner_user(user)
        if is_dealer and (self.instance is None or "partner" in attrs):
            # A dealer's user cannot hand a customer to another dealer or to nobody.
            attrs["partner"] = user.partner
        return attrs

    def create(self, validated_data):
        confirm = validated_data.pop("confirm_duplicates", False)
        return services.customer_create(
            actor=_user(self), confirm_duplicates=confirm, **validated_data
        )


class CustomerUpdateSerializer(CustomerSerializer):
    """A change of a customer: send the ``version`` you loaded; if someone saved in
    between, the answer is 409 and nothing is written."""

    confirm_duplicates = None
    version = serializers.IntegerField(
        min_value=1, help_text=_("The version you loaded (from the last GET).")
    )

    class Meta(CustomerSerializer.Meta):
        fields = [f for f in CustomerSerializer.Meta.fields if f != "confirm_duplicates"]
        read_only_fields = [f for f in CustomerSerializer.Meta.read_only_fields if f != "version"]

    def validate(self, attrs):
        _version_required(self, attrs)
        return super().validate(attrs)

    def update(self, instance, validated_data):
        version = validated_data.pop("version")
        return services.customer_update(
            customer=instance, actor=_user(self), expected_version=version, **validated_data
        )


class DuplicateCustomerSerializer(serializers.ModelSerializer):
    """A possible duplicate the caller may see (others are only counted)."""

    name = serializers.CharField(read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Customer
        fields = ["id", "number", "name", "url"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj) -> str:
        return _absolute(self, reverse("api:customer-detail", args=[obj.pk]))


# --- communications ----------------------------------------------------------------------
class AttachmentSerializer(serializers.ModelSerializer):
    """A file attached to a communication (its type is detected from its content)."""

    name = serializers.CharField(source="original_name", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "name", "content_type", "size", "uploaded_at", "download_url"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_url(self, obj) -> str:
        return _absolute(self, reverse("customers:attachment_download", args=[obj.pk]))


@extend_schema_field({"type": "array", "items": {"type": "string", "format": "binary"}})
class FileListField(serializers.ListField):
    """Uploaded files (documented as binary: they are only ever sent, never shown)."""


class CommunicationSerializer(serializers.ModelSerializer):
    """A contact with the customer. Send ``files`` as multipart/form-data (repeat the
    field for several files); images, PDF and audio are accepted, checked by content.
    One refused file stores nothing."""

    attachments = AttachmentSerializer(many=True, read_only=True)
    files = FileListField(
        child=serializers.FileField(allow_empty_file=False),
        write_only=True,
        required=False,
        max_length=MAX_FILES_PER_COMMUNICATION,
        help_text=_("Files to attach (multipart/form-data only)."),
    )

    class Meta:
        model = Communication
        fields = [
            "id",
            "customer",
            "channel",
            "direction",
            "agent",
            "subject",
            "notes",
            "occurred_at",
            "attachments",
            "files",
            "created_at",
        ]
        read_only_fields = ["customer", "agent", "created_at"]
        extra_kwargs = {
            "direction": {"default": choices.Direction.INBOUND},
            "occurred_at": {"required": False, "help_text": _("Defaults to now.")},
        }

    def create(self, validated_data):
        files = validated_data.pop("files", [])
        return services.communication_log(
            customer=self.context["customer"], actor=_user(self), files=files, **validated_data
        )


# --- billing accounts ---------------------------------------------------------------------
class BillingAccountSerializer(serializers.ModelSerializer):
    """A billing account as lists show it (and as it is opened)."""

    customer = serializers.PrimaryKeyRelatedField(
        queryset=Customer.objects.none(), help_text=_("The customer (one you may see).")
    )
    parent = serializers.PrimaryKeyRelatedField(
        queryset=BillingAccount.objects.none(),
        required=False,
        allow_null=True,
        help_text=_(
            "Parent account: the customer's own or one of the companies it belongs to. "
            "A top account always pays."
        ),
    )
    billing_address = serializers.PrimaryKeyRelatedField(
        queryset=Address.objects.none(),
        required=False,
        allow_null=True,
        help_text=_("One of the customer's addresses."),
    )
    bill_cycle_day = serializers.IntegerField(min_value=1, max_value=28, required=False)
    name = serializers.CharField(
        max_length=200, required=False, help_text=_("Defaults to the customer's name.")
    )
    invoice_email = serializers.EmailField(
        required=False, allow_blank=True, help_text=_("Defaults to the customer's e-mail.")
    )
    status = NamedChoiceField(
        choices=choices.BillingAccountStatus.choices,
        read_only=True,
        enum_name="BillingAccountStatusEnum",
    )
    web_url = serializers.SerializerMethodField()

    class Meta:
        model = BillingAccount
        fields = [
            "id",
            "number",
            "customer",
            "name",
            "currency",
            "bill_cycle_day",
            "payment_method",
            "billing_address",
            "invoice_delivery",
            "invoice_email",
            "parent",
            "is_paying",
            "status",
            "balance",
            "version",
            "created_at",
            "updated_at",
            "web_url",
        ]
        read_only_fields = ["number", "balance", "version", "created_at", "updated_at"]

    def get_fields(self):
        fields = super().get_fields()
        user = _user(self)
        visible = _visible_customers(user)
        for name, queryset in (
            ("customer", visible),
            ("parent", BillingAccount.objects.filter(customer__in=visible.values("pk"))),
            ("billing_address", Address.objects.filter(customer__in=visible.values("pk"))),
        ):
            if not fields[name].read_only:
                fields[name].queryset = queryset
        return fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_web_url(self, obj) -> str:
        return _absolute(self, obj.get_absolute_url())

    def validate(self, attrs):
        customer = attrs.get("customer") or getattr(self.instance, "customer", None)
        address = attrs.get("billing_address")
        if address is not None and customer is not None and address.customer_id != customer.pk:
            raise serializers.ValidationError(
                {"billing_address": [_("This address belongs to another customer.")]}
            )
        parent = attrs.get("parent")
        if parent is not None and customer is not None:
            allowed = {
                customer.pk,
                *(c.pk for c in selectors.customer_ancestors(customer=customer)),
            }
            if parent.customer_id not in allowed:
                raise serializers.ValidationError(
                    {
                        "parent": [
                            _(
                                "The parent account must belong to the customer or to a "
                                "company it is part of."
                            )
                        ]
                    }
                )
        return attrs

    def create(self, validated_data):
        customer = validated_data.pop("customer")
        return services.billing_account_create(
            customer=customer, actor=_user(self), **validated_data
        )


class BillingAccountDetailSerializer(BillingAccountSerializer):
    """One billing account, with the account that receives its invoices."""

    paying_account = serializers.SerializerMethodField(
        help_text=_("Number of the account that receives this account's invoices (BIL-8).")
    )

    class Meta(BillingAccountSerializer.Meta):
        fields = [*BillingAccountSerializer.Meta.fields, "paying_account"]

    def get_paying_account(self, obj) -> str:
        return selectors.paying_account(account=obj).number


class BillingAccountUpdateSerializer(BillingAccountDetailSerializer):
    """A change of a billing account: send the ``version`` you loaded. The customer and
    the parent do not change here (moving an account is a separate action)."""

    customer = serializers.PrimaryKeyRelatedField(read_only=True)
    parent = serializers.PrimaryKeyRelatedField(read_only=True)
    version = serializers.IntegerField(
        min_value=1, help_text=_("The version you loaded (from the last GET).")
    )

    class Meta(BillingAccountDetailSerializer.Meta):
        read_only_fields = [
            f for f in BillingAccountDetailSerializer.Meta.read_only_fields if f != "version"
        ]

    def validate(self, attrs):
        _version_required(self, attrs)
        return super().validate(attrs)

    def update(self, instance, validated_data):
        version = validated_data.pop("version")
        return services.billing_account_update(
            account=instance, actor=_user(self), expected_version=version, **validated_data
        )


# --- error answers (documentation of the JSON error shape) ------------------------------------
class ErrorSerializer(serializers.Serializer):
    """``{"error": code, "detail": message}``."""

    error = serializers.CharField()
    detail = serializers.CharField()


class ValidationErrorSerializer(ErrorSerializer):
    """A 400 answer: the messages of each field that must be fixed."""

    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class DuplicatesErrorSerializer(ErrorSerializer):
    """A 409 answer to a creation: possible duplicates to check first; send
    ``confirm_duplicates: true`` to create anyway."""

    duplicates = DuplicateCustomerSerializer(many=True)
    hidden_duplicates = serializers.IntegerField(
        help_text=_("Possible duplicates the caller may not see (another dealer's customers).")
    )
