"""The general-ledger journal of a period (BIL-5), for the accountants' GL.

The journal is derived from the append-only ledger of the billing accounts and from
the vouchers redeemed in the period; nothing is written. Entries are summed by day,
currency and kind in SQL, and each sum becomes double-entry lines on the accounts
that ``settings.BILLING_GL_ACCOUNTS`` maps to each role:

* an invoice: Dr receivables (total) / Cr revenue (the net of its lines, per product
  category, any remainder on the default revenue account) / Cr VAT payable (tax);
* a payment: Dr the account of its method (bank, cash, card or direct-debit
  clearing) / Cr receivables; a payment reversal the opposite;
* a credit note: Dr credit notes (net) and Dr VAT payable (its share) / Cr
  receivables; a debit note the opposite on the debit-notes account. The VAT share
  is the note's amount times the tax/total ratio of the invoice it names, rounded
  to the cent per note; a note that names no invoice goes to the note account in
  full (no VAT share can be derived);
* an adjustment, refund, deposit, write-off or voucher top-up: receivables against
  the role's account — an entry the customer owes (positive) is Dr receivables /
  Cr the role's account, one in the customer's favour the opposite;
* a voucher redeemed in the period (a prepaid top-up, not on the billing ledger):
  Dr vouchers outstanding / Cr prepaid balances, at the batch's value.

The journal balances by construction of these rules; ``Journal.balanced`` checks it
per currency and the CSV export refuses a journal that does not balance.
"""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from functools import cached_property

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Round, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from alux_crm.core.errors import DomainError
from alux_crm.core.money import MONEY_FIELD, ZERO

from ..choices import EntryKind, PaymentMethod, VoucherStatus
from ..models import LedgerEntry, Voucher

# The roles every mapping must name (docs/configuration.md, "Billing").
GL_ROLES = (
    "receivables",
    "revenue",
    "vat_payable",
    "payments",
    "credit_notes",
    "debit_notes",
    "adjustments",
    "refunds",
    "write_offs",
    "deposits",
    "vouchers_outstanding",
    "prepaid_balances",
)
# The account that takes the other side of receivables, per ledger entry kind
# (invoices, payments and payment reversals have their own rules).
COUNTER_ROLE = {
    EntryKind.CREDIT_NOTE: "credit_notes",
    EntryKind.DEBIT_NOTE: "debit_notes",
    EntryKind.ADJUSTMENT: "adjustments",
    EntryKind.REFUND: "refunds",
    EntryKind.DEPOSIT: "deposits",
    EntryKind.WRITE_OFF: "write_offs",
    EntryKind.VOUCHER_TOP_UP: "vouchers_outstanding",
}
# Notes whose VAT is taken back (or charged) with them, in proportion to the invoice.
NOTE_KINDS = (EntryKind.CREDIT_NOTE, EntryKind.DEBIT_NOTE)
MONEY = DecimalField(**MONEY_FIELD)


class UnbalancedJournal(DomainError):
    """The debits of the journal differ from its credits (a mapping or data error)."""

    code = "unbalanced_journal"


@dataclass(frozen=True)
class GLAccounts:
    """The account codes of each role, from ``settings.BILLING_GL_ACCOUNTS``."""

    mapping: dict

    @classmethod
    def from_settings(cls) -> "GLAccounts":
        mapping = dict(getattr(settings, "BILLING_GL_ACCOUNTS", {}) or {})
        missing = [role for role in GL_ROLES if not mapping.get(role)]
        if missing:
            raise ImproperlyConfigured(
                f"BILLING_GL_ACCOUNTS has no account for: {', '.join(missing)}"
            )
        for role in ("revenue", "payments"):
            value = mapping[role]
            if isinstance(value, dict) and not value.get("default"):
                raise ImproperlyConfigured(f'BILLING_GL_ACCOUNTS["{role}"] needs a "default".')
        return cls(mapping)

    def account(self, role: str, key: str | None = None) -> str:
        """The code of ``role``; for ``revenue`` (by product category) and ``payments``
        (by method) the code of ``key``, else the role's default."""
        value = self.mapping[role]
        if isinstance(value, dict):
            return str(value.get(key or "") or value["default"])
        return str(value)


@dataclass(frozen=True)
class JournalLine:
    """One line of the journal: an account debited or credited on a day, with how
    many source entries (ledger entries, redeemed vouchers) it sums."""

    day: date
    account: str
    currency: str
    debit: Decimal
    credit: Decimal
    description: str
    entries: int


@dataclass(frozen=True)
class AccountTotal:
    """An account's debits and credits over the period (in one currency)."""

    account: str
    currency: str
    debit: Decimal
    credit: Decimal
    entries: int

    @property
    def balance(self) -> Decimal:
        """Debit minus credit."""
        return self.debit - self.credit


@dataclass
class Journal:
    """The journal of the period [start, end): its lines by day and the totals."""

    start: date
    end: date
    lines: list[JournalLine] = field(default_factory=list)
    receivables_account: str = ""

    @cached_property
    def totals(self) -> dict[str, tuple[Decimal, Decimal]]:
        """(debit, credit) per currency."""
        sums: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
        for line in self.lines:
            sums[line.currency][0] += line.debit
            sums[line.currency][1] += line.credit
        return {currency: (d, c) for currency, (d, c) in sorted(sums.items())}

    @cached_property
    def by_account(self) -> list[AccountTotal]:
        """Debits and credits per account and currency, by account code."""
        sums: dict[tuple[str, str], list] = defaultdict(lambda: [ZERO, ZERO, 0])
        for line in self.lines:
            row = sums[(line.account, line.currency)]
            row[0] += line.debit
            row[1] += line.credit
            row[2] += line.entries
        return [
            AccountTotal(account, currency, debit, credit, entries)
            for (account, currency), (debit, credit, entries) in sorted(sums.items())
        ]

    @property
    def debit(self) -> Decimal:
        """All debits (every currency; meaningful with one currency)."""
        return sum((d for d, _c in self.totals.values()), ZERO)

    @property
    def credit(self) -> Decimal:
        """All credits (every currency; meaningful with one currency)."""
        return sum((c for _d, c in self.totals.values()), ZERO)

    @property
    def balanced(self) -> bool:
        """Debits equal credits in every currency."""
        return all(debit == credit for debit, credit in self.totals.values())

    def assert_balanced(self) -> None:
        """Raise ``UnbalancedJournal`` unless debits equal credits in every currency."""
        for currency, (debit, credit) in self.totals.items():
            if debit != credit:
                raise UnbalancedJournal(
                    _("The journal does not balance in %(currency)s: %(d)s debit, %(c)s credit.")
                    % {"currency": currency, "d": debit, "c": credit}
                )

    def receivables_movement(self, currency: str) -> Decimal:
        """Debit minus credit on the receivables account: the sum of the ledger
        entries of the period in ``currency``."""
        return sum(
            (
                row.balance
                for row in self.by_account
                if row.account == self.receivables_account and row.currency == currency
            ),
            ZERO,
        )


class _Book:
    """Collects debits and credits by (day, currency, description, account)."""

    def __init__(self):
        self.rows: dict[tuple, list] = defaultdict(lambda: [ZERO, ZERO, 0, 0])

    def add(self, day, currency, description, account, amount: Decimal, entries: int) -> None:
        """Book ``amount`` on ``account``: positive is a debit, negative a credit."""
        if not amount:
            return
        row = self.rows[(day, currency, description, account)]
        if amount > 0:
            row[0] += amount
            row[2] += entries
        else:
            row[1] -= amount
            row[3] += entries

    def pair(self, day, currency, description, debit, credit, amount, entries) -> None:
        """Debit one account and credit another with the same amount."""
        self.add(day, currency, description, debit, amount, entries)
        self.add(day, currency, description, credit, -amount, entries)

    def lines(self) -> list[JournalLine]:
        out = []
        for (day, currency, description, account), row in self.rows.items():
            debit, credit, debit_n, credit_n = row
            if debit:
                out.append(JournalLine(day, account, currency, debit, ZERO, description, debit_n))
            if credit:
                out.append(JournalLine(day, account, currency, ZERO, credit, description, credit_n))
        # By day and currency, a source's debits before its credits.
        out.sort(key=lambda x: (x.day, x.currency, x.description, not x.debit, x.account))
        return out


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _book_invoices(book: _Book, accounts: GLAccounts, start: date, end: date) -> None:
    entries = LedgerEntry.objects.filter(
        kind=EntryKind.INVOICE, booked_on__gte=start, booked_on__lt=end
    )
    heads = (
        entries.values("booked_on", "currency")
        .annotate(
            total=Sum("amount"),
            tax=Sum("invoice__tax"),
            net=Sum("invoice__net"),
            n=Count("id"),
        )
        .order_by()
    )
    lines = (
        entries.values("booked_on", "currency", "invoice__lines__product__category")
        .annotate(net=Sum("invoice__lines__net"))
        .order_by()
    )
    revenue: dict[tuple, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    explained: dict[tuple, Decimal] = defaultdict(lambda: ZERO)
    for row in lines:
        key = (row["booked_on"], row["currency"])
        code = accounts.account("revenue", row["invoice__lines__product__category"])
        revenue[key][code] += row["net"] or ZERO
        explained[key] += row["net"] or ZERO
    description = _("Invoices")
    receivables, vat = accounts.account("receivables"), accounts.account("vat_payable")
    default_revenue = accounts.account("revenue")
    for row in heads:
        key = (row["booked_on"], row["currency"])
        day, currency, n = row["booked_on"], row["currency"], row["n"]
        book.add(day, currency, description, receivables, row["total"], n)
        book.add(day, currency, description, vat, -(row["tax"] or ZERO), n)
        per_account = revenue[key]
        # Invoices without lines, or lines not adding up to the net: default revenue.
        per_account[default_revenue] += (row["net"] or ZERO) - explained[key]
        for code, amount in per_account.items():
            book.add(day, currency, description, code, -amount, n)


def _book_other_entries(book: _Book, accounts: GLAccounts, start: date, end: date) -> None:
    owed, favour = Q(amount__gt=0), Q(amount__lt=0)
    vat_share = Case(
        When(
            kind__in=NOTE_KINDS,
            invoice__total__gt=0,
            then=Round(
                ExpressionWrapper(
                    F("amount") * F("invoice__tax") / F("invoice__total"), output_field=MONEY
                ),
                2,
            ),
        ),
        default=Value(ZERO),
        output_field=MONEY,
    )
    rows = (
        LedgerEntry.objects.filter(booked_on__gte=start, booked_on__lt=end)
        .exclude(kind=EntryKind.INVOICE)
        .annotate(vat_share=vat_share)
        .values("booked_on", "currency", "kind", "payment__method")
        .annotate(
            owed=Sum("amount", filter=owed),
            owed_vat=Sum("vat_share", filter=owed),
            owed_n=Count("id", filter=owed),
            favour=Sum("amount", filter=favour),
            favour_vat=Sum("vat_share", filter=favour),
            favour_n=Count("id", filter=favour),
        )
        .order_by()
    )
    kinds = dict(EntryKind.choices)
    methods = dict(PaymentMethod.choices)
    receivables, vat = accounts.account("receivables"), accounts.account("vat_payable")
    for row in rows:
        day, currency, kind = row["booked_on"], row["currency"], row["kind"]
        description = str(kinds.get(kind, kind))
        if kind in (EntryKind.PAYMENT, EntryKind.PAYMENT_REVERSAL):
            method = row["payment__method"]
            counter = accounts.account("payments", method)
            description = f"{description}: {methods.get(method, method or '-')}"
        else:
            counter = accounts.account(COUNTER_ROLE.get(kind, "adjustments"))
        for amount, tax, n in (
            (row["owed"], row["owed_vat"], row["owed_n"]),
            (row["favour"], row["favour_vat"], row["favour_n"]),
        ):
            if not n:
                continue
            tax = tax or ZERO
            # Receivables move by the entry; the counter account (and the VAT share
            # of a note) take the other side.
            book.add(day, currency, description, receivables, amount, n)
            book.add(day, currency, description, counter, -(amount - tax), n)
            book.add(day, currency, description, vat, -tax, n)


def _book_vouchers(book: _Book, accounts: GLAccounts, start: date, end: date) -> None:
    rows = (
        Voucher.objects.filter(
            status=VoucherStatus.REDEEMED,
            redeemed_at__gte=_aware(start),
            redeemed_at__lt=_aware(end),
        )
        .annotate(day=TruncDate("redeemed_at", tzinfo=timezone.get_current_timezone()))
        .values("day", "batch__currency")
        .annotate(value=Sum("batch__value"), n=Count("id"))
        .order_by()
    )
    description = _("Voucher redemptions")
    outstanding = accounts.account("vouchers_outstanding")
    prepaid = accounts.account("prepaid_balances")
    for row in rows:
        day, currency = row["day"], row["batch__currency"]
        book.pair(day, currency, description, outstanding, prepaid, row["value"], row["n"])


def gl_journal(*, start: date, end: date) -> Journal:
    """The journal of [start, end) by day and GL account, from the ledger entries
    booked and the vouchers redeemed in the period (a few aggregate queries)."""
    if end <= start:
        raise DomainError(_("The period ends after it starts."))
    accounts = GLAccounts.from_settings()
    book = _Book()
    _book_invoices(book, accounts, start, end)
    _book_other_entries(book, accounts, start, end)
    _book_vouchers(book, accounts, start, end)
    return Journal(
        start=start,
        end=end,
        lines=book.lines(),
        receivables_account=accounts.account("receivables"),
    )


CSV_HEADER = ["date", "account", "currency", "debit", "credit", "description", "entries"]


def journal_csv_rows(journal: Journal) -> Iterator[list]:
    """The rows of the journal's CSV export (header first, then one row a line)."""
    yield CSV_HEADER
    for line in journal.lines:
        yield [
            line.day.isoformat(),
            line.account,
            line.currency,
            f"{line.debit:.2f}",
            f"{line.credit:.2f}",
            line.description,
            line.entries,
        ]
