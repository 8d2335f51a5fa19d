"""Cases services (CAS-1, minimal): attachments checked by content, the agent's
answer e-mailed through the outbox, the status rules, and a customer's reply to a
closed case (reopens it within REOPEN_WITHIN_DAYS, refused later)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from alux_crm.core.errors import DomainError, InvalidTransition
from alux_crm.core.models import OutboxMessage
from cases.choices import REOPEN_WITHIN_DAYS, CaseStatus
from cases.models import Case
from cases.services import case_create, case_reply, case_set_status
from tests.core.factories import UserFactory
from tests.customers import factories as CF

pytestmark = pytest.mark.django_db

MP3_BYTES = b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\x00" * 64


def _case(customer=None, **fields):
    data = {
        "customer": customer or CF.person(),
        "kind": "technical",
        "channel": "portal",
        "subject": "No signal",
        "description": "The box says no signal.",
    }
    data.update(fields)
    return case_create(**data)


def test_a_picture_or_pdf_is_kept_with_its_name_and_detected_type():
    photo = SimpleUploadedFile("screen.PNG", CF.PNG_BYTES, content_type="image/png")
    case = _case(attachment=photo)
    assert case.attachment_name == "screen.PNG" and case.attachment_type == "image/png"
    with case.attachment.open("rb") as stored:
        assert stored.read() == CF.PNG_BYTES
    assert "screen" not in case.attachment.name  # stored under a random name


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("invoice.pdf", b"just some text, not a PDF"),
        SimpleUploadedFile("call.mp3", MP3_BYTES),  # fine for a logged call, not here
    ],
    ids=["text-named-pdf", "audio"],
)
def test_another_kind_of_file_is_refused_and_nothing_is_created(upload):
    with pytest.raises(ValidationError) as refused:
        _case(attachment=upload)
    assert "not a picture or a PDF" in str(refused.value.message_dict["attachment"])
    assert not Case.objects.exists()


def test_a_file_over_the_upload_limit_is_refused(settings):
    settings.MAX_UPLOAD_SIZE = 40
    with pytest.raises(ValidationError) as refused:
        _case(attachment=SimpleUploadedFile("big.png", CF.PNG_BYTES))
    assert "the limit is" in str(refused.value.message_dict["attachment"])
    assert not Case.objects.exists()


def test_an_agent_answer_sets_the_status_and_emails_the_customer_a_portal_link(settings):
    settings.PORTAL_BASE_URL = "https://my.example.com"
    customer = CF.person(language="en")
    case = _case(customer)
    before = Case.objects.get(pk=case.pk).updated_at
    agent = UserFactory(role="Customer Service")
    reply = case_reply(
        case=case, text="Please restart the box.", actor=agent, status=CaseStatus.WAITING_CUSTOMER
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.WAITING_CUSTOMER and case.updated_at > before
    assert reply.author == agent and not reply.from_customer
    message = OutboxMessage.objects.get(idempotency_key=f"case-reply-{reply.pk}")
    assert message.topic == "email" and message.payload["to"] == [customer.email]
    assert case.number in message.payload["subject"]
    body = message.payload["body"]
    assert "Please restart the box." in body
    assert f"https://my.example.com/portal/requests/{case.pk}/" in body


def test_no_email_for_a_customer_without_an_address_and_none_for_customer_replies():
    case = _case(CF.person(email=""))
    case_reply(case=case, text="We are on it.", actor=UserFactory(role="Back Office"))
    case_reply(case=case, text="Thanks", from_customer=True)
    assert not OutboxMessage.objects.filter(topic="email").exists()
    assert case.replies.count() == 2


def test_status_rules_and_closing_time():
    case = _case()
    case = case_set_status(case=case, status=CaseStatus.CLOSED)
    assert case.closed_at is not None
    with pytest.raises(InvalidTransition):
        case_set_status(case=case, status=CaseStatus.IN_PROGRESS)
    case = case_set_status(case=case, status=CaseStatus.OPEN)  # an agent reopens
    assert case.status == CaseStatus.OPEN and case.closed_at is None
    with pytest.raises(ValidationError):
        case_reply(case=case, text="   ", from_customer=True)


def test_a_customer_reply_reopens_a_recently_closed_case_but_not_an_old_one():
    case = case_set_status(case=_case(), status=CaseStatus.CLOSED)
    case_reply(case=case, text="Still broken.", from_customer=True)
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN and case.closed_at is None

    case = case_set_status(case=case, status=CaseStatus.CLOSED)
    long_ago = timezone.now() - timedelta(days=REOPEN_WITHIN_DAYS + 1)
    Case.objects.filter(pk=case.pk).update(closed_at=long_ago)
    with pytest.raises(DomainError, match="open a new request"):
        case_reply(case=case, text="Again?", from_customer=True)
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.replies.count() == 1
