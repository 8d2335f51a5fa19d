"""Direct-debit payment runs (BIL-3): mandates checked with schwifty, the draft
selection (disputes, accounts already waiting), the pain.008 file valid against its
XSD with every collection, FRST and RCUR, export booking payments once (also when
retried), rejections reversing payments all or nothing (CSV and pain.002), close."""

import os
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sepaxml
import xmlschema
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from schwifty import IBAN

from alux_crm.core.errors import DomainError, InvalidTransition
from alux_crm.core.selectors import working_calendar
from billing import services
from billing.choices import CollectionStatus, PaymentRunStatus, PaymentStatus
from billing.models import Invoice, Payment, PaymentRunItem
from billing.services import payment_runs as pr
from tests.subscriptions import factories as SF

pytestmark = pytest.mark.django_db
D = Decimal
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.008.001.02"}
SIGNED = date(2025, 6, 1)


def collection_day(after: int = 0) -> date:
    """A working day after today (``after`` more working days later)."""
    calendar = working_calendar()
    day = calendar.next_working_day(timezone.localdate())
    for _ in range(after):
        day = calendar.next_working_day(day)
    return day


def iban(n: int) -> str:
    return str(IBAN.generate("DE", bank_code="37040044", account_code=f"{5320130 + n:010d}"))


_month = iter(range(1, 10_000))


def posted_invoice(account, total, *, disputed=False) -> Invoice:
    n = next(_month)
    start = date(2020, 1, 1) + timedelta(days=31 * n)
    start = start.replace(day=1)
    invoice = Invoice.objects.create(
        billing_account=account,
        period_start=start,
        period_end=(start + timedelta(days=32)).replace(day=1),
        currency="EUR",
        net=total,
        tax=D("0"),
        total=total,
    )
    with transaction.atomic():
        services.invoice_post(invoice=invoice, issued_on=start, due_on=start + timedelta(days=15))
    if disputed:
        Invoice.objects.filter(pk=invoice.pk).update(disputed=True, dispute_reason="Wrong")
    return invoice


OWES = D("30.00")


def debtor(n: int, *, owes=OWES, bic="COBADEFFXXX", disputed=False):
    """A billing account with a mandate and a posted invoice of ``owes``."""
    account = SF.account()
    mandate = pr.mandate_create(
        billing_account=account,
        reference=f"MANDATE-{n}",
        debtor_name=f"Debtor {n}",
        iban=iban(n),
        bic=bic,
        signed_on=SIGNED,
    )
    invoice = posted_invoice(account, owes, disputed=disputed) if owes else None
    account.refresh_from_db()
    return account, mandate, invoice


@pytest.fixture
def finance(make_user):
    from alux_crm.core import roles as R

    return make_user(R.BILLING_FINANCE)


def items_of(run):
    return {i.billing_account_id: i for i in run.items.all()}


# --- mandates -----------------------------------------------------------------------------------
def test_mandate_checks_iban_bic_reference_and_one_active_per_account():
    account = SF.account()
    with pytest.raises(ValidationError) as bad:
        pr.mandate_create(
            billing_account=account,
            reference="bad//ref",
            debtor_name="",
            iban="DE89370400440532013001",  # checksum broken
            bic="COBA1EFF",
            signed_on=timezone.localdate() + timedelta(days=1),
        )
    assert set(bad.value.message_dict) == {"reference", "debtor_name", "iban", "bic", "signed_on"}

    mandate = pr.mandate_create(
        billing_account=account,
        reference="M-1",
        debtor_name="  Ana   Pop ",
        iban="de89 3704 0044 0532 0130 00",
        signed_on=SIGNED,
    )
    account.refresh_from_db()
    assert (mandate.iban, mandate.debtor_name, mandate.bic) == (
        "DE89370400440532013000",
        "Ana Pop",
        "",
    )
    assert account.payment_method == "direct_debit"

    with pytest.raises(ValidationError) as twice:
        pr.mandate_create(
            billing_account=account,
            reference="M-1",
            debtor_name="X",
            iban=iban(1),
            signed_on=SIGNED,
        )
    assert "reference" in twice.value.message_dict
    assert "active mandate" in str(twice.value.message_dict["__all__"])

    pr.mandate_revoke(mandate=mandate)
    account.refresh_from_db()
    assert account.payment_method == "transfer"
    with pytest.raises(InvalidTransition):
        pr.mandate_revoke(mandate=mandate)
    assert (
        pr.mandate_create(
            billing_account=account,
            reference="M-2",
            debtor_name="X",
            iban=iban(1),
            signed_on=SIGNED,
        ).status
        == "active"
    )


def test_mandate_iban_outside_sepa_is_refused():
    with pytest.raises(ValidationError) as outside:
        pr.mandate_create(
            billing_account=SF.account(),
            reference="M-US",
            debtor_name="X",
            iban="BR1800360305000010009795493C1",  # a valid Brazilian IBAN
            signed_on=SIGNED,
        )
    assert "iban" in outside.value.message_dict


# --- drafting a run -------------------------------------------------------------------------------
def test_draft_selects_direct_debit_accounts_that_owe_and_skips_the_rest():
    due, _, _ = debtor(1, owes=D("30.00"))
    collected_before, old_mandate, _ = debtor(2, owes=D("12.50"))
    old_mandate.first_collected_on = date(2025, 7, 1)
    old_mandate.save(update_fields=["first_collected_on"])
    debtor(3, owes=None)  # owes nothing
    debtor(4, owes=D("40.00"), disputed=True)  # only a disputed invoice open
    partly_disputed, _, _ = debtor(5, owes=D("20.00"), disputed=True)
    posted_invoice(partly_disputed, D("15.00"))
    _, revoked_mandate, _ = debtor(6)
    pr.mandate_revoke(mandate=revoked_mandate)
    no_mandate = SF.account()
    posted_invoice(no_mandate, D("99.00"))

    run = pr.payment_run_create(collection_date=collection_day())

    items = items_of(run)
    assert set(items) == {due.pk, collected_before.pk, partly_disputed.pk}
    assert items[due.pk].amount == D("30.00") and items[due.pk].sequence_type == "FRST"
    assert items[collected_before.pk].sequence_type == "RCUR"
    assert items[partly_disputed.pk].amount == D("15.00")  # the disputed 20 is not debited
    assert items[due.pk].end_to_end_id == f"DD{run.pk}-{due.number}"
    assert (run.collections, run.total, run.status) == (3, D("57.50"), PaymentRunStatus.DRAFT)

    # An account waiting in a draft run is not drafted again; nothing else is due.
    with pytest.raises(DomainError, match="No direct-debit account"):
        pr.payment_run_create(collection_date=collection_day(1))
    pr.payment_run_discard(run=run)
    again = pr.payment_run_create(collection_date=collection_day(1))
    assert again.collections == 3


def test_collection_date_is_a_future_working_day():
    debtor(1)
    today = timezone.localdate()
    with pytest.raises(ValidationError) as past:
        pr.payment_run_create(collection_date=today)
    assert "collection_date" in past.value.message_dict
    day = today + timedelta(days=1)
    while working_calendar().is_working_day(day):
        day += timedelta(days=1)
    with pytest.raises(ValidationError, match="working day"):
        pr.payment_run_create(collection_date=day)


def test_exclude_only_while_draft(finance):
    first, _, _ = debtor(1)
    second, _, _ = debtor(2, owes=D("10.00"))
    run = pr.payment_run_create(collection_date=collection_day())
    assert pr.payment_run_exclude(run=run, item_ids=[items_of(run)[first.pk].pk]) == 1
    run.refresh_from_db()
    assert (run.collections, run.total) == (1, D("10.00"))
    pr.payment_run_export(run=run, actor=finance)
    with pytest.raises(InvalidTransition):
        pr.payment_run_exclude(run=run, item_ids=[items_of(run)[second.pk].pk])


def test_revoking_a_mandate_takes_its_collection_out_of_a_draft():
    account, mandate, _ = debtor(1)
    debtor(2)
    run = pr.payment_run_create(collection_date=collection_day())
    pr.mandate_revoke(mandate=mandate)
    run.refresh_from_db()
    assert run.collections == 1 and account.pk not in items_of(run)


# --- export ---------------------------------------------------------------------------------
def sepa_schema():
    path = os.path.join(os.path.dirname(sepaxml.__file__), "schemas", f"{pr.SEPA_SCHEMA}.xsd")
    return xmlschema.XMLSchema(path)


def test_export_writes_a_valid_pain008_with_every_collection(finance):
    first, _, _ = debtor(1, owes=D("30.00"))
    recurring, mandate, _ = debtor(2, owes=D("12.34"), bic="")
    mandate.first_collected_on = date(2025, 7, 1)
    mandate.save(update_fields=["first_collected_on"])
    run = pr.payment_run_create(collection_date=collection_day())

    pr.payment_run_export(run=run, actor=finance)

    run.refresh_from_db()
    xml = run.file.open("rb").read()
    schema = sepa_schema()
    schema.validate(xml.decode())  # raises when invalid
    root = ET.fromstring(xml)  # noqa: S314 - our own file
    assert root.find("p:CstmrDrctDbtInitn/p:GrpHdr/p:MsgId", NS).text == run.message_id
    assert root.find("p:CstmrDrctDbtInitn/p:GrpHdr/p:NbOfTxs", NS).text == "2"
    assert root.find("p:CstmrDrctDbtInitn/p:GrpHdr/p:CtrlSum", NS).text == "42.34"
    found = {}
    for batch in root.findall("p:CstmrDrctDbtInitn/p:PmtInf", NS):
        sequence = batch.find("p:PmtTpInf/p:SeqTp", NS).text
        assert batch.find("p:ReqdColltnDt", NS).text == run.collection_date.isoformat()
        assert batch.find("p:CdtrSchmeId/p:Id/p:PrvtId/p:Othr/p:Id", NS).text == "RO90ZZZ12345678"
        for tx in batch.findall("p:DrctDbtTxInf", NS):
            e2e = tx.find("p:PmtId/p:EndToEndId", NS).text
            found[e2e] = (
                tx.find("p:InstdAmt", NS).text,
                tx.find("p:InstdAmt", NS).get("Ccy"),
                sequence,
                tx.find("p:DrctDbtTx/p:MndtRltdInf/p:MndtId", NS).text,
                tx.find("p:DbtrAcct/p:Id/p:IBAN", NS).text,
            )
    assert found == {
        f"DD{run.pk}-{first.number}": ("30.00", "EUR", "FRST", "MANDATE-1", iban(1)),
        f"DD{run.pk}-{recurring.number}": ("12.34", "EUR", "RCUR", "MANDATE-2", iban(2)),
    }


def test_export_records_payments_pays_invoices_and_marks_first_collections(finance):
    account, mandate, invoice = debtor(1, owes=D("30.00"))
    run = pr.payment_run_create(collection_date=collection_day())

    pr.payment_run_export(run=run, actor=finance)

    run.refresh_from_db()
    account.refresh_from_db()
    mandate.refresh_from_db()
    item = run.items.get()
    assert run.status == PaymentRunStatus.EXPORTED and run.exported_by == finance
    assert item.payment.method == "direct_debit" and item.payment.amount == D("30.00")
    assert item.payment.received_on == run.collection_date
    assert item.payment.idempotency_key == f"ddrun-item-{item.pk}"
    assert account.balance == D("0.00")
    assert list(services.open_invoices(account)) == []
    assert services.invoice_open_amount(invoice) == D("0.00")
    assert mandate.first_collected_on == run.collection_date
    assert services.ledger_reconcile() == []


def test_second_export_is_refused(finance):
    debtor(1)
    run = pr.payment_run_create(collection_date=collection_day())
    pr.payment_run_export(run=run, actor=finance)
    with pytest.raises(InvalidTransition, match="already exported"):
        pr.payment_run_export(run=run, actor=finance)
    assert Payment.objects.count() == 1


def test_export_retried_after_a_crash_books_each_payment_once(finance):
    account, _, _ = debtor(1)
    debtor(2)
    run = pr.payment_run_create(collection_date=collection_day())
    item = items_of(run)[account.pk]
    # A first attempt booked this collection's payment, then died before the run moved on.
    services.payment_record(
        account=account,
        amount=item.amount,
        method="direct_debit",
        idempotency_key=f"ddrun-item-{item.pk}",
        received_on=run.collection_date,
    )
    pr.payment_run_export(run=run, actor=finance)
    assert Payment.objects.count() == 2
    account.refresh_from_db()
    assert account.balance == D("0.00")
    assert services.ledger_reconcile() == []


def test_export_refused_when_an_account_owes_less_than_drafted(finance):
    account, _, _ = debtor(1, owes=D("30.00"))
    run = pr.payment_run_create(collection_date=collection_day())
    services.payment_record(account=account, amount=D("10"), method="cash", idempotency_key="c")
    with pytest.raises(DomainError, match=account.number):
        pr.payment_run_export(run=run, actor=finance)
    run.refresh_from_db()
    assert run.status == PaymentRunStatus.DRAFT and not run.file


def test_export_refused_when_the_collection_date_has_passed(finance):
    debtor(1)
    run = pr.payment_run_create(collection_date=collection_day())
    with pytest.raises(DomainError, match="passed"):
        pr.payment_run_export(run=run, actor=finance, today=run.collection_date)


# --- rejections ---------------------------------------------------------------------------------
@pytest.fixture
def exported(finance):
    accounts = [debtor(n)[0] for n in (1, 2, 3)]
    run = pr.payment_run_create(collection_date=collection_day())
    pr.payment_run_export(run=run, actor=finance)
    run.refresh_from_db()
    return run, accounts


def test_rejection_reverses_the_payment_and_the_balance_comes_back(exported, finance):
    run, (rejected, kept, _third) = exported
    item = items_of(run)[rejected.pk]

    result = pr.payment_run_reject(
        run=run, rejections=[(item.end_to_end_id, "AM04")], actor=finance
    )

    assert (result.rejected, result.already, result.amount) == (1, 0, D("30.00"))
    item.refresh_from_db()
    item.payment.refresh_from_db()
    rejected.refresh_from_db()
    kept.refresh_from_db()
    assert item.status == CollectionStatus.REJECTED and item.reject_reason == "AM04"
    assert item.payment.status == PaymentStatus.REVERSED
    assert rejected.balance == D("30.00") and kept.balance == D("0.00")
    assert len(services.open_invoices(rejected)) == 1
    assert item.mandate.first_collected_on is None  # the next collection is FRST again
    run.refresh_from_db()
    assert (run.rejected, run.rejected_total) == (1, D("30.00"))

    # The same rejection again changes nothing.
    again = pr.payment_run_reject(run=run, rejections=[(item.end_to_end_id, "AM04")], actor=finance)
    assert (again.rejected, again.already) == (0, 1)
    rejected.refresh_from_db()
    assert rejected.balance == D("30.00")
    assert services.ledger_reconcile() == []


def test_unknown_ids_and_bad_reasons_reject_nothing(exported, finance):
    run, accounts = exported
    good = items_of(run)[accounts[0].pk].end_to_end_id
    with pytest.raises(ValidationError) as bad:
        pr.payment_run_reject(
            run=run,
            rejections=[(good, "AM04"), ("DD999-BA-000000", "AC04"), (good, "nonsense")],
            actor=finance,
        )
    assert len(bad.value.messages) == 2
    assert "DD999-BA-000000" in bad.value.messages[1]
    assert not PaymentRunItem.objects.filter(status=CollectionStatus.REJECTED).exists()
    assert not Payment.objects.filter(status=PaymentStatus.REVERSED).exists()


def upload(content: str, name="rejections.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content.encode(), content_type="text/csv")


def test_csv_import_and_reimport(exported, finance):
    run, accounts = exported
    items = items_of(run)
    text = (
        "end_to_end_id;reason\n"
        f"{items[accounts[0].pk].end_to_end_id};AC04\n"
        f"{items[accounts[1].pk].end_to_end_id};MD01 No mandate\n"
    )
    result = pr.payment_run_import_rejections(run=run, uploaded_file=upload(text), actor=finance)
    assert result.rejected == 2
    again = pr.payment_run_import_rejections(run=run, uploaded_file=upload(text), actor=finance)
    assert (again.rejected, again.already) == (0, 2)
    assert Payment.objects.filter(status=PaymentStatus.REVERSED).count() == 2
    run.refresh_from_db()
    assert run.rejected == 2


def test_bad_csv_imports_nothing_and_reports_each_bad_row(exported, finance):
    run, accounts = exported
    good = items_of(run)[accounts[0].pk].end_to_end_id
    text = f"{good},AM04\nDD0-unknown,AC04\n{good}\nonly-id,\n,AM04\n{good},XX\n"
    with pytest.raises(ValidationError) as bad:
        pr.payment_run_import_rejections(run=run, uploaded_file=upload(text), actor=finance)
    messages = bad.value.messages
    assert [m.split(":")[0] for m in messages] == ["Row 3", "Row 4", "Row 5", "Row 6", "Row 2"]
    assert "DD0-unknown" in messages[-1]
    assert not PaymentRunItem.objects.filter(status=CollectionStatus.REJECTED).exists()
    assert not Payment.objects.filter(status=PaymentStatus.REVERSED).exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"\xff\xfe\x00a", "UTF-8"),
        (b"x" * (pr.REJECTION_FILE_MAX_BYTES + 1), "larger"),
        (b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>", "DTD"),
        (b"<html><body>hello</body></html>", "pain.002"),
        (b"<Document><broken>", "cannot be read"),
    ],
)
def test_files_that_are_not_rejections_are_refused(exported, finance, content, message):
    run, _ = exported
    with pytest.raises(ValidationError, match=message):
        pr.payment_run_import_rejections(
            run=run, uploaded_file=SimpleUploadedFile("f", content), actor=finance
        )


def pain002(message_id: str, transactions: list[tuple[str, str, str]], group="PART") -> str:
    txs = "".join(
        f"<TxInfAndSts><StsId>S{n}</StsId><OrgnlEndToEndId>{e2e}</OrgnlEndToEndId>"
        f"<TxSts>{status}</TxSts><StsRsnInf><Rsn><Cd>{code}</Cd></Rsn></StsRsnInf></TxInfAndSts>"
        for n, (e2e, status, code) in enumerate(transactions)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03">'
        "<CstmrPmtStsRpt><GrpHdr><MsgId>R1</MsgId><CreDtTm>2026-01-01T10:00:00</CreDtTm>"
        "</GrpHdr><OrgnlGrpInfAndSts>"
        f"<OrgnlMsgId>{message_id}</OrgnlMsgId><OrgnlMsgNmId>pain.008.001.02</OrgnlMsgNmId>"
        f"<GrpSts>{group}</GrpSts></OrgnlGrpInfAndSts>"
        f"<OrgnlPmtInfAndSts><OrgnlPmtInfId>B1</OrgnlPmtInfId>{txs}</OrgnlPmtInfAndSts>"
        "</CstmrPmtStsRpt></Document>"
    )


def test_pain002_status_report_import(exported, finance):
    run, accounts = exported
    items = items_of(run)
    report = pain002(
        run.message_id,
        [
            (items[accounts[0].pk].end_to_end_id, "RJCT", "AC04"),
            (items[accounts[1].pk].end_to_end_id, "ACSC", ""),
        ],
    )
    result = pr.payment_run_import_rejections(
        run=run, uploaded_file=upload(report, "status.xml"), actor=finance
    )
    assert result.rejected == 1
    assert PaymentRunItem.objects.get(pk=items[accounts[0].pk].pk).reject_reason == "AC04"

    with pytest.raises(ValidationError, match="answers the file"):
        pr.payment_run_import_rejections(
            run=run, uploaded_file=upload(pain002("OTHER-FILE", []), "s.xml"), actor=finance
        )


def test_pain002_whole_file_rejected_takes_back_every_collection(exported, finance):
    run, _ = exported
    report = pain002(run.message_id, [], group="RJCT")
    result = pr.payment_run_import_rejections(
        run=run, uploaded_file=upload(report, "status.xml"), actor=finance
    )
    assert result.rejected == 3


def test_close_collects_the_rest_and_ends_rejections(exported, finance):
    run, accounts = exported
    items = items_of(run)
    pr.payment_run_reject(
        run=run, rejections=[(items[accounts[0].pk].end_to_end_id, "MS02")], actor=finance
    )
    pr.payment_run_close(run=run, actor=finance)
    statuses = sorted(run.items.values_list("status", flat=True))
    assert statuses == ["collected", "collected", "rejected"]
    with pytest.raises(InvalidTransition):
        pr.payment_run_reject(
            run=run, rejections=[(items[accounts[1].pk].end_to_end_id, "AM04")], actor=finance
        )
    with pytest.raises(InvalidTransition):
        pr.payment_run_close(run=run, actor=finance)


def test_a_rejected_account_is_collected_again_by_the_next_run(exported, finance):
    run, accounts = exported
    item = items_of(run)[accounts[0].pk]
    pr.payment_run_reject(run=run, rejections=[(item.end_to_end_id, "AM04")], actor=finance)
    following = pr.payment_run_create(collection_date=collection_day(1))
    again = following.items.get()
    assert again.billing_account_id == accounts[0].pk and again.sequence_type == "FRST"


# --- demo ---------------------------------------------------------------------------------
def test_demo_payment_runs(django_capture_on_commit_callbacks):
    from django.core.management import call_command

    from billing.demo_payment_runs import seed_payment_runs
    from billing.models import PaymentRun

    with django_capture_on_commit_callbacks(execute=False):
        call_command("seed_demo", verbosity=0)  # may already seed the payment runs
        made = seed_payment_runs()
    runs = {run.status: run for run in PaymentRun.objects.all()}
    assert len(runs) == 2 and made in (0, 2)
    exported, draft = runs[PaymentRunStatus.EXPORTED], runs[PaymentRunStatus.DRAFT]
    assert exported.rejected == 1 and exported.file
    rejected = exported.items.get(status=CollectionStatus.REJECTED)
    assert rejected.payment.status == PaymentStatus.REVERSED
    assert draft.items.filter(billing_account=rejected.billing_account).exists()
    sepa_schema().validate(exported.file.open("rb").read().decode())
    assert services.ledger_reconcile() == []
    assert seed_payment_runs() == 0
