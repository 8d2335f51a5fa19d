"""Prepaid vouchers (SUB-9), the services: batches of unguessable codes stored only as
keyed hashes, redemption once (even with 20 concurrent attempts) as a top-up of the
prepaid balance, every refusal, voiding a lost batch."""

import hashlib
import hmac
import logging
import re
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from alux_crm.core.errors import DomainError
from billing.choices import VoucherStatus
from billing.models import Voucher, VoucherBatch
from billing.services import vouchers as V
from products.pricing import BasketItem
from subscriptions import services as subscription_services
from subscriptions.models import PrepaidEntry, Subscription
from tests.products import factories as PF
from tests.subscriptions import factories as SF

D = Decimal
CODE_RE = re.compile(r"^[2-9A-HJ-NP-Z]{4}(-[2-9A-HJ-NP-Z]{4}){3}$")


def today():
    return timezone.localdate()


def make_batch(quantity=5, value="10", currency="EUR", days_from=-1, days_until=365, **kw):
    return V.voucher_batch_generate(
        value=D(value),
        currency=currency,
        valid_from=today() + timedelta(days=days_from),
        valid_until=today() + timedelta(days=days_until),
        quantity=quantity,
        **kw,
    )


def make_prepaid(cat=None, **kwargs):
    cat = cat or PF.catalogue()
    subscription = SF.subscription(
        cat, items=[BasketItem(cat.tv)], devices=[], is_prepaid=True, **kwargs
    )
    return subscription_services.subscription_activate(subscription=subscription)


@pytest.fixture
def prepaid(db):
    return make_prepaid()


# --- generation -----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_batch_has_unique_unguessable_codes_and_numbered_serials(make_user):
    actor = make_user("Billing & Finance")
    batch, pairs = make_batch(quantity=200, description="Shop cards", actor=actor)
    assert batch.number == "VB-000001" and batch.quantity == 200
    assert batch.created_by == actor and batch.description == "Shop cards"
    assert len(pairs) == 200
    serials = [serial for serial, _code in pairs]
    codes = [code for _serial, code in pairs]
    assert serials[0] == "VB-000001-000001" and serials[-1] == "VB-000001-000200"
    assert len(set(codes)) == 200
    assert all(CODE_RE.match(code) for code in codes)
    # 16 characters of a 32-letter alphabet: 80 bits
    assert len(V.CODE_ALPHABET) ** V.CODE_LENGTH >= 2**80
    assert not set("01OI") & set(V.CODE_ALPHABET)
    assert Voucher.objects.filter(batch=batch, status=VoucherStatus.ISSUED).count() == 200
    second, _ = make_batch(quantity=1)
    assert second.number == "VB-000002"


@pytest.mark.django_db
def test_only_keyed_hashes_are_stored_the_code_appears_nowhere_in_the_database(settings):
    settings.VOUCHER_CODE_KEY = "voucher-key-for-tests"
    _batch, pairs = make_batch(quantity=3)
    serial, code = pairs[0]
    voucher = Voucher.objects.get(serial=serial)
    plain = code.replace("-", "")
    expected = hmac.new(b"voucher-key-for-tests", plain.encode(), hashlib.sha256).hexdigest()
    assert voucher.code_hash == expected
    assert V.voucher_code_hash(code.lower().replace("-", " ")) == expected
    # Every row of every table, as text, contains neither form of any code.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT quote_ident(table_name) FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        )
        tables = [row[0] for row in cursor.fetchall()]
        assert "billing_voucher" in tables
        for _serial, code in pairs:
            needles = [code, code.replace("-", "")]
            for table in tables:
                cursor.execute(
                    f"SELECT count(*) FROM {table} t "  # noqa: S608 - names from the catalogue
                    "WHERE t::text LIKE %s OR t::text LIKE %s",
                    [f"%{needles[0]}%", f"%{needles[1]}%"],
                )
                assert cursor.fetchone()[0] == 0, (table, code)


@pytest.mark.django_db
def test_another_key_gives_another_hash(settings):
    settings.VOUCHER_CODE_KEY = "one"
    first = V.voucher_code_hash("ABCD-EFGH-JKLM-NPQR")
    settings.VOUCHER_CODE_KEY = "two"
    assert V.voucher_code_hash("ABCD-EFGH-JKLM-NPQR") != first
    settings.VOUCHER_CODE_KEY = ""  # empty: falls back to SECRET_KEY
    key = settings.SECRET_KEY.encode()
    assert V.voucher_code_hash("abcd efgh jklm npqr") == (
        hmac.new(key, b"ABCDEFGHJKLMNPQR", hashlib.sha256).hexdigest()
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("value", {"value": "0"}),
        ("value", {"value": "-5"}),
        ("quantity", {"quantity": 0}),
        ("quantity", {"quantity": 100_001}),
        ("valid_until", {"days_from": 10, "days_until": 5}),
        ("currency", {"currency": "EURO"}),
        ("currency", {"currency": ""}),
    ],
)
def test_a_bad_batch_is_refused_on_its_field(field, kwargs):
    with pytest.raises(ValidationError) as caught:
        make_batch(**kwargs)
    assert field in caught.value.message_dict
    assert not VoucherBatch.objects.exists()
    assert not Voucher.objects.exists()


@pytest.mark.django_db
def test_currency_is_upper_cased_and_value_rounded():
    batch, _ = make_batch(quantity=1, value="9.999", currency="eur")
    assert batch.currency == "EUR" and batch.value == D("10.00")


# --- redemption -----------------------------------------------------------------------


@pytest.mark.django_db
def test_redeem_tops_up_the_prepaid_balance_once(prepaid, make_user):
    agent = make_user("Customer Service")
    _batch, pairs = make_batch(quantity=2, value="10")
    serial, code = pairs[0]
    # typed sloppily: lower case, spaces instead of dashes
    voucher = V.voucher_redeem(
        code=f"  {code.lower().replace('-', ' ')} ", subscription=prepaid, actor=agent
    )
    assert voucher.serial == serial and voucher.status == VoucherStatus.REDEEMED
    assert voucher.subscription == prepaid and voucher.redeemed_by == agent
    assert voucher.redeemed_at is not None
    prepaid.refresh_from_db()
    assert prepaid.prepaid_balance == D("10.00")
    entry = PrepaidEntry.objects.get(subscription=prepaid)
    assert entry.idempotency_key == f"voucher-{voucher.pk}" and entry.amount == D("10.00")
    assert entry.actor == agent and serial in entry.source

    with pytest.raises(DomainError, match="already been used"):
        V.voucher_redeem(code=code, subscription=prepaid, actor=agent)
    prepaid.refresh_from_db()
    assert prepaid.prepaid_balance == D("10.00")
    assert PrepaidEntry.objects.filter(subscription=prepaid).count() == 1
    # the other voucher of the batch still works
    V.voucher_redeem(code=pairs[1][1], subscription=prepaid)
    prepaid.refresh_from_db()
    assert prepaid.prepaid_balance == D("20.00")


@pytest.mark.django_db
def test_a_topped_up_suspended_subscription_is_reconnected(prepaid):
    prepaid = subscription_services.subscription_suspend(subscription=prepaid, reason="Empty")
    _batch, pairs = make_batch(quantity=1, value="10")
    V.voucher_redeem(code=pairs[0][1], subscription=prepaid)
    prepaid.refresh_from_db()
    assert prepaid.status == "active"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("batch_kwargs", "message", "reason"),
    [
        ({"days_from": -30, "days_until": -1}, "expired", "expired"),
        ({"days_from": 2, "days_until": 30}, "cannot be used before", "not_yet_valid"),
        ({"currency": "USD"}, "is in USD", "currency"),
    ],
)
def test_refused_vouchers_leave_the_balance_alone(prepaid, caplog, batch_kwargs, message, reason):
    _batch, pairs = make_batch(quantity=1, **batch_kwargs)
    with (
        caplog.at_level(logging.WARNING, logger="alux.security"),
        pytest.raises(DomainError, match=message) as caught,
    ):
        V.voucher_redeem(code=pairs[0][1], subscription=prepaid)
    assert caught.value.code == f"voucher_{reason}"
    assert any(f"refused ({reason})" in r.getMessage() for r in caplog.records)
    assert all(pairs[0][1] not in r.getMessage() for r in caplog.records)  # never the code
    prepaid.refresh_from_db()
    assert prepaid.prepaid_balance == D("0.00")
    assert Voucher.objects.get(serial=pairs[0][0]).status == VoucherStatus.ISSUED


@pytest.mark.django_db
def test_unknown_and_malformed_codes_are_refused_and_logged(prepaid, caplog):
    make_batch(quantity=1)
    with caplog.at_level(logging.WARNING, logger="alux.security"):
        for code in ("AAAA-BBBB-CCCC-DDDD", "short", "", "0000-1111-OOOO-IIII"):
            with pytest.raises(DomainError, match="not valid"):
                V.voucher_redeem(code=code, subscription=prepaid)
    refused = [r for r in caplog.records if "refused (unknown)" in r.getMessage()]
    assert len(refused) == 4
    assert PrepaidEntry.objects.count() == 0


@pytest.mark.django_db
def test_a_postpaid_or_ended_subscription_is_refused(caplog):
    cat = PF.catalogue()
    postpaid = SF.subscription(cat, items=[BasketItem(cat.tv)], devices=[])
    _batch, pairs = make_batch(quantity=1)
    with pytest.raises(DomainError, match="prepaid subscriptions only"):
        V.voucher_redeem(code=pairs[0][1], subscription=postpaid)
    ended = make_prepaid(cat)
    Subscription.objects.filter(pk=ended.pk).update(status="terminated")
    ended.refresh_from_db()
    with pytest.raises(DomainError, match="has ended"):
        V.voucher_redeem(code=pairs[0][1], subscription=ended)
    assert Voucher.objects.get(serial=pairs[0][0]).status == VoucherStatus.ISSUED


@pytest.mark.django_db
def test_void_batch_voids_the_unredeemed_vouchers_only(prepaid, make_user):
    finance = make_user("Billing & Finance")
    batch, pairs = make_batch(quantity=4)
    redeemed = V.voucher_redeem(code=pairs[0][1], subscription=prepaid)
    assert V.voucher_batch_void(batch=batch, actor=finance) == 3
    statuses = dict(Voucher.objects.filter(batch=batch).values_list("serial", "status"))
    assert statuses[redeemed.serial] == VoucherStatus.REDEEMED
    assert sorted(statuses.values()) == ["redeemed", "void", "void", "void"]
    with pytest.raises(DomainError, match="not valid") as caught:
        V.voucher_redeem(code=pairs[1][1], subscription=prepaid)
    assert caught.value.code == "voucher_void"
    assert V.voucher_batch_void(batch=batch, actor=finance) == 0  # again: nothing left
    prepaid.refresh_from_db()
    assert prepaid.prepaid_balance == D("10.00")


# --- concurrency ----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_redemptions_of_one_code_make_one_top_up():
    # Given a prepaid subscription and one voucher
    subscription = make_prepaid()
    _batch, pairs = make_batch(quantity=1, value="10")
    code = pairs[0][1]
    barrier = threading.Barrier(20)
    done, refused, errors = [], [], []

    # When 20 threads, each with its own connection, redeem it at the same moment
    def redeem():
        try:
            target = Subscription.objects.get(pk=subscription.pk)
            barrier.wait()
            done.append(V.voucher_redeem(code=code, subscription=target).pk)
        except DomainError as error:
            refused.append(error.code)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=redeem) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then exactly one succeeds and the balance moves once
    assert errors == []
    assert len(done) == 1 and len(refused) == 19
    assert set(refused) == {"voucher_redeemed"}
    assert PrepaidEntry.objects.filter(subscription=subscription).count() == 1
    subscription.refresh_from_db()
    assert subscription.prepaid_balance == D("10.00")
    assert Voucher.objects.get(serial=pairs[0][0]).status == VoucherStatus.REDEEMED


# --- demo -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_demo_batch_redeems_two_and_prints_three_unused_codes(prepaid):
    from io import StringIO

    from billing.demo_vouchers import seed_vouchers

    out = StringIO()
    assert seed_vouchers(stdout=out) == 100
    batch = VoucherBatch.objects.get()
    assert batch.quantity == 100 and batch.value == D("10.00") and batch.currency == "EUR"
    assert batch.valid_until == today() + timedelta(days=365)
    assert batch.vouchers.filter(status=VoucherStatus.REDEEMED).count() == 2
    prepaid.refresh_from_db()
    assert prepaid.prepaid_balance == D("20.00")
    printed = re.findall(r"[2-9A-HJ-NP-Z]{4}(?:-[2-9A-HJ-NP-Z]{4}){3}", out.getvalue())
    assert len(printed) == 3
    V.voucher_redeem(code=printed[0], subscription=prepaid)  # they work
    assert seed_vouchers(stdout=out) == 0  # once
