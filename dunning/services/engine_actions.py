"""What the steps of a dunning chunk do, in the chunk's transaction, for the records
just inserted: e-mails and SMS as outbox rows (written in bulk, idempotency key
``dunning-<process>-<step>``), letters (their PDF rendered afterwards on the
documents queue), late fees on the ledger, suspension, disconnection and
termination through the subscription services, and the hand-over to an agency."""

import logging
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext as _

from alux_crm.core.errors import DomainError
from alux_crm.core.models import OutboxMessage
from alux_crm.core.selectors import operator_settings
from billing.choices import EntryKind
from billing.services.ledger import ledger_post
from subscriptions.choices import TRANSITIONS, SubscriptionStatus
from subscriptions.models import Subscription
from subscriptions.services import lifecycle

from ..choices import SERVICE_ACTIONS, ActionOutcome, DunningAction
from ..models import AccountCollectionSettings
from ..selectors import subscriptions_of
from .engine_messages import message_context, render_step

log = logging.getLogger(__name__)

__all__ = ["SERVICE_ACTIONS", "Result", "perform", "save_results"]

A = DunningAction
ENDED_STATUSES = (SubscriptionStatus.TERMINATED, SubscriptionStatus.CANCELLED)
SERVICE_TARGET = {
    A.SUSPEND: SubscriptionStatus.SUSPENDED,
    A.DISCONNECT: SubscriptionStatus.DISCONNECTED,
    A.TERMINATE: SubscriptionStatus.TERMINATED,
}
SERVICE_CALL = {
    A.SUSPEND: lifecycle.subscription_suspend,
    A.DISCONNECT: lifecycle.subscription_disconnect,
    A.TERMINATE: lifecycle.subscription_terminate,
}


@dataclass
class Result:
    """What came of one step: the record's outcome and what it points to."""

    record_id: int
    outcome: str
    detail: str = ""
    outbox_message_id: int | None = None
    ledger_entry_id: int | None = None
    action: str = ""


def outbox_key(process_id: int, step_id: int) -> str:
    """The idempotency key of a step's message."""
    return f"dunning-{process_id}-{step_id}"


def perform(items: list, *, today: date) -> list[Result]:
    """Do the step of each ``(record_id, Due)``; returns one result per record."""
    if not items:
        return []
    operator = operator_settings()
    reasons = _never_disconnect_reasons(items)
    results: list[Result] = []
    messages: list[tuple[Result, OutboxMessage]] = []
    service_items = []
    letters: list[int] = []
    for record_id, item in items:
        step, process = item.step, item.process
        account = process.billing_account
        result = Result(record_id=record_id, outcome=ActionOutcome.DONE, action=step.action)
        results.append(result)
        if step.action in SERVICE_ACTIONS:
            if item.never_disconnect:
                result.outcome = ActionOutcome.SKIPPED
                result.detail = _("Never disconnect: %(reason)s") % {
                    "reason": reasons.get(account.pk) or _("no reason given")
                }
            else:
                service_items.append((result, item))
            continue
        context = message_context(
            account=account, overdue=item.overdue, today=today, operator=operator
        )
        if step.action in (A.EMAIL, A.SMS):
            message = _message(result, item, context)
            if message is not None:
                messages.append((result, message))
        elif step.action == A.LETTER:
            rendered = render_step(step, context)
            result.detail = f"{rendered.subject}\n\n{rendered.body}"
            letters.append(record_id)
        elif step.action == A.LATE_FEE:
            _late_fee(result, item, today=today)
        elif step.action == A.AGENCY:
            result.detail = _("Handed over to the collection agency (%(amount)s %(currency)s).") % {
                "amount": item.overdue.amount,
                "currency": account.currency,
            }
    _service_actions(service_items, today=today)
    _write_messages(messages)
    if letters:
        transaction.on_commit(lambda: _render_letters(letters))
    return results


def _never_disconnect_reasons(items) -> dict[int, str]:
    ids = [
        item.process.billing_account_id
        for _r, item in items
        if item.never_disconnect and item.step.action in SERVICE_ACTIONS
    ]
    if not ids:
        return {}
    return dict(
        AccountCollectionSettings.objects.filter(billing_account_id__in=ids).values_list(
            "billing_account_id", "reason"
        )
    )


def _message(result: Result, item, context: dict) -> OutboxMessage | None:
    """The outbox row of an e-mail or SMS step (None, and a failed step, when the
    customer has no address for it)."""
    step, process = item.step, item.process
    account, customer = process.billing_account, process.billing_account.customer
    rendered = render_step(step, context)
    if step.action == A.EMAIL:
        address = account.invoice_email or customer.email
        if not address:
            result.outcome, result.detail = ActionOutcome.FAILED, _("No e-mail address.")
            return None
        payload = {"to": [address], "subject": rendered.subject, "body": rendered.body}
        result.detail = _("E-mail to %(to)s: %(subject)s") % {
            "to": address,
            "subject": rendered.subject,
        }
    else:
        if not customer.phone:
            result.outcome, result.detail = ActionOutcome.FAILED, _("No phone number.")
            return None
        payload = {"to": customer.phone, "text": rendered.body}
        result.detail = _("SMS to %(to)s") % {"to": customer.phone}
    return OutboxMessage(
        topic=step.action,  # "email" or "sms": the adapter of the topic delivers it
        payload=payload,
        idempotency_key=outbox_key(process.pk, step.pk),
        max_attempts=settings.OUTBOX_MAX_ATTEMPTS,
    )


def _write_messages(messages: list[tuple[Result, OutboxMessage]]) -> None:
    """Write the outbox rows in one statement and deliver them after commit."""
    if not messages:
        return
    rows = OutboxMessage.objects.bulk_create([m for _r, m in messages], batch_size=1000)
    for (result, _m), row in zip(messages, rows, strict=True):
        result.outbox_message_id = row.pk
    ids = [row.pk for row in rows]

    def deliver():
        from alux_crm.core.tasks import deliver_outbox_message

        for pk in ids:
            deliver_outbox_message.delay(pk)

    transaction.on_commit(deliver)


def _late_fee(result: Result, item, *, today: date) -> None:
    """Book the step's fee on the ledger once (its own idempotency key)."""
    step, process = item.step, item.process
    if step.fee_amount <= 0:
        result.outcome, result.detail = ActionOutcome.SKIPPED, _("No fee set on the step.")
        return
    entry = ledger_post(
        account=process.billing_account,
        kind=EntryKind.DEBIT_NOTE,
        amount=step.fee_amount,
        idempotency_key=f"dunning-fee-{process.pk}-{step.pk}",
        booked_on=today,
        description=_("Late fee: %(step)s") % {"step": step.name},
    )
    result.ledger_entry_id = entry.pk
    result.detail = _("Late fee of %(amount)s %(currency)s") % {
        "amount": step.fee_amount,
        "currency": process.billing_account.currency,
    }


def _service_actions(items: list, *, today: date) -> None:
    """Suspend, disconnect or terminate every live subscription of each account and
    of the non-paying accounts rolled up below it, through the subscription
    services (each writes its event and provisioning command). An account whose
    change is refused is a failed step; its other changes are undone."""
    if not items:
        return
    live = [s for s in SubscriptionStatus if s not in ENDED_STATUSES]
    ids_of = subscriptions_of([item.process.billing_account_id for _r, item in items], live)
    loaded = Subscription.objects.in_bulk([pk for ids in ids_of.values() for pk in ids])
    for result, item in items:
        action, target = item.step.action, SERVICE_TARGET[item.step.action]
        mine = [
            loaded[pk]
            for pk in ids_of.get(item.process.billing_account_id, [])
            if target in TRANSITIONS.get(loaded[pk].status, {})
        ]
        if not mine:
            result.outcome, result.detail = ActionOutcome.SKIPPED, _("No subscription to change.")
            continue
        reason = _("Dunning: %(step)s") % {"step": item.step.name}
        try:
            with transaction.atomic():
                for subscription in mine:
                    kwargs = {"on": today} if action == A.TERMINATE else {}
                    SERVICE_CALL[action](subscription=subscription, reason=reason, **kwargs)
        except DomainError as exc:
            result.outcome, result.detail = ActionOutcome.FAILED, str(exc)
            continue
        result.detail = _("%(action)s: %(numbers)s") % {
            "action": A(action).label,
            "numbers": ", ".join(s.number for s in mine),
        }


def _render_letters(record_ids: list[int]) -> None:
    from ..tasks.engine import render_letters

    render_letters.apply_async((record_ids,), queue=settings.CELERY_DOCUMENTS_QUEUE)


SAVE_RESULTS = """
UPDATE dunning_dunningactionrecord record
SET outcome = new.outcome, detail = new.detail, outbox_message_id = new.outbox_id,
    ledger_entry_id = new.ledger_id
FROM unnest(%s::bigint[], %s::varchar[], %s::text[], %s::bigint[], %s::bigint[])
     AS new(id, outcome, detail, outbox_id, ledger_id)
WHERE record.id = new.id
"""


def save_results(results: list[Result]) -> None:
    """Write the outcomes on the records (one statement)."""
    if not results:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            SAVE_RESULTS,
            [
                [r.record_id for r in results],
                [str(r.outcome) for r in results],
                [r.detail for r in results],
                [r.outbox_message_id for r in results],
                [r.ledger_entry_id for r in results],
            ],
        )
