"""Generate many realistic customers fast, for benchmarks: ``generate_data --customers N``;
and subscriptions for them, ``generate_data --subscriptions N --period YYYY-MM-DD``
(``subscriptions.bulk_data``: the database is filled up to N subscriptions, with
mid-period changes, resting periods and one-time purchases in the billed period).

Each customer gets one legal address and one billing account. Rows go in with
PostgreSQL COPY, in batches (one transaction each). What keeps it correct:

- Customer and account numbers (and row ids) are taken from their sequences in bulk,
  so customers created later by the services never clash; re-running adds rows.
- The ID numbers are valid CNPs, unique by construction: a fixed permutation of the
  customer's sequence number is split into sex, birth date, county and serial (the
  rare one that an existing customer already holds is left blank). Mobile numbers
  are unique the same way.
- ``display_name`` is a generated column: not loaded, PostgreSQL computes it.
- The history triggers (django-pghistory) would write one event per row: they are
  ignored for the load with ``pgtrigger.ignore``. It sets a transaction-local
  variable on the first statement sent through Django's cursor in each batch (the
  number reservation); the COPY on the same connection and transaction then sees
  it. Nothing else is disabled or dropped: constraints, foreign keys and indexes
  are all checked and maintained.
"""

import random
import time
import unicodedata
from datetime import UTC, date, timedelta
from math import gcd

import pgtrigger
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from stdnum.ro import cui as ro_cui

from alux_crm.core import roles
from alux_crm.core.models import Partner, User
from customers.demo import (
    CITIES,
    CITY_WEIGHTS,
    FIRST_NAMES_FEMALE,
    FIRST_NAMES_MALE,
    LAST_NAMES,
    STREETS,
)
from customers.models import Address, BillingAccount, Customer, TierRule
from subscriptions.models import Subscription

HISTORY_TRIGGERS = (
    "customers.Customer:insert_insert",
    "customers.Address:insert_insert",
    "customers.BillingAccount:insert_insert",
)

CUSTOMER_COLUMNS = (
    "id",
    "created_at",
    "updated_at",
    "number",
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
    "status",
    "line_type",
    "payment_type",
    "language",
    "customer_since",
    "monthly_value",
    "tier",
    "tier_computed_at",
    "credit_class",
    "credit_checked_at",
    "version",
    "parent_id",
    "partner_id",
    "serving_agent_id",
)
ADDRESS_COLUMNS = (
    "id",
    "created_at",
    "updated_at",
    "kind",
    "line1",
    "line2",
    "city",
    "postal_code",
    "region",
    "country",
    "valid_from",
    "valid_to",
    "customer_id",
)
ACCOUNT_COLUMNS = (
    "id",
    "created_at",
    "updated_at",
    "number",
    "name",
    "currency",
    "bill_cycle_day",
    "payment_method",
    "invoice_delivery",
    "invoice_email",
    "is_paying",
    "status",
    "balance",
    "version",
    "billing_address_id",
    "parent_id",
    "customer_id",
)

NULL = "\\N"
# Birth dates of generated persons (adults), and the CNP permutation over them.
OLDEST, YOUNGEST = date(1942, 1, 1), date(2005, 12, 31)
BIRTH_DAYS = (YOUNGEST - OLDEST).days + 1
CNP_SPACE = 999 * 46 * BIRTH_DAYS  # serial x county x birth date
CNP_WEIGHTS = (2, 7, 9, 1, 4, 6, 3, 5, 8, 2, 7, 9)
# Mobile numbers +40 7[2-7]x xxx xxx (all valid Romanian mobile ranges), permuted.
PHONE_SPACE = 6 * 10**7
EMAIL_DOMAINS = (
    ["gmail.example"] * 10
    + ["yahoo.example"] * 5
    + ["outlook.example"] * 2
    + ["icloud.example", "rdslink.example", "digi.example", "posta.example"]
)
ACTIVITIES = ["", "", "", "Construct", "Trans", "Impex", "Consulting", "Prod", "Com", "Med", "Tech"]
FLATS = 0.55  # share of addresses in a block of flats
PERSONS = 0.85  # the rest are companies
CYCLE_ONE_SHARE = 0.9  # accounts billed on the 1st (the rest on the 10th and the 20th)


def _scrambling_multiplier(space: int) -> int:
    """A multiplier coprime with ``space`` near its golden section: ``(a * n + b) % space``
    is then a permutation that sends consecutive ``n`` far apart."""
    candidate = int(space * 0.6180339887)
    while gcd(candidate, space) != 1:
        candidate += 1
    return candidate


CNP_MULTIPLIER, CNP_OFFSET = _scrambling_multiplier(CNP_SPACE), 7_919
PHONE_MULTIPLIER, PHONE_OFFSET = _scrambling_multiplier(PHONE_SPACE), 1_234_567


def _cycle_day(roll: float) -> str:
    """The bill cycle day: most accounts in the first cycle (one billing run bills
    most of them, as the billing benchmark wants), the rest spread over two more."""
    return "1" if roll < CYCLE_ONE_SHARE else "10" if roll < (1 + CYCLE_ONE_SHARE) / 2 else "20"


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def cnp_for(serial_number: int, *, male: bool) -> tuple[str, date]:
    """A valid CNP and its birth date, unique per ``serial_number`` (whatever the sex)."""
    x = (CNP_MULTIPLIER * serial_number + CNP_OFFSET) % CNP_SPACE
    x, serial = divmod(x, 999)
    day, county = divmod(x, 46)
    born = OLDEST + timedelta(days=day)
    sex = (1 if male else 2) + (4 if born.year >= 2000 else 0)
    first12 = f"{sex}{born:%y%m%d}{county + 1:02d}{serial + 1:03d}"
    check = sum(w * int(d) for w, d in zip(CNP_WEIGHTS, first12, strict=True)) % 11
    return first12 + ("1" if check == 10 else str(check)), born


def mobile_for(serial_number: int) -> str:
    """A valid Romanian mobile number in E.164, unique per ``serial_number``."""
    x = (PHONE_MULTIPLIER * serial_number + PHONE_OFFSET) % PHONE_SPACE
    return f"+407{2 + x // 10**7}{x % 10**7:07d}"


class Command(BaseCommand):
    help = (
        "Add N generated customers (each with an address and a billing account) and fill "
        "the database up to N subscriptions, with COPY."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--customers",
            type=int,
            default=None,
            help="How many to add (default 1000, or none with --subscriptions).",
        )
        parser.add_argument("--seed", type=int, default=2026, help="Random seed.")
        parser.add_argument("--batch", type=int, default=50_000, help="Rows per transaction.")
        parser.add_argument(
            "--subscriptions",
            type=int,
            default=0,
            help="Fill the database up to N subscriptions (only the missing ones are added) "
            "on the paying accounts of active customers that have none yet.",
        )
        parser.add_argument(
            "--period",
            type=date.fromisoformat,
            default=None,
            help="Start of the billed period (YYYY-MM-DD; its day is the bill cycle day) in "
            "which the generated subscriptions change, rest and buy one-time products "
            "(default: the 1st of the current month).",
        )

    def handle(self, *args, customers, seed: int, batch: int, subscriptions: int, **options):
        if customers is None:
            customers = 0 if subscriptions else 1000
        if customers < 0 or batch < 1 or subscriptions < 0:
            raise CommandError(
                "--customers and --subscriptions must be 0 or more and --batch at least 1."
            )
        if customers:
            self._load_customers(customers, seed, batch, options)
        if subscriptions:
            self._load_subscriptions(subscriptions, seed, options)

    def _load_subscriptions(self, target: int, seed: int, options) -> None:
        from subscriptions.bulk_data import CatalogueMissing, SubscriptionLoader

        period = options.get("period") or timezone.localdate().replace(day=1)
        verbose = options.get("verbosity", 1) >= 2

        def progress(stats, seconds):
            if verbose:
                self.stdout.write(
                    f"  {stats.subscriptions} subscriptions "
                    f"({stats.subscriptions / seconds:.0f}/s, {stats.rows / seconds:.0f} rows/s)"
                )

        try:
            loader = SubscriptionLoader(period=period, seed=seed)
        except (CatalogueMissing, ValueError) as error:
            raise CommandError(str(error)) from error
        stats = loader.load(target=target, progress=progress)
        if not stats.subscriptions:
            self.stdout.write(f"The database already holds {target} subscriptions or more.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {stats.subscriptions} subscriptions on {stats.accounts} billing "
                f"accounts for the period from {period}: {stats.items} items "
                f"({stats.changes} changed mid-period, {stats.one_time} one-time purchases), "
                f"{stats.resting} resting periods, {stats.devices} devices, "
                f"{stats.promotions} promotions granted — {stats.rows} rows in "
                f"{stats.seconds:.1f} s ({stats.rows / stats.seconds:.0f} rows/s)."
            )
        )
        if Subscription.objects.count() < target:
            self.stderr.write(
                f"Only {Subscription.objects.count()} subscriptions: not enough billing "
                "accounts without one (generate more customers)."
            )

    def _load_customers(self, customers: int, seed: int, batch: int, options) -> None:
        self.rng = random.Random(seed)
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.rules = [
            (float(r.min_monthly_value), r.min_tenure_months, r.tier)
            for r in sorted(TierRule.objects.all(), key=lambda r: -r.rank)
        ]
        self.agents = list(
            User.objects.filter(
                groups__name__in=[roles.SALES, roles.CUSTOMER_SERVICE], partner__isnull=True
            )
            .order_by("pk")
            .values_list("pk", flat=True)[:200]
        )
        self.partners = list(
            Partner.objects.filter(kind="retailer", status="active")
            .order_by("pk")
            .values_list("pk", flat=True)[:50]
        )
        self.first_ascii = {n: _ascii(n) for n in (*FIRST_NAMES_MALE, *FIRST_NAMES_FEMALE)}
        self.last_ascii = {n: _ascii(n) for n in LAST_NAMES}
        self.city_list = [c for c, w in zip(CITIES, CITY_WEIGHTS, strict=True) for _ in range(w)]
        started = time.perf_counter()
        done = 0
        with pgtrigger.ignore(*HISTORY_TRIGGERS):
            while done < customers:
                size = min(batch, customers - done)
                self._load_batch(size)
                done += size
                if options.get("verbosity", 1) >= 2:
                    rate = done / (time.perf_counter() - started)
                    self.stdout.write(f"  {done} customers ({rate:.0f}/s)")
        loaded = time.perf_counter() - started
        with connection.cursor() as cursor:
            for model in (Customer, Address, BillingAccount):
                cursor.execute(f"ANALYZE {model._meta.db_table}")
        total = time.perf_counter() - started
        rows = 3 * customers
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {customers} customers, {customers} addresses and {customers} "
                f"billing accounts in {total:.1f} s (load {loaded:.1f} s + ANALYZE "
                f"{total - loaded:.1f} s): {customers / loaded:.0f} customers/s, "
                f"{rows / loaded:.0f} rows/s."
            )
        )

    # --- one batch ------------------------------------------------------------------
    @transaction.atomic
    def _load_batch(self, size: int) -> None:
        with connection.cursor() as cursor:
            # Bigger GIN pending lists and memory for this transaction only; its commit
            # need not wait for the disk (a crash could lose the last batches, no more).
            cursor.execute("SET LOCAL synchronous_commit = off")
            cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute("SET LOCAL gin_pending_list_limit = '64MB'")
            # Through Django's cursor: pgtrigger.ignore sets its variable for the transaction.
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')),"
                " nextval(pg_get_serial_sequence(%s, 'id')),"
                " nextval(pg_get_serial_sequence(%s, 'id')),"
                " nextval('customer_number_seq'), nextval('billing_account_number_seq')"
                " FROM generate_series(1, %s)",
                [
                    Customer._meta.db_table,
                    Address._meta.db_table,
                    BillingAccount._meta.db_table,
                    size,
                ],
            )
            reserved = cursor.fetchall()
            customers, addresses, accounts = self._rows(reserved)
            self._blank_taken_id_numbers(cursor, customers)
            for model, columns, rows in (
                (Customer, CUSTOMER_COLUMNS, customers),
                (Address, ADDRESS_COLUMNS, addresses),
                (BillingAccount, ACCOUNT_COLUMNS, accounts),
            ):
                sql = f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN"
                with cursor.copy(sql) as copy:
                    for start in range(0, len(rows), 5000):
                        chunk = rows[start : start + 5000]
                        copy.write("".join("\t".join(row) + "\n" for row in chunk))

    def _blank_taken_id_numbers(self, cursor, customers) -> None:
        """Leave the ID number blank where a customer (e.g. from the services) has it."""
        index = CUSTOMER_COLUMNS.index("id_number")
        numbers = [row[index] for row in customers if row[index]]
        cursor.execute(
            "SELECT id_number FROM customers_customer WHERE country = 'RO' AND id_number = ANY(%s)",
            [numbers],
        )
        taken = {row[0] for row in cursor.fetchall()}
        if taken:
            for row in customers:
                if row[index] in taken:
                    row[index] = ""

    def _tier(self, value: float, months: int) -> str:
        """The tier as ``services.tier_for`` gives it (same rules, same order)."""
        for min_value, min_months, tier in self.rules:
            if value >= min_value and months >= min_months:
                return tier
        return "bronze"

    def _rows(self, reserved):
        """The rows of one batch. Every draw is one ``random()`` call, so a seed gives the
        same names, places and values whatever the sequences' state."""
        random_ = self.rng.random

        def pick(items):
            return items[int(random_() * len(items))]

        def below(n: int) -> int:
            return int(random_() * n)

        now = self.now.astimezone(UTC).isoformat()
        today = self.today
        today_ordinal = today.toordinal()
        customers, addresses, accounts = [], [], []
        for customer_id, address_id, account_id, number, account_number in reserved:
            city = pick(self.city_list)
            months = int(random_() ** 1.6 * 180)
            since = date.fromordinal(today_ordinal - int(months * 30.44) - below(30))
            # Whole months as PostgreSQL's age() counts them (services.customers_recompute_tiers).
            tenure = (today.year - since.year) * 12 + today.month - since.month
            tenure -= today.day < since.day
            value = round(random_() ** 2.2 * 260 + 5, 2)
            if random_() < PERSONS:
                male = random_() < 0.5
                id_number, born = cnp_for(number, male=male)
                first = pick(FIRST_NAMES_MALE if male else FIRST_NAMES_FEMALE)
                last = pick(LAST_NAMES)
                name = f"{first} {last}"
                phone = mobile_for(number)
                email = (
                    f"{self.first_ascii[first]}.{self.last_ascii[last]}{number % 100_000}"
                    f"@{pick(EMAIL_DOMAINS)}"
                )
                kind, company, registration, vat = "person", "", "", ""
                category = "employee" if random_() < 0.01 else "residential"
                segment = "high_value" if value >= 120 else "mass"
                birth = born.isoformat()
            else:
                value = round(value * (1.5 + random_() * 3), 2)
                first = last = id_number = ""
                words = [pick(LAST_NAMES)]
                if random_() < 0.4:
                    words.append(pick(LAST_NAMES))
                activity = pick(ACTIVITIES)
                if activity:
                    words.append(activity)
                words.append("SA" if random_() < 0.15 else "SRL")
                name = company = " ".join(words)
                if random_() < 0.5:
                    phone = mobile_for(number)
                else:
                    digits = 9 - len(city.area_code)
                    low = 2 * 10 ** (digits - 1)
                    phone = f"+40{city.area_code}{low + below(10**digits - low)}"
                slug = _ascii(" ".join(words[:-1])).replace(" ", "")
                email = f"office@{slug}{number % 10_000}.example"
                registration = f"J{city.cnp_county:02d}/{100 + below(49900)}/{1992 + below(33)}"
                if random_() < 0.85:
                    body = str(100_000 + below(49_900_000))
                    vat = "RO" + body + ro_cui.calc_check_digit(body)
                else:
                    vat = ""
                kind = "company"
                category = "government" if random_() < 0.02 else "corporate"
                segment = pick(("soho", "sme", "sme", "corporate"))
                birth = NULL
            status_roll = random_()
            status = (
                "active" if status_roll < 0.96 else "inactive" if status_roll < 0.99 else "blocked"
            )
            created = f"{since.isoformat()} {8 + below(11):02d}:{below(60):02d}:00+02"
            credit_class = pick(("", "", "A", "B", "B", "C", "D"))
            customers.append(
                [
                    str(customer_id),
                    created,
                    created,
                    f"C-{number:06d}",
                    kind,
                    first,
                    last,
                    id_number,
                    birth,
                    company,
                    registration,
                    vat,
                    phone,
                    email,
                    "RO",
                    category,
                    segment,
                    status,
                    pick(("fixed", "mobile", "both", "both")),
                    "prepaid" if random_() < 0.15 else "postpaid",
                    "en" if random_() < 0.05 else "ro",
                    since.isoformat(),
                    f"{value:.2f}",
                    self._tier(value, tenure),
                    now,
                    credit_class,
                    created if credit_class else NULL,
                    "1",
                    NULL,
                    str(pick(self.partners)) if self.partners and random_() < 0.05 else NULL,
                    str(pick(self.agents)) if self.agents and random_() < 0.7 else NULL,
                ]
            )
            flat = (
                f"Bl. {1 + below(90)}, Sc. {pick('ABCD')}, Ap. {1 + below(80)}"
                if random_() < FLATS
                else ""
            )
            stem = city.postal_stem
            postal = stem + str(below(10 ** (6 - len(stem)))).zfill(6 - len(stem))
            addresses.append(
                [
                    str(address_id),
                    created,
                    created,
                    "legal",
                    f"{pick(STREETS)} nr. {1 + below(180)}",
                    flat,
                    city.name,
                    postal,
                    city.county,
                    "RO",
                    since.isoformat(),
                    NULL,
                    str(customer_id),
                ]
            )
            delivery = "email" if random_() < 0.75 else pick(("post", "portal", "both"))
            accounts.append(
                [
                    str(account_id),
                    created,
                    created,
                    f"BA-{account_number:06d}",
                    name,
                    "EUR",
                    _cycle_day(random_()),
                    pick(("transfer", "direct_debit", "direct_debit", "card", "cash")),
                    delivery,
                    email,
                    "t",
                    "active",
                    "0.00",
                    "1",
                    str(address_id),
                    NULL,
                    str(customer_id),
                ]
            )
        return customers, addresses, accounts
