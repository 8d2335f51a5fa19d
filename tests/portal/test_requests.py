"""Information requests in the portal (POR-1, CAS-1): a subscriber opens one with a
picture or PDF, follows its status and the conversation, replies; every request URL
is a 404 for another customer's request, on GET and on POST."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.choices import REOPEN_WITHIN_DAYS, CaseStatus
from cases.models import Case
from cases.services import case_create, case_reply, case_set_status
from portal.models import PortalAccount
from tests.core.factories import UserFactory
from tests.customers import factories as CF

pytestmark = pytest.mark.django_db

REQUEST_URLS_WITH_IDS = ["portal:request_detail", "portal:request_attachment"]


def subscriber_of(customer) -> tuple[Client, object]:
    user = UserFactory(role="Subscriber")
    PortalAccount.objects.create(user=user, customer=customer)
    client = Client()
    client.force_login(user, backend="alux_crm.core.auth_backends.UserBackend")
    return client, user


def _request(customer, **fields):
    data = {
        "customer": customer,
        "kind": "technical",
        "channel": "portal",
        "subject": "No signal on HD channels",
        "description": "The picture freezes.",
    }
    data.update(fields)
    return case_create(**data)


def test_a_new_request_with_a_photo_is_a_portal_case_of_the_subscriber():
    customer = CF.person()
    client, user = subscriber_of(customer)
    form = client.get(reverse("portal:request_create")).content.decode()
    for element in ('id="id_kind"', 'id="id_subject"', 'id="id_description"', 'id="id_attachment"'):
        assert element in form
    assert 'id="request-submit"' in form
    photo = SimpleUploadedFile("screen.png", CF.PNG_BYTES, content_type="image/png")
    response = client.post(
        reverse("portal:request_create"),
        {
            "kind": "technical",
            "subject": "Picture freezes",
            "description": "Every few minutes.",
            "attachment": photo,
        },
        follow=True,
    )
    case = Case.objects.get()
    assert (case.customer, case.channel, case.created_by) == (customer, "portal", user)
    assert (case.kind, case.status) == ("technical", CaseStatus.OPEN)
    page = response.content.decode()
    assert f'<span class="font-monospace" id="request-number">{case.number}</span>' in page
    assert f"We received your request {case.number}" in page
    assert "Every few minutes." in page and "screen.png" in page
    download = client.get(reverse("portal:request_attachment", args=[case.pk]))
    assert download["Content-Type"] == "image/png"
    assert b"".join(download.streaming_content) == CF.PNG_BYTES


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("photo.png", b"MZ\x90\x00 a program"), "is not a picture or a PDF"),
        (SimpleUploadedFile("big.pdf", CF.PDF_BYTES + b" " * 200), "the limit is"),
    ],
    ids=["not-a-picture", "too-large"],
)
def test_a_refused_attachment_is_a_field_error_and_nothing_is_created(settings, upload, message):
    settings.MAX_UPLOAD_SIZE = 100
    client, _user = subscriber_of(CF.person())
    response = client.post(
        reverse("portal:request_create"),
        {"kind": "billing", "subject": "My bill", "description": "Too high.", "attachment": upload},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert message in page and 'id="error_1_id_attachment"' in page
    assert "Too high." in page and 'value="My bill"' in page  # nothing typed is lost
    assert not Case.objects.exists()


def test_missing_fields_are_shown_next_to_them():
    client, _user = subscriber_of(CF.person())
    response = client.post(reverse("portal:request_create"), {"kind": "billing"})
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="error_1_id_subject"' in page and 'id="error_1_id_description"' in page
    assert not Case.objects.exists()


def test_the_list_shows_own_requests_with_status_and_nothing_of_others():
    customer = CF.person()
    mine = _request(customer, subject="My own question")
    case_reply(case=mine, text="Answer", status=CaseStatus.WAITING_CUSTOMER)
    other = _request(CF.person(), subject="Somebody else's question")
    client, _user = subscriber_of(customer)
    page = client.get(reverse("portal:request_list")).content.decode()
    assert mine.number in page and "My own question" in page
    assert "Waiting for your reply" in page and "Technical problem" in page
    assert other.number not in page and "Somebody else" not in page
    assert 'id="nav-requests"' in page


def test_the_conversation_and_a_reply_that_reopens_a_waiting_request():
    customer = CF.person()
    case = _request(customer)
    case_reply(case=case, text="Please restart the box.", status=CaseStatus.WAITING_CUSTOMER)
    client, user = subscriber_of(customer)
    url = reverse("portal:request_detail", args=[case.pk])
    page = client.get(url).content.decode()
    assert "The picture freezes." in page and "Please restart the box." in page
    assert "Customer care" in page and 'id="reply-form"' in page
    assert client.post(url, {"text": ""}).status_code == 422  # a field error, no reply
    response = client.post(url, {"text": "Restarted, still frozen."})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    last = case.replies.last()
    assert (last.text, last.from_customer, last.author) == ("Restarted, still frozen.", True, user)


def test_a_recently_closed_request_reopens_an_old_one_asks_for_a_new_request():
    customer = CF.person()
    case = case_set_status(case=_request(customer), status=CaseStatus.CLOSED)
    client, _user = subscriber_of(customer)
    url = reverse("portal:request_detail", args=[case.pk])
    assert 'id="reopen-note"' in client.get(url).content.decode()
    client.post(url, {"text": "It happened again."})
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN

    case = case_set_status(case=case, status=CaseStatus.CLOSED)
    old = timezone.now() - timedelta(days=REOPEN_WITHIN_DAYS + 1)
    Case.objects.filter(pk=case.pk).update(closed_at=old)
    page = client.get(url).content.decode()
    assert 'id="closed-note"' in page and 'id="reply-form"' not in page
    assert f"Follow-up to {case.number}" in page  # the new-request form, prefilled
    refused = client.post(url, {"text": "Still there?"})
    assert refused.status_code == 422
    assert "Still there?" in refused.content.decode()  # kept in the new-request form
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.replies.count() == 1


@pytest.mark.parametrize("method", ["get", "post"])
def test_every_request_url_with_an_id_is_a_404_for_another_subscriber(method):
    a, b = CF.person(), CF.person()
    photo = SimpleUploadedFile("a.png", CF.PNG_BYTES)
    case_of_a = _request(a, attachment=photo)
    client_b, _user = subscriber_of(b)
    for name in REQUEST_URLS_WITH_IDS:
        url = reverse(name, kwargs={"pk": case_of_a.pk})
        response = getattr(client_b, method)(url, {"text": "Intrusion"})
        assert response.status_code == 404, (name, method)
    assert not case_of_a.replies.exists()
    # and subscriber A does reach them
    client_a, _user = subscriber_of(a)
    for name in REQUEST_URLS_WITH_IDS:
        assert client_a.get(reverse(name, kwargs={"pk": case_of_a.pk})).status_code == 200


def test_a_request_without_attachment_has_no_download():
    customer = CF.person()
    case = _request(customer)
    client, _user = subscriber_of(customer)
    assert client.get(reverse("portal:request_attachment", args=[case.pk])).status_code == 404


def test_the_demo_subscriber_has_an_answered_a_closed_and_a_fresh_request():
    from portal.demo_requests import seed_requests

    customer = CF.person()
    client, user = subscriber_of(customer)
    UserFactory(role="Customer Service", username="agent")
    account = PortalAccount.objects.get(user=user)
    assert seed_requests(account) == 3 and seed_requests(account) == 0  # made once
    cases = {c.status: c for c in Case.objects.filter(customer=customer)}
    assert set(cases) == {CaseStatus.WAITING_CUSTOMER, CaseStatus.CLOSED, CaseStatus.OPEN}
    assert all(c.channel == "portal" and c.created_by == user for c in cases.values())
    assert cases[CaseStatus.OPEN].attachment_type == "image/png"
    answer = cases[CaseStatus.WAITING_CUSTOMER].replies.get()
    assert answer.author.username == "agent" and not answer.from_customer
    assert cases[CaseStatus.CLOSED].customer_may_reply(timezone.now())  # closed 9 days ago
    page = client.get(reverse("portal:request_list")).content.decode()
    assert page.index("picture freezes") < page.index("second TV box") < page.index("higher")
