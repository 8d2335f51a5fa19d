"""The agents' side of cases: the customer-360 Cases tab, the case page where an
agent reads, answers (e-mailed through the outbox) and changes the status, and the
attachment download."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from alux_crm.core import roles as R
from alux_crm.core.models import OutboxMessage
from cases.choices import CaseStatus
from cases.models import Case
from cases.services import case_create, case_reply
from tests.customers import factories as CF

pytestmark = pytest.mark.django_db


def _case(customer, **fields):
    data = {
        "customer": customer,
        "kind": "billing",
        "channel": "portal",
        "subject": "Invoice too high",
        "description": "Why did my invoice double?",
    }
    data.update(fields)
    return case_create(**data)


def test_the_cases_tab_lists_the_customers_cases_with_links_for_agents(make_user, login, client):
    customer = CF.person()
    case = _case(customer)
    case_reply(case=case, text="Checking.", actor=None)
    _case(CF.person(), subject="Someone else's")
    login(make_user(R.CUSTOMER_SERVICE))
    url = reverse("customers:customer_tab", args=[customer.pk, "cases"])
    page = client.get(url).content.decode()
    assert case.number in page and "Invoice too high" in page and "1 reply" in page
    assert reverse("cases:case_detail", args=[case.pk]) in page
    assert "Someone else&#x27;s" not in page and "Someone else's" not in page


def test_the_tab_shows_cases_without_links_to_roles_that_do_not_answer_them(
    make_user, login, client
):
    customer = CF.person()
    case = _case(customer)
    login(make_user(R.BILLING_FINANCE))
    page = client.get(reverse("customers:customer_tab", args=[customer.pk, "cases"]))
    assert case.number in page.content.decode()
    assert reverse("cases:case_detail", args=[case.pk]) not in page.content.decode()
    assert client.get(reverse("cases:case_detail", args=[case.pk])).status_code == 403


def test_an_agent_reads_answers_and_the_customer_is_emailed(make_user, login, client):
    customer = CF.person()
    photo = SimpleUploadedFile("bill.png", CF.PNG_BYTES)
    case = _case(customer, attachment=photo)
    case_reply(case=case, text="Here is more detail.", from_customer=True)
    login(make_user(R.CUSTOMER_SERVICE))
    url = reverse("cases:case_detail", args=[case.pk])
    page = client.get(url).content.decode()
    assert "Why did my invoice double?" in page and "Here is more detail." in page
    assert reverse("cases:case_attachment", args=[case.pk]) in page

    response = client.post(url, {"text": "Your first invoice was partial.", "status": "waiting"})
    assert response.status_code == 302 and response["Location"] == url
    case.refresh_from_db()
    assert case.status == CaseStatus.WAITING_CUSTOMER
    assert case.replies.last().text == "Your first invoice was partial."
    email = OutboxMessage.objects.get(topic="email")
    assert email.payload["to"] == [customer.email]
    assert f"Answer sent to {customer.email}" in client.get(url).content.decode()

    download = client.get(reverse("cases:case_attachment", args=[case.pk]))
    assert download["Content-Type"] == "image/png"
    assert b"".join(download.streaming_content) == CF.PNG_BYTES
    assert 'filename="bill.png"' in download["Content-Disposition"]


def test_status_only_change_and_refused_input(make_user, login, client):
    case = _case(CF.person())
    login(make_user(R.BACK_OFFICE))
    url = reverse("cases:case_detail", args=[case.pk])
    nothing = client.post(url, {"text": "", "status": "open"})
    assert nothing.status_code == 422
    assert "Write an answer or change the status." in nothing.content.decode()
    assert client.post(url, {"text": "", "status": "closed"}).status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and not case.replies.exists()
    # from closed, only reopening is offered; another status is a field error
    wrong = client.post(url, {"text": "", "status": "in_progress"})
    assert wrong.status_code == 422
    assert Case.objects.get(pk=case.pk).status == CaseStatus.CLOSED
    assert not OutboxMessage.objects.exists()


def test_a_case_without_attachment_and_an_unknown_case_are_404(make_user, login, client):
    case = _case(CF.person())
    login(make_user(R.SALES))
    assert client.get(reverse("cases:case_attachment", args=[case.pk])).status_code == 404
    assert client.get(reverse("cases:case_detail", args=[case.pk + 1000])).status_code == 404
