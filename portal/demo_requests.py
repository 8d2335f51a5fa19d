"""Demo of the portal's information requests: three requests of the demo subscriber
made through the real case services — one answered by an agent and waiting for
the customer, one answered and closed, one just sent with a photo. Idempotent (the
subscriber's portal requests are made once). The dates are moved back afterwards so
the list reads like a few weeks of use."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from alux_crm.core.models import User
from cases.choices import CaseChannel, CaseStatus, CaseType
from cases.models import Case, CaseReply
from cases.services import case_create, case_reply

from .models import PortalAccount

# A 1x1 PNG: the "photo" of the demo's technical request.
PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4"
    "890000000d4944415478da63f8cfc0f01f0005000201a0d6a3c20000000049454e44ae426082"
)


def _age(case: Case, *, opened_days_ago: float, replies_hours_later: list[float]) -> None:
    """Move a demo case and its replies back in time."""
    opened = timezone.now() - timedelta(days=opened_days_ago)
    replies = list(case.replies.order_by("id"))
    last = opened
    for reply, hours in zip(replies, replies_hours_later, strict=True):
        last = opened + timedelta(hours=hours)
        CaseReply.objects.filter(pk=reply.pk).update(created_at=last)
    closed = {"closed_at": last} if case.status == CaseStatus.CLOSED else {}
    Case.objects.filter(pk=case.pk).update(created_at=opened, updated_at=last, **closed)


def seed_requests(account: PortalAccount) -> int:
    """The demo subscriber's requests, made once; returns how many were made."""
    customer, subscriber = account.customer, account.user
    if Case.objects.filter(customer=customer, channel=CaseChannel.PORTAL).exists():
        return 0
    agent = User.objects.filter(username="agent").first()

    def request(kind, subject, description, attachment=None):
        return case_create(
            customer=customer,
            kind=kind,
            channel=CaseChannel.PORTAL,
            subject=subject,
            description=description,
            actor=subscriber,
            attachment=attachment,
        )

    closed = request(
        CaseType.BILLING,
        "Why is my last invoice higher?",
        "My invoice is higher than the month before. Did the price of my package change?",
    )
    case_reply(
        case=closed,
        actor=agent,
        status=CaseStatus.CLOSED,
        text=(
            "Hello! Your first invoice covered only part of the month, from the day your "
            "service was activated; this one covers the whole month. Your price did not "
            "change. Each line of the invoice shows how it was computed."
        ),
    )
    _age(closed, opened_days_ago=9, replies_hours_later=[5])

    waiting = request(
        CaseType.SERVICE_CHANGE,
        "A second TV box for the bedroom",
        "Can I get a second TV box for the bedroom, and how much would it cost a month?",
    )
    case_reply(
        case=waiting,
        actor=agent,
        status=CaseStatus.WAITING_CUSTOMER,
        text=(
            "Yes: a multi-room box is added to your subscription and installed by our "
            "technician. Which day next week suits you for the installation?"
        ),
    )
    _age(waiting, opened_days_ago=2, replies_hours_later=[3])

    photo = SimpleUploadedFile("screen.png", PNG_BYTES, content_type="image/png")
    fresh = request(
        CaseType.TECHNICAL,
        "The picture freezes on HD channels",
        "Since yesterday evening the picture freezes every few minutes on the HD "
        "channels. The other channels work. A photo of the message on the screen is "
        "attached.",
        attachment=photo,
    )
    _age(fresh, opened_days_ago=0.1, replies_hours_later=[])
    return 3
