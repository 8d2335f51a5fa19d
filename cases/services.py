"""Writes of cases."""

from django.db import transaction

from alux_crm.core.numbers import next_number

from .choices import CaseStatus
from .models import Case, CaseReply


@transaction.atomic
def case_create(
    *, customer, kind: str, channel: str, subject: str, description: str, actor=None
) -> Case:
    """Open a case for ``customer`` with the next case number."""
    return Case.objects.create(
        number=next_number("case_number_seq", "CS-"),
        customer=customer,
        kind=kind,
        channel=channel,
        subject=subject,
        description=description,
        created_by=actor,
    )


@transaction.atomic
def case_reply(*, case: Case, text: str, actor=None, from_customer: bool = False) -> CaseReply:
    """Add a reply; a customer's reply to a case waiting for them reopens it."""
    reply = CaseReply.objects.create(
        case=case, author=actor, from_customer=from_customer, text=text
    )
    if from_customer and case.status == CaseStatus.WAITING_CUSTOMER:
        Case.objects.filter(pk=case.pk).update(status=CaseStatus.OPEN)
    return reply
