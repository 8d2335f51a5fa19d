"""Writes of cases: open one (with its attachment), reply (the customer from the
portal, an agent from the case page, who may e-mail the customer), change status."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from alux_crm.core.errors import DomainError, InvalidTransition
from alux_crm.core.numbers import next_number
from alux_crm.core.outbox import outbox_enqueue
from customers.validation import CheckedFile, check_attachment

from .choices import CASE_TRANSITIONS, CaseStatus
from .models import Case, CaseReply

# What a customer may attach to a request (checked by content): pictures and PDFs,
# with the extension the stored file gets.
CASE_ATTACHMENT_TYPES = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "application/pdf": "pdf",
}


def check_case_attachment(upload) -> CheckedFile:
    """The attachment of a case: within ``MAX_UPLOAD_SIZE`` (the limit of every upload)
    and a picture or a PDF by its content, whatever its name says."""
    try:
        checked = check_attachment(upload)
    except ValidationError as error:
        if error.code != "file_type":
            raise
        checked = None
    if checked is None or checked.content_type not in CASE_ATTACHMENT_TYPES:
        raise ValidationError(
            _("“%(name)s” is not a picture or a PDF. Attach a photo, a screenshot or a PDF."),
            code="file_type",
            params={"name": upload.name},
        )
    return checked


@transaction.atomic
def case_create(
    *,
    customer,
    kind: str,
    channel: str,
    subject: str,
    description: str,
    actor=None,
    attachment=None,
) -> Case:
    """Open a case for ``customer`` with the next case number and, optionally, one
    attachment (a picture or PDF, checked before anything is stored: a refused file
    raises ``ValidationError`` on ``attachment`` and creates nothing)."""
    checked = None
    if attachment is not None:
        try:
            checked = check_case_attachment(attachment)
        except ValidationError as error:
            raise ValidationError({"attachment": error.messages}) from error
    case = Case(
        number=next_number("case_number_seq", "CS-"),
        customer=customer,
        kind=kind,
        channel=channel,
        subject=subject.strip(),
        description=description.strip(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    case.full_clean(exclude=["attachment"])  # type and channel among the choices, lengths
    if checked is not None:
        extension = CASE_ATTACHMENT_TYPES[checked.content_type]
        case.attachment_name = attachment.name[:255]
        case.attachment_type = checked.content_type
        case.attachment.save(f"{uuid.uuid4().hex}.{extension}", attachment, save=False)
    case.save()
    return case


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update().select_related("customer").get(pk=case.pk)


def _move(case: Case, status: str, now) -> list[str]:
    """Put ``case`` in ``status`` (checked against ``CASE_TRANSITIONS``); the fields
    changed."""
    if status == case.status:
        return []
    if status not in CASE_TRANSITIONS[case.status]:
        raise InvalidTransition(
            _("A case cannot go from %(from)s to %(to)s.")
            % {"from": case.get_status_display(), "to": CaseStatus(status).label}
        )
    case.status = status
    case.closed_at = now if status == CaseStatus.CLOSED else None
    return ["status", "closed_at"]


@transaction.atomic
def case_set_status(*, case: Case, status: str, actor=None) -> Case:
    """An agent moves the case to ``status`` (``InvalidTransition`` if not allowed)."""
    case = _locked(case)
    changed = _move(case, status, timezone.now())
    if changed:
        case.save(update_fields=[*changed, "updated_at"])
    return case


@transaction.atomic
def case_reply(
    *,
    case: Case,
    text: str,
    actor=None,
    from_customer: bool = False,
    status: str | None = None,
) -> CaseReply:
    """Add a reply to the conversation.

    - The customer's (portal): a case waiting for them goes back to open; a closed
      case reopens when closed at most ``REOPEN_WITHIN_DAYS`` ago, otherwise the
      reply is refused (``DomainError``: the customer opens a new request).
    - An agent's: the case moves to ``status`` when given (e.g. waiting for the
      customer, closed), and the customer gets the answer by e-mail (outbox) with
      the link to the request in the portal.
    """
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write a message.")})
    case = _locked(case)
    now = timezone.now()
    if from_customer:
        if not case.customer_may_reply(now):
            raise DomainError(
                _("This request was closed. Please open a new request and mention %(number)s.")
                % {"number": case.number}
            )
        changed = []
        if case.status in (CaseStatus.WAITING_CUSTOMER, CaseStatus.CLOSED):
            changed = _move(case, CaseStatus.OPEN, now)
    else:
        changed = _move(case, status, now) if status else []
    reply = CaseReply.objects.create(
        case=case,
        author=actor if getattr(actor, "is_authenticated", False) else None,
        from_customer=from_customer,
        text=text,
    )
    case.save(update_fields=[*changed, "updated_at"])
    if not from_customer:
        _email_answer(case, reply)
    return reply


def _email_answer(case: Case, reply: CaseReply) -> None:
    """The agent's answer to the customer, in their language, through the outbox
    (nothing when the customer has no e-mail address)."""
    customer = case.customer
    if not customer.email:
        return
    link = settings.PORTAL_BASE_URL.rstrip("/") + reverse(
        "portal:request_detail", kwargs={"pk": case.pk}
    )
    with translation.override(customer.language or None):
        subject = _("[%(number)s] %(subject)s") % {"number": case.number, "subject": case.subject}
        body = _(
            "Hello %(name)s,\n\nwe answered your request %(number)s:\n\n%(text)s\n\n"
            "Status: %(status)s\n\nRead the whole conversation and reply in your "
            "account:\n%(link)s\n"
        ) % {
            "name": customer.name,
            "number": case.number,
            "text": reply.text,
            "status": case.get_status_display(),
            "link": link,
        }
    outbox_enqueue(
        topic="email",
        payload={"to": [customer.email], "subject": subject, "body": body},
        idempotency_key=f"case-reply-{reply.pk}",
    )
