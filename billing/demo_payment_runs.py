"""Demo direct debit (seed_demo, after ``seed_billing``): SEPA mandates for some demo
accounts that have posted invoices (they then pay by direct debit), one payment run
exported a few days ago with one collection rejected by the bank (insufficient
funds: its payment is reversed and the account owes again), and one draft run for
Billing & Finance to review and export. Idempotent: it does nothing when payment
runs exist."""

from datetime import timedelta

from django.utils import timezone
from schwifty import IBAN

from alux_crm.core.errors import DomainError
from alux_crm.core.models import User
from alux_crm.core.selectors import working_calendar
from customers.choices import BillingAccountStatus
from customers.models import BillingAccount

from .choices import InvoiceStatus
from .models import PaymentRun
from .services import payment_runs as services

DEMO_MANDATES = 8  # accounts that get a mandate (half before the exported run)


def _mandate(account: BillingAccount, n: int, signed_on, actor) -> None:
    iban = IBAN.generate("RO", bank_code="BTRL", account_code=f"{700_000 + n:016d}")
    services.mandate_create(
        billing_account=account,
        reference=f"ALUX-MDT-{account.number}",
        debtor_name=account.customer.name[:70],
        iban=str(iban),
        bic="BTRLRO22",
        signed_on=signed_on,
        actor=actor,
    )


def seed_payment_runs() -> int:
    """Create the demo mandates and payment runs once; returns the runs made."""
    if PaymentRun.objects.exists():
        return 0
    finance = User.objects.filter(username="finance").first()
    accounts = list(
        BillingAccount.objects.filter(
            status=BillingAccountStatus.ACTIVE,
            is_paying=True,
            currency=services.SEPA_CURRENCY,
            invoices__status=InvoiceStatus.POSTED,
            mandates__isnull=True,
        )
        .exclude(subscriptions__status="suspended")  # suspended for not paying: no mandate
        .select_related("customer")
        .distinct()
        .order_by("-balance", "pk")[:DEMO_MANDATES]
    )
    if len(accounts) < 2 or finance is None:
        return 0
    calendar = working_calendar()
    today = timezone.localdate()
    signed_on = today - timedelta(days=90)
    half = (len(accounts) + 1) // 2
    for n, account in enumerate(accounts[:half]):
        _mandate(account, n, signed_on, finance)

    made = 0
    # Collected a few days ago: drafted and exported before the collection date.
    collected_on = calendar.previous_working_day(today - timedelta(days=3))
    try:
        exported = services.payment_run_create(
            collection_date=collected_on,
            actor=finance,
            today=calendar.previous_working_day(collected_on - timedelta(days=2)),
        )
    except DomainError:
        exported = None  # nobody owes anything yet
    if exported is not None:
        services.payment_run_export(
            run=exported, actor=finance, today=collected_on - timedelta(days=1)
        )
        first = exported.items.order_by("-amount", "pk").first()
        services.payment_run_reject(
            run=exported, rejections=[(first.end_to_end_id, "AM04")], actor=finance
        )
        made += 1

    for n, account in enumerate(accounts[half:], start=half):
        _mandate(account, n, signed_on, finance)
    try:
        services.payment_run_create(
            collection_date=calendar.next_working_day(today + timedelta(days=4)), actor=finance
        )
        made += 1
    except DomainError:
        pass  # every mandated account is paid up
    return made
