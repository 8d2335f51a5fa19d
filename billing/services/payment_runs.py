"""Direct-debit payment runs and SEPA mandates (BIL-3).

A billing account that pays by direct debit has one active SEPA mandate (the
holder's IBAN, the mandate reference and the date it was signed). A payment run
collects what such accounts owe:

1. **Draft** (``payment_run_create``): every active, paying euro account with an
   active mandate and a positive balance becomes a collection of its balance, less
   what is open on disputed invoices (a disputed amount is never debited); accounts
   already waiting in another draft or exported run are left out. Finance reviews
   the preview and may exclude collections (``payment_run_exclude``) or discard it.
2. **Export** (``payment_run_export``): the SEPA direct-debit file (pain.008,
   built and validated against its XSD by ``sepaxml``) is stored on the run and
   every collection is recorded as a direct-debit payment received on the
   collection date and allocated to the oldest open invoices. One transaction; each
   payment has the idempotency key ``ddrun-item-<id>``, so an export retried after
   a crash books nothing twice. A second export is refused.
3. **Rejections** (``payment_run_reject``, ``payment_run_import_rejections``): the
   collections the bank returns (a CSV of end-to-end id and reason code, or the
   bank's pain.002 status report) have their payments reversed, which opens their
   invoices again. All or nothing: one bad row imports nothing, and every bad row
   is reported. A rejection already taken back is skipped, so importing the same
   file twice is harmless.
4. **Close** (``payment_run_close``): the collections not rejected are collected.

The creditor (name, IBAN, BIC, SEPA creditor identifier) comes from
``settings.BILLING_SEPA_CREDITOR``. SEPA collects euros only.
"""

import csv
import io
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from sepaxml import SepaDD
from sepaxml.validation import ValidationError as SepaValidationError

from alux_crm.core.errors import DomainError, InvalidTransition
from alux_crm.core.money import ZERO
from alux_crm.core.selectors import working_calendar
from customers import services as customer_services
from customers.choices import BillingAccountStatus
from customers.choices import PaymentMethod as AccountPaymentMethod
from customers.models import BillingAccount

from ..choices import (
    CollectionStatus,
    InvoiceStatus,
    MandateStatus,
    PaymentMethod,
    PaymentRunStatus,
    PaymentStatus,
)
from ..models import DirectDebitMandate, Invoice, Payment, PaymentRun, PaymentRunItem
from .payments import open_invoices, payment_record, payment_reverse

SEPA_SCHEMA = "pain.008.001.02"  # accepted by every SEPA bank; BIC of the creditor required
SEPA_CURRENCY = "EUR"
FIRST, RECURRING = "FRST", "RCUR"
ITEM_BATCH = 1000  # collections inserted per statement when a run is drafted
REJECTION_FILE_MAX_BYTES = 2 * 1024 * 1024  # a rejection CSV or pain.002 report
REJECTION_FILE_MAX_ROWS = 50_000
MAX_ERRORS_SHOWN = 200  # a file of garbage reports its first errors, not thousands
# pg_advisory_xact_lock key: drafting runs one at a time, so two drafts made at the
# same moment never collect the same account twice.
PAYMENT_RUN_LOCK = 0x5E9A_0001

# SEPA's restricted Latin character set (identifiers such as mandate references).
SEPA_ID = re.compile(r"^[A-Za-z0-9/\-?:().,'+ ]{1,35}$")
REASON_CODE = re.compile(r"^[A-Z0-9]{4}$")
# The ISO 20022 return reasons of SEPA direct debits a bank sends most often.
REASON_CODES = {
    "AC01": gettext_lazy("Incorrect account number"),
    "AC04": gettext_lazy("Closed account"),
    "AC06": gettext_lazy("Blocked account"),
    "AC13": gettext_lazy("Debtor account is a consumer account"),
    "AG01": gettext_lazy("Direct debit forbidden on this account"),
    "AG02": gettext_lazy("Invalid operation code"),
    "AM04": gettext_lazy("Insufficient funds"),
    "AM05": gettext_lazy("Duplicate collection"),
    "BE05": gettext_lazy("Unknown creditor"),
    "CNOR": gettext_lazy("Creditor bank is not registered"),
    "DNOR": gettext_lazy("Debtor bank is not registered"),
    "FF01": gettext_lazy("Invalid file format"),
    "MD01": gettext_lazy("No valid mandate"),
    "MD02": gettext_lazy("Mandate data missing or wrong"),
    "MD06": gettext_lazy("Refund requested by the debtor"),
    "MD07": gettext_lazy("Debtor deceased"),
    "MS02": gettext_lazy("Refused by the debtor"),
    "MS03": gettext_lazy("Reason not specified"),
    "RC01": gettext_lazy("Incorrect BIC"),
    "RR01": gettext_lazy("Missing debtor account or identification"),
    "RR02": gettext_lazy("Missing debtor name or address"),
    "RR03": gettext_lazy("Missing creditor name or address"),
    "RR04": gettext_lazy("Regulatory reason"),
    "SL01": gettext_lazy("Specific service offered by the debtor bank"),
}

# The life of a payment run; any other move is an InvalidTransition.
PAYMENT_RUN_TRANSITIONS: dict[str, set[str]] = {
    PaymentRunStatus.DRAFT: {PaymentRunStatus.EXPORTED, PaymentRunStatus.DISCARDED},
    PaymentRunStatus.EXPORTED: {PaymentRunStatus.CLOSED},
    PaymentRunStatus.CLOSED: set(),
    PaymentRunStatus.DISCARDED: set(),
}
# Runs whose pending collections hold their account (it is not drafted again).
OPEN_RUN_STATUSES = (PaymentRunStatus.DRAFT, PaymentRunStatus.EXPORTED)


def reason_label(reason: str) -> str:
    """A rejection reason for people: ``AM04 · Insufficient funds``."""
    code = (reason or "")[:4]
    label = REASON_CODES.get(code)
    return f"{reason} · {label}" if label and reason == code else reason


# --- mandates ------------------------------------------------------------------------------
def _clean_iban(value: str) -> tuple[str, str | None]:
    """The compact IBAN, or a problem: checksum, structure, outside the SEPA zone."""
    try:
        iban = IBAN(value or "")
    except (SchwiftyException, ValueError) as exc:
        return "", _("This is not a valid IBAN (%(error)s).") % {"error": exc}
    if not iban.in_sepa_zone:
        return "", _("This IBAN's country is outside the SEPA zone.")
    return iban.compact, None


def _clean_bic(value: str) -> tuple[str, str | None]:
    """The compact BIC (empty when none is given), or a problem."""
    if not (value or "").strip():
        return "", None
    try:
        return BIC(value).compact, None
    except (SchwiftyException, ValueError) as exc:
        return "", _("This is not a valid BIC (%(error)s).") % {"error": exc}


def _sepa_id_error(value: str) -> str | None:
    """Why ``value`` cannot be a SEPA identifier (a mandate reference), or None."""
    if not SEPA_ID.match(value) or value.startswith("/") or value.endswith("/") or "//" in value:
        return _(
            "Use up to 35 letters, digits, spaces and / - ? : ( ) . , ' + "
            "(not starting or ending with /, no //)."
        )
    return None


@transaction.atomic
def mandate_create(
    *,
    billing_account: BillingAccount,
    reference: str,
    debtor_name: str,
    iban: str,
    bic: str = "",
    signed_on: date,
    actor=None,
) -> DirectDebitMandate:
    """Register the SEPA mandate a customer signed for a billing account: the IBAN
    and BIC are checked (checksums, structure, SEPA zone), the reference is unique.
    The account then pays by direct debit. Refused for an account that is closed,
    not paying, not in euros, or that has an active mandate (revoke it first).
    Errors are a ``ValidationError`` per field."""
    errors: dict[str, list[str]] = {}

    def error(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    reference = (reference or "").strip()
    debtor_name = " ".join((debtor_name or "").split())
    if problem := _sepa_id_error(reference):
        error("reference", problem)
    elif DirectDebitMandate.objects.filter(reference=reference).exists():
        error("reference", _("Another mandate has this reference."))
    if not debtor_name:
        error("debtor_name", _("Enter the name of the account holder."))
    elif len(debtor_name) > 70:
        error("debtor_name", _("Use at most 70 characters."))
    iban, problem = _clean_iban(iban)
    if problem:
        error("iban", problem)
    bic, problem = _clean_bic(bic)
    if problem:
        error("bic", problem)
    if signed_on is None or signed_on > timezone.localdate():
        error("signed_on", _("A mandate is signed today or earlier."))
    account = BillingAccount.objects.select_for_update().get(pk=billing_account.pk)
    if account.status != BillingAccountStatus.ACTIVE:
        error(NON_FIELD_ERRORS, _("This billing account is closed."))
    if not account.is_paying:
        error(NON_FIELD_ERRORS, _("This account's charges go to its paying account: add it there."))
    if account.currency != SEPA_CURRENCY:
        error(
            NON_FIELD_ERRORS,
            _("SEPA direct debit collects euros; this account is in another currency."),
        )
    if account.mandates.filter(status=MandateStatus.ACTIVE).exists():
        error(NON_FIELD_ERRORS, _("This account already has an active mandate: revoke it first."))
    if errors:
        raise ValidationError(errors)
    mandate = DirectDebitMandate.objects.create(
        billing_account=account,
        reference=reference,
        debtor_name=debtor_name,
        iban=iban,
        bic=bic,
        signed_on=signed_on,
    )
    if account.payment_method != AccountPaymentMethod.DIRECT_DEBIT:
        customer_services.billing_account_update(
            account=account,
            actor=actor,
            expected_version=account.version,
            payment_method=AccountPaymentMethod.DIRECT_DEBIT,
        )
    billing_account.payment_method = AccountPaymentMethod.DIRECT_DEBIT
    return mandate


@transaction.atomic
def mandate_revoke(*, mandate: DirectDebitMandate, actor=None) -> DirectDebitMandate:
    """Stop collecting with a mandate (the customer cancelled it, changed bank, or
    pays another way now). Its collections waiting in draft runs are taken out;
    collections already exported stand. The account goes back to paying by bank
    transfer."""
    mandate = DirectDebitMandate.objects.select_for_update().get(pk=mandate.pk)
    if mandate.status != MandateStatus.ACTIVE:
        raise InvalidTransition(_("This mandate is already revoked."))
    mandate.status = MandateStatus.REVOKED
    mandate.save(update_fields=["status", "updated_at"])
    in_drafts = PaymentRunItem.objects.filter(mandate=mandate).values("run_id")
    drafts = list(
        PaymentRun.objects.select_for_update()
        .filter(status=PaymentRunStatus.DRAFT, pk__in=in_drafts)
        .order_by("pk")
    )
    for run in drafts:
        run.items.filter(mandate=mandate).delete()
        _recount(run)
    account = BillingAccount.objects.select_for_update().get(pk=mandate.billing_account_id)
    if account.payment_method == AccountPaymentMethod.DIRECT_DEBIT:
        customer_services.billing_account_update(
            account=account,
            actor=actor,
            expected_version=account.version,
            payment_method=AccountPaymentMethod.BANK_TRANSFER,
        )
    return mandate


# --- reads -----------------------------------------------------------------------------------
def payment_run_list() -> QuerySet[PaymentRun]:
    """Payment runs, newest collection date first (Billing & Finance, Back Office)."""
    return PaymentRun.objects.select_related("created_by", "exported_by")


def payment_run_items(*, run: PaymentRun) -> QuerySet[PaymentRunItem]:
    """The collections of a run with what the preview shows (account, customer,
    mandate, payment), in account-number order."""
    return run.items.select_related("billing_account__customer", "mandate", "payment").order_by(
        "billing_account__number"
    )


def account_mandates(*, account: BillingAccount) -> QuerySet[DirectDebitMandate]:
    """The mandates of a billing account, the active one first."""
    return account.mandates.order_by("status", "-signed_on", "-pk")


# --- payment runs ------------------------------------------------------------------------------
def _lock(run: PaymentRun) -> PaymentRun:
    """The run, re-read under a row lock (every step starts with it)."""
    return PaymentRun.objects.select_for_update().get(pk=run.pk)


def _move(run: PaymentRun, target: str) -> None:
    """Change the status of a locked run, or raise ``InvalidTransition``."""
    if target not in PAYMENT_RUN_TRANSITIONS[run.status]:
        raise InvalidTransition(
            _("A payment run cannot go from %(from)s to %(to)s.")
            % {"from": run.get_status_display(), "to": PaymentRunStatus(target).label}
        )
    run.status = target


def _recount(run: PaymentRun) -> None:
    """Store the run's counters and totals from its collections."""
    sums = run.items.aggregate(
        n=Count("pk"),
        total=Sum("amount"),
        rejected=Count("pk", filter=Q(status=CollectionStatus.REJECTED)),
        rejected_total=Sum("amount", filter=Q(status=CollectionStatus.REJECTED)),
    )
    run.collections = sums["n"] or 0
    run.total = sums["total"] or ZERO
    run.rejected = sums["rejected"] or 0
    run.rejected_total = sums["rejected_total"] or ZERO
    run.save(update_fields=["collections", "total", "rejected", "rejected_total", "updated_at"])


def check_collection_date(collection_date: date, *, today: date | None = None) -> None:
    """A collection date is a working day after today (the bank needs the file the
    working day before). Raises a ``ValidationError`` on ``collection_date``."""
    today = today or timezone.localdate()
    if collection_date is None or collection_date <= today:
        raise ValidationError({"collection_date": _("Choose a date after today.")})
    if not working_calendar().is_working_day(collection_date):
        raise ValidationError({"collection_date": _("Choose a working day.")})


def _disputed_open(account_ids: list[int]) -> dict[int, Decimal]:
    """What is open on disputed invoices, per account (only accounts that have a
    disputed invoice are looked at one by one; there are few)."""
    with_disputes = (
        Invoice.objects.filter(
            billing_account_id__in=account_ids, status=InvoiceStatus.POSTED, disputed=True
        )
        .values_list("billing_account_id", flat=True)
        .distinct()
    )
    result = {}
    for account in BillingAccount.objects.filter(pk__in=list(with_disputes)):
        result[account.pk] = sum(
            (i.total - i.paid for i in open_invoices(account) if i.disputed), ZERO
        )
    return result


def end_to_end_id(run: PaymentRun, account: BillingAccount) -> str:
    """The id of a collection in the SEPA file, unique across runs (the bank quotes
    it back when it rejects the collection)."""
    return f"DD{run.pk}-{account.number}"[:35]


@transaction.atomic
def payment_run_create(
    *, collection_date: date, actor=None, today: date | None = None
) -> PaymentRun:
    """Draft a payment run collecting on ``collection_date`` (a working day after
    ``today``): one collection per active, paying euro account that pays by direct
    debit with an active mandate and owes money. The amount is the balance less
    what is open on disputed invoices (an account with only disputed invoices open
    is skipped). Accounts with a collection waiting in another draft or exported run
    are skipped. FRST when the mandate was never collected, else RCUR. Refused when
    no account is due."""
    check_collection_date(collection_date, today=today)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [PAYMENT_RUN_LOCK])
    waiting = PaymentRunItem.objects.filter(
        status=CollectionStatus.PENDING, run__status__in=OPEN_RUN_STATUSES
    ).values("billing_account_id")
    mandates = list(
        DirectDebitMandate.objects.filter(
            status=MandateStatus.ACTIVE,
            billing_account__status=BillingAccountStatus.ACTIVE,
            billing_account__is_paying=True,
            billing_account__payment_method=AccountPaymentMethod.DIRECT_DEBIT,
            billing_account__currency=SEPA_CURRENCY,
            billing_account__balance__gt=0,
        )
        .exclude(billing_account_id__in=waiting)
        .select_related("billing_account")
        .order_by("billing_account_id")
    )
    disputed = _disputed_open([m.billing_account_id for m in mandates])
    run = PaymentRun.objects.create(collection_date=collection_date, created_by=actor)
    items = []
    for mandate in mandates:
        account = mandate.billing_account
        amount = account.balance - disputed.get(account.pk, ZERO)
        if amount <= 0:
            continue
        items.append(
            PaymentRunItem(
                run=run,
                billing_account=account,
                mandate=mandate,
                amount=amount,
                end_to_end_id=end_to_end_id(run, account),
                sequence_type=RECURRING if mandate.first_collected_on else FIRST,
            )
        )
    if not items:
        raise DomainError(_("No direct-debit account owes anything to collect."))
    PaymentRunItem.objects.bulk_create(items, batch_size=ITEM_BATCH)
    _recount(run)
    return run


@transaction.atomic
def payment_run_exclude(*, run: PaymentRun, item_ids, actor=None) -> int:
    """Take collections out of a draft run (finance reviewed them and does not want
    them collected now); returns how many were taken out."""
    run = _lock(run)
    if run.status != PaymentRunStatus.DRAFT:
        raise InvalidTransition(_("Collections are excluded only while the run is a draft."))
    removed, _detail = run.items.filter(pk__in=list(item_ids)).delete()
    _recount(run)
    return removed


@transaction.atomic
def payment_run_discard(*, run: PaymentRun, actor=None) -> PaymentRun:
    """Discard a draft run: nothing was sent or booked; its accounts can be drafted
    in another run."""
    run = _lock(run)
    _move(run, PaymentRunStatus.DISCARDED)
    run.save(update_fields=["status", "updated_at"])
    return run


def _booked(items) -> dict[str, Decimal]:
    """Payments an interrupted export already booked, by idempotency key."""
    keys = [f"ddrun-item-{item.pk}" for item in items]
    return dict(
        Payment.objects.filter(idempotency_key__in=keys, status=PaymentStatus.RECEIVED).values_list(
            "idempotency_key", "amount"
        )
    )


def collection_problems(items) -> dict[int, str]:
    """Why collections of a draft cannot be exported as they are, per item id: a
    mandate revoked or an account that owes less than the collection since the run
    was drafted (a payment an interrupted export booked for it does not count)."""
    problems = {}
    booked = _booked(items)
    for item in items:
        account = item.billing_account
        owes = account.balance + booked.get(f"ddrun-item-{item.pk}", ZERO)
        if item.mandate.status != MandateStatus.ACTIVE:
            problems[item.pk] = _("%(account)s: the mandate %(mandate)s was revoked.") % {
                "account": account.number,
                "mandate": item.mandate.reference,
            }
        elif owes < item.amount:
            problems[item.pk] = _(
                "%(account)s now owes %(balance)s, less than the collection of %(amount)s."
            ) % {"account": account.number, "balance": owes, "amount": item.amount}
    return problems


def export_problems(items) -> list[str]:
    """The problems of ``collection_problems`` as messages."""
    return list(collection_problems(items).values())


def _creditor() -> dict:
    """The creditor of the SEPA file from settings, checked."""
    conf = settings.BILLING_SEPA_CREDITOR
    name, creditor_id = conf.get("NAME", "").strip(), conf.get("CREDITOR_ID", "").strip()
    iban, iban_problem = _clean_iban(conf.get("IBAN", ""))
    bic, bic_problem = _clean_bic(conf.get("BIC", ""))
    problems = [p for p in (iban_problem, bic_problem) if p]
    if not name:
        problems.append(_("the creditor name is missing"))
    if not bic:
        problems.append(_("the creditor BIC is missing"))
    if not creditor_id or _sepa_id_error(creditor_id):
        problems.append(_("the SEPA creditor identifier is missing or invalid"))
    if problems:
        raise DomainError(
            _("BILLING_SEPA_CREDITOR is not usable: %(problems)s")
            % {"problems": "; ".join(str(p) for p in problems)}
        )
    return {
        "name": name,
        "IBAN": iban,
        "BIC": bic,
        "batch": True,
        "creditor_id": creditor_id,
        "currency": SEPA_CURRENCY,
        "instrument": "CORE",
    }


class _RunDirectDebit(SepaDD):
    """sepaxml's pain.008 writer with the run's own message id."""

    def __init__(self, config: dict, *, message_id: str):
        self._run_message_id = message_id
        super().__init__(config, schema=SEPA_SCHEMA, clean=True)

    def _create_header(self):
        self.msg_id = self._run_message_id
        super()._create_header()


def message_id(run: PaymentRun) -> str:
    """The message id of a run's SEPA file (the bank's status report quotes it)."""
    return f"ALUX-DD-{run.pk}-{timezone.now():%Y%m%d%H%M%S}"[:35]


def build_sepa_xml(*, run: PaymentRun, items, message_id: str) -> bytes:
    """The pain.008 file of a run's collections, validated against the XSD (a file
    the bank would refuse is never stored). Amounts in cents, one batch per
    sequence type (FRST, RCUR)."""
    creditor = _creditor()
    sepa = _RunDirectDebit(creditor, message_id=message_id)
    for item in items:
        mandate = item.mandate
        payment = {
            "name": mandate.debtor_name,
            "IBAN": mandate.iban,
            "amount": int(item.amount * 100),
            "type": item.sequence_type,
            "collection_date": run.collection_date,
            "mandate_id": mandate.reference,
            "mandate_date": mandate.signed_on,
            "description": f"{creditor['name']} {item.billing_account.number}",
            "endtoend_id": item.end_to_end_id,
        }
        if mandate.bic:
            payment["BIC"] = mandate.bic
        sepa.add_payment(payment)
    try:
        return sepa.export(validate=True)
    except SepaValidationError as exc:
        cause = exc.__cause__ or exc
        raise DomainError(
            _("The SEPA file does not validate: %(error)s") % {"error": str(cause)[:500]}
        ) from exc


@transaction.atomic
def payment_run_export(*, run: PaymentRun, actor, today: date | None = None) -> PaymentRun:
    """Export a draft run: store its validated SEPA direct-debit file, record each
    collection as a direct-debit payment received on the collection date (allocated
    to the oldest open invoices), mark first collections on the mandates. One
    transaction; each payment's idempotency key is ``ddrun-item-<id>``, so a retry
    after a crash books nothing twice. A second export is refused, and so is a run
    whose collection date has passed or whose collections changed (see
    ``export_problems``)."""
    run = _lock(run)
    if run.status in (PaymentRunStatus.EXPORTED, PaymentRunStatus.CLOSED):
        raise InvalidTransition(_("This payment run is already exported."))
    _move(run, PaymentRunStatus.EXPORTED)
    today = today or timezone.localdate()
    if run.collection_date <= today:
        raise DomainError(
            _("The collection date has passed: discard this run and draft a new one.")
        )
    items = list(
        run.items.select_for_update(of=("self",))
        .select_related("billing_account", "mandate")
        .order_by("billing_account_id")
    )
    if not items:
        raise DomainError(_("This run has no collections to export."))
    if problems := export_problems(items):
        raise DomainError(
            _("Exclude these collections first: %(problems)s") % {"problems": " ".join(problems)}
        )
    for item in items:  # the mandate may have been collected since the draft
        item.sequence_type = RECURRING if item.mandate.first_collected_on else FIRST
    run.message_id = message_id(run)
    xml = build_sepa_xml(run=run, items=items, message_id=run.message_id)
    for item in items:  # account rows are locked in primary-key order
        item.payment, _created = payment_record(
            account=item.billing_account,
            amount=item.amount,
            method=PaymentMethod.DIRECT_DEBIT,
            idempotency_key=f"ddrun-item-{item.pk}",
            received_on=run.collection_date,
            reference=item.end_to_end_id,
            actor=actor,
        )
    PaymentRunItem.objects.bulk_update(items, ["payment", "sequence_type"], batch_size=ITEM_BATCH)
    DirectDebitMandate.objects.filter(
        pk__in={item.mandate_id for item in items}, first_collected_on__isnull=True
    ).update(first_collected_on=run.collection_date, updated_at=timezone.now())
    run.file.save(
        f"sepa-dd-{run.pk}-{run.collection_date:%Y%m%d}.xml", ContentFile(xml), save=False
    )
    run.exported_by, run.exported_at = actor, timezone.now()
    run.save(
        update_fields=["status", "message_id", "file", "exported_by", "exported_at", "updated_at"]
    )
    return run


@dataclass(frozen=True)
class RejectionResult:
    """What taking rejections back did: collections rejected now, those rejected
    before (a re-import) and the amount reversed now."""

    rejected: int
    already: int
    amount: Decimal


def _check_rejections(
    run: PaymentRun, rows: list[tuple[str, str, str]]
) -> tuple[dict[str, str], dict[str, PaymentRunItem], list[str]]:
    """Validate ``(label, end_to_end_id, reason)`` rows against a run; returns the
    reason per id, the items (locked) and every problem, labelled."""
    errors: list[str] = []
    wanted: dict[str, str] = {}
    labels: dict[str, str] = {}
    for label, e2e, reason in rows:
        e2e, reason = (e2e or "").strip(), " ".join((reason or "").split())
        code = reason[:4]
        if not e2e:
            errors.append(_("%(row)s: the end-to-end id is missing.") % {"row": label})
        elif not reason:
            errors.append(_("%(row)s: the reason code is missing.") % {"row": label})
        elif not REASON_CODE.match(code) or (len(reason) > 4 and reason[4] != " "):
            errors.append(
                _("%(row)s: %(reason)s is not a reason code (four letters or digits, e.g. AM04).")
                % {"row": label, "reason": reason[:40]}
            )
        elif e2e in wanted and wanted[e2e][:4] != code:
            errors.append(
                _("%(row)s: %(id)s is rejected twice with different reasons.")
                % {"row": label, "id": e2e[:40]}
            )
        else:
            wanted.setdefault(e2e, reason[:120])
            labels.setdefault(e2e, label)
    items = {
        item.end_to_end_id: item
        for item in run.items.select_for_update(of=("self",))
        .filter(end_to_end_id__in=list(wanted))
        .select_related("payment", "mandate")
        .order_by("billing_account_id")
    }
    for e2e, label in labels.items():
        if e2e not in items:
            errors.append(
                _("%(row)s: %(id)s is not a collection of this run.")
                % {"row": label, "id": e2e[:40]}
            )
    return wanted, items, errors


def _reject(
    *, run: PaymentRun, rows: list[tuple[str, str, str]], actor, row_errors=()
) -> RejectionResult:
    """Take back labelled rejection rows of an exported run (see ``payment_run_reject``);
    ``row_errors`` are problems found while reading a file, reported with the rest."""
    run = _lock(run)
    if run.status != PaymentRunStatus.EXPORTED:
        raise InvalidTransition(
            _("Rejections are taken back while the run is exported and not yet closed.")
        )
    wanted, items, errors = _check_rejections(run, rows)
    errors = [*row_errors, *errors]
    if errors:
        raise ValidationError(errors[:MAX_ERRORS_SHOWN])
    rejected, already, amount = 0, 0, ZERO
    for e2e in sorted(wanted, key=lambda key: items[key].billing_account_id):
        item, reason = items[e2e], wanted[e2e]
        if item.status == CollectionStatus.REJECTED:
            already += 1
            continue
        if item.payment is not None and item.payment.status != PaymentStatus.REVERSED:
            payment_reverse(
                payment=item.payment,
                reason=_("Direct debit %(id)s rejected by the bank: %(reason)s")
                % {"id": e2e, "reason": reason},
                actor=actor,
            )
        item.status, item.reject_reason = CollectionStatus.REJECTED, reason
        item.save(update_fields=["status", "reject_reason"])
        mandate = item.mandate
        if item.sequence_type == FIRST and mandate.first_collected_on == run.collection_date:
            mandate.first_collected_on = None  # the next collection is a first one again
            mandate.save(update_fields=["first_collected_on", "updated_at"])
        rejected += 1
        amount += item.amount
    _recount(run)
    return RejectionResult(rejected=rejected, already=already, amount=amount)


@transaction.atomic
def payment_run_reject(
    *, run: PaymentRun, rejections: list[tuple[str, str]], actor
) -> RejectionResult:
    """Take back the collections the bank rejected: ``(end_to_end_id, reason)``
    pairs, the reason an ISO code such as AC04, AM04 or MD01 (optionally followed by
    the bank's text). Each payment is reversed (its invoices are open again) and the
    collection marked rejected. All or nothing: an unknown id or a bad reason is a
    ``ValidationError`` listing every problem, and nothing is taken back. A
    collection already rejected is skipped, so the same rejection twice is
    harmless."""
    rows = [
        (_("Rejection %(n)s") % {"n": n}, e2e, reason)
        for n, (e2e, reason) in enumerate(rejections, 1)
    ]
    return _reject(run=run, rows=rows, actor=actor)


def _local(tag: str) -> str:
    """An XML tag without its namespace."""
    return tag.rsplit("}", 1)[-1]


def _child(element, name: str):
    """The first child of ``element`` with the local name ``name``, or None."""
    return next((c for c in element if _local(c.tag) == name), None)


def _path_text(element, *names: str) -> str:
    """The stripped text at a path of local names below ``element`` ("" if absent)."""
    for name in names:
        if element is None:
            return ""
        element = _child(element, name)
    return (element.text or "").strip() if element is not None else ""


def _reason_of(status_element) -> str:
    """The ISO reason code (plus the bank's text) of a pain.002 status element."""
    info = _child(status_element, "StsRsnInf")
    if info is None:
        return ""
    code = _path_text(info, "Rsn", "Cd") or _path_text(info, "Rsn", "Prtry")
    extra = " ".join((c.text or "").strip() for c in info if _local(c.tag) == "AddtlInf" and c.text)
    return f"{code} {extra}".strip()


def _parse_pain002(text: str, run: PaymentRun) -> tuple[list[tuple[str, str, str]], list[str]]:
    """The rejected transactions of a pain.002 payment status report (a group
    status RJCT without transactions rejects every collection of the run)."""
    upper = text.upper()
    if "<!DOCTYPE" in upper or "<!ENTITY" in upper:
        return [], [_("The XML file declares a DTD or entities; they are not accepted.")]
    try:
        # DTDs are refused above, so no entity can be expanded or fetched.
        root = ET.fromstring(text)  # noqa: S314
    except ET.ParseError as exc:
        return [], [_("The XML file cannot be read: %(error)s") % {"error": exc}]
    report = root[0] if len(root) else None
    if (
        _local(root.tag) != "Document"
        or not root.tag.startswith("{urn:iso:std:iso:20022:tech:xsd:pain.002.")
        or report is None
        or _local(report.tag) != "CstmrPmtStsRpt"
    ):
        return [], [_("The XML file is not a SEPA payment status report (pain.002).")]
    group = _child(report, "OrgnlGrpInfAndSts")
    original = _path_text(report, "OrgnlGrpInfAndSts", "OrgnlMsgId")
    if run.message_id and original and original != run.message_id:
        return [], [
            _("This report answers the file %(other)s, not this run's file %(ours)s.")
            % {"other": original[:40], "ours": run.message_id}
        ]
    rows, errors = [], []
    transactions = [e for e in report.iter() if _local(e.tag) == "TxInfAndSts"]
    for n, tx in enumerate(transactions, 1):
        if _path_text(tx, "TxSts") != "RJCT":
            continue
        e2e = _path_text(tx, "OrgnlEndToEndId")
        label = _("Transaction %(n)s (%(id)s)") % {"n": n, "id": e2e[:40] or "?"}
        rows.append((label, e2e, _reason_of(tx)))
    if not rows and group is not None and _path_text(group, "GrpSts") == "RJCT":
        reason = _reason_of(group) or "MS03"
        label = _("The whole file")
        rows = [
            (label, e2e, reason)
            for e2e in run.items.order_by("pk").values_list("end_to_end_id", flat=True)
        ]
    for info in (e for e in report if _local(e.tag) == "OrgnlPmtInfAndSts"):
        if _path_text(info, "PmtInfSts") == "RJCT" and _child(info, "TxInfAndSts") is None:
            errors.append(
                _(
                    "A whole batch (%(id)s) is rejected without its transactions: ask the bank "
                    "for the rejected end-to-end ids."
                )
                % {"id": _path_text(info, "OrgnlPmtInfId")[:40]}
            )
    return rows, errors


def _parse_csv(text: str) -> tuple[list[tuple[str, str, str]], list[str]]:
    """Rows of ``end_to_end_id,reason`` (or ``;``-separated), an optional header."""
    first = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first and "," not in first else ","
    rows, errors = [], []
    try:
        for number, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), 1):
            cells = [cell.strip() for cell in row]
            while cells and not cells[-1]:
                cells.pop()
            if not cells:
                continue
            header = cells[0].lower().replace("-", "_").replace(" ", "_")
            if number == 1 and header in ("end_to_end_id", "endtoendid", "e2e_id", "e2e"):
                continue
            label = _("Row %(n)s") % {"n": number}
            if len(cells) != 2:
                errors.append(
                    _("%(row)s: expected two columns, the end-to-end id and the reason code.")
                    % {"row": label}
                )
                continue
            rows.append((label, cells[0], cells[1]))
    except csv.Error as exc:
        errors.append(_("The CSV file cannot be read: %(error)s") % {"error": exc})
    return rows, errors


def parse_rejection_file(
    uploaded_file, *, run: PaymentRun
) -> tuple[list[tuple[str, str, str]], list[str]]:
    """``(label, end_to_end_id, reason)`` rows of a rejection file (a UTF-8 CSV or
    the bank's pain.002 status report) and the problems of rows that cannot be read.
    A file that is not a rejection file at all (size, encoding, format) raises a
    ``ValidationError``."""
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > REJECTION_FILE_MAX_BYTES:
        raise ValidationError(
            _("The file is larger than %(mb)s MB.") % {"mb": REJECTION_FILE_MAX_BYTES // 2**20}
        )
    data = uploaded_file.read(REJECTION_FILE_MAX_BYTES + 1)
    if len(data) > REJECTION_FILE_MAX_BYTES:
        raise ValidationError(
            _("The file is larger than %(mb)s MB.") % {"mb": REJECTION_FILE_MAX_BYTES // 2**20}
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(_("The file is not UTF-8 text (a CSV or an XML report).")) from exc
    if "\x00" in text:
        raise ValidationError(_("The file is not a text file."))
    if not text.strip():
        raise ValidationError(_("The file is empty."))
    if text.lstrip().startswith("<"):
        rows, errors = _parse_pain002(text, run)
        if errors and not rows:
            raise ValidationError(errors)
    else:
        rows, errors = _parse_csv(text)
        if not rows and not errors:
            raise ValidationError(_("The file holds no rejections."))
    if len(rows) > REJECTION_FILE_MAX_ROWS:
        raise ValidationError(
            _("The file holds more than %(n)s rows.") % {"n": REJECTION_FILE_MAX_ROWS}
        )
    return rows, errors


@transaction.atomic
def payment_run_import_rejections(*, run: PaymentRun, uploaded_file, actor) -> RejectionResult:
    """Take back the rejections of an uploaded file (CSV ``end_to_end_id,reason`` or
    a pain.002 status report, at most ``REJECTION_FILE_MAX_BYTES``). Every bad row
    (format, reason, unknown id) is reported in one ``ValidationError`` and nothing
    is imported; a file imported twice changes nothing the second time."""
    rows, row_errors = parse_rejection_file(uploaded_file, run=run)
    return _reject(run=run, rows=rows, actor=actor, row_errors=row_errors)


@transaction.atomic
def payment_run_close(*, run: PaymentRun, actor=None) -> PaymentRun:
    """Close an exported run once the bank's rejections are in: the collections not
    rejected are collected. Later chargebacks are reversals of their payments."""
    run = _lock(run)
    _move(run, PaymentRunStatus.CLOSED)
    run.items.filter(status=CollectionStatus.PENDING).update(status=CollectionStatus.COLLECTED)
    run.closed_at = timezone.now()
    run.save(update_fields=["status", "closed_at", "updated_at"])
    return run
