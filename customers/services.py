"""Writes of the customers app: customers, addresses, billing accounts, credit checks,
tiers and communications. Views, the API, tasks and commands all call these."""

import uuid
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alux_crm.core.errors import DomainError, InvalidTransition
from alux_crm.core.numbers import next_number
from alux_crm.core.selectors import is_partner_user

from . import choices, selectors
from .models import (
    Address,
    Attachment,
    BillingAccount,
    Communication,
    CreditCheck,
    CreditClassRule,
    Customer,
    TierRule,
)
from .validation import (
    check_attachment,
    normalise_phone,
    validate_date_of_birth,
    validate_national_id,
    validate_registration_number,
    validate_vat_number,
)

CUSTOMER_FIELDS = (
    "kind",
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
    "line_type",
    "payment_type",
    "language",
    "marketing_email",
    "marketing_sms",
    "marketing_post",
    "serving_agent",
    "partner",
    "parent",
)


class ConcurrentEditError(DomainError):
    """Someone else saved the record after it was loaded: reload and redo the change."""

    code = "concurrent_edit"


class DuplicateWarning(DomainError):
    """Possible duplicates exist and the agent has not confirmed they checked them.

    ``duplicates`` are the ones the agent may open; ``hidden_count`` counts those of
    other partners, which are never shown to a partner's user."""

    code = "possible_duplicates"

    def __init__(self, duplicates, hidden_count: int = 0):
        super().__init__(_("Possible duplicates of this customer exist. Check them first."))
        self.duplicates = duplicates
        self.hidden_count = hidden_count


def clean_customer_data(data: dict, *, today: date | None = None) -> dict:
    """Normalise and check customer fields by the customer's country rules (CUS-2).

    Raises ValidationError with one message per field; returns the cleaned values
    (E.164 phone, compact ID/VAT/registration numbers, default category)."""
    today = today or timezone.localdate()
    data = dict(data)
    country = (data.get("country") or "RO").upper()
    data["country"] = country
    kind = data.get("kind")
    errors: dict[str, list] = {}

    def run(field, check):
        try:
            data[field] = check(data.get(field) or "")
        except ValidationError as exc:
            errors.setdefault(field, []).extend(exc.messages)

    run("phone", lambda v: normalise_phone(v, country))
    if kind == choices.CustomerKind.PERSON:
        run("id_number", lambda v: validate_national_id(v, country))
        if not (data.get("last_name") or "").strip():
            errors.setdefault("last_name", []).append(_("A person needs a last name."))
        try:
            validate_date_of_birth(data.get("date_of_birth"), today)
        except ValidationError as exc:
            errors.setdefault("date_of_birth", []).extend(exc.messages)
        for field in ("company_name", "registration_number", "vat_number"):
            data[field] = ""
    elif kind == choices.CustomerKind.COMPANY:
        run("registration_number", lambda v: validate_registration_number(v, country))
        run("vat_number", lambda v: validate_vat_number(v, country))
        if not (data.get("company_name") or "").strip():
            errors.setdefault("company_name", []).append(_("A company needs a name."))
        data["id_number"] = ""
        data["date_of_birth"] = None
    else:
        errors["kind"] = [_("Choose person or company.")]
    if not data.get("category") and kind in choices.DEFAULT_CATEGORY:
        data["category"] = choices.DEFAULT_CATEGORY[kind]
    if data.get("email"):
        data["email"] = data["email"].strip().lower()
    if errors:
        raise ValidationError(errors)
    return data


def _refuse_exact_id_duplicate(data: dict, actor, exclude_pk: int | None = None) -> None:
    """The same ID number twice is refused; the other customer is named only to a user
    who may see it (a partner must not learn of another partner's customer)."""
    if not data.get("id_number"):
        return
    clash = Customer.objects.filter(country=data["country"], id_number=data["id_number"])
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    existing = clash.first()
    if existing is None:
        return
    visible = actor is None or selectors.customer_list(user=actor).filter(pk=existing.pk).exists()
    message = (
        _("%(number)s %(name)s already has this ID number.")
        % {"number": existing.number, "name": existing.name}
        if visible
        else _("Another customer already has this ID number.")
    )
    raise ValidationError({"id_number": message})


def _scope_assignment(data: dict, actor, current: Customer | None = None) -> None:
    """A partner's user creates customers for its own partner only, assigns them to
    its own people and places them under customers it may see. On an update only
    what changes is checked (an agent already assigned may stay)."""
    agent = data.get("serving_agent")
    parent = data.get("parent")
    agent_changed = current is None or agent != current.serving_agent
    parent_changed = current is None or parent != current.parent
    if actor is None or not is_partner_user(actor):
        if agent is not None and agent_changed and not agent.is_active:
            raise ValidationError({"serving_agent": _("This user is not active.")})
        return
    data["partner"] = actor.partner
    if agent is not None and agent_changed and agent.partner_id != actor.partner_id:
        raise ValidationError({"serving_agent": _("Choose one of your own colleagues.")})
    visible = selectors.customer_list(user=actor)
    if parent is not None and parent_changed and not visible.filter(pk=parent.pk).exists():
        raise ValidationError({"parent": _("Unknown customer.")})


def _save_new_customer(customer: Customer) -> None:
    """Insert; a concurrent insert of the same ID number becomes a field error."""
    try:
        with transaction.atomic():
            customer.save()
    except IntegrityError as exc:
        if "customer_unique_id_number" in str(exc):
            raise ValidationError(
                {"id_number": _("Another customer already has this ID number.")}
            ) from exc
        raise


@transaction.atomic
def customer_create(*, actor, confirm_duplicates: bool = False, **fields) -> Customer:
    """Register a person or a company. Possible duplicates (same ID/VAT/registration
    number, phone or e-mail) stop the creation until the agent confirms; the same ID
    number twice is refused outright."""
    data = clean_customer_data({k: v for k, v in fields.items() if k in CUSTOMER_FIELDS})
    _scope_assignment(data, actor)
    _refuse_exact_id_duplicate(data, actor)
    if not confirm_duplicates:
        candidates = selectors.possible_duplicates(data=data)
        if candidates.exists():
            visible = candidates
            if actor is not None:
                visible = candidates.filter(pk__in=selectors.customer_list(user=actor).values("pk"))
            shown = list(visible[:10])
            raise DuplicateWarning(shown, hidden_count=candidates.count() - visible.count())
    if data.get("serving_agent") is None and actor is not None and actor.is_authenticated:
        data["serving_agent"] = actor
    customer = Customer(number=next_number("customer_number_seq", "C-"), **data)
    customer.full_clean(exclude=["number"], validate_constraints=False)
    _save_new_customer(customer)
    return customer


@transaction.atomic
def customer_register(
    *,
    actor,
    confirm_duplicates: bool = False,
    address: dict | None = None,
    credit: dict | None = None,
    **fields,
) -> tuple[Customer, CreditCheck | None]:
    """Acquisition in one step: the customer, its legal address and the credit check
    (each optional but the customer); all or nothing."""
    customer = customer_create(actor=actor, confirm_duplicates=confirm_duplicates, **fields)
    if address:
        address_set(customer=customer, kind=choices.AddressKind.LEGAL, actor=actor, **address)
    check = None
    if credit:
        check = credit_check_run(customer=customer, actor=actor, **credit)
    return customer, check


@transaction.atomic
def customer_update(*, customer: Customer, actor, expected_version: int, **fields) -> Customer:
    """Change a customer's details. ``expected_version`` is the version the agent
    loaded: if someone saved in between, nothing is written and ConcurrentEditError
    says so (no change is silently lost)."""
    current = Customer.objects.select_for_update().get(pk=customer.pk)
    if current.version != expected_version:
        raise ConcurrentEditError(
            _(
                "Someone else changed this customer at %(time)s while you were editing. "
                "Your changes were not saved: reload the page to see theirs, then redo yours."
            )
            % {"time": timezone.localtime(current.updated_at).strftime("%H:%M:%S")}
        )
    merged = {name: getattr(current, name) for name in CUSTOMER_FIELDS}
    merged.update({k: v for k, v in fields.items() if k in CUSTOMER_FIELDS})
    data = clean_customer_data(merged)
    _scope_assignment(data, actor, current)
    _refuse_exact_id_duplicate(data, actor, exclude_pk=current.pk)
    if data.get("parent") is not None:
        _refuse_cycle(current, data["parent"])
    changed = [name for name in CUSTOMER_FIELDS if getattr(current, name) != data[name]]
    for name in changed:
        setattr(current, name, data[name])
    if changed:
        current.version += 1
        current.full_clean()
        current.save(update_fields=[*changed, "version", "updated_at"])
    return current


def _refuse_cycle(customer: Customer, new_parent: Customer) -> None:
    if new_parent.pk in selectors.customer_subtree_ids(root=customer):
        raise DomainError(_("A customer cannot be placed under itself or its own branches."))


@transaction.atomic
def customer_move(*, customer: Customer, new_parent: Customer | None, actor) -> Customer:
    """Move a customer (and everything below it) in the organisation tree."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if new_parent is not None:
        _refuse_cycle(customer, new_parent)
    customer.parent = new_parent
    customer.version += 1
    customer.save(update_fields=["parent", "version", "updated_at"])
    return customer


@transaction.atomic
def customer_change_status(*, customer: Customer, status: str, actor) -> Customer:
    """Activate, deactivate or block a customer, as the state machine allows."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if status not in choices.CUSTOMER_TRANSITIONS.get(customer.status, set()):
        raise InvalidTransition(
            _("A customer cannot go from %(old)s to %(new)s.")
            % {
                "old": customer.get_status_display(),
                "new": choices.CustomerStatus(status).label,
            }
        )
    customer.status = status
    customer.version += 1
    customer.save(update_fields=["status", "version", "updated_at"])
    return customer


@transaction.atomic
def address_set(
    *, customer: Customer, kind: str, valid_from: date | None = None, actor=None, **fields
) -> Address:
    """Give the customer a new address of ``kind`` from ``valid_from`` (today by default).
    The address valid until then ends that day; billing accounts that used it move to
    the new one. A date before the current address began is refused."""
    valid_from = valid_from or timezone.localdate()
    current = (
        Address.objects.select_for_update()
        .filter(customer=customer, kind=kind, valid_to__isnull=True)
        .first()
    )
    if current is not None:
        if valid_from <= current.valid_from:
            raise ValidationError(
                {
                    "valid_from": _("The new address must start after %(day)s.")
                    % {"day": current.valid_from}
                }
            )
        current.valid_to = valid_from
        current.save(update_fields=["valid_to", "updated_at"])
    address = Address(customer=customer, kind=kind, valid_from=valid_from, **fields)
    address.full_clean()
    address.save()
    if current is not None:
        BillingAccount.objects.filter(billing_address=current).update(billing_address=address)
    return address


BILLING_ACCOUNT_FIELDS = (
    "name",
    "currency",
    "bill_cycle_day",
    "payment_method",
    "billing_address",
    "invoice_delivery",
    "invoice_email",
    "parent",
    "is_paying",
)


def _check_account_links(customer: Customer, parent, address) -> None:
    """A parent account belongs to the customer or a company above it in the
    organisation tree; the billing address is one of the customer's own."""
    if parent is not None:
        allowed = {customer.pk, *(c.pk for c in selectors.customer_ancestors(customer=customer))}
        if parent.customer_id not in allowed:
            raise ValidationError(
                {"parent": _("The parent account must belong to this customer or above it.")}
            )
    if address is not None and address.customer_id != customer.pk:
        raise ValidationError({"billing_address": _("Choose one of this customer's addresses.")})


@transaction.atomic
def billing_account_create(*, customer: Customer, actor, **fields) -> BillingAccount:
    """Open a billing account for a customer, at the top or under a parent account."""
    data = {k: v for k, v in fields.items() if k in BILLING_ACCOUNT_FIELDS}
    _check_account_links(customer, data.get("parent"), data.get("billing_address"))
    data.setdefault("name", customer.name)
    data.setdefault("invoice_email", customer.email)
    if data.get("parent") is None:
        data["is_paying"] = True
    account = BillingAccount(
        number=next_number("billing_account_number_seq", "BA-"), customer=customer, **data
    )
    account.full_clean(exclude=["number"])
    account.save()
    return account


@transaction.atomic
def billing_account_update(
    *, account: BillingAccount, actor, expected_version: int, **fields
) -> BillingAccount:
    """Change a billing account (same concurrent-edit protection as customers)."""
    current = BillingAccount.objects.select_for_update().get(pk=account.pk)
    if current.version != expected_version:
        raise ConcurrentEditError(_("Someone else changed this account; reload and redo."))
    if "billing_address" in fields:
        _check_account_links(current.customer, None, fields["billing_address"])
    changed = []
    for name, value in fields.items():
        if name in BILLING_ACCOUNT_FIELDS and name != "parent" and getattr(current, name) != value:
            setattr(current, name, value)
            changed.append(name)
    if changed:
        current.version += 1
        current.full_clean()
        current.save(update_fields=[*changed, "version", "updated_at"])
    return current


@transaction.atomic
def billing_account_move(
    *, account: BillingAccount, new_parent: BillingAccount | None, actor
) -> BillingAccount:
    """Move an account (with its sub-accounts) under another account or to the top.
    A move under its own sub-account is refused; history keeps the old parent."""
    account = BillingAccount.objects.select_for_update().get(pk=account.pk)
    _check_account_links(account.customer, new_parent, None)
    if new_parent is not None and new_parent.pk in selectors.billing_account_subtree_ids(
        root=account
    ):
        raise DomainError(_("An account cannot be moved under itself or its sub-accounts."))
    account.parent = new_parent
    if new_parent is None:
        account.is_paying = True
    account.version += 1
    account.save(update_fields=["parent", "is_paying", "version", "updated_at"])
    return account


def credit_class_for(*, income: Decimal, history: str) -> CreditClassRule | None:
    """The first rule (by priority) that the inputs meet."""
    for rule in CreditClassRule.objects.order_by("priority"):
        if history in rule.histories and income >= rule.min_monthly_income:
            return rule
    return None


@transaction.atomic
def credit_check_run(
    *,
    customer: Customer,
    declared_monthly_income: Decimal,
    credit_history: str,
    actor,
    currency: str = "EUR",
) -> CreditCheck:
    """Run the credit check at acquisition (CUS-3): the class comes from the
    configurable rules; it is stored with its inputs, date and rule, and on the
    customer for the sales rules (deposit, what may be sold)."""
    if declared_monthly_income < 0:
        raise ValidationError({"declared_monthly_income": _("Income cannot be negative.")})
    rule = credit_class_for(income=declared_monthly_income, history=credit_history)
    credit_class = rule.credit_class if rule else choices.CreditClass.D
    check = CreditCheck.objects.create(
        customer=customer,
        declared_monthly_income=declared_monthly_income,
        currency=currency,
        credit_history=credit_history,
        credit_class=credit_class,
        rule=rule,
        rule_description=rule.description if rule else _("No rule matched: lowest class"),
        checked_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    Customer.objects.filter(pk=customer.pk).update(
        credit_class=credit_class, credit_checked_at=check.checked_at
    )
    return check


def tier_for(*, monthly_value: Decimal, tenure_months: int, rules: list[TierRule]) -> str:
    """The highest tier whose minimum value and tenure are both met (CUS-10)."""
    for rule in sorted(rules, key=lambda r: -r.rank):
        if monthly_value >= rule.min_monthly_value and tenure_months >= rule.min_tenure_months:
            return rule.tier
    return choices.Tier.BRONZE


TIER_BATCH_SIZE = 5000


def customers_recompute_tiers(*, today: date | None = None) -> int:
    """Recompute every customer's tier from value and tenure in one set-based update
    per tier (fast at a million customers); returns how many tiers changed."""
    today = today or timezone.localdate()
    now = timezone.now()
    changed = 0
    rules = sorted(TierRule.objects.all(), key=lambda r: -r.rank)
    tenure_sql = (
        "(date_part('year', age(%s::date, customer_since)) * 12"
        " + date_part('month', age(%s::date, customer_since)))"
    )
    cases = " ".join(f"WHEN monthly_value >= %s AND {tenure_sql} >= %s THEN %s" for _rule in rules)
    params: list = []
    for rule in rules:
        params += [rule.min_monthly_value, today, today, rule.min_tenure_months, rule.tier]
    table = Customer._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET tier = new.tier, tier_computed_at = %s "  # noqa: S608
            f"FROM (SELECT id, CASE {cases} ELSE 'bronze' END AS tier FROM {table}) AS new "
            f"WHERE {table}.id = new.id AND {table}.tier IS DISTINCT FROM new.tier",
            [now, *params],
        )
        changed = cursor.rowcount
    return changed


@transaction.atomic
def communication_log(
    *,
    customer: Customer,
    actor,
    channel: str,
    subject: str,
    direction: str = choices.Direction.INBOUND,
    notes: str = "",
    occurred_at=None,
    files=(),
) -> Communication:
    """Record a contact with the customer (CUS-7) with its attachments. Every file is
    checked (size, type by content) before anything is stored: one bad file stores
    nothing."""
    checked = []
    errors = []
    for upload in files:
        try:
            checked.append((upload, check_attachment(upload)))
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError({"files": errors})
    communication = Communication(
        customer=customer,
        channel=channel,
        direction=direction,
        subject=subject,
        notes=notes,
        occurred_at=occurred_at or timezone.now(),
        agent=actor if getattr(actor, "is_authenticated", False) else None,
    )
    communication.full_clean()
    communication.save()
    for upload, info in checked:
        extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else "bin"
        attachment = Attachment(
            communication=communication,
            original_name=upload.name[:255],
            content_type=info.content_type,
            size=info.size,
            sha256=info.sha256,
            uploaded_by=communication.agent,
        )
        attachment.file.save(f"{uuid.uuid4().hex}.{extension}", upload, save=False)
        attachment.save()
    return communication
