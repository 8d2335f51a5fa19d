"""Many realistic subscriptions fast, for the billing benchmark:
``generate_data --subscriptions N --period YYYY-MM-DD``.

The database is filled up to ``N`` subscriptions (re-running adds only the missing
ones) on the paying billing accounts of active customers that have none yet, by
account id: one subscription each, two for about a third, three for a few (1.43 on
average: a million subscriptions on about 700,000 accounts). Every subscription is
active (or resting, see below), signed and installed months before the billed
period, and has 1 to 3 items from the catalogue: a base (a TV package, broadband or
a triple-play bundle), sometimes an add-on or a phone line, sometimes a rented TV
box or router (with its ``Device`` and serial). In the billed period of each
account's bill cycle (``period`` is the start of the period of cycle ``period.day``;
an account on another cycle day gets the period of its own cycle that starts in the
same month):

- about 5 % change their base product mid-period (the item ends on a day and the
  new one starts that day, as ``change_order_apply`` leaves them);
- about 2 % have a resting period overlapping the period (one started before it and
  ends inside, or one that starts inside), with the status the daily task would have
  given it by today (ended, resting — the subscription then rests too — or
  scheduled);
- about 2 % bought a pay-per-view event or a movie in the period (a one-time line);
- items of subscriptions sold in the last six months hold the catalogue's
  promotions (``black-friday-tv`` on TV packages, ``triple-play-net-3-luni`` on
  broadband) when the catalogue has them, as a sale would have granted them.

Rows go in with PostgreSQL COPY, one transaction per batch of accounts, like the
customers: ids and subscription numbers are taken from their sequences in bulk (the
services continue after them), the history triggers are ignored for the load
(``pgtrigger.ignore``), and every constraint, foreign key and index stays in place.
Columns not set here get their model default, so a new column with a default does
not break the load.
"""

import calendar
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, timedelta

import pgtrigger
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from products.choices import Acquisition, ProductCategory, SalesChannel
from products.models import PricePlan, Product, Promotion

from .choices import RenewalRule, RestingStatus, SubscriptionStatus
from .models import Device, RestingPeriod, Subscription, SubscriptionItem

HISTORY_TRIGGERS = (
    "subscriptions.Subscription:insert_insert",
    "subscriptions.SubscriptionItem:insert_insert",
    "subscriptions.RestingPeriod:insert_insert",
    "subscriptions.Device:insert_insert",
)
NULL = "\\N"
CURRENCY = "EUR"
ACCOUNTS_PER_BATCH = 20_000  # about 29,000 subscriptions and 70,000 rows a transaction
# How many subscriptions an account gets (cumulative shares): 1.43 on average.
PER_ACCOUNT = ((0.62, 1), (0.95, 2), (1.0, 3))
CHANGE_SHARE = 0.05
RESTING_SHARE = 0.02
ONE_TIME_SHARE = 0.02
PROMOTED_WITHIN_DAYS = 183  # sold in the last six months: the sale's promotions still count
PROMOTIONS = {  # promotion code -> the category of the items it was granted on, and how often
    "black-friday-tv": (ProductCategory.TV_PACKAGE, 0.5),
    "triple-play-net-3-luni": (ProductCategory.BROADBAND, 0.3),
}
ROOMS = ("Living room", "Bedroom", "Kitchen", "Office")

SUBSCRIPTION_COLUMNS = (
    "id",
    "created_at",
    "updated_at",
    "number",
    "customer_id",
    "billing_account_id",
    "status",
    "channel",
    "partner_id",
    "currency",
    "signed_on",
    "activated_on",
    "minimum_term_months",
    "contract_end",
    "renewal",
    "regret_until",
    "installation_date",
    "installation_slot",
)
ITEM_COLUMNS = (
    "id",
    "created_at",
    "updated_at",
    "subscription_id",
    "product_id",
    "acquisition",
    "quantity",
    "manual_discount_percent",
    "valid_from",
    "valid_to",
)
RESTING_COLUMNS = (
    "id",
    "created_at",
    "updated_at",
    "subscription_id",
    "starts_on",
    "ends_on",
    "status",
    "channel",
)
DEVICE_COLUMNS = (
    "id",
    "created_at",
    "updated_at",
    "subscription_id",
    "product_id",
    "serial",
    "room",
    "installed_on",
)
PROMOTION_LINK_COLUMNS = ("id", "subscriptionitem_id", "promotion_id")


class CatalogueMissing(Exception):
    """The catalogue lacks what generated subscriptions need (seed it first)."""


def _text(value) -> str:
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value)


def copy_columns(model, given: tuple[str, ...]) -> tuple[tuple[str, ...], str]:
    """The COPY column list of ``model``: the ``given`` columns, then every other
    concrete column filled with its model default; and the text of those defaults."""
    rest, tail = [], []
    for model_field in model._meta.concrete_fields:
        if model_field.column in given or model_field.generated:
            continue
        value = model_field.get_default()  # "" for text without a default, None if none
        if value is None and not model_field.null:
            raise ValueError(f"{model.__name__}.{model_field.name} needs a value")
        rest.append(model_field.column)
        tail.append(_text(value))
    return (*given, *rest), "".join("\t" + value for value in tail)


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` months (the last day of a shorter month)."""
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def period_of(cycle_day: int, period: date) -> tuple[date, date]:
    """The billing period of ``cycle_day`` that starts in ``period``'s month."""
    start = period.replace(day=cycle_day)
    return start, add_months(start, 1)


@dataclass
class Catalogue:
    """The generator's products (by category, in the catalogue's order) and promotions."""

    tv: list[Product]
    broadband: list[Product]
    bundles: list[Product]
    addons: list[Product]
    phone: list[Product]
    box: Product | None
    router: Product | None
    one_time: list[Product]
    promotions: dict[str, int] = field(default_factory=dict)  # category -> promotion id
    promotion_share: dict[str, float] = field(default_factory=dict)

    @classmethod
    def load(cls) -> "Catalogue":
        plans = PricePlan.objects.filter(product=OuterRef("pk"), is_active=True)

        def of(category, acquisition=Acquisition.STANDARD) -> list[Product]:
            return list(
                Product.objects.filter(category=category)
                .filter(Exists(plans.filter(acquisition=acquisition)))
                .order_by("sort_order", "code")
            )

        catalogue = cls(
            tv=of(ProductCategory.TV_PACKAGE),
            broadband=of(ProductCategory.BROADBAND),
            bundles=of(ProductCategory.TRIPLE_PLAY),
            addons=of(ProductCategory.TV_ADDON),
            phone=of(ProductCategory.TELEPHONY),
            box=next(iter(of(ProductCategory.TV_BOX, Acquisition.RENTAL)), None),
            router=next(iter(of(ProductCategory.ROUTER, Acquisition.RENTAL)), None),
            one_time=of(ProductCategory.PAY_PER_VIEW) + of(ProductCategory.MOVIE),
        )
        if not catalogue.tv or not catalogue.broadband:
            raise CatalogueMissing(
                "No TV package or broadband product with an active price plan: seed the "
                "catalogue first (products.demo.seed_catalogue)."
            )
        for promotion in Promotion.objects.filter(code__in=PROMOTIONS):
            category, share = PROMOTIONS[promotion.code]
            catalogue.promotions[category] = promotion.pk
            catalogue.promotion_share[category] = share
        return catalogue


@dataclass
class Batch:
    """One batch of generated rows, before their ids are known (by list index)."""

    subscriptions: list[list] = field(default_factory=list)
    items: list[list] = field(default_factory=list)  # [subscription index, ...]
    resting: list[list] = field(default_factory=list)
    devices: list[list] = field(default_factory=list)
    promotions: list[tuple[int, int]] = field(default_factory=list)  # (item index, promotion)


@dataclass
class LoadStats:
    """What a load added."""

    accounts: int = 0
    subscriptions: int = 0
    items: int = 0
    resting: int = 0
    devices: int = 0
    promotions: int = 0
    changes: int = 0
    one_time: int = 0
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return self.subscriptions + self.items + self.resting + self.devices + self.promotions


class SubscriptionLoader:
    """Fills the database up to ``target`` subscriptions for the period starting
    ``period`` (see the module docstring). ``today`` decides which resting periods
    have started or ended."""

    def __init__(self, *, period: date, seed: int = 2026, today: date | None = None):
        if period.day > 28:
            raise ValueError("A bill cycle day is 1 to 28.")
        self.period = period
        self.today = today or timezone.localdate()
        self.rng = random.Random(seed)
        self.catalogue = Catalogue.load()
        self.now = timezone.now().astimezone(UTC).isoformat()
        self._iso: dict[date, str] = {}

    def load(
        self,
        *,
        target: int,
        batch_accounts: int = ACCOUNTS_PER_BATCH,
        progress: Callable | None = None,
    ) -> LoadStats:
        """Add the missing subscriptions, batch by batch; ``progress(stats, seconds)``
        is called after each batch."""
        stats = LoadStats()
        started = time.perf_counter()
        missing = target - Subscription.objects.count()
        after_id = 0
        with pgtrigger.ignore(*HISTORY_TRIGGERS):
            while missing > 0:
                accounts = self._accounts(after_id, min(batch_accounts, missing))
                if not accounts:
                    break
                after_id = accounts[-1][0]
                added = self._load_batch(accounts, missing, stats)
                missing -= added
                if progress:
                    progress(stats, time.perf_counter() - started)
        stats.seconds = time.perf_counter() - started
        if stats.subscriptions:
            with connection.cursor() as cursor:
                for model in (Subscription, SubscriptionItem, RestingPeriod, Device):
                    cursor.execute(f"ANALYZE {model._meta.db_table}")
                cursor.execute(f"ANALYZE {SubscriptionItem.promotions.through._meta.db_table}")
        return stats

    # --- the accounts -------------------------------------------------------------------
    def _accounts(self, after_id: int, limit: int) -> list[tuple]:
        """Paying accounts of active customers without a subscription yet, by id."""
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT a.id, a.customer_id, a.bill_cycle_day, c.partner_id
                FROM customers_billingaccount a
                JOIN customers_customer c ON c.id = a.customer_id
                WHERE a.id > %s AND a.is_paying AND a.status = 'active'
                  AND a.parent_id IS NULL AND a.currency = %s AND c.status = 'active'
                  AND NOT EXISTS (
                      SELECT 1 FROM subscriptions_subscription s
                      WHERE s.billing_account_id = a.id
                  )
                ORDER BY a.id
                LIMIT %s
                """,
                [after_id, CURRENCY, limit],
            )
            return cursor.fetchall()

    # --- one batch ----------------------------------------------------------------------
    @transaction.atomic
    def _load_batch(self, accounts: list[tuple], missing: int, stats: LoadStats) -> int:
        batch = Batch()
        for account in accounts:
            if len(batch.subscriptions) >= missing:
                break
            roll = self.rng.random()
            count = next(n for share, n in PER_ACCOUNT if roll < share)
            for _ in range(min(count, missing - len(batch.subscriptions))):
                self._subscription(batch, account, stats)
            stats.accounts += 1
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
            cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute("SET LOCAL gin_pending_list_limit = '64MB'")
            # Through Django's cursor: pgtrigger.ignore sets its variable for the transaction.
            sub_ids = self._reserve(cursor, Subscription._meta.db_table, len(batch.subscriptions))
            cursor.execute(
                "SELECT nextval('subscription_number_seq') FROM generate_series(1, %s)",
                [len(batch.subscriptions)],
            )
            numbers = [row[0] for row in cursor.fetchall()]
            item_ids = self._reserve(cursor, SubscriptionItem._meta.db_table, len(batch.items))
            resting_ids = self._reserve(cursor, RestingPeriod._meta.db_table, len(batch.resting))
            device_ids = self._reserve(cursor, Device._meta.db_table, len(batch.devices))
            through = SubscriptionItem.promotions.through
            link_ids = self._reserve(cursor, through._meta.db_table, len(batch.promotions))
            now = self.now
            subscriptions = [
                [str(sub_ids[i]), row[0], row[0], f"SUB-{numbers[i]:06d}", *row[1:]]
                for i, row in enumerate(batch.subscriptions)
            ]
            items = [
                [str(item_ids[i]), now, now, str(sub_ids[row[0]]), *row[1:]]
                for i, row in enumerate(batch.items)
            ]
            resting = [
                [str(resting_ids[i]), now, now, str(sub_ids[row[0]]), *row[1:]]
                for i, row in enumerate(batch.resting)
            ]
            devices = [
                [
                    str(device_ids[i]),
                    now,
                    now,
                    str(sub_ids[row[0]]),
                    row[1],
                    f"GEN{numbers[row[0]]:09d}-{row[2]}",
                    *row[3:],
                ]
                for i, row in enumerate(batch.devices)
            ]
            links = [
                [str(link_ids[i]), str(item_ids[item]), str(promotion)]
                for i, (item, promotion) in enumerate(batch.promotions)
            ]
            for model, columns, rows in (
                (Subscription, SUBSCRIPTION_COLUMNS, subscriptions),
                (SubscriptionItem, ITEM_COLUMNS, items),
                (RestingPeriod, RESTING_COLUMNS, resting),
                (Device, DEVICE_COLUMNS, devices),
                (through, PROMOTION_LINK_COLUMNS, links),
            ):
                self._copy(cursor, model, columns, rows)
        stats.subscriptions += len(subscriptions)
        stats.items += len(items)
        stats.resting += len(resting)
        stats.devices += len(devices)
        stats.promotions += len(links)
        return len(subscriptions)

    @staticmethod
    def _reserve(cursor, table: str, count: int) -> list[int]:
        if not count:
            return []
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, count],
        )
        return [row[0] for row in cursor.fetchall()]

    @staticmethod
    def _copy(cursor, model, given: tuple[str, ...], rows: list[list[str]]) -> None:
        if not rows:
            return
        columns, tail = copy_columns(model, given)
        sql = f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN"
        with cursor.copy(sql) as copy:
            for start in range(0, len(rows), 5000):
                chunk = rows[start : start + 5000]
                copy.write("".join("\t".join(row) + tail + "\n" for row in chunk))

    # --- one subscription ---------------------------------------------------------------
    def _d(self, day: date) -> str:
        text = self._iso.get(day)
        if text is None:
            text = self._iso[day] = day.isoformat()
        return text

    def _subscription(self, batch: Batch, account: tuple, stats: LoadStats) -> None:
        random_ = self.rng.random
        cat = self.catalogue
        account_id, customer_id, cycle_day, partner_id = account
        start, end = period_of(cycle_day, self.period)
        days = (end - start).days
        # Installed 20 days to 5 years before the period, signed up to two weeks before.
        activated = start - timedelta(days=20 + int(random_() ** 1.5 * 1800))
        index = len(batch.subscriptions)

        roll = random_()
        if roll < 0.5:
            base_pool, extra = cat.tv, "tv"
        elif roll < 0.85 or not cat.bundles:
            base_pool, extra = cat.broadband, "net"
        else:
            base_pool, extra = cat.bundles, "bundle"
        base = base_pool[int(random_() * len(base_pool))]
        lines: list[tuple[Product, str, int]] = [(base, Acquisition.STANDARD, 1)]
        if extra == "tv" and cat.addons and random_() < 0.3:
            lines.append((cat.addons[int(random_() * len(cat.addons))], Acquisition.STANDARD, 1))
        if extra == "net" and cat.phone and random_() < 0.25:
            lines.append((cat.phone[0], Acquisition.STANDARD, 1))
        device = cat.box if extra in ("tv", "bundle") else cat.router
        if device is not None and random_() < 0.5:
            quantity = 2 if base.max_devices and base.max_devices > 1 and random_() < 0.2 else 1
            lines.append((device, Acquisition.RENTAL, quantity))

        # Resting periods and changes of the billed period.
        status = SubscriptionStatus.ACTIVE
        resting = None
        if random_() < RESTING_SHARE:
            length = 30 + int(random_() * 61)
            if random_() < 0.5:  # began before the period, resumes inside it
                before = 5 + int(random_() * 36)
                starts = start - timedelta(days=before)
                length = max(length, before + 2 + int(random_() * (days - 3)))
            else:  # begins inside the period
                starts = start + timedelta(days=1 + int(random_() * (days - 2)))
            ends = starts + timedelta(days=length)
            activated = min(activated, starts - timedelta(days=60))
            if ends <= self.today:
                rest_status = RestingStatus.ENDED
            elif starts <= self.today:
                rest_status, status = RestingStatus.RESTING, SubscriptionStatus.RESTING
            else:
                rest_status = RestingStatus.SCHEDULED
            resting = [self._d(starts), self._d(ends), rest_status, SalesChannel.AGENT]
        signed = activated - timedelta(days=int(random_() * 15))
        term = 24 if random_() < 0.8 else 12
        slot = ("morning", "afternoon", "evening")[int(random_() * 3)]
        if partner_id is not None and random_() < 0.6:
            channel = SalesChannel.RETAILER
        else:
            channel_roll = random_()
            channel = (
                SalesChannel.AGENT
                if channel_roll < 0.6
                else SalesChannel.WEBSITE
                if channel_roll < 0.8
                else SalesChannel.PORTAL
            )
        created = f"{self._d(signed)} {9 + int(random_() * 9):02d}:{int(random_() * 60):02d}:00+02"
        batch.subscriptions.append(
            [
                created,
                str(customer_id),
                str(account_id),
                status,
                channel,
                str(partner_id) if channel == SalesChannel.RETAILER else NULL,
                CURRENCY,
                self._d(signed),
                self._d(activated),
                str(term),
                self._d(add_months(activated, term)),
                RenewalRule.MONTHLY,
                self._d(signed + timedelta(days=14)),
                self._d(activated),
                slot,
            ]
        )
        if resting is not None:
            batch.resting.append([index, *resting])

        signed_text = self._d(signed)
        recent = (start - activated).days < PROMOTED_WITHIN_DAYS
        change_on = None
        if random_() < CHANGE_SHARE:
            change_on = start + timedelta(days=1 + int(random_() * (days - 1)))
        for position, (product, acquisition, quantity) in enumerate(lines):
            discount = "10.00" if position == 0 and random_() < 0.05 else "0.00"
            ends_text = NULL
            if position == 0 and change_on is not None:
                ends_text = self._d(change_on)
            batch.items.append(
                [
                    index,
                    str(product.pk),
                    acquisition,
                    str(quantity),
                    discount,
                    signed_text,
                    ends_text,
                ]
            )
            promotion = cat.promotions.get(product.category)
            if (
                promotion
                and recent
                and change_on is None
                and random_() < cat.promotion_share[product.category]
            ):
                batch.promotions.append((len(batch.items) - 1, promotion))
            if acquisition == Acquisition.RENTAL:
                for copy in range(quantity):
                    room = ROOMS[copy % len(ROOMS)]
                    batch.devices.append(
                        [index, str(product.pk), copy + 1, room, self._d(activated)]
                    )
        if change_on is not None:  # the base product changed mid-period
            position = base_pool.index(base)
            other = base_pool[position + 1] if position + 1 < len(base_pool) else None
            other = other or (base_pool[position - 1] if position else base)
            batch.items.append(
                [
                    index,
                    str(other.pk),
                    Acquisition.STANDARD,
                    "1",
                    "0.00",
                    self._d(change_on),
                    NULL,
                ]
            )
            stats.changes += 1
        if cat.one_time and random_() < ONE_TIME_SHARE:
            bought = start + timedelta(days=int(random_() * days))
            if start <= self.today < bought:
                bought = self.today
            product = cat.one_time[int(random_() * len(cat.one_time))]
            batch.items.append(
                [
                    index,
                    str(product.pk),
                    Acquisition.STANDARD,
                    "1",
                    "0.00",
                    self._d(bought),
                    self._d(bought + timedelta(days=1)),
                ]
            )
            stats.one_time += 1
