"""The ledger (BIL-3): append-only entries, idempotency keys, balance = sum of
entries; gapless invoice numbers."""

from decimal import Decimal

import pytest
from django.db import DatabaseError, transaction

from alux_crm.core.errors import DomainError
from billing import services
from billing.models import LedgerEntry
from tests.subscriptions import factories as SF

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def account():
    return SF.account()


def test_entries_move_the_balance_and_a_key_books_once(account):
    services.ledger_post(
        account=account, kind="invoice", amount=D("30.25"), idempotency_key="inv-1"
    )
    services.ledger_post(
        account=account, kind="payment", amount=D("-20.00"), idempotency_key="pay-1"
    )
    services.ledger_post(
        account=account, kind="payment", amount=D("-20.00"), idempotency_key="pay-1"
    )
    account.refresh_from_db()
    assert account.balance == D("10.25") == services.ledger_balance(account=account)
    assert LedgerEntry.objects.count() == 2
    assert services.ledger_reconcile() == []


def test_a_key_cannot_be_reused_for_another_fact(account):
    services.ledger_post(account=account, kind="payment", amount=D("-5"), idempotency_key="k")
    with pytest.raises(DomainError, match="another transaction"):
        services.ledger_post(account=account, kind="payment", amount=D("-6"), idempotency_key="k")


def test_the_database_refuses_to_change_or_delete_entries(account):
    entry = services.ledger_post(
        account=account, kind="invoice", amount=D("1"), idempotency_key="x"
    )
    with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=D("0"))
    with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).delete()


def test_reconcile_finds_a_cache_that_drifted(account):
    services.ledger_post(account=account, kind="invoice", amount=D("9"), idempotency_key="y")
    type(account).objects.filter(pk=account.pk).update(balance=D("1"))
    assert services.ledger_reconcile() == [account.pk]


def test_invoice_numbers_are_gapless_and_a_rollback_gives_the_number_back():
    with transaction.atomic():
        assert services.next_invoice_number(series="INV", year=2026) == "INV-2026-0000001"
    with pytest.raises(RuntimeError), transaction.atomic():
        assert services.next_invoice_number(series="INV", year=2026) == "INV-2026-0000002"
        raise RuntimeError("posting failed")
    with transaction.atomic():
        assert services.next_invoice_number(series="INV", year=2026) == "INV-2026-0000002"
        assert services.next_invoice_number(series="INV", year=2027) == "INV-2027-0000001"
